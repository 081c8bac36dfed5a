"""Second factor: enforced for members of organisations that require it; the log-in flow."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import PASSWORD, World, build_world

LOGIN = "/en/accounts/login/"
DASHBOARD = "/en/dashboard/"


def _url(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


@pytest.fixture
def mfa_world(db, settings) -> World:
    # One step either side, so a code computed just before a 30-second boundary holds.
    settings.MFA_TOTP_TOLERANCE = 1
    return build_world(with_mfa=True)


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def _enrol_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _wrong_code(secret: str) -> str:
    counter = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, counter + step)) for step in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "coordinator", "clerk"])
def test_member_without_a_second_factor_is_sent_to_enrol(mfa_world, persona):
    response = _client(mfa_world, persona).get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == _url("mfa_index")


def test_a_fragment_is_refused_not_redirected_before_enrolment(mfa_world):
    """htmx follows redirects: the enrolment page swapped into the nav's notification
    count would ask for the count again, and again, without end."""
    client = _client(mfa_world, "psirt")
    count = _url("messaging:notification_count")

    response = client.get(count, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "Location" not in response
    assert client.get(count)["Location"] == _url("mfa_index")  # a page still goes to enrol


def test_member_without_a_second_factor_can_still_reach_enrolment_and_sign_out(mfa_world):
    client = _client(mfa_world, "psirt")

    assert client.get(_url("mfa_index")).status_code == 200
    # Enrolling asks for the password again first; neither step sends the user back.
    activate = client.get(_url("mfa_activate_totp"), follow=True)
    assert activate.status_code == 200
    assert [url for url, _status in activate.redirect_chain] == [
        _url("account_reauthenticate") + "?next=" + _url("mfa_activate_totp").replace("/", "%2F")
    ]
    assert client.get("/healthz").status_code == 200
    signed_out = client.post(_url("account_logout"))
    assert signed_out.status_code == 302
    assert SESSION_KEY not in client.session


def test_member_with_a_totp_authenticator_is_not_redirected(mfa_world):
    _enrol_totp(mfa_world.user("psirt"))

    response = _client(mfa_world, "psirt").get(DASHBOARD)

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["finder", "outsider"])
def test_member_of_an_organisation_not_requiring_mfa_is_not_forced(mfa_world, persona):
    response = _client(mfa_world, persona).get(DASHBOARD)

    assert response.status_code == 200


def test_an_organisation_may_opt_out_of_its_kinds_default(mfa_world):
    vendor = mfa_world.organisations["vendor-a"]
    vendor.mfa_required = False
    vendor.save(update_fields=["mfa_required"])

    assert _client(mfa_world, "psirt").get(DASHBOARD).status_code == 200
    assert _client(mfa_world, "other_vendor").get(DASHBOARD).status_code == 302


def test_a_finder_organisation_may_opt_in(mfa_world):
    finders = mfa_world.organisations["finders"]
    finders.mfa_required = True
    finders.save(update_fields=["mfa_required"])

    assert _client(mfa_world, "finder").get(DASHBOARD).status_code == 302


def test_the_api_is_not_redirected_to_enrolment(mfa_world):
    response = _client(mfa_world, "psirt").get("/api/v1/me")

    assert response.status_code == 401  # bearer tokens only; never a redirect to HTML


def _verified(user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_log_in_with_password_then_totp(mfa_world):
    user = mfa_world.user("psirt")
    _verified(user)
    secret = _enrol_totp(user)
    client = Client()

    step_one = client.post(LOGIN, {"login": "psirt", "password": PASSWORD})
    assert step_one.status_code == 302
    assert step_one["Location"] == _url("mfa_authenticate")
    assert not _signed_in(client)

    wrong = client.post(step_one["Location"], {"code": _wrong_code(secret)})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]
    assert not _signed_in(client)

    right = client.post(step_one["Location"], {"code": _current_code(secret)})
    assert right.status_code == 302
    assert right["Location"] == _url("mfa_trust")  # "trust this browser?" comes last
    assert not _signed_in(client)

    done = client.post(right["Location"], {"action": "skip"})
    assert done.status_code == 302
    assert _signed_in(client)
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.login", actor_id=user.pk).count() == 1


def test_a_totp_code_cannot_be_used_twice(mfa_world):
    user = mfa_world.user("psirt")
    _verified(user)
    secret = _enrol_totp(user)
    code = _current_code(secret)
    first = Client()
    first.post(LOGIN, {"login": "psirt", "password": PASSWORD})
    first.post(_url("mfa_authenticate"), {"code": code})
    first.post(_url("mfa_trust"), {"action": "skip"})
    assert _signed_in(first)

    second = Client()
    second.post(LOGIN, {"login": "psirt", "password": PASSWORD})
    replay = second.post(_url("mfa_authenticate"), {"code": code})

    assert replay.status_code == 200
    assert not _signed_in(second)


def test_log_in_without_a_second_factor_goes_straight_in(mfa_world):
    user = mfa_world.user("finder")
    _verified(user)
    client = Client()

    response = client.post(LOGIN, {"login": "finder", "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in(client)


def test_a_failed_password_log_in_is_audited_without_the_password(mfa_world):
    _verified(mfa_world.user("psirt"))
    client = Client()

    response = client.post(LOGIN, {"login": "psirt", "password": "not the password"})

    assert response.status_code == 200
    assert not _signed_in(client)
    events = AuditEvent.objects.filter(action="accounts.login_failed")
    assert events.exists()
    assert {e.summary for e in events} == {"psirt"}
    assert all("not the password" not in str(e.data) for e in events)
    assert events.first().ip == "127.0.0.1"


def test_repeated_failed_log_ins_are_eventually_refused_even_with_the_right_password(
    mfa_world,
):
    _verified(mfa_world.user("finder"))
    client = Client()

    for _attempt in range(10):
        client.post(LOGIN, {"login": "finder", "password": "guess"})
    response = client.post(LOGIN, {"login": "finder", "password": PASSWORD})

    assert response.status_code in {200, 429}
    assert not _signed_in(client)
    if response.status_code == 200:
        assert "Too many" in " ".join(response.context["form"].non_field_errors())
