"""The disclosures API through HTTP: the same rules as the pages, per persona."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.disclosures.models import Disclosure
from kakehashi.disclosures.tests.test_actions import ask, pre_release


def _secret(world, persona, scopes=("read", "write")):
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _post(path, secret, body):
    return Client().post(
        f"/api/v1/disclosures/{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )


def _get(path, secret):
    return Client().get(
        f"/api/v1/disclosures/{path}", headers={"Authorization": f"Bearer {secret}"}
    )


def pre_release_body(case, **overrides):
    today = timezone.localdate().isoformat()
    body = {
        "revision": case.revision,
        "kind": "critical_infrastructure",
        "summary": "The advisory draft and the update.",
        "includes_fix": True,
        "terms_en": "Keep it secret.",
        "reception_consulted_on": today,
        "vendor_consulted_on": today,
        "recipients": [{"organisation": "Kanto Grid Co.", "email": "csirt@grid.test"}],
    }
    body.update(overrides)
    return body


def test_a_coordinator_records_a_pre_release_and_reads_the_log(fixed, world):
    secret = _secret(world, "coordinator")

    created = _post(f"cases/{fixed.pk}", secret, pre_release_body(fixed))

    assert created.status_code == 201, created.content
    assert created.json()["recipients"][0]["organisation"] == "Kanto Grid Co."
    log = _get(f"cases/{fixed.pk}", secret)
    assert log.status_code == 200
    assert [row["kind"] for row in log.json()] == ["critical_infrastructure"]


def test_refusals_answer_with_their_status_and_change_nothing(case, fixed, world):
    secret = _secret(world, "coordinator")

    no_terms = _post(f"cases/{fixed.pk}", secret, pre_release_body(fixed, terms_en=""))
    bad_mail = _post(
        f"cases/{fixed.pk}",
        secret,
        pre_release_body(fixed, recipients=[{"organisation": "Grid", "email": "csirt@"}]),
    )
    stale = _post(f"cases/{fixed.pk}", secret, pre_release_body(fixed, revision=1))

    assert no_terms.status_code == 422 and "confidentiality terms" in no_terms.json()["detail"]
    assert bad_mail.status_code == 422 and "not a valid e-mail" in bad_mail.json()["detail"]
    assert stale.status_code == 409
    assert Disclosure.objects.count() == 0


def test_a_pre_release_without_a_fix_is_a_conflict(case, world):
    response = _post(f"cases/{case.pk}", _secret(world, "coordinator"), pre_release_body(case))

    assert response.status_code == 409
    assert "No vendor has a fix yet" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["psirt", "clerk", "finder", "outsider"])
def test_the_log_is_not_found_for_anyone_outside_the_coordination(
    fixed, coordinator, world, persona
):
    pre_release(fixed, coordinator)
    secret = _secret(world, persona)

    assert _get(f"cases/{fixed.pk}", secret).status_code == 404
    assert _post(f"cases/{fixed.pk}", secret, pre_release_body(fixed)).status_code == 404
    assert Disclosure.objects.count() == 1


def test_a_read_only_token_may_not_record(fixed, world):
    secret = _secret(world, "coordinator", scopes=("read",))

    assert _post(f"cases/{fixed.pk}", secret, pre_release_body(fixed)).status_code == 403


def test_a_vendor_asks_and_reads_only_its_own_requests_and_the_coordinator_decides(
    case, vendor, world
):
    psirt = _secret(world, "psirt")
    body = {
        "summary": "Upgrade now.",
        "audience": "Hosted customers.",
        "justification": "Shorter exposure.",
        "terms_ja": "秘密として扱うこと。",
    }

    created = _post(f"portal/cases/{case.pk}", psirt, body)
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert _post(f"portal/cases/{case.pk}", _secret(world, "other_vendor"), body).status_code == (
        404
    )
    assert _get(f"portal/cases/{case.pk}", _secret(world, "other_vendor")).status_code == 404
    assert [r["id"] for r in _get(f"portal/cases/{case.pk}", psirt).json()] == [request_id]

    assert _post(f"{request_id}/decision", psirt, {"approve": True}).status_code == 404
    refused = _post(f"{request_id}/decision", _secret(world, "coordinator"), {"approve": False})
    assert refused.status_code == 422
    decided = _post(f"{request_id}/decision", _secret(world, "coordinator"), {"approve": True})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"


def test_a_vendors_view_never_lists_the_coordinators_disclosures(fixed, vendor, world):
    pre_release(fixed, world.user("coordinator"))
    ask(vendor, world.user("psirt"))

    rows = _get(f"portal/cases/{fixed.pk}", _secret(world, "psirt")).json()
    assert [row["kind"] for row in rows] == ["vendor_users"]
    assert rows[0]["recipients"] == []


def test_the_openapi_document_lists_the_disclosure_paths(db):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    assert "/api/v1/disclosures/cases/{case_id}" in schema["paths"]
    assert "/api/v1/disclosures/portal/cases/{case_id}" in schema["paths"]
