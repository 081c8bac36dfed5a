"""The desk's disclosure log and the portal's request form, through HTTP, per persona."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case
from kakehashi.disclosures import actions
from kakehashi.disclosures.actions import RecipientInput
from kakehashi.disclosures.models import Disclosure
from kakehashi.disclosures.tests.test_actions import MINISTRY, ask, pre_release


def log_url(case):
    return f"/en/disclosures/cases/{case.pk}/"


def record_data(case, **overrides):
    today = timezone.localdate().isoformat()
    data = {
        "disclosure-revision": str(case.revision),
        "disclosure-kind": "critical_infrastructure",
        "disclosure-summary": "The advisory draft and the update.",
        "disclosure-includes_fix": "on",
        "disclosure-reception_consulted_on": today,
        "disclosure-vendor_consulted_on": today,
        "disclosure-terms_ja": "",
        "disclosure-terms_en": "Keep it secret.",
        "recipient-TOTAL_FORMS": "3",
        "recipient-INITIAL_FORMS": "0",
        "recipient-0-organisation": "Kanto Grid Co.",
        "recipient-0-email": "csirt@grid.test",
        "recipient-0-language": "ja",
        "recipient-1-language": "ja",
        "recipient-2-language": "en",
    }
    data.update(overrides)
    return data


def test_the_coordinator_sees_the_log_and_the_form_with_the_default_terms(fixed, client_for):
    page = client_for("coordinator").get(log_url(fixed))

    assert page.status_code == 200
    body = page.content.decode()
    assert "Record a disclosure" in body
    assert "一般公表日まで秘密として扱い" in body  # the default Japanese terms, prefilled


def test_the_form_offers_more_recipient_slots_up_to_the_limit(case, client_for):
    client = client_for("coordinator")
    assert "recipient-2-name" in client.get(log_url(case)).content.decode()
    assert "recipient-3-name" not in client.get(log_url(case)).content.decode()

    page = client.get(f"{log_url(case)}?slots=8").content.decode()
    assert "recipient-7-name" in page and "recipient-8-name" not in page
    page = client.get(f"{log_url(case)}?slots=500").content.decode()
    assert "recipient-19-name" in page and "recipient-20-name" not in page
    assert "More recipients" not in page
    assert "recipient-2-name" in client.get(f"{log_url(case)}?slots=x").content.decode()


def test_more_recipients_than_the_limit_are_refused(fixed, client_for):
    data = record_data(fixed, **{"recipient-TOTAL_FORMS": "21"})
    for index in range(21):
        data[f"recipient-{index}-organisation"] = f"Operator {index}"
        data[f"recipient-{index}-language"] = "ja"

    response = client_for("coordinator").post(f"{log_url(fixed)}record/", data)

    assert response.status_code == 400
    assert "Please submit at most 20 forms." in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_the_coordinators_side_without_coordinating_sees_the_log_but_no_form(
    fixed, coordinator, client_for
):
    pre_release(fixed, coordinator)
    page = client_for("translator").get(log_url(fixed))

    assert page.status_code == 200
    assert "Kanto Grid Co." in page.content.decode()
    assert "Record a disclosure" not in page.content.decode()


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "finder", "clerk", "outsider"])
def test_nobody_else_sees_the_log_of_a_case(fixed, coordinator, client_for, persona):
    pre_release(fixed, coordinator)

    assert client_for(persona).get(log_url(fixed)).status_code == 404


def test_the_log_of_a_missing_case_is_not_found_like_a_forbidden_one(client_for):
    assert client_for("coordinator").get("/en/disclosures/cases/999999/").status_code == 404


def test_the_coordinator_records_a_pre_release_through_the_form(fixed, client_for):
    response = client_for("coordinator").post(f"{log_url(fixed)}record/", record_data(fixed))

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert [r.organisation for r in disclosure.recipients.all()] == ["Kanto Grid Co."]
    assert disclosure.terms_en == "Keep it secret."


def test_a_refused_form_keeps_what_was_typed_says_why_and_changes_nothing(fixed, client_for):
    data = record_data(fixed, **{"recipient-0-email": "csirt@"})

    response = client_for("coordinator").post(f"{log_url(fixed)}record/", data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a valid e-mail address" in body
    assert "The advisory draft and the update." in body
    assert Disclosure.objects.count() == 0


def test_a_pre_release_without_a_fix_is_refused_through_the_form(case, client_for):
    response = client_for("coordinator").post(f"{log_url(case)}record/", record_data(case))

    assert response.status_code == 400
    assert "No vendor has a fix yet" in response.content.decode()
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize("persona", ["translator", "psirt", "clerk", "outsider"])
def test_only_coordinators_may_post_a_disclosure(fixed, client_for, persona):
    response = client_for(persona).post(f"{log_url(fixed)}record/", record_data(fixed))

    assert response.status_code == 404
    assert Disclosure.objects.count() == 0


def test_untrusted_text_is_shown_escaped(fixed, coordinator, client_for):
    pre_release(fixed, coordinator, summary="<script>alert(1)</script>")

    body = client_for("coordinator").get(log_url(fixed)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_log_page_costs_the_same_with_more_disclosures(
    fixed, vendor, world, client_for, django_assert_max_num_queries
):
    coordinator = world.user("coordinator")
    client = client_for("coordinator")
    pre_release(fixed, coordinator)
    ask(vendor, world.user("psirt"))
    with django_assert_max_num_queries(20) as few:
        client.get(log_url(fixed))
    for _ in range(4):
        fixed.refresh_from_db()
        pre_release(fixed, coordinator, recipients=[MINISTRY])
        ask(vendor, world.user("psirt"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(log_url(fixed))


def test_the_case_page_shows_the_panel_to_the_coordination_side(fixed, coordinator, client_for):
    pre_release(fixed, coordinator)

    body = client_for("coordinator").get(f"/en/cases/{fixed.pk}/").content.decode()
    assert "Disclosures before publication" in body
    assert "Critical-infrastructure pre-release" in body
    clerk_body = client_for("clerk").get(f"/en/cases/{fixed.pk}/").content.decode()
    assert "Disclosures before publication" not in clerk_body


# -- the coordinator decides a vendor's request ---------------------------------------------


def decide_data(request, case, decision="approve", note=""):
    prefix = f"decision-{request.pk}"
    return {
        f"{prefix}-revision": str(case.revision),
        f"{prefix}-decision": decision,
        f"{prefix}-note": note,
    }


def test_the_coordinator_approves_a_request_on_the_log_page(case, vendor, world, client_for):
    request = ask(vendor, world.user("psirt"))
    client = client_for("coordinator")
    assert "Decide" in client.get(log_url(case)).content.decode()

    response = client.post(f"/en/disclosures/{request.pk}/decide/", decide_data(request, case))

    assert response.status_code == 302
    assert Disclosure.objects.get(pk=request.pk).state == "approved"


def test_a_refusal_without_a_note_is_refused_on_the_page(case, vendor, world, client_for):
    request = ask(vendor, world.user("psirt"))

    response = client_for("coordinator").post(
        f"/en/disclosures/{request.pk}/decide/", decide_data(request, case, "refuse")
    )

    assert response.status_code == 400
    assert "Say why the request is refused." in response.content.decode()
    assert Disclosure.objects.get(pk=request.pk).state == "requested"


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "translator", "clerk", "outsider"])
def test_only_coordinators_may_decide(case, vendor, world, client_for, persona):
    request = ask(vendor, world.user("psirt"))

    response = client_for(persona).post(
        f"/en/disclosures/{request.pk}/decide/", decide_data(request, case)
    )

    assert response.status_code == 404
    assert Disclosure.objects.get(pk=request.pk).state == "requested"


# -- the vendor's side in the portal ---------------------------------------------------------


def notice_data(**overrides):
    data = {
        "notice-summary": "Upgrade the historian.",
        "notice-audience": "Our hosted customers.",
        "notice-justification": "Shorter exposure.",
        "notice-terms_ja": "",
        "notice-terms_en": "Keep it secret.",
    }
    data.update(overrides)
    return data


def portal_url(case):
    return f"/en/portal/cases/{case.pk}/"


def test_a_vendor_member_asks_from_the_portal_case_page(case, vendor, client_for):
    client = client_for("psirt")
    page = client.get(portal_url(case)).content.decode()
    assert "Notifying your users before the public date" in page

    response = client.post(f"/en/disclosures/portal/cases/{case.pk}/", notice_data())

    assert response.status_code == 302
    request = Disclosure.objects.get()
    assert request.vendor == vendor and request.state == "requested"
    assert "Our hosted customers." in client.get(portal_url(case)).content.decode()


def test_a_vendors_incomplete_request_is_refused_and_nothing_is_stored(case, client_for):
    response = client_for("psirt").post(
        f"/en/disclosures/portal/cases/{case.pk}/", notice_data(**{"notice-terms_en": ""})
    )

    assert response.status_code == 400
    assert "Give the confidentiality terms" in response.content.decode()
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_vendor", "finder", "outsider", "coordinator"])
def test_nobody_but_the_vendor_asks_for_it_and_the_case_stays_hidden(case, client_for, persona):
    response = client_for(persona).post(f"/en/disclosures/portal/cases/{case.pk}/", notice_data())

    assert response.status_code == 404
    assert Disclosure.objects.count() == 0


def test_a_vendor_sees_only_its_own_requests(case, vendor, world, coordinator, client_for):
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-b"]]
    )
    vendor_b = case.participants.get(organisation=world.organisations["vendor-b"])
    ask(vendor_b, world.user("other_vendor"), audience="Bravo secret customer list")
    ask(vendor, world.user("psirt"), audience="Alpha hosted customers")
    actions.record_disclosure(
        Case.objects.get(pk=case.pk),
        actor=coordinator,
        kind="nda_partner",
        summary="The report.",
        justification="Analysis under NDA.",
        terms_ja="",
        terms_en="Under NDA.",
        recipients=[RecipientInput(organisation="Quiet Partner Lab")],
    )

    own = client_for("psirt").get(portal_url(case)).content.decode()
    assert "Alpha hosted customers" in own and "Bravo secret customer list" not in own
    assert "Quiet Partner Lab" not in own and "Partner under a non-disclosure" not in own
    other = client_for("other_vendor").get(portal_url(case)).content.decode()
    assert "Bravo secret customer list" in other and "Alpha hosted customers" not in other
