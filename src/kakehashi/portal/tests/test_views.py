"""The portal through HTTP: every action endpoint allowed for the vendor's members and
404 for everyone else (nothing changed), refusals shown with their reason, and what
the case page shows and hides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kakehashi.cases import actions
from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.models import (
    ContactAttempt,
    ScheduleRequest,
    StateChange,
    VendorReferral,
    VendorResponse,
    VendorStatus,
)
from kakehashi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def solo(world, coordinator):
    """A case with vendor A only, a vulnerability, and an embargo proposed to it."""
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Heap overflow in Widget",
    )
    (vendor,) = actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    actions.add_vulnerability(case, actor=coordinator, title_en="Heap overflow", cwe_id="CWE-122")
    actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=40))
    actions.invite_to_embargo(case, [vendor], actor=coordinator)
    return case


def _later() -> str:
    return (timezone.now() + timedelta(days=70)).strftime("%Y-%m-%dT%H:%M")


def _payload(name: str, case) -> dict[str, str]:
    vulnerability = case.vulnerabilities.get()
    return {
        "acknowledge": {},
        "verification": {"verification-result": "confirmed", "verification-version": "0"},
        "countermeasure": {
            "countermeasure-response_status": "investigating",
            "countermeasure-version": "0",
        },
        "tracking": {"tracking-tracking_id": "PSIRT-1", "tracking-version": "0"},
        "sharing": {"sharing-share": "on", "sharing-version": "0"},
        "status": {
            "status-vulnerability": str(vulnerability.pk),
            "status-status": "affected",
            "status-version": "0",
        },
        "schedule": {"schedule-requested_target": _later(), "schedule-reason": "Release"},
        "embargo": {"embargo-answer": "accept"},
        "referral": {"referral-vendor_name": "LibFoo Project"},
    }[name]


ENDPOINTS = [
    "acknowledge",
    "verification",
    "countermeasure",
    "tracking",
    "sharing",
    "status",
    "schedule",
    "embargo",
    "referral",
]


def _traces(case) -> tuple[int, ...]:
    """Everything a portal action may write."""
    return (
        ContactAttempt.objects.filter(case=case).count(),
        VendorResponse.objects.filter(participant__case=case).count(),
        VendorStatus.objects.filter(case=case).count(),
        ScheduleRequest.objects.filter(case=case).count(),
        VendorReferral.objects.filter(case=case).count(),
        StateChange.objects.filter(case=case).count(),
    )


def _post(client, name: str, case, data):
    return client.post(reverse(f"portal:{name}", kwargs={"case_id": case.pk}), data)


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_vendors_members_may_call_every_action(client_for, solo, persona, name):
    before = _traces(solo)
    response = _post(client_for(persona), name, solo, _payload(name, solo))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(reverse("portal:case", kwargs={"case_id": solo.pk}))
    assert _traces(solo) != before


@pytest.mark.parametrize(
    "persona", ["other_vendor", "coordinator", "committee", "outsider", "finder", "clerk", "admin"]
)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_everyone_else_gets_404_and_nothing_changes(client_for, solo, persona, name):
    before = _traces(solo)
    response = _post(client_for(persona), name, solo, _payload(name, solo))
    assert response.status_code == 404
    assert _traces(solo) == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, solo, name):
    response = _post(client, name, solo, _payload(name, solo))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_actions_answer_only_post(client_for, solo):
    response = client_for("psirt").get(reverse("portal:acknowledge", kwargs={"case_id": solo.pk}))
    assert response.status_code == 405


def test_an_individually_registered_vendor_on_a_multi_vendor_case_gets_404(
    world, client_for, case, vulnerability
):
    from kakehashi.vendors import actions as vendor_actions
    from kakehashi.vendors.choices import RegistrationType

    vendor_actions.register_vendor(
        world.user("coordinator"),
        world.organisations["vendor-a"],
        registration_type=RegistrationType.INDIVIDUAL,
    )
    before = _traces(case)
    client = client_for("psirt")
    assert client.get(reverse("portal:case", kwargs={"case_id": case.pk})).status_code == 404
    for name in ENDPOINTS:
        assert _post(client, name, case, _payload(name, case)).status_code == 404
    assert _traces(case) == before
    # Vendor B, registered generally, keeps its portal.
    other = client_for("other_vendor")
    assert other.get(reverse("portal:case", kwargs={"case_id": case.pk})).status_code == 200


# --- Bad input: refused with the reason, nothing changed ------------------------------


def _refused(response, message: str, status: int = 400) -> None:
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_status_without_its_justification_is_refused(client_for, case, vulnerability):
    before = _traces(case)
    response = _post(
        client_for("psirt"),
        "status",
        case,
        {
            "status-vulnerability": vulnerability.pk,
            "status-status": "not_affected",
            "status-version": "0",
        },
    )
    _refused(response, "needs one of the five justifications")
    assert _traces(case) == before


def test_a_disputed_status_without_a_reason_is_refused(client_for, case, vulnerability):
    response = _post(
        client_for("psirt"),
        "status",
        case,
        {
            "status-vulnerability": vulnerability.pk,
            "status-status": "disputed",
            "status-version": 0,
        },
    )
    _refused(response, "needs a reason")
    assert not VendorStatus.objects.exists()


def test_an_unknown_vulnerability_or_another_vendors_product_is_refused(
    client_for, case, vulnerability, product_b, *, coordinator, world
):
    other_case = actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Other"
    )
    elsewhere = actions.add_vulnerability(other_case, actor=coordinator, title_en="Elsewhere")
    client = client_for("psirt")
    for data in (
        {"status-vulnerability": elsewhere.pk, "status-status": "affected", "status-version": 0},
        {"status-vulnerability": 999999, "status-status": "affected", "status-version": 0},
        {
            "status-vulnerability": vulnerability.pk,
            "status-product": product_b.pk,
            "status-status": "affected",
            "status-version": 0,
        },
    ):
        _refused(_post(client, "status", case, data), "Select a valid choice")
    assert not VendorStatus.objects.exists()


def test_a_stale_status_version_is_refused_with_409(
    client_for, case, vulnerability, vendor_a, world
):
    actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("vendoradmin"), status="affected"
    )
    response = _post(
        client_for("psirt"),
        "status",
        case,
        {"status-vulnerability": vulnerability.pk, "status-status": "fixed", "status-version": 0},
    )
    _refused(response, "Someone else changed this", status=409)
    assert VendorStatus.objects.get().status == "affected"


def test_a_status_is_recorded_awaiting_approval_then_shown_approved(
    client_for, case, vulnerability, product_a, coordinator
):
    client = client_for("psirt")
    response = _post(
        client,
        "status",
        case,
        {
            "status-vulnerability": vulnerability.pk,
            "status-product": product_a.pk,
            "status-status": "not_affected",
            "status-justification": "vulnerable_code_not_present",
            "status-statement_en": "Widget A never renders comments.",
            "status-version": 0,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("portal:case", kwargs={"case_id": case.pk})).content.decode()
    assert "Awaiting approval" in page and "Widget A never renders comments." in page
    status = VendorStatus.objects.get()
    actions.approve_vendor_status(case, status, actor=coordinator)
    page = client.get(reverse("portal:case", kwargs={"case_id": case.pk})).content.decode()
    assert "Awaiting approval" not in page and "Approved" in page


def test_the_change_link_fills_the_form_at_the_statuses_version(
    client_for, case, vulnerability, vendor_a, world
):
    status = actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("psirt"), status="affected"
    )
    actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("psirt"), status="under_investigation"
    )
    url = reverse("portal:case", kwargs={"case_id": case.pk}) + f"?status={status.pk}"
    page = client_for("psirt").get(url).content.decode()
    assert 'name="status-version" value="2"' in page


def test_a_bad_date_request_is_refused(client_for, case):
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post(
        client_for("psirt"),
        "schedule",
        case,
        {"schedule-requested_target": past, "schedule-reason": "Too late"},
    )
    _refused(response, "must be in the future")
    assert not ScheduleRequest.objects.exists()


def test_an_embargo_answer_without_an_embargo_is_refused(client_for, case):
    response = _post(client_for("psirt"), "embargo", case, {"embargo-answer": "accept"})
    _refused(response, "There is no embargo or proposal to answer.", status=400)


def test_a_non_confirmed_verification_needs_a_note(client_for, case):
    response = _post(
        client_for("psirt"),
        "verification",
        case,
        {"verification-result": "not_vulnerability", "verification-version": 0},
    )
    _refused(response, "Explain the result in the note.")
    assert not VendorResponse.objects.exists()


def test_acknowledge_then_the_embargo_answer_are_audited(client_for, solo):
    client = client_for("psirt")
    assert _post(client, "acknowledge", solo, {}).status_code == 302
    assert _post(client, "embargo", solo, {"embargo-answer": "accept"}).status_code == 302
    vendor = solo.participants.get(role="vendor")
    assert vendor.acknowledged_at is not None
    assert vendor.pec_state == "signatory"
    assert AuditEvent.objects.filter(action="vendor.acknowledged").exists()
    page = client.get(reverse("portal:case", kwargs={"case_id": solo.pk})).content.decode()
    assert "Acknowledge the notice" not in page


# --- What the page shows and hides ----------------------------------------------------


def _page(client_for, persona, case) -> str:
    response = client_for(persona).get(reverse("portal:case", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_vulnerability_sanitised(client_for, case, vulnerability, product_a):
    page = _page(client_for, "psirt", case)
    assert "Stored XSS in the comment form" in page
    assert "<em>not</em>" in page
    assert "<script>alert(1)</script>" not in page
    assert "CWE-79" in page and "CVSS:3.1/AV:N" in page
    assert "Widget A" in page


def test_the_page_hides_the_summary_the_finder_and_the_other_vendor(
    client_for, case, vulnerability, product_b, *, vendor_b, world
):
    actions.record_vendor_status(
        case,
        vendor_b,
        vulnerability,
        actor=world.user("other_vendor"),
        status="affected",
        product=product_b,
    )
    page = _page(client_for, "psirt", case)
    assert "Desk-only" not in page
    assert "Alice Finder" not in page and "alice@finder.example" not in page
    assert "Vendor B" not in page and "Gadget B" not in page


def test_other_vendors_statuses_show_only_when_shared(
    client_for, case, vulnerability, product_b, *, vendor_b, world
):
    actions.record_vendor_status(
        case,
        vendor_b,
        vulnerability,
        actor=world.user("other_vendor"),
        status="fixed",
        product=product_b,
    )
    assert "Gadget B" not in _page(client_for, "psirt", case)
    response = _post(
        client_for("other_vendor"), "sharing", case, {"sharing-share": "on", "sharing-version": 0}
    )
    assert response.status_code == 302
    page = _page(client_for, "psirt", case)
    assert "Statuses the other vendors share" in page
    assert "Vendor B" in page and "Gadget B" in page and "Fixed" in page


def test_the_schedule_is_shown_in_the_vendors_zone_jst_and_utc(
    client_for, case, world, coordinator
):
    from datetime import UTC, datetime

    from kakehashi.vendors import actions as vendor_actions

    vendor_actions.register_vendor(
        coordinator, world.organisations["vendor-a"], time_zone="Europe/Berlin"
    )
    target = datetime(2031, 1, 15, 3, 0, tzinfo=UTC)
    actions.change_schedule(case, actor=coordinator, new_target=target, reason="leak_risk")
    page = _page(client_for, "psirt", case)
    assert "2031-01-15 04:00 (Europe/Berlin)" in page
    assert "2031-01-15 12:00 JST" in page
    assert "2031-01-15 03:00 UTC" in page
    assert "countdown" in page


def test_without_a_registry_entry_the_users_zone_is_used(client_for, case, world, coordinator):
    from datetime import UTC, datetime

    user = world.user("psirt")
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    target = datetime(2031, 1, 15, 3, 0, tzinfo=UTC)
    actions.change_schedule(case, actor=coordinator, new_target=target, reason="leak_risk")
    assert "2031-01-14 22:00 (America/New_York)" in _page(client_for, "psirt", case)


def test_the_nav_links_my_cases_for_vendor_members_only(client_for, case):
    mine = client_for("psirt").get(reverse("core:dashboard")).content.decode()
    theirs = client_for("outsider").get(reverse("core:dashboard")).content.decode()
    link = f'href="{reverse("portal:cases")}"'
    assert link in mine
    assert link not in theirs


# --- The desk's side: date requests, statements awaiting approval, referrals -----------


def _desk(client_for, case) -> str:
    response = client_for("coordinator").get(reverse("cases:detail", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _ask(case, vendor, world):
    return actions.request_schedule_change(
        case,
        vendor,
        actor=world.user("psirt"),
        requested_target=timezone.now() + timedelta(days=80),
        reason="The fix ships with the spring release.",
    )


def _decide(client_for, persona, case, request, data):
    case.refresh_from_db()
    return client_for(persona).post(
        reverse(
            "portal:decide_schedule_request", kwargs={"case_id": case.pk, "request_id": request.pk}
        ),
        {"decide-revision": case.revision, **data},
    )


def test_the_desk_page_shows_requests_pending_statements_and_referrals(
    client_for, case, vulnerability, vendor_a, world
):
    _ask(case, vendor_a, world)
    actions.record_vendor_status(
        case,
        vendor_a,
        vulnerability,
        actor=world.user("psirt"),
        status="affected",
        statement_en="We are on it.",
    )
    actions.refer_to_other_vendor(
        case, vendor_a, actor=world.user("psirt"), vendor_name="LibFoo Project"
    )
    page = _desk(client_for, case)
    assert "The fix ships with the spring release." in page
    assert "Statements awaiting approval" in page and "We are on it." in page
    assert "LibFoo Project" in page


def test_the_coordinator_grants_a_request(client_for, case, vendor_a, world):
    request = _ask(case, vendor_a, world)
    response = _decide(client_for, "coordinator", case, request, {"decide-decision": "grant"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.target_publication_at == request.requested_target


def test_refusing_without_a_note_is_refused(client_for, case, vendor_a, world):
    request = _ask(case, vendor_a, world)
    response = _decide(client_for, "coordinator", case, request, {"decide-decision": "refuse"})
    _refused(response, "Tell the vendor why the request is refused.")
    assert ScheduleRequest.objects.get().status == "open"


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "committee", "outsider", "clerk"])
def test_only_coordinators_decide_requests(client_for, case, vendor_a, world, persona):
    request = _ask(case, vendor_a, world)
    response = _decide(client_for, persona, case, request, {"decide-decision": "grant"})
    assert response.status_code == 404
    assert ScheduleRequest.objects.get().status == "open"


def test_a_request_of_another_case_is_404(client_for, case, vendor_a, world, coordinator):
    request = _ask(case, vendor_a, world)
    other = actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Other"
    )
    response = client_for("coordinator").post(
        reverse(
            "portal:decide_schedule_request", kwargs={"case_id": other.pk, "request_id": request.pk}
        ),
        {"decide-revision": other.revision, "decide-decision": "grant"},
    )
    assert response.status_code == 404


def test_a_stale_decision_is_refused_with_409(client_for, case, vendor_a, world):
    request = _ask(case, vendor_a, world)
    case.refresh_from_db()
    response = client_for("coordinator").post(
        reverse(
            "portal:decide_schedule_request", kwargs={"case_id": case.pk, "request_id": request.pk}
        ),
        {"decide-revision": case.revision - 1, "decide-decision": "grant"},
    )
    assert response.status_code == 409
    assert ScheduleRequest.objects.get().status == "open"


def test_the_case_page_reads_the_same_queries_whatever_its_size(
    client_for, case, vendor_a, vendor_b, *, world, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client = client_for("psirt")
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("portal:case", kwargs={"case_id": case.pk}))
        return len(context)

    def grow(number: int) -> None:
        vulnerability = actions.add_vulnerability(
            case, actor=coordinator, title_en=f"Flaw {number}", description_en="*text*"
        )
        for vendor, persona in ((vendor_a, "psirt"), (vendor_b, "other_vendor")):
            product = actions.add_product(
                case, vendor, actor=coordinator, name=f"Product {persona} {number}"
            )
            actions.record_vendor_status(
                case,
                vendor,
                vulnerability,
                actor=world.user(persona),
                status="affected",
                product=product,
            )
        actions.refer_to_other_vendor(
            case, vendor_a, actor=world.user("psirt"), vendor_name=f"Other {number}"
        )

    actions.set_status_sharing(case, vendor_b, actor=world.user("other_vendor"), share=True)
    grow(1)
    small = queries()
    for number in range(2, 7):
        grow(number)
    assert queries() == small


def test_the_dashboard_lists_the_vendors_cases(client_for, case):
    page = client_for("psirt").get(reverse("core:dashboard")).content.decode()
    assert "Stored XSS in Example CMS" in page
    assert "Not acknowledged yet" in page
    assert reverse("portal:case", kwargs={"case_id": case.pk}) in page
    outsider = client_for("outsider").get(reverse("core:dashboard")).content.decode()
    assert "Stored XSS in Example CMS" not in outsider


def test_the_case_list_reads_the_same_queries_whatever_the_number_of_cases(
    client_for, world, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_case(number: int) -> None:
        case = actions.create_case(
            actor=coordinator,
            coordinator_org=world.organisations["coordination"],
            title_en=f"Case {number}",
        )
        actions.add_participants(
            case,
            actor=coordinator,
            role=ParticipantRole.VENDOR,
            organisations=[world.organisations["vendor-a"], world.organisations["vendor-b"]],
        )

    def queries() -> int:
        client = client_for("psirt")
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("portal:cases"))
        assert response.status_code == 200
        return len(context)

    add_case(1)
    small = queries()
    for number in range(2, 8):
        add_case(number)
    assert queries() == small


def test_a_status_shows_the_version_that_fixes_it(client_for, case, vulnerability, product_a):
    """Scenario 1: the vendor records 2.x affected with the fix in 2.8.1, and sees it."""
    response = _post(
        client_for("psirt"),
        "status",
        case,
        {
            "status-vulnerability": vulnerability.pk,
            "status-product": product_a.pk,
            "status-status": "affected",
            "status-fixed_in": "2.8.1",
            "status-version": "0",
        },
    )
    assert response.status_code == 302
    statuses = _page(client_for, "psirt", case).split('id="statuses"')[1].split("</table>")[0]
    assert "Widget A" in statuses
    assert "fixed in 2.8.1" in statuses
