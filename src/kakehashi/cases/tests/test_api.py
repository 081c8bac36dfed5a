"""The cases API through HTTP: token scopes, the desk's visibility, every action with an
allowed and a denied call, refusals mapped to status codes, and the whole flow."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions, api
from kakehashi.cases.models import Case, CaseEvent, StateChange
from kakehashi.cases.schemas import PhaseEvent
from kakehashi.cases.workflow import PHASE
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import NotPermitted

pytestmark = pytest.mark.django_db


def _secret(world, persona: str, scopes: tuple[str, ...] = ("read", "write")) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _call(method: str, path: str, secret: str, body: dict | None = None, **headers):
    client = Client()
    return getattr(client, method)(
        f"/api/v1/{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", **headers},
    )


def _get(path: str, secret: str, **headers):
    return Client().get(f"/api/v1/{path}", headers={"Authorization": f"Bearer {secret}", **headers})


def _soon(days: int = 20) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def targets(case, vendor_a, vulnerability, coordinator):
    """The case with one of everything an action may name: product, status, proposal."""
    product = actions.add_product(case, vendor_a, actor=coordinator, name="Widget")
    status = actions.record_vendor_status(
        case, vendor_a, vulnerability, actor=coordinator, status="affected"
    )
    proposal = actions.propose_embargo(
        case, actor=coordinator, ends_at=timezone.now() + timedelta(days=20)
    )
    return {
        "case": case.pk,
        "participant": vendor_a.pk,
        "vulnerability": vulnerability.pk,
        "product": product.pk,
        "status": status.pk,
        "proposal": proposal.pk,
    }


TRIAGE = {
    "report_public": "N",
    "supplier_contacted": "Y",
    "report_credibility": "C",
    "supplier_cardinality": "M",
    "supplier_engagement": "U",
    "utility": "S",
    "public_safety_impact": "S",
}

# Every action: (method, path, body). Each is valid for the ``targets`` case as it stands.
ACTIONS = {
    "create": ("post", "cases", lambda w: {"title_en": "A new case"}),
    "update": ("patch", "cases/{case}", lambda w: {"title_en": "Renamed"}),
    "phase": ("post", "cases/{case}/phase", lambda w: {"event": "identify"}),
    "close": ("post", "cases/{case}/close", lambda w: {"reason": "duplicate"}),
    "schedule": (
        "post",
        "cases/{case}/schedule",
        lambda w: {"new_target": _soon(30), "reason": "vendor_request"},
    ),
    "event": ("post", "cases/{case}/events", lambda w: {"event": "A"}),
    "triage": ("post", "cases/{case}/decisions/triage", lambda w: TRIAGE),
    "publish_decision": (
        "post",
        "cases/{case}/decisions/publish",
        lambda w: {"supplier_involvement": "C", "exploitation": "N", "public_value_added": "P"},
    ),
    "add_participants": (
        "post",
        "cases/{case}/participants",
        lambda w: {"role": "finder", "organisation_ids": [w.organisations["finders"].pk]},
    ),
    "remove_participant": ("post", "cases/{case}/participants/{participant}/remove", lambda w: {}),
    "contact_attempt": (
        "post",
        "cases/{case}/participants/{participant}/contact-attempts",
        lambda w: {"channel": "email", "address": "psirt@vendor-a.test"},
    ),
    "rm": ("post", "cases/{case}/participants/{participant}/rm", lambda w: {"event": "receive"}),
    "embargo_answer": (
        "post",
        "cases/{case}/participants/{participant}/embargo-answer",
        lambda w: {"answer": "accept", "note": "By e-mail on 2 June."},
    ),
    "add_vulnerability": ("post", "cases/{case}/vulnerabilities", lambda w: {"title_en": "SQLi"}),
    "update_vulnerability": (
        "patch",
        "cases/{case}/vulnerabilities/{vulnerability}",
        lambda w: {"cwe_id": "CWE-89"},
    ),
    "add_product": (
        "post",
        "cases/{case}/products",
        lambda w: {"vendor_id": "{participant}", "name": "Widget Pro"},
    ),
    "vendor_status": (
        "post",
        "cases/{case}/vendor-statuses",
        lambda w: {
            "vendor_id": "{participant}",
            "vulnerability_id": "{vulnerability}",
            "status": "under_investigation",
        },
    ),
    "approve_status": ("post", "cases/{case}/vendor-statuses/{status}/approve", lambda w: {}),
    "propose_embargo": ("post", "cases/{case}/embargo/proposals", lambda w: {"ends_at": _soon()}),
    "accept_embargo": ("post", "cases/{case}/embargo/proposals/{proposal}/accept", lambda w: {}),
    "reject_embargo": ("post", "cases/{case}/embargo/proposals/{proposal}/reject", lambda w: {}),
    "invite": (
        "post",
        "cases/{case}/embargo/invitations",
        lambda w: {"participant_ids": ["{participant}"]},
    ),
}
# These need a state of their own; their allowed calls are tested below.
STATEFUL_ACTIONS = {
    "terminate_embargo": ("post", "cases/{case}/embargo/terminate", lambda w: {}),
    "reopen": ("post", "cases/{case}/reopen", lambda w: {}),
}
# Actions that take no revision of their own and so leave the case's revision as it was.
NO_CASE_REVISION = {"rm", "embargo_answer", "vendor_status", "approve_status"}


def _fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value.startswith("{"):
        return ids[value.strip("{}")]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _request(world, ids, name: str, secret: str, spec=None):
    method, path, body = spec or {**ACTIONS, **STATEFUL_ACTIONS}[name]
    payload = {key: _fill(value, ids) for key, value in body(world).items()}
    return _call(method, path.format(**ids), secret, payload)


# --- Reads ---------------------------------------------------------------------------


def test_coordinator_lists_the_cases_on_the_desk(world, case):
    response = _get("cases", _secret(world, "coordinator"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["reference"] == case.reference
    assert item["phase"] == "forwarded"
    assert item["revision"] == fresh(case).revision


def test_case_list_filters_by_phase_priority_and_text(world, case, coordinator):
    other = actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Other"
    )
    secret = _secret(world, "coordinator")

    def refs(query: str) -> list[str]:
        return [i["reference"] for i in _get(f"cases?{query}", secret).json()["items"]]

    assert refs("phase=identifying_vendors") == [other.reference]
    assert refs("q=stored+xss") == [case.reference]
    assert refs(f"q={other.reference}") == [other.reference]
    assert refs("priority=low") == []
    assert sorted(refs("priority=normal")) == sorted([case.reference, other.reference])


def test_case_list_is_paginated(world, case, coordinator):
    for number in range(3):
        actions.create_case(
            actor=coordinator,
            coordinator_org=world.organisations["coordination"],
            title_en=f"Case {number}",
        )
    secret = _secret(world, "coordinator")

    first = _get("cases?limit=2", secret).json()
    second = _get("cases?limit=2&offset=2", secret).json()

    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == len(second["items"]) == 2
    seen = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
    assert len(seen) == 4
    assert _get("cases?limit=1000", secret).status_code == 422


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "finder", "outsider"])
def test_vendors_finders_and_outsiders_list_no_cases(world, case, persona):
    response = _get("cases", _secret(world, persona))

    assert response.status_code == 200
    assert response.json() == {"count": 0, "limit": 50, "offset": 0, "items": []}


def test_the_embargo_attention_has_a_code_and_words_in_the_readers_language(world, case):
    coordinator = world.user("coordinator")
    proposal = actions.propose_embargo(
        fresh(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=30)
    )
    actions.accept_embargo(fresh(case), proposal, actor=coordinator)
    actions.record_case_event(fresh(case), "A", actor=coordinator)
    secret = _secret(world, "coordinator")
    english = _get(f"cases/{case.pk}", secret, **{"Accept-Language": "en"}).json()["embargo"]
    japanese = _get(f"cases/{case.pk}", secret, **{"Accept-Language": "ja"}).json()["embargo"]
    assert english["attention_code"] == japanese["attention_code"] == "attacks"
    assert english["attention"].startswith("Attacks are observed")
    assert japanese["attention"].startswith("攻撃が観測されています")


def test_coordinator_reads_the_case_with_its_states(world, case, vendor_a, vulnerability):
    response = _get(f"cases/{case.pk}", _secret(world, "coordinator"))

    assert response.status_code == 200
    body = response.json()
    assert (body["phase"], body["em_state"], body["pxa"]) == ("forwarded", "N", "pxa")
    assert body["view"] == "coordination"
    assert body["revision"] == fresh(case).revision
    assert body["created_at"].endswith("Z")
    vendor = next(p for p in body["participants"] if p["id"] == vendor_a.pk)
    assert (vendor["rm_state"], vendor["vfd"], vendor["pec_state"]) == ("S", "vfd", "no_embargo")
    assert vendor["name"] == "Vendor A"
    (vuln,) = body["vulnerabilities"]
    assert vuln["cwe_id"] == "CWE-79"
    assert vuln["cvss_v3_score"] == pytest.approx(6.1)
    assert body["embargo"] == {
        "state": "N",
        "in_force": False,
        "ends_at": None,
        "started_at": None,
        "attention": "",
        "attention_code": "",
        "open_proposals": [],
    }


def test_case_instants_are_published_in_utc(world, case, vendor_a, coordinator):
    actions.record_contact_attempt(
        case, vendor_a, actor=coordinator, channel="email", address="a@vendor-a.test"
    )

    schedule = _get(f"cases/{case.pk}", _secret(world, "coordinator")).json()["schedule"]

    assert schedule["day_zero_at"].endswith("Z")
    assert schedule["target_publication_at"].endswith("T03:00:00Z")  # 12:00 JST
    assert schedule["day_zero"] == fresh(case).day_zero.isoformat()


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "finder", "outsider"])
@pytest.mark.parametrize("path", ["cases/{id}", "cases/{id}/timeline"])
def test_a_case_out_of_sight_is_404_like_a_missing_one(world, case, persona, path):
    secret = _secret(world, persona)

    hidden = _get(path.format(id=case.pk), secret)
    missing = _get(path.format(id=999999), secret)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found."}
    assert case.reference not in hidden.content.decode()


def test_reception_desk_reads_the_case_without_the_vendors(world, case, vendor_a, coordinator):
    actions.record_contact_attempt(
        case, vendor_a, actor=coordinator, channel="email", address="a@vendor-a.test"
    )
    secret = _secret(world, "clerk")

    body = _get(f"cases/{case.pk}", secret).json()

    assert body["view"] == "reception"
    assert {p["role"] for p in body["participants"]} == {"coordinator", "finder", "reception"}
    assert body["schedule"]["target_publication_at"] is not None
    assert "Vendor A" not in json.dumps(body)


def test_reception_desk_does_not_read_the_timeline(world, case):
    response = _get(f"cases/{case.pk}/timeline", _secret(world, "clerk"))

    assert response.status_code == 404


def test_timeline_lists_every_step_newest_first(world, case, vendor_a, coordinator):
    actions.record_contact_attempt(
        case, vendor_a, actor=coordinator, channel="email", address="a@vendor-a.test"
    )

    response = _get(f"cases/{case.pk}/timeline", _secret(world, "coordinator"))

    assert response.status_code == 200
    entries = response.json()
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    contact = next(e for e in entries if e["kind"] == "contact")
    assert "a@vendor-a.test" in contact["text"]
    assert contact["participants"] == [{"id": vendor_a.pk, "role": "vendor", "name": "Vendor A"}]
    assert set(contact) == {"at", "kind", "text", "actor", "participants", "note"}
    assert len(_get(f"cases/{case.pk}/timeline?limit=1", _secret(world, "coordinator")).json()) == 1


def test_case_detail_reads_a_fixed_number_of_queries_whatever_the_vendors(
    world, case, coordinator, vulnerability
):
    secret = _secret(world, "coordinator")

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _get(path, secret).status_code == 200
        return len(captured)

    before = [queries(f"cases/{case.pk}"), queries(f"cases/{case.pk}/timeline")]
    vendors = [
        Organisation.objects.create(slug=f"v{n}", kind="vendor", name_en=f"V{n}") for n in range(30)
    ]
    added = actions.add_participants(case, actor=coordinator, role="vendor", organisations=vendors)
    for vendor in added[:10]:
        actions.record_vendor_status(
            case, vendor, vulnerability, actor=coordinator, status="affected"
        )
    after = [queries(f"cases/{case.pk}"), queries(f"cases/{case.pk}/timeline")]

    assert after[0] <= before[0] <= 14
    # The timeline also reads the rows other apps register (disclosures, the
    # unreachable listing, the committee, messaging): a fixed number of queries each.
    assert after[1] <= before[1] <= 16


@pytest.mark.parametrize("path", ["cases", "cases/{id}", "cases/{id}/timeline"])
def test_reads_need_the_read_scope(world, case, path):
    response = _get(path.format(id=case.pk), _secret(world, "coordinator", ("write",)))

    assert response.status_code == 403
    assert "'read'" in response.json()["detail"]


# --- Every action: allowed for the coordinator, denied to everyone else ---------------


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_coordinator_may_call_every_action(world, targets, name):
    before = Case.objects.get(pk=targets["case"]).revision

    response = _request(world, targets, name, _secret(world, "coordinator"))

    assert response.status_code == (201 if name == "create" else 200), response.content
    body = response.json()
    if name != "create":
        after = Case.objects.get(pk=targets["case"]).revision
        assert body["case"]["revision"] == after
        assert after == before if name in NO_CASE_REVISION else after == before + 1


@pytest.mark.parametrize("name", sorted({**ACTIONS, **STATEFUL_ACTIONS}))
@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "outsider", "clerk", "translator"])
def test_others_get_404_from_every_action_and_nothing_changes(world, targets, name, persona):
    secret = _secret(world, persona)
    revision = Case.objects.get(pk=targets["case"]).revision
    audit = AuditEvent.objects.count()

    response = _request(world, targets, name, secret)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Case.objects.get(pk=targets["case"]).revision == revision
    assert AuditEvent.objects.count() == audit


@pytest.mark.parametrize("name", sorted({**ACTIONS, **STATEFUL_ACTIONS}))
def test_a_read_only_token_is_refused_every_action(world, targets, name):
    revision = Case.objects.get(pk=targets["case"]).revision

    response = _request(world, targets, name, _secret(world, "coordinator", ("read",)))

    assert response.status_code == 403
    assert "'write'" in response.json()["detail"]
    assert Case.objects.get(pk=targets["case"]).revision == revision


def test_coordinator_terminates_an_agreed_embargo(world, targets, coordinator):
    case = Case.objects.get(pk=targets["case"])
    proposal = case.embargo_proposals.get(pk=targets["proposal"])
    actions.accept_embargo(case, proposal, actor=coordinator)

    response = _request(world, targets, "terminate_embargo", _secret(world, "coordinator"))

    assert response.status_code == 200
    assert response.json()["case"]["embargo"]["state"] == "X"


def test_coordinator_reopens_a_closed_case(world, case, coordinator):
    actions.close_case(case, actor=coordinator, reason="duplicate")

    response = _request(world, {"case": case.pk}, "reopen", _secret(world, "coordinator"))

    assert response.status_code == 200
    assert response.json()["case"]["phase"] == "identifying_vendors"


def test_the_api_offers_exactly_the_manual_phase_events():
    assert set(get_args(PhaseEvent)) == set(actions.MANUAL_PHASE_EVENTS)


# --- Refusals --------------------------------------------------------------------------


def test_a_stale_revision_conflicts_with_409_and_changes_nothing(world, case):
    case = fresh(case)
    secret = _secret(world, "coordinator")
    audit = AuditEvent.objects.count()

    response = _call(
        "patch",
        f"cases/{case.pk}",
        secret,
        {"title_en": "Too late", "revision": case.revision - 1},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "ConcurrentChange"
    assert "Someone else changed this" in response.json()["detail"]
    after = fresh(case)
    assert (after.title_en, after.revision) == (case.title_en, case.revision)
    assert AuditEvent.objects.count() == audit


def test_a_stale_revision_conflicts_for_actions_without_their_own(world, case, vendor_a):
    response = _call(
        "post",
        f"cases/{case.pk}/participants/{vendor_a.pk}/rm",
        _secret(world, "coordinator"),
        {"event": "receive", "revision": fresh(case).revision - 1},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "ConcurrentChange"
    vendor_a.refresh_from_db()
    assert vendor_a.rm_state == "S"


def test_the_current_revision_is_accepted(world, case):
    response = _call(
        "patch",
        f"cases/{case.pk}",
        _secret(world, "coordinator"),
        {"title_en": "On time", "revision": fresh(case).revision},
    )

    assert response.status_code == 200
    assert response.json()["case"]["title_en"] == "On time"


def test_a_refused_transition_is_409_naming_the_current_state(world, case):
    case = fresh(case)
    changes = StateChange.objects.count()

    response = _call(
        "post",
        f"cases/{case.pk}/phase",
        _secret(world, "coordinator"),
        {"event": "release_priority"},
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "TransitionNotAllowed"
    assert "“Forwarded to coordination”" in body["detail"]
    assert "Allowed now:" in body["detail"]
    assert fresh(case).revision == case.revision
    assert StateChange.objects.count() == changes


def test_a_cross_model_rule_is_409_guard_failed(world, targets, coordinator):
    case = Case.objects.get(pk=targets["case"])
    actions.accept_embargo(
        case, case.embargo_proposals.get(pk=targets["proposal"]), actor=coordinator
    )

    response = _request(world, targets, "close", _secret(world, "coordinator"))

    assert response.status_code == 409
    assert response.json()["code"] == "GuardFailed"
    assert "embargo is in force" in response.json()["detail"]
    assert fresh(case).phase != "closed"


def test_a_role_refused_by_the_workflow_is_403_not_permitted(world, case, monkeypatch):
    def refuse(*args, **kwargs):
        raise NotPermitted(PHASE, "publish")

    monkeypatch.setattr(api.actions, "advance_phase", refuse)

    response = _call(
        "post", f"cases/{case.pk}/phase", _secret(world, "coordinator"), {"event": "publish"}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not do “publish”.", "code": "NotPermitted"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cvss_v3_vector": "CVSS:3.1/AV:N/AC:Q"}, "CVSS v3.1 vector is not valid"),
        ({"cvss_v3_vector": "AV:N/AC:L"}, "starts with “CVSS:3.1/”"),
        ({"cvss_v4_vector": "CVSS:4.0/AV:N"}, "CVSS v4.0 vector is not valid"),
        ({"cwe_id": "CWE-99999999"}, "not a known CWE ID"),
    ],
)
def test_malformed_cvss_and_unknown_cwe_are_422(world, case, fields, message):
    count = case.vulnerabilities.count()

    response = _call(
        "post",
        f"cases/{case.pk}/vulnerabilities",
        _secret(world, "coordinator"),
        {"title_en": "Bad input", **fields},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "InvalidInput"
    assert message in response.json()["detail"]
    assert case.vulnerabilities.count() == count


def test_an_embargo_ending_in_the_past_is_422(world, case):
    past = (timezone.now() - timedelta(hours=1)).isoformat()

    response = _call(
        "post",
        f"cases/{case.pk}/embargo/proposals",
        _secret(world, "coordinator"),
        {"ends_at": past},
    )

    assert response.status_code == 422
    assert "must be in the future" in response.json()["detail"]
    assert fresh(case).em_state == "N"


def test_not_affected_without_a_justification_is_422(world, case, vendor_a, vulnerability):
    response = _call(
        "post",
        f"cases/{case.pk}/vendor-statuses",
        _secret(world, "coordinator"),
        {"vendor_id": vendor_a.pk, "vulnerability_id": vulnerability.pk, "status": "not_affected"},
    )

    assert response.status_code == 422
    assert "needs one of the five justifications" in response.json()["detail"]
    assert not case.vendor_statuses.exists()


def test_a_naive_datetime_is_422(world, case):
    naive = (timezone.now() + timedelta(days=20)).replace(tzinfo=None).isoformat()

    response = _call(
        "post",
        f"cases/{case.pk}/embargo/proposals",
        _secret(world, "coordinator"),
        {"ends_at": naive},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "timezone_aware"
    assert fresh(case).em_state == "N"


@pytest.mark.parametrize("payload", ['"reopen"', "[]", '{"note": "x", "bogus": 1}'])
def test_a_body_that_is_not_the_actions_object_is_422(world, case, payload):
    response = Client().post(
        f"/api/v1/cases/{case.pk}/phase",
        data=payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {_secret(world, 'coordinator')}"},
    )

    assert response.status_code == 422
    assert fresh(case).phase == "forwarded"


def test_a_participant_of_another_case_is_404_in_the_path(world, case, coordinator):
    other = actions.create_case(
        actor=coordinator, coordinator_org=world.organisations["coordination"], title_en="Other"
    )
    foreign = other.participants.get()

    response = _call(
        "post",
        f"cases/{case.pk}/participants/{foreign.pk}/rm",
        _secret(world, "coordinator"),
        {"event": "validate"},
    )

    assert response.status_code == 404


def test_refusals_follow_accept_language_then_the_users_language(world, case):
    coordinator = world.user("coordinator")
    coordinator.language = "ja"
    coordinator.save(update_fields=["language"])
    secret = _secret(world, "coordinator")
    stale = {"title_en": "x", "revision": 1}

    by_user = _call("patch", f"cases/{case.pk}", secret, stale)
    by_header = _call("patch", f"cases/{case.pk}", secret, stale, **{"Accept-Language": "en"})

    assert "ほぼ同時に" in by_user.json()["detail"]
    assert "Someone else changed this" in by_header.json()["detail"]


# --- The whole flow --------------------------------------------------------------------


def test_a_case_goes_from_creation_to_closure_through_the_api(world):
    secret = _secret(world, "coordinator")
    org = world.organisations

    def act(method: str, path: str, body: dict, status: int = 200) -> dict:
        response = _call(method, path, secret, {**body, "revision": state["revision"]})
        assert response.status_code == status, response.content
        result = response.json()
        state["revision"] = result["case"]["revision"]
        return result

    created = _call(
        "post",
        "cases",
        secret,
        {"title_en": "RCE in Widget", "reception_org_id": org["reception"].pk, "origin": "report"},
    )
    assert created.status_code == 201
    case = created.json()["case"]
    state = {"revision": case["revision"]}
    base = f"cases/{case['id']}"

    added = act(
        "post",
        f"{base}/participants",
        {"role": "vendor", "organisation_ids": [org["vendor-a"].pk, org["vendor-b"].pk]},
    )
    vendor_a, vendor_b = added["created_ids"]
    act(
        "post",
        f"{base}/participants/{vendor_a}/contact-attempts",
        {
            "channel": "email",
            "address": "psirt@vendor-a.test",
            "attempted_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "outcome": "acknowledged",
            "details_included": True,
        },
    )
    vuln = act(
        "post",
        f"{base}/vulnerabilities",
        {
            "title_en": "RCE",
            "cwe_id": "CWE-94",
            "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        },
    )["created_ids"][0]
    proposal = act("post", f"{base}/embargo/proposals", {"ends_at": _soon(30)})["created_ids"][0]
    act("post", f"{base}/embargo/invitations", {"participant_ids": [vendor_a, vendor_b]})
    refused = _call(
        "post",
        f"{base}/participants/{vendor_a}/embargo-answer",
        secret,
        {"answer": "accept", "revision": state["revision"]},
    )
    assert refused.status_code == 422, "the coordinator must say how the answer came"
    assert refused.json()["detail"] == "Say how and when the answer came."
    act(
        "post",
        f"{base}/participants/{vendor_a}/embargo-answer",
        {"answer": "accept", "note": "By e-mail from psirt@vendor-a.test."},
    )
    agreed = act("post", f"{base}/embargo/proposals/{proposal}/accept", {})["case"]
    assert (agreed["em_state"], agreed["phase"]) == ("A", "schedule_agreed")
    status = act(
        "post",
        f"{base}/vendor-statuses",
        {"vendor_id": vendor_a, "vulnerability_id": vuln, "status": "fixed", "fixed_in": "2.0.1"},
    )["created_ids"][0]
    act("post", f"{base}/vendor-statuses/{status}/approve", {"expected_version": 1})
    public = act("post", f"{base}/events", {"event": "P", "source": "Vendor advisory"})["case"]
    closed = act("post", f"{base}/close", {"reason": "published"})["case"]

    assert public["em_state"] == "X"
    assert public["pxa"] == "Pxa"
    assert public["priority"] == "high"
    vendors = {p["id"]: p for p in public["participants"]}
    assert vendors[vendor_a]["vfd"] == "VFd"
    assert vendors[vendor_a]["pec_state"] == "no_embargo"
    assert vendors[vendor_b]["vfd"] == "Vfd"
    assert public["vendor_statuses"][0]["approved_at"] is not None
    assert closed["phase"] == "closed"
    assert closed["closure_reason"] == "published"
    assert CaseEvent.objects.filter(case_id=case["id"], event="P").exists()
    timeline = _get(f"{base}/timeline", secret).json()
    kinds = {e["kind"] for e in timeline}
    assert kinds == {"state", "contact", "event", "schedule", "embargo", "status"}
    assert any("Exited" in e["text"] for e in timeline)
    assert AuditEvent.objects.filter(case_id=case["id"], action="embargo.ended").exists()


def test_schedule_change_answers_with_warnings(world, case, coordinator):
    actions.update_case(
        case, actor=coordinator, planned_talk_date=(timezone.now() + timedelta(days=5)).date()
    )

    response = _call(
        "post",
        f"cases/{case.pk}/schedule",
        _secret(world, "coordinator"),
        {"new_target": _soon(30), "reason": "countermeasure_time"},
    )

    assert response.status_code == 200
    body = response.json()
    assert any("public talk" in w for w in body["warnings"])
    assert body["warnings"] == body["case"]["schedule"]["warnings"]


# --- The published schema --------------------------------------------------------------


def test_openapi_document_lists_the_case_paths(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    paths = schema["paths"]

    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/timeline"} <= set(
        paths
    )
    for name, (method, path, _body) in {**ACTIONS, **STATEFUL_ACTIONS}.items():
        template = "/api/v1/" + path.replace("{case}", "{case_id}")
        for key in ("participant", "vulnerability", "status", "proposal"):
            template = template.replace("{" + key + "}", "{" + key + "_id}")
        operation = paths[template][method]
        assert operation["security"], name
        assert {"401", "403", "404", "409", "422"} <= set(operation["responses"]), name
        assert "requestBody" in operation, name
    proposal = schema["components"]["schemas"]["EmbargoProposeIn"]["properties"]["ends_at"]
    assert proposal["format"] == "date-time"
