"""The disclosure actions: what they record, and every refusal changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case
from kakehashi.cases.timeline import build_timeline
from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.disclosures import actions
from kakehashi.disclosures.actions import RecipientInput
from kakehashi.disclosures.models import Disclosure
from kakehashi.disclosures.terms import DEFAULT_TERMS_EN, DEFAULT_TERMS_JA

GRID = RecipientInput(organisation="Kanto Grid Co.", name="Hanako Sato", email="csirt@grid.test")
MINISTRY = RecipientInput(organisation="Ministry of Energy", language="en")


def pre_release(case, actor, **overrides):
    today = timezone.localdate()
    values = {
        "kind": "critical_infrastructure",
        "summary": "The advisory draft and the 4.2.1 update.",
        "includes_fix": True,
        "terms_ja": DEFAULT_TERMS_JA,
        "terms_en": DEFAULT_TERMS_EN,
        "reception_consulted_on": today,
        "reception_consultation": "IPA agreed by telephone.",
        "vendor_consulted_on": today,
        "vendor_consultation": "Vendor A agreed by e-mail.",
        "recipients": [GRID, MINISTRY],
    }
    values.update(overrides)
    return actions.record_disclosure(case, actor=actor, **values)


def nothing_changed(case, audit_before):
    assert Disclosure.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert Case.objects.get(pk=case.pk).revision == case.revision


def test_a_pre_release_records_who_what_when_the_terms_and_who_approved(fixed, coordinator):
    disclosure = pre_release(fixed, coordinator)

    disclosure.refresh_from_db()
    assert disclosure.kind == "critical_infrastructure" and disclosure.state == "approved"
    assert disclosure.decided_by == coordinator and disclosure.decided_at is not None
    assert disclosure.includes_fix and "4.2.1" in disclosure.summary
    assert disclosure.terms_ja == DEFAULT_TERMS_JA.strip()
    assert disclosure.reception_consultation == "IPA agreed by telephone."
    names = [r.display_name() for r in disclosure.recipients.all()]
    assert names == ["Hanako Sato (Kanto Grid Co.)", "Ministry of Energy"]
    assert {r.delivery for r in disclosure.recipients.all()} == {"other_channel"}
    event = AuditEvent.objects.get(action="disclosure.recorded")
    assert event.actor_id == coordinator.pk and event.case_id == fixed.pk
    assert event.data["recipients"][0]["organisation"] == "Kanto Grid Co."


def test_the_case_event_fix_ready_counts_as_a_fix(case, vendor, coordinator):
    for event in ("V", "F"):
        case_actions.record_case_event(case, event, participant=vendor, actor=coordinator)
        case.refresh_from_db()

    assert pre_release(case, coordinator).pk


def test_a_pre_release_without_any_fix_is_refused(case, coordinator):
    audit_before = AuditEvent.objects.count()

    with pytest.raises(GuardFailed, match="No vendor has a fix yet"):
        pre_release(case, coordinator)
    nothing_changed(case, audit_before)


def test_a_pre_release_that_leaves_the_fix_out_is_refused(fixed, coordinator):
    with pytest.raises(InvalidInput, match="shares the fix too"):
        pre_release(fixed, coordinator, includes_fix=False)
    assert Disclosure.objects.count() == 0


def test_nothing_is_disclosed_before_publication_once_published(fixed, coordinator):
    case_actions.advance_phase(fixed, "publish", actor=coordinator)
    fixed.refresh_from_db()
    audit_before = AuditEvent.objects.count()

    with pytest.raises(GuardFailed, match="already published"):
        pre_release(fixed, coordinator)
    nothing_changed(fixed, audit_before)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("reception_consulted_on", "the reception desk"),
        ("vendor_consulted_on", "the vendor was consulted"),
    ],
)
def test_a_pre_release_without_its_consultation_records_is_refused(
    fixed, coordinator, missing, message
):
    audit_before = AuditEvent.objects.count()

    with pytest.raises(InvalidInput, match=message):
        pre_release(fixed, coordinator, **{missing: None})
    nothing_changed(fixed, audit_before)


def test_a_consultation_in_the_future_is_refused(fixed, coordinator):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="cannot be dated in the future"):
        pre_release(fixed, coordinator, vendor_consulted_on=tomorrow)


def test_a_disclosure_without_terms_is_refused(fixed, coordinator):
    audit_before = AuditEvent.objects.count()

    with pytest.raises(InvalidInput, match="confidentiality terms"):
        pre_release(fixed, coordinator, terms_ja="  ", terms_en="")
    nothing_changed(fixed, audit_before)


def test_terms_in_one_language_are_enough(fixed, coordinator):
    disclosure = pre_release(fixed, coordinator, terms_ja="", terms_en="Keep it secret.")
    assert disclosure.terms("ja") == "Keep it secret."


@pytest.mark.parametrize("address", ["not-an-address", "csirt@", "a b@grid.test"])
def test_a_recipient_with_a_bad_email_address_is_refused(fixed, coordinator, address):
    audit_before = AuditEvent.objects.count()
    recipient = RecipientInput(organisation="Grid", email=address)

    with pytest.raises(InvalidInput, match="is not a valid e-mail address"):
        pre_release(fixed, coordinator, recipients=[recipient])
    nothing_changed(fixed, audit_before)


def test_a_recipient_needs_a_name_and_a_disclosure_a_recipient(fixed, coordinator):
    with pytest.raises(InvalidInput, match="an organisation or a name"):
        pre_release(fixed, coordinator, recipients=[RecipientInput(email="x@grid.test")])
    with pytest.raises(InvalidInput, match="at least one recipient"):
        pre_release(fixed, coordinator, recipients=[])
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("signing_only", "can only sign"),
        ("expired", "has expired"),
        (None, ""),
    ],
)
def test_a_recipient_key_that_cannot_encrypt_is_refused(
    fixed, coordinator, recipient_keys, key, message
):
    armored = recipient_keys[key].public if key else "-----BEGIN PGP PUBLIC KEY BLOCK-----\nno\n"
    recipient = RecipientInput(organisation="Grid", email="csirt@grid.test", key=armored)
    audit_before = AuditEvent.objects.count()

    with pytest.raises(InvalidInput, match=f"The key of Grid was refused: .*{message}"):
        pre_release(fixed, coordinator, recipients=[recipient])
    nothing_changed(fixed, audit_before)


def test_mailing_the_package_needs_a_key_for_every_recipient(fixed, coordinator, recipient_keys):
    keyed = RecipientInput(
        organisation="Grid", email="csirt@grid.test", key=recipient_keys["good"].public
    )

    with pytest.raises(InvalidInput, match="Ministry of Energy needs an e-mail address"):
        pre_release(fixed, coordinator, recipients=[keyed, MINISTRY], send_by_mail=True)
    assert Disclosure.objects.count() == 0


def test_only_the_cases_coordinator_may_disclose(fixed, world):
    for persona in ("psirt", "clerk", "translator", "outsider"):
        with pytest.raises(GuardFailed, match="Only the case's coordinator"):
            pre_release(fixed, world.user(persona))
    assert Disclosure.objects.count() == 0


def test_a_form_from_an_older_revision_is_refused(fixed, coordinator):
    from kakehashi.core.workflow import ConcurrentChange

    with pytest.raises(ConcurrentChange):
        pre_release(fixed, coordinator, revision=fixed.revision - 1)
    assert Disclosure.objects.count() == 0


def test_a_pre_release_after_the_agreed_date_starts_the_priority_release_phase(
    fixed, vendor, coordinator
):
    case_actions.record_contact_attempt(
        fixed, vendor, actor=coordinator, channel="email", address="psirt@a.test"
    )
    fixed.refresh_from_db()
    case_actions.advance_phase(fixed, "agree_schedule", actor=coordinator)
    fixed.refresh_from_db()

    pre_release(fixed, coordinator)

    assert Case.objects.get(pk=fixed.pk).phase == "priority_release"


def test_other_disclosures_need_a_justification_but_no_fix(case, coordinator):
    partner = RecipientInput(organisation="CERT/CC", email="cert@cert.test", language="en")
    with pytest.raises(InvalidInput, match="justification"):
        actions.record_disclosure(
            case,
            actor=coordinator,
            kind="overseas_coordinator",
            summary="The report.",
            terms_ja="",
            terms_en="Under our NDA.",
            recipients=[partner],
        )

    disclosure = actions.record_disclosure(
        case,
        actor=coordinator,
        kind="overseas_coordinator",
        summary="The report.",
        justification="The product is American with no Japanese distributor (IV.4.5).",
        terms_ja="",
        terms_en="Under our NDA.",
        recipients=[partner],
    )
    assert disclosure.kind == "overseas_coordinator" and not disclosure.includes_fix
    assert disclosure.reception_consulted_on is None


def test_an_unknown_kind_is_refused(case, coordinator):
    with pytest.raises(InvalidInput, match="what kind of disclosure"):
        pre_release(case, coordinator, kind="vendor_users")


# -- the finder is told, without the recipients ----------------------------------------------


def test_the_finder_learns_of_the_pre_release_but_not_the_recipients(
    world, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    from kakehashi.intake import actions as intake_actions
    from kakehashi.intake.tests.conftest import PRODUCT_REPORT, pass_all_checks

    clerk = world.user("clerk")
    report = intake_actions.submit_report(
        track="product",
        language="en",
        data=PRODUCT_REPORT,
        uploads=[],
        reception_org=world.organisations["reception"],
    ).report
    pass_all_checks(report, clerk)
    intake_actions.accept_report(report, actor=clerk)
    case = intake_actions.forward_report(
        report, actor=clerk, coordinator_org=world.organisations["coordination"]
    )
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    vendor = case.participants.get(role="vendor")
    case.refresh_from_db()
    for event in ("V", "F"):
        case_actions.record_case_event(case, event, participant=vendor, actor=coordinator)
        case.refresh_from_db()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        pre_release(case, coordinator)
    run_pending_jobs()

    message = report.messages.get(from_finder=False)
    assert "critical-infrastructure operators" in message.body
    for secret in ("Kanto Grid", "Hanako", "Ministry of Energy", "grid.test"):
        assert secret not in message.body
    finder_mail = [m for m in mailoutbox if report.tracking_id in m.subject]
    assert finder_mail
    assert all("Kanto Grid" not in m.body for m in mailoutbox)
    assert AuditEvent.objects.filter(action="report.milestone_relayed").exists()


def test_other_disclosures_are_not_relayed_to_the_finder(case, coordinator):
    from kakehashi.cases.signals import case_milestone

    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["milestone"])

    case_milestone.connect(listener)
    try:
        actions.record_disclosure(
            case,
            actor=coordinator,
            kind="analysis_body",
            summary="The proof of concept.",
            justification="Detailed analysis of the exploit is needed.",
            terms_ja="秘密保持契約に基づく。",
            terms_en="",
            recipients=[RecipientInput(organisation="Analysis Lab")],
        )
    finally:
        case_milestone.disconnect(listener)
    assert heard == []


# -- a vendor's notice to its own users -----------------------------------------------------


def ask(vendor, actor, **overrides):
    values = {
        "summary": "Customers of the hosted historian must upgrade.",
        "audience": "Our 40 hosted-service customers, under their support contract.",
        "justification": "They cannot upgrade in a day; telling them first shortens exposure.",
        "terms_ja": DEFAULT_TERMS_JA,
        "terms_en": DEFAULT_TERMS_EN,
    }
    values.update(overrides)
    return actions.request_user_notice(vendor, actor=actor, **values)


def test_a_vendor_asks_and_the_coordinator_approves(
    vendor, world, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    request = ask(vendor, world.user("psirt"))
    assert request.state == "requested" and request.decided_at is None
    assert AuditEvent.objects.filter(action="disclosure.requested").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        actions.decide_user_notice(request, actor=coordinator, approve=True, note="Go ahead.")
    run_pending_jobs()

    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == coordinator
    assert request.decision_note == "Go ahead."
    assert AuditEvent.objects.filter(action="disclosure.approved").count() == 1
    told = {address for m in mailoutbox for address in m.to}
    assert {"psirt@example.test", "vendoradmin@example.test"} <= told
    assert "other_vendor@example.test" not in told
    assert any("approved" in m.subject for m in mailoutbox)


def test_the_coordinators_are_told_of_a_request_without_its_details(
    vendor, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(vendor, world.user("psirt"), audience="Alpha hosted customers")
    run_pending_jobs()

    assert [m.to for m in mailoutbox] == [["coordinator@example.test"]]
    assert "Vendor A asks to notify its own users" in mailoutbox[0].body
    assert f"/disclosures/cases/{vendor.case_id}/" in mailoutbox[0].body
    assert "Alpha hosted customers" not in mailoutbox[0].body


def test_a_refusal_needs_a_reason_and_a_request_is_decided_once(case, vendor, world, coordinator):
    request = ask(vendor, world.user("vendoradmin"))

    with pytest.raises(InvalidInput, match="why the request is refused"):
        actions.decide_user_notice(request, actor=coordinator, approve=False)
    actions.decide_user_notice(request, actor=coordinator, approve=False, note="Too early.")
    with pytest.raises(GuardFailed, match="already been decided"):
        actions.decide_user_notice(
            Disclosure.objects.get(pk=request.pk), actor=coordinator, approve=True
        )
    assert Disclosure.objects.get(pk=request.pk).state == "refused"


def test_only_the_coordinator_decides_a_vendors_request(case, vendor, world):
    request = ask(vendor, world.user("psirt"))
    for persona in ("psirt", "vendoradmin", "clerk"):
        with pytest.raises(GuardFailed):
            actions.decide_user_notice(request, actor=world.user(persona), approve=True)
    assert Disclosure.objects.get(pk=request.pk).state == "requested"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("summary", "what you will tell"),
        ("audience", "to whom"),
        ("justification", "lowers their risk"),
    ],
)
def test_a_vendors_request_without_its_parts_is_refused(case, vendor, world, field, message):
    with pytest.raises(InvalidInput, match=message):
        ask(vendor, world.user("psirt"), **{field: " "})
    with pytest.raises(InvalidInput, match="confidentiality terms"):
        ask(vendor, world.user("psirt"), terms_ja="", terms_en="")
    assert Disclosure.objects.count() == 0


def test_another_vendor_cannot_ask_for_vendor_a(case, vendor, world):
    with pytest.raises(GuardFailed, match="vendor's own members"):
        ask(vendor, world.user("other_vendor"))
    assert Disclosure.objects.count() == 0


def test_a_vendor_cannot_ask_after_publication(case, vendor, world, coordinator):
    case_actions.advance_phase(case, "publish", actor=coordinator)
    vendor.case.refresh_from_db()

    with pytest.raises(GuardFailed, match="already published"):
        ask(vendor, world.user("psirt"))


def test_nothing_is_disclosed_from_a_closed_case(fixed, vendor, world, coordinator):
    case_actions.close_case(fixed, actor=coordinator, reason="other", note="Withdrawn.")
    fixed.refresh_from_db()

    with pytest.raises(GuardFailed, match="closed"):
        pre_release(fixed, coordinator)
    vendor.case.refresh_from_db()
    with pytest.raises(GuardFailed, match="closed"):
        ask(vendor, world.user("psirt"))
    assert Disclosure.objects.count() == 0


def test_the_finders_message_is_in_japanese_once_the_catalogs_are_merged():
    from django.utils import translation

    from kakehashi.intake.relay import _text

    with translation.override("ja"):
        text = _text(Case(), "pre_released")
    if text.startswith("Before the public date"):
        pytest.skip("the Japanese catalog has not merged locale/pending/disclosures.json yet")
    assert "重要インフラ事業者等" in text and "IV.4.8" in text


# -- the case timeline ------------------------------------------------------------------------


def test_every_step_is_in_the_timeline_with_a_fixed_number_of_queries(
    fixed, vendor, world, coordinator, django_assert_num_queries
):
    pre_release(fixed, coordinator)
    fixed.refresh_from_db()
    request = ask(vendor, world.user("psirt"))
    actions.decide_user_notice(request, actor=coordinator, approve=False, note="Too early.")

    texts = [entry.text for entry in build_timeline(fixed) if entry.kind == "disclosure"]
    assert texts == [
        "Notice to its users refused",
        "Asked to notify its users before publication",
        "Disclosed before publication (Critical-infrastructure pre-release) to 2 recipients: "
        "Hanako Sato (Kanto Grid Co.), Ministry of Energy",
    ]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        build_timeline(fixed)
    for _ in range(3):
        pre_release(Case.objects.get(pk=fixed.pk), coordinator)
    with django_assert_num_queries(len(few.captured_queries)):
        build_timeline(fixed)
