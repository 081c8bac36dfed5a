"""The API tokens page: create (secret shown once), revoke (POST only, own tokens only)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

NEW_SECRET = re.compile(r'<code class="secret" id="new-token">(kh_[^<]+)</code>')


def _url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


def _token_of(world, persona: str) -> tuple[ApiToken, str]:
    return actions.create_api_token(world.user(persona), name="laptop", scopes=["read"])


def test_tokens_page_creates_a_token_and_shows_its_secret_once(world, client_for):
    client = client_for("psirt")

    response = client.post(
        _url("accounts:tokens"), {"name": "ci", "scopes": ["read", "write"], "expires_in_days": 30}
    )

    assert response.status_code == 200
    (secret,) = NEW_SECRET.findall(response.content.decode())
    token = actions.authenticate_api_token(secret)
    assert token is not None
    assert token.user == world.user("psirt")
    assert (token.name, token.scopes) == ("ci", ["read", "write"])
    again = client.get(_url("accounts:tokens"))
    assert secret not in again.content.decode()
    assert f"kh_{token.prefix}_" in again.content.decode()


@pytest.mark.parametrize(
    "form",
    [
        {"name": "ci", "expires_in_days": 30},
        {"name": "ci", "scopes": ["sudo"], "expires_in_days": 30},
        {"name": "ci", "scopes": ["read"], "expires_in_days": 366},
        {"name": "ci", "scopes": ["read"], "expires_in_days": 0},
        {"name": "", "scopes": ["read"], "expires_in_days": 30},
    ],
    ids=["no-scope", "unknown-scope", "too-long", "zero-days", "no-name"],
)
def test_tokens_page_refuses_an_invalid_form(client_for, form):
    response = client_for("psirt").post(_url("accounts:tokens"), form)

    assert response.status_code == 200
    assert not NEW_SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_tokens_page_lists_only_my_tokens(world, client_for):
    mine, _ = _token_of(world, "psirt")
    theirs, _ = _token_of(world, "other_vendor")

    content = client_for("psirt").get(_url("accounts:tokens")).content.decode()

    assert f"kh_{mine.prefix}_" in content
    assert f"kh_{theirs.prefix}_" not in content


def test_owner_revokes_a_token(world, client_for):
    token, secret = _token_of(world, "psirt")

    response = client_for("psirt").post(_url("accounts:revoke_token", token_id=token.pk))

    assert response.status_code == 302
    assert response["Location"] == _url("accounts:tokens")
    assert actions.authenticate_api_token(secret) is None
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_user_cannot_revoke_my_token(world, client_for):
    token, secret = _token_of(world, "psirt")

    for persona in ("other_vendor", "vendoradmin", "admin"):
        response = client_for(persona).post(_url("accounts:revoke_token", token_id=token.pk))
        assert response.status_code == 404

    assert actions.authenticate_api_token(secret) is not None


def test_revoking_a_missing_token_is_404(client_for):
    response = client_for("psirt").post(_url("accounts:revoke_token", token_id=999_999))

    assert response.status_code == 404


def test_revoke_token_is_post_only(world, client_for):
    token, secret = _token_of(world, "psirt")

    response = client_for("psirt").get(_url("accounts:revoke_token", token_id=token.pk))

    assert response.status_code == 405
    assert actions.authenticate_api_token(secret) is not None


def test_anonymous_visitor_cannot_revoke_a_token(world, client_for):
    token, secret = _token_of(world, "psirt")

    response = client_for("anonymous").post(_url("accounts:revoke_token", token_id=token.pk))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert actions.authenticate_api_token(secret) is not None
