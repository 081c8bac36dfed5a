"""The fake CVE Services keeps to the published contract: every endpoint it answers is
in ``openapi.json``, and its answers validate against the contract's response schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from jsonschema import Draft4Validator

from kakehashi.cna.checks import RECORD_SCHEMA, validator
from kakehashi.cna.fake import FakeCveServices

from .conftest import KEY, ORG, USER

CONTRACT = Path(__file__).parents[1] / "data" / "cve-services"
HEADERS = {"CVE-API-ORG": ORG, "CVE-API-USER": USER, "CVE-API-KEY": KEY}
VALID_CONTAINER = json.loads(
    (Path(__file__).parent / "data" / "cnaContainer-basic-example.json").read_text()
)["cnaContainer"]


def _schema(name: str) -> Draft4Validator:
    return Draft4Validator(json.loads((CONTRACT / "schemas" / name).read_text()))


def _valid(name: str, body: object) -> None:
    errors = [e.message for e in _schema(name).iter_errors(body)]
    assert errors == []


@pytest.fixture
def fake():
    with FakeCveServices(ORG, USER, KEY) as server:
        yield server


def _call(fake, method, path, **kwargs):
    return requests.request(method, fake.url + path, headers=HEADERS, timeout=10, **kwargs)


def test_every_path_the_fake_serves_is_in_the_contract(fake):
    paths = set(json.loads((CONTRACT / "api-docs" / "openapi.json").read_text())["paths"])
    used = {
        "/cve-id",
        "/cve-id/{id}",
        "/cve/{id}",
        "/cve/{id}/cna",
        "/cve/{id}/reject",
        "/org/{shortname}",
        "/org/{shortname}/id_quota",
        "/health-check",
    }
    assert used <= paths


def test_reservation_quota_and_id_answers_follow_the_schemas(fake):
    params = {"amount": 2, "cve_year": 2026, "short_name": ORG, "batch_type": "sequential"}
    reserved = _call(fake, "post", "cve-id", params=params)
    assert reserved.status_code == 200
    _valid("cve-id/create-cve-ids-response.json", reserved.json())
    _valid("org/get-org-quota-response.json", _call(fake, "get", f"org/{ORG}/id_quota").json())
    cve_id = reserved.json()["cve_ids"][0]["cve_id"]
    _valid("cve-id/get-cve-id-response.json", _call(fake, "get", f"cve-id/{cve_id}").json())
    rejected = _call(fake, "put", f"cve-id/{cve_id}", params={"state": "REJECTED"})
    _valid("cve-id/update-cve-id-response.json", rejected.json())

    fake.state.id_quota = 3
    partial = _call(fake, "post", "cve-id", params={**params, "amount": 5})
    assert partial.status_code == 206
    _valid("cve-id/create-cve-ids-partial-response.json", partial.json())
    assert partial.json()["details"]["amount_reserved"] == 2


def test_record_answers_and_errors_follow_the_schemas(fake):
    params = {"amount": 1, "cve_year": 2026, "short_name": ORG}
    cve_id = _call(fake, "post", "cve-id", params=params).json()["cve_ids"][0]["cve_id"]
    created = _call(fake, "post", f"cve/{cve_id}/cna", json={"cnaContainer": VALID_CONTAINER})
    assert created.status_code == 200
    # The contract's response schema types ``affected`` as an object, which contradicts
    # the CVE record format (an array): check the record against the record schema.
    assert created.json()["message"] == f"{cve_id} record was created"
    record = created.json()["created"]
    assert list(validator(RECORD_SCHEMA).iter_errors(record)) == []
    assert record["cveMetadata"]["state"] == "PUBLISHED"
    again = _call(fake, "post", f"cve/{cve_id}/cna", json={"cnaContainer": VALID_CONTAINER})
    assert again.status_code == 403
    assert again.json()["error"] == "CVE_RECORD_EXISTS"
    _valid("errors/generic.json", again.json())

    broken = {**VALID_CONTAINER, "descriptions": [{"lang": "ja", "value": "日本語のみ"}]}
    refused = _call(fake, "put", f"cve/{cve_id}/cna", json={"cnaContainer": broken})
    assert refused.status_code == 400
    assert refused.json()["error"] == "INVALID_JSON_SCHEMA"

    bad = _call(fake, "post", "cve-id", params={"amount": "x", "cve_year": 2026, "short_name": ORG})
    assert bad.status_code == 400
    _valid("errors/bad-request.json", bad.json())


def test_unauthenticated_calls_are_refused(fake):
    answer = requests.get(fake.url + f"org/{ORG}/id_quota", timeout=10)
    assert answer.status_code == 401
    assert requests.get(fake.url + "health-check", timeout=10).status_code == 200
