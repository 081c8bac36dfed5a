"""API tokens: creation rules, what is stored, authentication, and the ``token`` CLI."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken
from kakehashi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _create(user, **overrides):
    arguments = {"name": "ci", "scopes": ["read"]} | overrides
    return actions.create_api_token(user, **arguments)


@pytest.mark.parametrize(
    "scopes", [[], ["read", "superuser"], ["READ"]], ids=["none", "unknown", "wrong-case"]
)
def test_create_refuses_missing_or_unknown_scopes(world, scopes):
    with pytest.raises(ValidationError):
        _create(world.user("psirt"), scopes=scopes)

    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "expires_in",
    [timedelta(seconds=-1), timedelta(0), timedelta(days=366)],
    ids=["past", "now", "beyond-max"],
)
def test_create_refuses_an_expiry_in_the_past_or_too_far_ahead(world, expires_in):
    with pytest.raises(ValidationError):
        _create(world.user("psirt"), expires_at=timezone.now() + expires_in)

    assert not ApiToken.objects.exists()


def test_create_honours_the_configured_longest_life(world, settings):
    settings.KAKEHASHI_API_TOKEN_MAX_DAYS = 7

    with pytest.raises(ValidationError):
        _create(world.user("psirt"), expires_at=timezone.now() + timedelta(days=8))
    token, _secret = _create(world.user("psirt"), expires_at=timezone.now() + timedelta(days=6))

    assert token.pk


def test_create_defaults_to_ninety_days_and_deduplicates_scopes(world):
    before = timezone.now()
    token, _secret = _create(world.user("psirt"), scopes=["write", "read", "read"])

    assert token.scopes == ["read", "write"]
    assert before + timedelta(days=90) <= token.expires_at
    assert token.expires_at <= timezone.now() + timedelta(days=90)


def test_only_the_digest_of_the_secret_is_stored(world):
    token, secret = _create(world.user("psirt"))

    assert secret.startswith(f"kh_{token.prefix}_")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    event = AuditEvent.objects.get(action="accounts.token_created")
    assert secret not in event.summary
    assert secret not in str(event.data)


def test_every_token_gets_its_own_secret_and_prefix(world):
    tokens = [_create(world.user("psirt")) for _ in range(5)]

    assert len({secret for _token, secret in tokens}) == 5
    assert len({token.prefix for token, _secret in tokens}) == 5


def test_authenticate_accepts_a_valid_token_and_stamps_its_use(world):
    token, secret = _create(world.user("psirt"))

    found = actions.authenticate_api_token(secret)

    assert found == token
    assert found.user == world.user("psirt")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_authenticate_stamps_the_last_use_at_most_once_a_minute(world, django_assert_num_queries):
    _token, secret = _create(world.user("psirt"))
    actions.authenticate_api_token(secret)

    with django_assert_num_queries(1):  # the lookup, no UPDATE
        assert actions.authenticate_api_token(secret) is not None


def test_authenticate_refuses_a_revoked_token(world):
    token, secret = _create(world.user("psirt"))
    actions.revoke_api_token(world.user("psirt"), token)

    assert actions.authenticate_api_token(secret) is None


def test_authenticate_refuses_an_expired_token(world):
    token, secret = _create(world.user("psirt"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert actions.authenticate_api_token(secret) is None


def test_authenticate_refuses_the_token_of_a_deactivated_user(world):
    _token, secret = _create(world.user("psirt"))
    world.user("psirt").is_active = False
    world.user("psirt").save(update_fields=["is_active"])

    assert actions.authenticate_api_token(secret) is None


def test_authenticate_refuses_a_wrong_secret_with_a_real_prefix(world):
    _token, secret = _create(world.user("psirt"))
    last = secret[-1]
    wrong = secret[:-1] + ("A" if last != "A" else "B")

    assert actions.authenticate_api_token(wrong) is None


@pytest.mark.parametrize(
    "raw",
    ["", "kh_", "Bearer kh_abc", "token", "kh_" + "a" * 300, "KH_abcd_efgh"],
    ids=["empty", "prefix-only", "with-scheme", "no-prefix", "too-long", "upper-case"],
)
def test_authenticate_refuses_malformed_secrets(world, raw):
    _create(world.user("psirt"))

    assert actions.authenticate_api_token(raw) is None


@hypothesis_settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=250))
def test_no_arbitrary_text_authenticates(world, raw):
    assert actions.authenticate_api_token(raw) is None


def test_revoking_twice_records_one_event(world):
    token, _secret = _create(world.user("psirt"))

    actions.revoke_api_token(world.user("psirt"), token)
    actions.revoke_api_token(world.user("psirt"), token)

    assert AuditEvent.objects.filter(action="accounts.token_revoked").count() == 1


def _cli(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_cli_create_prints_a_token_that_works_on_the_api(world):
    before = timezone.now()

    secret, note = _cli("create", "--user", "psirt", "--scope", "read", "--expires", "30d")

    token = actions.authenticate_api_token(secret)
    assert token is not None
    assert token.user == world.user("psirt")
    assert token.scopes == ["read"]
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert token.prefix in note
    assert secret not in note
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["username"] == "psirt"


def test_cli_create_accepts_repeated_and_comma_separated_scopes(world):
    secret, _note = _cli(
        "create", "--user", "psirt", "--scope", "read,write", "--scope", "admin", "--expires", "12h"
    )

    token = actions.authenticate_api_token(secret)
    assert token.scopes == ["admin", "read", "write"]
    assert token.expires_at <= timezone.now() + timedelta(hours=12)


@pytest.mark.parametrize(
    "arguments",
    [
        ["--user", "nobody", "--scope", "read"],
        ["--user", "psirt", "--scope", "root"],
        ["--user", "psirt", "--scope", "read", "--expires", "soon"],
        ["--user", "psirt", "--scope", "read", "--expires", "400d"],
        ["--user", "psirt", "--scope", "read", "--expires", "2000-01-01T00:00Z"],
    ],
    ids=["unknown-user", "unknown-scope", "bad-expiry", "too-long", "in-the-past"],
)
def test_cli_create_refuses_bad_input(world, arguments):
    with pytest.raises(CommandError):
        _cli("create", *arguments)

    assert not ApiToken.objects.exists()


def test_cli_list_shows_prefix_scopes_and_state_without_secrets(world):
    kept, kept_secret = _create(world.user("psirt"), name="kept", scopes=["read", "write"])
    gone, _gone_secret = _create(world.user("psirt"), name="gone")
    actions.revoke_api_token(None, gone)
    _create(world.user("coordinator"), name="someone-elses")

    out, _err = _cli("list", "--user", "psirt")

    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {kept.prefix, gone.prefix}
    assert lines[gone.prefix] == f"{gone.prefix} gone read revoked"
    assert lines[kept.prefix].startswith(f"{kept.prefix} kept read,write expires ")
    assert kept_secret not in out


def test_cli_revoke_by_prefix_stops_the_token(world):
    token, secret = _create(world.user("psirt"))

    out, _err = _cli("revoke", token.prefix)

    assert out == f"revoked {token.prefix}"
    assert actions.authenticate_api_token(secret) is None
    event = AuditEvent.objects.get(action="accounts.token_revoked")
    assert event.actor_label == "system"


def test_cli_revoke_refuses_an_unknown_prefix(world):
    token, secret = _create(world.user("psirt"))

    with pytest.raises(CommandError):
        _cli("revoke", "00000000" if token.prefix != "00000000" else "11111111")

    assert actions.authenticate_api_token(secret) is not None
