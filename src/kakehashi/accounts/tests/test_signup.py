"""Signing up: the account keeps the language it was created in, so the confirmation
mail and the pages after log-in follow it rather than the operator's default."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from kakehashi.accounts.models import User
from kakehashi.core.testing import run_pending_jobs

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"


def _sign_up(language: str, name: str) -> User:
    response = Client().post(
        f"/{language}/accounts/signup/",
        {
            "email": f"{name}@example.test",
            "username": name,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=name)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_account_keeps_the_language_it_was_created_in(language, settings):
    settings.KAKEHASHI_OPEN_SIGNUP = True
    user = _sign_up(language, f"newcomer-{language}")
    assert user.language == language


def test_the_confirmation_mail_is_in_the_language_of_the_sign_up(
    settings, django_capture_on_commit_callbacks
):
    settings.KAKEHASHI_OPEN_SIGNUP = True
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up("en", "newcomer")
    run_pending_jobs()
    (message,) = mail.outbox
    assert message.subject.startswith("[Kakehashi] ")
    assert "Confirm" in message.subject
    assert "/en/accounts/confirm-email/" in message.body


def test_log_in_follows_the_language_of_the_sign_up(settings):
    settings.KAKEHASHI_OPEN_SIGNUP = True
    user = _sign_up("en", "newcomer")
    user.emailaddress_set.update(verified=True)
    client = Client()
    response = client.post(
        "/en/accounts/login/?next=/en/account/preferences/",
        {"login": "newcomer", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/account/preferences/"
