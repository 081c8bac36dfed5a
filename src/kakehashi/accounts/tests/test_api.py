"""REST API v1: bearer tokens, scopes, visibility, and the published schema."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

ALL_SLUGS = ["coordination", "finders", "reception", "vendor-a", "vendor-b"]


def _secret(world, persona: str, scopes: list[str] | None = None) -> str:
    _token, secret = actions.create_api_token(
        world.user(persona), name="test", scopes=scopes or ["read"]
    )
    return secret


def _get(path: str, secret: str | None = None, client: Client | None = None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return (client or Client()).get(f"/api/v1/{path}", headers=headers)


def test_me_returns_the_tokens_user_and_memberships(world):
    response = _get("me", _secret(world, "psirt", ["read", "write"]))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "psirt"
    assert body["language"] == "en"
    assert body["scopes"] == ["read", "write"]
    assert body["memberships"] == [
        {
            "organisation_id": world.organisations["vendor-a"].pk,
            "organisation": "Vendor A",
            "kind": "vendor",
            "role": "vendor_psirt",
        }
    ]


def test_me_of_a_user_without_memberships_lists_none(world):
    response = _get("me", _secret(world, "outsider"))

    assert response.status_code == 200
    assert response.json()["memberships"] == []


def test_a_call_stamps_the_tokens_last_use(world):
    secret = _secret(world, "psirt")

    _get("me", secret)

    assert ApiToken.objects.get().last_used_at is not None


def _expired(world) -> str:
    secret = _secret(world, "psirt")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    return secret


def _revoked(world) -> str:
    secret = _secret(world, "psirt")
    actions.revoke_api_token(None, ApiToken.objects.get())
    return secret


def _wrong(world) -> str:
    secret = _secret(world, "psirt")
    return secret[:-2] + ("yy" if secret.endswith("xx") else "xx")


@pytest.mark.parametrize(
    "make_secret",
    [lambda w: None, lambda w: "garbage", _wrong, _expired, _revoked],
    ids=["missing", "garbage", "wrong", "expired", "revoked"],
)
@pytest.mark.parametrize("path", ["me", "organisations", "organisations/1"])
def test_api_refuses_a_missing_or_bad_token_with_401(world, make_secret, path):
    response = _get(path, make_secret(world))

    assert response.status_code == 401
    # No Accept-Language and no user: the site's default language, Japanese.
    assert response.json() == {
        "detail": "トークンが指定されていないか、無効、有効期限切れ、または失効済みです。"
    }


def test_api_ignores_a_browser_session(client_for):
    response = _get("me", client=client_for("psirt"))

    assert response.status_code == 401


def test_api_refuses_a_basic_authorization_header(world):
    secret = _secret(world, "psirt")

    response = Client().get("/api/v1/me", headers={"Authorization": f"Basic {secret}"})

    assert response.status_code == 401


@pytest.mark.parametrize("path", ["me", "organisations", "organisations/{own}"])
def test_api_refuses_a_token_without_the_read_scope_with_403(world, path):
    secret = _secret(world, "psirt", ["write"])
    own = world.organisations["vendor-a"].pk

    response = _get(path.format(own=own), secret)

    assert response.status_code == 403
    assert "'read'" in response.json()["detail"]


def _slugs(response) -> list[str]:
    assert response.status_code == 200
    return sorted(item["slug"] for item in response.json())


def test_vendor_lists_only_its_own_organisation(world):
    assert _slugs(_get("organisations", _secret(world, "psirt"))) == ["vendor-a"]


def test_desk_lists_every_organisation(world):
    assert _slugs(_get("organisations", _secret(world, "coordinator"))) == ALL_SLUGS
    assert _slugs(_get("organisations", _secret(world, "clerk"))) == ALL_SLUGS


def test_outsider_lists_no_organisation(world):
    assert _slugs(_get("organisations", _secret(world, "outsider"))) == []


def test_organisation_list_shows_both_names(world):
    (item,) = _get("organisations", _secret(world, "psirt")).json()

    assert item == {
        "id": world.organisations["vendor-a"].pk,
        "slug": "vendor-a",
        "kind": "vendor",
        "name_en": "Vendor A",
        "name_ja": "Vendor A（日本語）",
    }


def test_vendor_reads_its_own_organisation(world):
    own = world.organisations["vendor-a"].pk

    response = _get(f"organisations/{own}", _secret(world, "psirt"))

    assert response.status_code == 200
    assert response.json()["slug"] == "vendor-a"


def test_desk_reads_any_organisation(world):
    other = world.organisations["vendor-b"].pk

    response = _get(f"organisations/{other}", _secret(world, "coordinator"))

    assert response.status_code == 200
    assert response.json()["slug"] == "vendor-b"


def test_an_invisible_organisation_is_404_like_a_missing_one(world):
    secret = _secret(world, "psirt")
    other = world.organisations["vendor-b"].pk

    invisible = _get(f"organisations/{other}", secret)
    missing = _get("organisations/999999", secret)

    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json()
    assert "vendor-b" not in invisible.content.decode()


def test_openapi_schema_lists_the_paths_and_declares_401(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    expected = {"/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{organisation_id}"}
    assert expected <= set(paths)
    for path in expected:
        responses = paths[path]["get"]["responses"]
        assert {"200", "401", "403"} <= set(responses), path
        assert paths[path]["get"]["security"]
    assert "404" in paths["/api/v1/organisations/{organisation_id}"]["get"]["responses"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
