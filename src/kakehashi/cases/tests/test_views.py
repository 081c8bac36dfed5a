"""The coordinator desk through its pages: who may act, what each action does, how
refusals look (nothing changes), both languages, time zones, and the query budget."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions
from kakehashi.cases.models import (
    Case,
    CaseProduct,
    ContactAttempt,
    Decision,
    EmbargoProposal,
    EmbargoResponse,
    Participant,
    VendorStatus,
    Vulnerability,
)

pytestmark = pytest.mark.django_db

CVSS_V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"case_id": case.pk, **kwargs})


def local(instant: datetime, zone: str = "Asia/Tokyo") -> str:
    """How a person in ``zone`` types ``instant`` into a datetime-local input."""
    return instant.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def later(days: int = 30) -> str:
    return local(timezone.now() + timedelta(days=days))


def post(client, name: str, case: Case, prefix: str, data: dict, *, revision=None, **kw):
    """POST an action form as the page renders it: prefixed fields and the revision."""
    payload = {f"{prefix}-revision": fresh(case).revision if revision is None else revision}
    for key, value in data.items():
        payload[f"{prefix}-{key}"] = value
    return client.post(url(name, case, **kw), payload)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def ctx(world, case, vendor_a, vendor_b, vulnerability):
    return SimpleNamespace(
        world=world,
        case=case,
        vendor_a=vendor_a,
        vendor_b=vendor_b,
        vulnerability=vulnerability,
        coordinator=world.user("coordinator"),
    )


def _propose(ctx, days: int = 30) -> EmbargoProposal:
    return actions.propose_embargo(
        fresh(ctx.case), actor=ctx.coordinator, ends_at=timezone.now() + timedelta(days=days)
    )


def _accepted(ctx) -> None:
    proposal = _propose(ctx)
    actions.accept_embargo(fresh(ctx.case), proposal, actor=ctx.coordinator)


def _invited(ctx) -> dict:
    """Vendor A invited to a proposed embargo; no URL arguments."""
    _propose(ctx)
    actions.invite_to_embargo(fresh(ctx.case), [ctx.vendor_a], actor=ctx.coordinator)
    return {}


ANSWER_BY_MAIL = "By e-mail from psirt@vendor-a.test on 2 June, Message-ID <a1@vendor-a.test>"


def _answered_by_mail(ctx) -> bool:
    response = EmbargoResponse.objects.filter(participant=ctx.vendor_a).get()
    return (
        Participant.objects.get(pk=ctx.vendor_a.pk).pec_state == "signatory"
        and response.note == ANSWER_BY_MAIL
        and response.answered_by == ctx.coordinator
    )


def _status(ctx) -> VendorStatus:
    return actions.record_vendor_status(
        fresh(ctx.case), ctx.vendor_a, ctx.vulnerability, actor=ctx.coordinator, status="affected"
    )


def _new_vendors(ctx) -> list[Organisation]:
    return [
        Organisation.objects.create(kind="vendor", slug=f"new-{n}", name_en=f"New vendor {n}")
        for n in (1, 2)
    ]


# Each action: (url name, form prefix, setup → (URL kwargs, POST data), did it happen?).
ACTIONS = {
    "update_details": (
        "details",
        lambda c: ({}, {"title_en": "Renamed", "title_ja": "改名", "scope": "narrow"}),
        lambda c: fresh(c.case).title_en == "Renamed" and fresh(c.case).scope == "narrow",
    ),
    "advance_phase": (
        "phase",
        lambda c: ({}, {"event": "identify"}),
        lambda c: fresh(c.case).phase == "identifying_vendors",
    ),
    "close": (
        "close",
        lambda c: ({}, {"reason": "duplicate", "note": "Same as KH-1"}),
        lambda c: fresh(c.case).phase == "closed",
    ),
    "reopen": (
        "reopen",
        lambda c: (
            actions.close_case(fresh(c.case), actor=c.coordinator, reason="duplicate") and {},
            {"note": "Not a duplicate after all"},
        ),
        lambda c: fresh(c.case).phase == "identifying_vendors",
    ),
    "change_schedule": (
        "schedule",
        lambda c: ({}, {"new_target": later(60), "reason": "vendor_request"}),
        lambda c: fresh(c.case).target_publication_at is not None,
    ),
    "record_decision": (
        "triage",
        lambda c: (
            {"kind": "triage"},
            {
                "report_public": "N",
                "supplier_contacted": "Y",
                "report_credibility": "C",
                "supplier_cardinality": "M",
                "supplier_engagement": "U",
                "utility": "S",
                "public_safety_impact": "S",
            },
        ),
        lambda c: Decision.objects.filter(case=c.case, kind="triage", outcome="C").exists(),
    ),
    "add_vulnerability": (
        "vuln",
        lambda c: ({}, {"title_en": "SQL injection", "cwe_id": "89", "cvss_v3_vector": CVSS_V3}),
        lambda c: Vulnerability.objects.filter(case=c.case, cwe_id="CWE-89").exists(),
    ),
    "update_vulnerability": (
        None,  # prefix depends on the vulnerability
        lambda c: (
            {"vulnerability_id": c.vulnerability.pk},
            {"title_en": "Stored XSS in comments", "cwe_id": "CWE-79"},
        ),
        lambda c: (
            Vulnerability.objects.get(pk=c.vulnerability.pk).title_en == "Stored XSS in comments"
        ),
    ),
    "add_product": (
        "product",
        lambda c: ({}, {"vendor": c.vendor_a.pk, "name": "Example CMS", "versions": "< 2.3"}),
        lambda c: CaseProduct.objects.filter(vendor=c.vendor_a, name="Example CMS").exists(),
    ),
    "record_event": (
        "event",
        lambda c: ({}, {"event": "V", "vendor": c.vendor_a.pk}),
        lambda c: Participant.objects.get(pk=c.vendor_a.pk).vfd == "Vfd",
    ),
    "add_participants": (
        "add",
        lambda c: ({}, {"role": "vendor", "organisations": [o.pk for o in _new_vendors(c)]}),
        lambda c: c.case.participants.vendors().count() == 4,
    ),
    "remove_participant": (
        "participants",
        lambda c: ({}, {"participant": c.vendor_b.pk}),
        lambda c: Participant.objects.get(pk=c.vendor_b.pk).removed_at is not None,
    ),
    "change_rm": (
        "participants",
        lambda c: ({}, {"transition": f"{c.vendor_b.pk}:S:receive"}),
        lambda c: Participant.objects.get(pk=c.vendor_b.pk).rm_state == "R",
    ),
    "record_contact": (
        "contact",
        lambda c: (
            {},
            {
                "participant": c.vendor_a.pk,
                "channel": "email",
                "address": "psirt@vendor-a.test",
                "outcome": "sent",
                "details_included": "on",
            },
        ),
        lambda c: (
            ContactAttempt.objects.filter(participant=c.vendor_a).exists()
            and fresh(c.case).day_zero is not None
        ),
    ),
    "record_status": (
        "status",
        lambda c: (
            {},
            {"vendor": c.vendor_a.pk, "vulnerability": c.vulnerability.pk, "status": "affected"},
        ),
        lambda c: VendorStatus.objects.filter(vendor=c.vendor_a, status="affected").exists(),
    ),
    "approve_status": (
        "matrix",
        lambda c: ({}, {"approve": "{0.pk}:{0.version}".format(_status(c))}),
        lambda c: VendorStatus.objects.get(vendor=c.vendor_a).approved_at is not None,
    ),
    "propose_embargo": (
        "propose",
        lambda c: ({}, {"ends_at": later(30), "note": "Fix due in a month"}),
        lambda c: fresh(c.case).em_state == "P",
    ),
    "accept_embargo": (
        "proposal",
        lambda c: ({}, {"proposal": _propose(c).pk}),
        lambda c: fresh(c.case).em_state == "A",
    ),
    "reject_embargo": (
        "proposal",
        lambda c: ({}, {"proposal": _propose(c).pk, "note": "Too long"}),
        lambda c: fresh(c.case).em_state == "N",
    ),
    "terminate_embargo": (
        "terminate",
        lambda c: (_accepted(c) or {}, {"reason": "coordinator", "note": "Fix shipped early"}),
        lambda c: fresh(c.case).em_state == "X",
    ),
    "record_embargo_answer": (
        "answer",
        lambda c: (
            _invited(c),
            {"participant": c.vendor_a.pk, "answer": "accept", "note": ANSWER_BY_MAIL},
        ),
        lambda c: EmbargoResponse.objects.exists() and _answered_by_mail(c),
    ),
    "invite_to_embargo": (
        "invite",
        lambda c: (_propose(c) and {}, {"who": "all_vendors"}),
        lambda c: c.case.participants.vendors().filter(pec_state="invited").count() == 2,
    ),
}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_coordinator_performs_each_action_and_returns_to_the_case(name, ctx, client_for):
    prefix, setup, happened = ACTIONS[name]
    url_kwargs, data = setup(ctx)
    prefix = prefix or f"vuln{ctx.vulnerability.pk}"
    response = post(client_for("coordinator"), name, ctx.case, prefix, data, **url_kwargs)
    assert response.status_code == 302, messages_of(response) or response.content[:2000]
    assert response["Location"].startswith(url("detail", ctx.case))
    assert happened(ctx)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_only_the_coordinators_may_act(name, ctx, client_for):
    """The vendor, the finder, the reception and desk staff who do not coordinate get
    the same 404 as for a case that does not exist, and nothing changes."""
    prefix, setup, happened = ACTIONS[name]
    url_kwargs, data = setup(ctx)
    before = fresh(ctx.case).revision
    prefix = prefix or f"vuln{ctx.vulnerability.pk}"
    for persona in ("psirt", "finder", "clerk", "cna", "outsider"):
        response = post(client_for(persona), name, ctx.case, prefix, data, **url_kwargs)
        assert response.status_code == 404, persona
    assert fresh(ctx.case).revision == before
    assert not happened(ctx)
    response = client_for("anonymous").post(url(name, ctx.case, **url_kwargs), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_action_endpoints_refuse_get(ctx, client_for):
    response = client_for("coordinator").get(url("update_details", ctx.case))
    assert response.status_code == 405


def test_unknown_decision_kind_is_not_found(ctx, client_for):
    response = post(client_for("coordinator"), "record_decision", ctx.case, "x", {}, kind="x")
    assert response.status_code == 404


# --- Refusals: the message, and nothing changed ---------------------------------------


def test_a_stale_form_is_refused_with_the_conflict_message(ctx, client_for):
    case = fresh(ctx.case)
    stale = case.revision - 1
    response = post(
        client_for("coordinator"),
        "update_details",
        case,
        "details",
        {"title_en": "Overwritten", "scope": "wide"},
        revision=stale,
    )
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.content.decode()
    after = fresh(case)
    assert after.title_en == "Stored XSS in Example CMS"
    assert after.revision == case.revision
    # The form is shown again for the case as it now is, the typed text kept.
    assert f'name="details-revision" value="{case.revision}"' in response.content.decode()
    assert 'value="Overwritten"' in response.content.decode()


def test_an_answer_recorded_without_saying_how_it_came_is_refused(ctx, client_for):
    _invited(ctx)
    response = post(
        client_for("coordinator"),
        "record_embargo_answer",
        ctx.case,
        "answer",
        {"participant": ctx.vendor_a.pk, "answer": "accept", "note": ""},
    )
    assert response.status_code == 400
    assert 'id="act-answer"' in response.content.decode()
    assert Participant.objects.get(pk=ctx.vendor_a.pk).pec_state == "invited"
    assert not EmbargoResponse.objects.exists()


def test_an_answer_after_the_invitation_lapsed_is_refused_with_the_reason(ctx, client_for):
    _invited(ctx)
    Participant.objects.filter(pk=ctx.vendor_a.pk).update(
        pec_deadline=timezone.now() - timedelta(minutes=1)
    )
    response = post(
        client_for("coordinator"),
        "record_embargo_answer",
        ctx.case,
        "answer",
        {"participant": ctx.vendor_a.pk, "answer": "accept", "note": ANSWER_BY_MAIL},
    )
    assert response.status_code == 400
    assert "The time to answer has passed" in response.content.decode()
    assert Participant.objects.get(pk=ctx.vendor_a.pk).pec_state == "invited"


def test_the_answer_form_opens_on_the_case_page_with_the_case_participants(ctx, client_for):
    _invited(ctx)
    page = client_for("coordinator").get(url("detail", ctx.case) + "?act=answer")
    html = page.content.decode()
    form = html[html.index('id="act-answer"') :]
    assert 'name="answer-participant"' in form
    assert f'<option value="{ctx.vendor_a.pk}"' in form
    assert 'name="answer-note"' in form
    assert "- Select an option -" in form and "---------" not in form


def test_a_stale_rm_button_is_refused(ctx, client_for):
    actions.change_rm(fresh(ctx.case), ctx.vendor_b, "receive", actor=ctx.coordinator)
    response = post(
        client_for("coordinator"),
        "change_rm",
        ctx.case,
        "participants",
        {"transition": f"{ctx.vendor_b.pk}:S:receive"},
    )
    assert response.status_code == 409
    assert "Someone else changed this" in messages_of(response)


def test_a_refused_transition_names_the_current_state_and_changes_nothing(ctx, client_for):
    before = fresh(ctx.case)
    response = post(
        client_for("coordinator"), "advance_phase", ctx.case, "phase", {"event": "agree_schedule"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "is not allowed while the coordination phase is “Forwarded to coordination”" in text
    assert "Allowed now:" in text
    after = fresh(ctx.case)
    assert (after.phase, after.revision) == (before.phase, before.revision)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"title_en": "Broken", "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L"},
            "The CVSS v3.1 vector is not valid",
        ),
        (
            {"title_en": "Broken", "cvss_v4_vector": "CVSS:3.1/AV:N"},
            "A CVSS v4.0 vector starts with “CVSS:4.0/”.",
        ),
        (
            {"title_en": "Broken", "cwe_id": "CWE-9999999"},
            "“CWE-9999999” is not a known CWE ID.",
        ),
    ],
)
def test_bad_vulnerability_input_is_refused_and_nothing_is_saved(data, message, ctx, client_for):
    count = Vulnerability.objects.count()
    response = post(client_for("coordinator"), "add_vulnerability", ctx.case, "vuln", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Vulnerability.objects.count() == count


def test_an_embargo_ending_in_the_past_is_refused(ctx, client_for):
    response = post(
        client_for("coordinator"),
        "propose_embargo",
        ctx.case,
        "propose",
        {"ends_at": local(timezone.now() - timedelta(days=1))},
    )
    assert response.status_code == 400
    assert "The end of the embargo must be in the future." in response.content.decode()
    assert not EmbargoProposal.objects.exists()
    assert fresh(ctx.case).em_state == "N"


def test_not_affected_without_justification_is_refused(ctx, client_for):
    response = post(
        client_for("coordinator"),
        "record_status",
        ctx.case,
        "status",
        {
            "vendor": ctx.vendor_a.pk,
            "vulnerability": ctx.vulnerability.pk,
            "status": "not_affected",
        },
    )
    assert response.status_code == 400
    assert "“Not affected” needs one of the five justifications." in response.content.decode()
    assert not VendorStatus.objects.exists()


def test_a_missing_field_is_a_form_error(ctx, client_for):
    response = post(client_for("coordinator"), "record_contact", ctx.case, "contact", {})
    assert response.status_code == 400
    assert "Nothing was changed" in messages_of(response)
    assert not ContactAttempt.objects.exists()


def test_closing_during_an_embargo_needs_the_override_and_a_note(ctx, client_for):
    _accepted(ctx)
    client = client_for("coordinator")
    response = post(client, "close", ctx.case, "close", {"reason": "duplicate"})
    assert response.status_code == 400
    assert "An embargo is in force" in response.content.decode()
    assert fresh(ctx.case).phase != "closed"
    data = {"reason": "duplicate", "override": "on", "note": "Duplicate of KH-1"}
    assert post(client, "close", ctx.case, "close", data).status_code == 302
    assert fresh(ctx.case).phase == "closed"


def test_a_schedule_warning_is_shown_after_the_change(ctx, client_for):
    case = fresh(ctx.case)
    actions.update_case(
        case, actor=ctx.coordinator, planned_talk_date=timezone.localdate() + timedelta(days=5)
    )
    response = post(
        client_for("coordinator"),
        "change_schedule",
        ctx.case,
        "schedule",
        {"new_target": later(60), "reason": "vendor_request"},
    )
    page = client_for("coordinator").get(response["Location"])
    assert "plans a public talk or paper" in page.content.decode()


def test_the_coordinator_records_that_the_talk_gives_no_details(ctx, client_for):
    """SCENARIOS.md 6: the finder agreed to present without details; the warning goes
    and the schedule says why."""
    client = client_for("coordinator")
    talk = timezone.localdate() + timedelta(days=5)
    actions.update_case(fresh(ctx.case), actor=ctx.coordinator, planned_talk_date=talk)
    actions.change_schedule(
        fresh(ctx.case),
        actor=ctx.coordinator,
        reason="vendor_request",
        new_target=timezone.now() + timedelta(days=60),
    )
    assert "plans a public talk or paper" in client.get(url("detail", ctx.case)).content.decode()
    response = post(
        client,
        "update_details",
        ctx.case,
        "details",
        {
            "title_ja": fresh(ctx.case).title_ja,
            "title_en": fresh(ctx.case).title_en,
            "scope": fresh(ctx.case).scope,
            "planned_talk_date": talk.isoformat(),
            "talk_without_details": "on",
        },
    )
    assert response.status_code == 302, messages_of(response)
    assert fresh(ctx.case).talk_without_details
    page = client.get(url("detail", ctx.case)).content.decode()
    assert "plans a public talk or paper" not in page
    assert 'id="talk-without-details"' in page


# --- What the page shows ---------------------------------------------------------------


def test_both_languages_render_the_case_page(ctx, client_for):
    client = client_for("coordinator")
    japanese = client.get(f"/ja/cases/{ctx.case.pk}/")
    english = client.get(f"/en/cases/{ctx.case.pk}/")
    assert japanese.status_code == english.status_code == 200
    assert '<html lang="ja">' in japanese.content.decode()
    assert (
        "Example CMS における格納型クロスサイトスクリプティング</h1>" in japanese.content.decode()
    )
    assert "Stored XSS in Example CMS</h1>" in english.content.decode()
    assert client.get("/ja/cases/").status_code == 200


def test_times_are_shown_in_the_viewers_zone_and_in_jst_and_utc(ctx, client_for):
    actions.record_contact_attempt(
        fresh(ctx.case), ctx.vendor_a, actor=ctx.coordinator, channel="email", address="a@a.test"
    )
    target = fresh(ctx.case).target_publication_at
    coordinator = ctx.coordinator
    coordinator.timezone = "Europe/Paris"
    coordinator.save(update_fields=["timezone"])
    text = client_for("coordinator").get(url("detail", ctx.case)).content.decode()
    jst = target.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    paris = target.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert f"{jst:%Y-%m-%d} 12:00 JST (03:00 UTC)" in text
    assert f"{paris:%Y-%m-%d %H:%M %Z} · " in text
    assert "Europe/Paris" in text


def test_datetimes_are_typed_in_the_viewers_zone(ctx, client_for):
    coordinator = ctx.coordinator
    coordinator.timezone = "America/New_York"
    coordinator.save(update_fields=["timezone"])
    year = timezone.now().year + 2
    post(
        client_for("coordinator"),
        "propose_embargo",
        ctx.case,
        "propose",
        {"ends_at": f"{year}-01-15T09:00"},
    )
    proposal = EmbargoProposal.objects.get()
    assert proposal.ends_at == datetime(
        year, 1, 15, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )


def test_the_reception_sees_the_header_and_schedule_only(ctx, client_for):
    response = client_for("clerk").get(url("detail", ctx.case))
    text = response.content.decode()
    assert response.status_code == 200
    assert ctx.case.reference in text and 'id="schedule"' in text
    assert "Vendor A" not in text
    assert 'id="participants"' not in text and 'id="timeline"' not in text
    assert '<form method="post" action="/en/cases/' not in text


def test_desk_staff_who_do_not_coordinate_see_no_action(ctx, client_for):
    text = client_for("cna").get(url("detail", ctx.case)).content.decode()
    assert 'id="participants"' in text and "Vendor A" in text
    assert "Edit the case" not in text and "Approve" not in text


def test_the_page_offers_only_the_actions_allowed_now(ctx, client_for):
    client = client_for("coordinator")
    text = client.get(url("detail", ctx.case)).content.decode()
    assert 'value="identify"' in text and 'value="publish"' in text
    assert 'value="agree_schedule"' not in text  # not from "forwarded"
    assert "Propose an embargo" in text and "End the embargo" not in text
    assert "Reopen the case" not in text
    _accepted(ctx)
    text = client.get(url("detail", ctx.case)).content.decode()
    assert "Propose a revision" in text and "End the embargo" in text
    actions.record_case_event(fresh(ctx.case), "A", actor=ctx.coordinator)
    text = client.get(url("detail", ctx.case)).content.decode()
    assert "Attacks are observed" in text  # the attention banner, with its button
    assert "Propose a revision" not in text  # no embargo may be negotiated after A
    # Stored as a code: each reader sees it in the page's language.
    japanese = client.get(url("detail", ctx.case).replace("/en/", "/ja/", 1)).content.decode()
    assert "攻撃が観測されています" in japanese


def test_the_migration_turns_stored_sentences_into_codes(ctx):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("kakehashi.cases.migrations.0005_embargo_attention_code")
    Case.objects.filter(pk=ctx.case.pk).update(
        embargo_attention="修正の準備が完了しました。保留中のエンバーゴ提案の却下を検討してください。"
    )
    migration.to_codes(apps, None)
    assert fresh(ctx.case).embargo_attention == "fix_ready"
    migration.to_sentences(apps, None)
    assert fresh(ctx.case).embargo_attention.startswith("A fix is ready")
    for stored, code in (
        ("A fix is deployed: consider ending the embargo.", "fix_deployed"),
        ("Something an older version wrote.", "attacks"),  # the most cautious reading
    ):
        Case.objects.filter(pk=ctx.case.pk).update(embargo_attention=stored)
        migration.to_codes(apps, None)
        assert fresh(ctx.case).embargo_attention == code


def test_action_forms_open_on_request_and_work_without_javascript(ctx, client_for):
    client = client_for("coordinator")
    closed = client.get(url("detail", ctx.case)).content.decode()
    assert 'name="contact-address"' not in closed
    assert f'href="{url("detail", ctx.case)}?act=contact#act-contact"' in closed
    assert 'hx-select="#act-contact"' in closed  # with htmx, only that form is swapped in
    opened = client.get(url("detail", ctx.case) + "?act=contact").content.decode()
    assert 'name="contact-address"' in opened
    assert f'<option value="{ctx.vendor_a.pk}">Vendor A (Vendor)</option>' in opened
    edit = client.get(url("detail", ctx.case) + f"?edit={ctx.vulnerability.pk}").content.decode()
    assert (
        f'name="vuln{ctx.vulnerability.pk}-title_en" value="Stored XSS in the comment form"' in edit
    )


def test_the_matrix_offers_approval_of_unapproved_statuses(ctx, client_for):
    status = _status(ctx)
    text = client_for("coordinator").get(url("detail", ctx.case)).content.decode()
    assert f'value="{status.pk}:{status.version}"' in text
    actions.approve_vendor_status(fresh(ctx.case), status, actor=ctx.coordinator)
    text = client_for("coordinator").get(url("detail", ctx.case)).content.decode()
    assert f'value="{status.pk}:{status.version}"' not in text


def test_an_outdated_approval_is_refused(ctx, client_for):
    status = _status(ctx)
    _status(ctx)  # a second version the coordinator has not seen
    response = post(
        client_for("coordinator"),
        "approve_status",
        ctx.case,
        "matrix",
        {"approve": f"{status.pk}:{status.version}"},
    )
    assert response.status_code == 409
    assert VendorStatus.objects.get(pk=status.pk).approved_at is None


def test_participants_are_paginated_and_filtered_by_state(world, client_for):
    case = _big_case(world, vendors=60, vulnerabilities=1)
    client = client_for("coordinator")
    first = client.get(url("detail", case)).content.decode()
    assert "Page 1 of 2" in first
    page_two = client.get(url("detail", case) + "?page=2").content.decode()
    assert "Page 2 of 2" in page_two
    received = client.get(url("detail", case) + "?state=rm:R").content.decode()
    assert "Page 1 of" not in received  # the coordinator and the two vendors who answered
    assert "Vendor 60-1</th>" in received and "Vendor 60-5</th>" not in received


def test_htmx_pages_through_participants_without_the_rest_of_the_page(ctx, client_for):
    response = client_for("coordinator").get(
        url("detail", ctx.case) + "?page=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="participants"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<section class="panel" id="participants"')
    assert "<html" not in text


def test_the_full_timeline_is_paginated(ctx, client_for):
    now = timezone.now()
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            case=ctx.case,
            participant=ctx.vendor_a,
            channel="phone",
            address=f"+81-3-0000-{n:04d}",
            attempted_at=now - timedelta(days=n),
        )
        for n in range(1, 121)
    )
    client = client_for("coordinator")
    case_page = client.get(url("detail", ctx.case)).content.decode()
    assert "+81-3-0000-0001" in case_page and "+81-3-0000-0120" not in case_page  # newest 100
    first = client.get(url("timeline", ctx.case)).content.decode()
    assert "+81-3-0000-0001" in first and "+81-3-0000-0060" not in first
    assert 'href="?page=2"' in first
    third = client.get(url("timeline", ctx.case) + "?page=3").content.decode()
    assert "+81-3-0000-0120" in third and 'href="?page=2"' in third
    assert client.get(url("timeline", ctx.case) + "?page=x").status_code == 200


def test_a_refused_edit_shows_its_own_form_again(ctx, client_for):
    prefix = f"vuln{ctx.vulnerability.pk}"
    data = {"title_en": "Still XSS", "cvss_v3_vector": "CVSS:3.1/nonsense"}
    response = post(
        client_for("coordinator"),
        "update_vulnerability",
        ctx.case,
        prefix,
        data,
        vulnerability_id=ctx.vulnerability.pk,
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert f'name="{prefix}-cvss_v3_vector" value="CVSS:3.1/nonsense"' in text
    assert 'name="vuln-cvss_v3_vector"' not in text  # the "add" form stays closed
    assert Vulnerability.objects.get(pk=ctx.vulnerability.pk).title_en != "Still XSS"


# --- The case list ---------------------------------------------------------------------


def test_the_list_filters_and_orders_cases(world, client_for, coordinator):
    coordination = world.organisations["coordination"]
    now = timezone.now()

    def make(title: str, **fields) -> Case:
        case = actions.create_case(actor=coordinator, coordinator_org=coordination, title_en=title)
        Case.objects.filter(pk=case.pk).update(**fields)
        return case

    overdue = make("Overdue one", target_publication_at=now - timedelta(days=1), phase="verifying")
    soon = make("Soon one", target_publication_at=now + timedelta(days=3), priority_rank=0)
    make("Far one", target_publication_at=now + timedelta(days=60), owner=coordinator)
    make("Published one", target_publication_at=now - timedelta(days=3), phase="published")
    actions.add_participants(
        soon, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-b"]]
    )
    client = client_for("coordinator")

    def titles(query: str) -> list[str]:
        response = client.get(reverse("cases:list") + query)
        return [case.title_en for case, _count in response.context["rows"]]

    assert titles("?overdue=on") == ["Overdue one"]
    assert titles("?due_soon=on") == ["Soon one"]
    assert titles("?owner=me") == ["Far one"]
    assert titles("?vendor=vendor+b") == ["Soon one"]
    assert titles("?q=far") == ["Far one"]
    assert titles("?phase=verifying") == ["Overdue one"]
    assert titles("")[0] == "Soon one"  # highest priority first
    assert overdue.reference in client.get(reverse("cases:list")).content.decode()


def test_the_reception_does_not_see_vendor_counts_or_search_by_vendor(ctx, client_for):
    client = client_for("clerk")
    response = client.get(reverse("cases:list"))
    assert [count for _case, count in response.context["rows"]] == [None]
    assert response.context["new_case_form"] is None
    assert client.get(reverse("cases:list") + "?vendor=Vendor").context["rows"] == []


def test_a_coordinator_opens_a_case_from_the_list(world, client_for):
    data = {"new-title_en": "Hand-made case", "new-scope": "wide"}
    response = client_for("coordinator").post(reverse("cases:create"), data)
    case = Case.objects.get(title_en="Hand-made case")
    assert response.status_code == 302 and response["Location"] == url("detail", case)
    assert case.coordinator_org == world.organisations["coordination"]
    assert case.phase == "identifying_vendors"


def test_a_case_needs_a_title(world, client_for):
    response = client_for("coordinator").post(reverse("cases:create"), {"new-scope": "wide"})
    assert response.status_code == 400
    assert "Give the case a title in at least one language." in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("cna", 400), ("psirt", 404), ("clerk", 400)])
def test_only_coordinators_open_cases(persona, status, world, client_for):
    data = {"new-title_en": "Not mine to open", "new-scope": "wide"}
    response = client_for(persona).post(reverse("cases:create"), data)
    assert response.status_code == status
    assert not Case.objects.exists()


def test_the_dashboard_links_desk_staff_to_the_cases(world, client_for):
    assert (
        reverse("cases:list") in client_for("clerk").get(reverse("core:dashboard")).content.decode()
    )
    assert (
        reverse("cases:list")
        not in client_for("psirt").get(reverse("core:dashboard")).content.decode()
    )


# --- The query budget ------------------------------------------------------------------


def _big_case(world, *, vendors: int, vulnerabilities: int) -> Case:
    """A case in full swing: vendors contacted, statuses and products, an embargo."""
    coordinator = world.user("coordinator")
    organisations = Organisation.objects.bulk_create(
        Organisation(kind="vendor", slug=f"v{vendors}-{n}", name_en=f"Vendor {vendors}-{n}")
        for n in range(vendors)
    )
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        reception_org=world.organisations["reception"],
        origin="report",
        title_en=f"Library flaw in {vendors} products",
        finder_user=world.user("finder"),
    )
    participants = actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=organisations
    )
    actions.update_case(case, actor=coordinator, owner=coordinator)
    flaws = [
        actions.add_vulnerability(
            case, actor=coordinator, title_en=f"Flaw {n}", cwe_id="CWE-787", cvss_v3_vector=CVSS_V3
        )
        for n in range(vulnerabilities)
    ]
    for participant in participants[:2]:
        actions.record_contact_attempt(
            fresh(case),
            participant,
            actor=coordinator,
            channel="email",
            address="psirt@vendor.test",
            details_included=True,
            outcome="acknowledged",
        )
    products = CaseProduct.objects.bulk_create(
        CaseProduct(case=case, vendor=p, name="Product") for p in participants
    )
    VendorStatus.objects.bulk_create(
        VendorStatus(
            case=case,
            vendor=p,
            vulnerability=v,
            product=products[i] if j % 2 else None,
            status="affected",
        )
        for i, p in enumerate(participants)
        for j, v in enumerate(flaws)
    )
    proposal = actions.propose_embargo(
        fresh(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=40)
    )
    actions.accept_embargo(fresh(case), proposal, actor=coordinator)
    actions.invite_to_embargo(fresh(case), participants, actor=coordinator)
    actions.record_decision(
        fresh(case),
        actor=coordinator,
        kind="publish",
        inputs={"supplier_involvement": "C", "exploitation": "N", "public_value_added": "P"},
    )
    return fresh(case)


def _queries(client, path: str) -> int:
    client.get(path)  # first request of a session records it: not part of the page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_case_page_issues_the_same_queries_whatever_the_number_of_vendors(world, client_for):
    small = _big_case(world, vendors=3, vulnerabilities=5)
    large = _big_case(world, vendors=60, vulnerabilities=5)
    client = client_for("coordinator")
    counts = [_queries(client, url("detail", case)) for case in (small, large)]
    assert counts[0] == counts[1]
    # 32 for the case itself; the panels other apps add (vendor notices, the vendors'
    # portal answers, disclosures, the unreachable listing and committee, the advisory,
    # messaging, translations) and their timeline rows read a fixed number of queries each.
    assert counts[1] <= 49
    assert _queries(client, url("timeline", small)) == _queries(client, url("timeline", large))


# --- Products ---------------------------------------------------------------------------


def _products_section(client, case: Case) -> str:
    page = client.get(url("detail", case)).content.decode()
    return page.split('id="products"')[1].split("</table>")[0].split("<h3")[0]


def test_the_case_page_lists_its_products_with_vendor_versions_and_ids(
    client_for, case, vendor_a, coordinator
):
    """Scenario 1: the coordinator names 2.x and 3.x of a camera's firmware and sees
    both, with their versions, before the vendor states its statuses."""
    client = client_for("coordinator")
    assert "No product of the vendors on this page yet." in _products_section(client, case)
    actions.add_product(
        fresh(case),
        vendor_a,
        actor=coordinator,
        name="Camera firmware 2.x",
        versions="2.0.0 – 2.8.0",
        purl="pkg:generic/camera-firmware@2.8.0",
    )
    actions.add_product(
        fresh(case),
        vendor_a,
        actor=coordinator,
        name="Camera firmware 3.x",
        versions="3.0.0 –",
        cpe="cpe:2.3:o:vendor-a:camera_firmware:3.0.0:*:*:*:*:*:*:*",
    )
    products = _products_section(client, case)
    for text in (
        vendor_a.display_name(),
        "Camera firmware 2.x",
        "2.0.0 – 2.8.0",
        "pkg:generic/camera-firmware@2.8.0",
        "Camera firmware 3.x",
        "cpe:2.3:o:vendor-a:camera_firmware:3.0.0:*:*:*:*:*:*:*",
    ):
        assert text in products, text
