"""The vendor API through HTTP: my cases, one case with the portal's visibility, and
every action — allowed for the vendor's members, 404 for everyone else (another
vendor, an individually-registered vendor on a multi-vendor case, the desk, the
committee, outsiders), bad input refused with nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
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

pytestmark = pytest.mark.django_db


def _secret(world, persona: str, scopes: tuple[str, ...] = ("read", "write")) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _call(method: str, path: str, secret: str, body: dict | None = None):
    return getattr(Client(), method)(
        f"/api/v1/portal/{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )


@pytest.fixture
def solo(world, coordinator):
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Heap overflow in Widget",
        summary="Desk-only summary",
    )
    (vendor,) = actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    actions.add_vulnerability(
        case, actor=coordinator, title_en="Heap overflow", description_en="Too *long*"
    )
    actions.add_product(case, vendor, actor=coordinator, name="Widget")
    actions.propose_embargo(case, actor=coordinator, ends_at=timezone.now() + timedelta(days=40))
    actions.invite_to_embargo(case, [vendor], actor=coordinator)
    return case


def _later() -> str:
    return (timezone.now() + timedelta(days=70)).isoformat()


def _body(name: str, case) -> dict:
    vulnerability = case.vulnerabilities.get()
    return {
        "acknowledge": {},
        "statuses": {"vulnerability_id": vulnerability.pk, "status": "affected"},
        "embargo-answer": {"answer": "accept"},
        "verification": {"result": "confirmed"},
        "countermeasure": {"response_status": "investigating"},
        "tracking-id": {"tracking_id": "PSIRT-7"},
        "schedule-requests": {"requested_target": _later(), "reason": "Release train"},
        "referrals": {"vendor_name": "LibFoo Project"},
    }[name]


ACTIONS = [
    "acknowledge",
    "statuses",
    "embargo-answer",
    "verification",
    "countermeasure",
    "tracking-id",
    "schedule-requests",
    "referrals",
]


def _traces(case) -> tuple[int, ...]:
    return (
        ContactAttempt.objects.filter(case=case).count(),
        VendorResponse.objects.filter(participant__case=case).count(),
        VendorStatus.objects.filter(case=case).count(),
        ScheduleRequest.objects.filter(case=case).count(),
        VendorReferral.objects.filter(case=case).count(),
        StateChange.objects.filter(case=case).count(),
    )


def test_my_cases_lists_only_the_organisations_cases(world, solo):
    mine = _call("get", "cases", _secret(world, "psirt")).json()
    assert [c["reference"] for c in mine] == [solo.reference]
    for persona in ("other_vendor", "coordinator", "committee", "outsider", "finder"):
        assert _call("get", "cases", _secret(world, persona)).json() == []


def test_a_case_reads_like_the_portal(world, solo):
    body = _call("get", f"cases/{solo.pk}", _secret(world, "vendoradmin")).json()
    assert body["reference"] == solo.reference
    assert body["vulnerabilities"][0]["description_en"] == "Too *long*"
    assert [p["name"] for p in body["products"]] == ["Widget"]
    assert body["schedule"]["embargo_state"] == "P"
    assert body["schedule"]["my_embargo_consent"] == "invited"
    assert "Desk-only summary" not in json.dumps(body)


@pytest.mark.parametrize(
    "persona", ["other_vendor", "coordinator", "committee", "outsider", "finder", "clerk", "admin"]
)
def test_others_get_404_on_the_case(world, solo, persona):
    response = _call("get", f"cases/{solo.pk}", _secret(world, persona))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_missing_case_is_the_same_404(world, solo):
    assert _call("get", "cases/999999", _secret(world, "psirt")).json() == {"detail": "Not found."}


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin"])
@pytest.mark.parametrize("name", ACTIONS)
def test_the_vendors_members_may_call_every_action(world, solo, persona, name):
    before = _traces(solo)
    response = _call("post", f"cases/{solo.pk}/{name}", _secret(world, persona), _body(name, solo))
    assert response.status_code == 200, response.content
    assert _traces(solo) != before


@pytest.mark.parametrize(
    "persona", ["other_vendor", "coordinator", "committee", "outsider", "finder", "admin"]
)
@pytest.mark.parametrize("name", ACTIONS)
def test_others_get_404_from_every_action_and_nothing_changes(world, solo, persona, name):
    before = _traces(solo)
    response = _call("post", f"cases/{solo.pk}/{name}", _secret(world, persona), _body(name, solo))
    assert response.status_code == 404
    assert _traces(solo) == before


@pytest.mark.parametrize("name", ACTIONS)
def test_a_read_only_token_is_refused_every_action(world, solo, name):
    before = _traces(solo)
    secret = _secret(world, "psirt", ("read",))
    response = _call("post", f"cases/{solo.pk}/{name}", secret, _body(name, solo))
    assert response.status_code == 403
    assert _traces(solo) == before


def test_an_individually_registered_vendor_on_a_multi_vendor_case_gets_404(
    world, case, vulnerability
):
    from kakehashi.vendors import actions as vendor_actions
    from kakehashi.vendors.choices import RegistrationType

    vendor_actions.register_vendor(
        world.user("coordinator"),
        world.organisations["vendor-a"],
        registration_type=RegistrationType.INDIVIDUAL,
    )
    secret = _secret(world, "psirt")
    assert _call("get", f"cases/{case.pk}", secret).status_code == 404
    assert _call("get", "cases", secret).json() == []
    before = _traces(case)
    for name in ACTIONS:
        response = _call("post", f"cases/{case.pk}/{name}", secret, _body(name, case))
        assert response.status_code == 404
    assert _traces(case) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "not_affected"}, "needs one of the five justifications"),
        ({"status": "disputed"}, "needs a reason"),
        ({"status": "affected", "vulnerability_id": 999999}, "There is no vulnerability"),
    ],
)
def test_bad_statuses_are_refused_with_422(world, case, vulnerability, body, message):
    secret = _secret(world, "psirt")
    response = _call(
        "post", f"cases/{case.pk}/statuses", secret, {"vulnerability_id": vulnerability.pk, **body}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not VendorStatus.objects.exists()


def test_another_vendors_product_is_refused(world, case, vulnerability, product_b):
    response = _call(
        "post",
        f"cases/{case.pk}/statuses",
        _secret(world, "psirt"),
        {"vulnerability_id": vulnerability.pk, "product_id": product_b.pk, "status": "affected"},
    )
    assert response.status_code == 422
    assert "There is no product" in response.json()["detail"]
    assert not VendorStatus.objects.exists()


def test_a_stale_version_is_409_and_changes_nothing(world, case, vulnerability, vendor_a):
    actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=world.user("vendoradmin"), status="affected"
    )
    response = _call(
        "post",
        f"cases/{case.pk}/statuses",
        _secret(world, "psirt"),
        {"vulnerability_id": vulnerability.pk, "status": "fixed", "expected_version": 0},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ConcurrentChange"
    assert VendorStatus.objects.get().status == "affected"


def test_unknown_fields_and_bad_choices_are_422(world, case):
    secret = _secret(world, "psirt")
    assert (
        _call("post", f"cases/{case.pk}/verification", secret, {"result": "maybe"}).status_code
        == 422
    )
    response = _call(
        "post", f"cases/{case.pk}/tracking-id", secret, {"tracking_id": "X", "admin": True}
    )
    assert response.status_code == 422
    assert not VendorResponse.objects.exists()


def test_a_status_then_approval_shows_in_the_read(world, case, vulnerability, coordinator):
    secret = _secret(world, "psirt")
    done = _call(
        "post",
        f"cases/{case.pk}/statuses",
        secret,
        {
            "vulnerability_id": vulnerability.pk,
            "status": "not_affected",
            "justification": "component_not_present",
            "statement_ja": "当社製品は該当しません。",
        },
    ).json()
    assert done["version"] == 1
    read = _call("get", f"cases/{case.pk}", secret).json()
    assert read["statuses"][0]["approved"] is False
    actions.approve_vendor_status(case, VendorStatus.objects.get(), actor=coordinator)
    read = _call("get", f"cases/{case.pk}", secret).json()
    assert read["statuses"][0]["approved"] is True
    assert read["statuses"][0]["statement_ja"] == "当社製品は該当しません。"


def test_shared_statuses_of_other_vendors_appear_only_when_shared(
    world, case, vulnerability, vendor_b
):
    actions.record_vendor_status(
        case, vendor_b, vulnerability, actor=world.user("other_vendor"), status="fixed"
    )
    secret = _secret(world, "psirt")
    assert _call("get", f"cases/{case.pk}", secret).json()["shared_statuses"] == []
    actions.set_status_sharing(case, vendor_b, actor=world.user("other_vendor"), share=True)
    shared = _call("get", f"cases/{case.pk}", secret).json()["shared_statuses"]
    assert [(s["vendor"], s["status"]) for s in shared] == [("Vendor B", "fixed")]


def test_the_portal_endpoints_are_in_the_openapi_document(world):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/portal/cases",
        "/api/v1/portal/cases/{case_id}",
        "/api/v1/portal/cases/{case_id}/statuses",
        "/api/v1/portal/cases/{case_id}/embargo-answer",
        "/api/v1/portal/cases/{case_id}/acknowledge",
    ):
        assert path in paths
