"""The CNA API through HTTP: scopes, officers only (others 404), the whole flow against
the fake CVE Services, and refusals mapped to status codes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import actions as account_actions
from kakehashi.cna.models import CveRecord
from kakehashi.core.testing import run_pending_jobs

from .conftest import publish_case

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _secret(world, persona: str, scopes=("read", "write")) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _call(method: str, path: str, secret: str, body: dict | None = None):
    return getattr(Client(), method)(
        f"/api/v1/cve/{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
    )


def test_the_whole_flow(world, fake, vulnerability, case, django_capture_on_commit_callbacks):
    secret = _secret(world, "cna")
    reserved = _call("post", "ids/reserve", secret, {"amount": 2, "year": YEAR})
    assert reserved.status_code == 200, reserved.content
    assert reserved.json()["partial"] is False
    assert [i["state"] for i in reserved.json()["ids"]] == ["RESERVED", "RESERVED"]

    assigned = _call("post", "assign", secret, {"vulnerability_id": vulnerability.pk})
    assert assigned.status_code == 201
    record = assigned.json()
    assert record["publishable"] is False
    assert {p["field"] for p in record["problems"]} >= {"references"}

    publish_case(case)
    edited = _call(
        "put",
        f"records/{record['cve_id']}",
        secret,
        {
            "version": record["version"],
            "description_en": "Cross-site scripting in Vendor A Example CMS allows a remote "
            "attacker to inject an arbitrary script via a comment.",
            "description_ja": "Example CMS にはクロスサイトスクリプティングの脆弱性が存在します。",
            "references": [
                {"url": "https://jvn.example/en/jp/JVN12345678/", "tags": ["third-party-advisory"]}
            ],
        },
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["publishable"] is True
    with django_capture_on_commit_callbacks(execute=True):
        queued = _call(
            "post",
            f"records/{record['cve_id']}/publish",
            secret,
            {"version": edited.json()["version"]},
        )
    assert queued.json()["sync_state"] == "queued"
    run_pending_jobs()
    shown = _call("get", f"records/{record['cve_id']}", secret)
    assert shown.json()["sync_state"] == "published"
    assert fake.state.records[record["cve_id"]]["cveMetadata"]["state"] == "PUBLISHED"
    pool = _call("get", "ids?free=true", secret).json()
    assert len(pool) == 1


def test_refusals_map_to_status_codes(world, vulnerability, pool):
    secret = _secret(world, "cna")
    assert _call("post", "ids", secret, {"ids": ["CVE-1"]}).status_code == 422
    assert _call("post", "ids", secret, {"ids": [pool[0].cve_id]}).status_code == 422
    record = _call("post", "assign", secret, {"vulnerability_id": vulnerability.pk}).json()
    stale = _call(
        "put",
        f"records/{record['cve_id']}",
        secret,
        {"version": 99, "description_en": "x"},
    )
    assert stale.status_code == 409
    refused = _call("post", f"records/{record['cve_id']}/publish", secret, {"version": 1})
    assert refused.status_code == 422
    assert "The advisory is not public yet" in refused.json()["detail"]
    assert CveRecord.objects.get().sync_state == "draft"


@pytest.mark.parametrize("persona", ["coordinator", "psirt", "finder", "outsider"])
def test_others_find_nothing(world, persona, vulnerability, pool):
    owner = _secret(world, "cna")
    cve_id = _call("post", "assign", owner, {"vulnerability_id": vulnerability.pk}).json()["cve_id"]
    secret = _secret(world, persona)
    assert _call("get", "ids", secret).status_code == 404
    assert _call("get", f"records/{cve_id}", secret).status_code == 404
    assert (
        _call("post", "assign", secret, {"vulnerability_id": vulnerability.pk}).status_code == 404
    )


def test_a_read_token_cannot_act(world, vulnerability, pool):
    secret = _secret(world, "cna", scopes=("read",))
    assert _call("get", "ids", secret).status_code == 200
    assert (
        _call("post", "assign", secret, {"vulnerability_id": vulnerability.pk}).status_code == 403
    )
