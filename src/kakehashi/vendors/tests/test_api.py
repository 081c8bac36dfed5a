"""The vendors API through HTTP: the desk's search, one entry (own vendor or desk only,
404 otherwise, like a missing one), the read scope, and the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from kakehashi.accounts import actions as account_actions
from kakehashi.vendors import actions

pytestmark = pytest.mark.django_db

CPE = "cpe:2.3:a:vendor_a:example_cms:2.3:*:*:*:*:*:*:*"


def _secret(world, persona: str, scopes: tuple[str, ...] = ("read",)) -> str:
    _token, secret = account_actions.create_api_token(
        world.user(persona), name="test", scopes=list(scopes)
    )
    return secret


def _get(path: str, secret: str, **params):
    return Client().get(f"/api/v1/{path}", params, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def entry_a(coordinator, profile_a, vendor_keys):
    actions.add_contact_point(coordinator, profile_a, kind="email", value="psirt@a.test")
    actions.add_key(coordinator, profile_a, vendor_keys["good"].public)
    actions.add_product(coordinator, profile_a, name="Example CMS", cpe=CPE)
    return profile_a


# -- search -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "clerk", "committee"])
def test_desk_staff_search_the_registry(world, entry_a, profile_b, persona):
    response = _get("vendors", _secret(world, persona), q="Example CMS")
    assert response.status_code == 200
    [match] = response.json()
    assert match["organisation_id"] == world.organisations["vendor-a"].pk
    assert match["name_en"] == "Vendor A" and match["name_ja"] == "Vendor A（日本語）"
    assert match["matched_on"] == "product"
    assert match["product"]["cpe"] == CPE


def test_search_by_name_and_by_cpe_prefix(world, entry_a, profile_b):
    secret = _secret(world, "coordinator")
    by_name = _get("vendors", secret, q="vendor b").json()
    assert [(m["name_en"], m["matched_on"], m["product"]) for m in by_name] == [
        ("Vendor B", "name_ja", None)  # the world names it in both
    ]
    by_cpe = _get("vendors", secret, q="cpe:2.3:a:vendor_a").json()
    assert [m["product"]["name"] for m in by_cpe] == ["Example CMS"]
    assert _get("vendors", secret, q="").json() == []


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "other_vendor", "finder", "outsider"])
def test_only_desk_staff_search(world, entry_a, persona):
    response = _get("vendors", _secret(world, persona), q="Example")
    assert response.status_code == 403
    assert "operator's staff" in response.json()["detail"]


def test_search_refuses_an_overlong_query(world, entry_a):
    response = _get("vendors", _secret(world, "coordinator"), q="x" * 201)
    assert response.status_code == 422


# -- one entry --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "clerk", "psirt", "vendoradmin"])
def test_desk_and_own_members_read_the_entry(world, entry_a, vendor_keys, persona):
    organisation_id = world.organisations["vendor-a"].pk
    response = _get(f"vendors/{organisation_id}", _secret(world, persona))
    assert response.status_code == 200
    body = response.json()
    assert body["organisation_id"] == organisation_id
    assert [c["value"] for c in body["contact_points"]] == ["psirt@a.test"]
    [key] = body["keys"]
    assert key["fingerprint"] == vendor_keys["good"].fingerprint
    assert key["can_encrypt"] is True and key["expires_at"] is None and key["revoked_at"] is None
    assert "armored" not in key
    assert [p["name"] for p in body["products"]] == ["Example CMS"]


@pytest.mark.parametrize("persona", ["other_vendor", "finder", "outsider"])
def test_others_do_not_find_the_entry(world, entry_a, persona):
    organisation_id = world.organisations["vendor-a"].pk
    response = _get(f"vendors/{organisation_id}", _secret(world, persona))
    missing = _get("vendors/999999", _secret(world, persona))
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_an_unregistered_vendor_is_not_found(world, entry_a):
    organisation_id = world.organisations["vendor-b"].pk
    assert _get(f"vendors/{organisation_id}", _secret(world, "coordinator")).status_code == 404


def test_a_token_without_read_scope_is_refused(world, entry_a):
    secret = _secret(world, "coordinator", scopes=("write",))
    organisation_id = world.organisations["vendor-a"].pk
    assert _get("vendors", secret, q="Example").status_code == 403
    assert _get(f"vendors/{organisation_id}", secret).status_code == 403


def test_no_token_is_refused(world, entry_a):
    assert Client().get("/api/v1/vendors").status_code == 401


def test_the_endpoints_are_in_the_openapi_document(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/vendors" in paths
    assert "/api/v1/vendors/{organisation_id}" in paths
