"""Outbound mail: rendered in the recipient's language, delivered by a background job.

Expected sentences are looked up with ``gettext`` under the recipient's language, so
the tests hold whether or not the Japanese catalog is compiled; the organisation's
Japanese name tells the languages apart in every case.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from kakehashi.accounts import actions
from kakehashi.accounts.choices import Role
from kakehashi.core.tasks import deliver_mail
from kakehashi.core.testing import run_pending_jobs

pytestmark = pytest.mark.django_db

IGNORE_IT = "If you did not expect this message, ignore it."


def _invite(world, language: str, email_address: str = "new.member@example.test"):
    return actions.invite_member(
        world.user("vendoradmin"),
        world.organisations["vendor-a"],
        email=email_address,
        role=Role.VENDOR_PSIRT,
        language=language,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("language", "organisation", "other_name"),
    [("ja", "Vendor A（日本語）", None), ("en", "Vendor A", "Vendor A（日本語）")],
)
def test_invitation_mail_is_written_in_the_recipients_language(
    language, organisation, other_name, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, secret = _invite(world, language)
    run_pending_jobs()

    (message,) = mail.outbox
    with translation.override(language):
        ignore_it = gettext(IGNORE_IT)
        role = str(Role.VENDOR_PSIRT.label)
    assert message.to == ["new.member@example.test"]
    assert organisation in message.subject
    assert "\n" not in message.subject
    assert organisation in message.body
    assert ignore_it in message.body
    assert role in message.body
    assert f"/{language}/account/invitations/{secret}/" in message.body
    if other_name:
        assert other_name not in message.body


def test_invitation_role_follows_the_recipient_not_the_inviter(
    world, django_capture_on_commit_callbacks
):
    # The inviter works in Japanese; the invitee reads English.
    with translation.override("ja"), django_capture_on_commit_callbacks(execute=True):
        _invite(world, "en")
    run_pending_jobs()

    with translation.override("en"):
        english_role = str(Role.VENDOR_PSIRT.label)
    assert english_role in mail.outbox[0].body


def test_mail_is_delivered_by_a_job_on_the_mail_queue_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world, "en")

    (job,) = DBTaskResult.objects.all()
    assert job.task_path == deliver_mail.module_path
    assert job.queue_name == "mail"
    assert mail.outbox == []

    run_pending_jobs()

    assert len(mail.outbox) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL


def test_no_mail_leaves_when_the_action_rolls_back(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invite(world, "en")
        raise RuntimeError("something later in the request failed")

    run_pending_jobs()
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_account_mail_from_allauth_follows_the_users_language(
    world, client_for, django_capture_on_commit_callbacks
):
    psirt = world.user("psirt")
    psirt.language = "ja"
    psirt.save(update_fields=["language"])
    EmailAddress.objects.create(user=psirt, email=psirt.email, verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("anonymous").post(
            "/en/accounts/password/reset/", {"email": psirt.email}
        )
    assert response.status_code == 302
    run_pending_jobs()

    (message,) = mail.outbox
    with translation.override("ja"):
        subject = gettext("Password Reset Email")
    assert message.to == [psirt.email]
    assert message.subject == f"[Kakehashi] {subject}"


def test_a_failed_smtp_delivery_is_retried_on_the_mail_queue(
    world, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world, "en")

    run_pending_jobs()

    failed, retry = sorted(
        DBTaskResult.objects.all(), key=lambda r: r.args_kwargs["kwargs"].get("_attempt", 1)
    )
    assert failed.status == TaskResultStatus.FAILED
    assert retry.status == TaskResultStatus.READY
    assert retry.queue_name == "mail"
    assert retry.args_kwargs["kwargs"]["_attempt"] == 2
    assert retry.args_kwargs["kwargs"]["to"] == ["new.member@example.test"]


class _Inbox:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_invitation_travels_through_a_real_smtp_server_intact(
    world, settings, smtp_server, django_capture_on_commit_callbacks
):
    inbox, port = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    inviter = world.user("vendoradmin")
    inviter.display_name = "伊藤 管理者"
    inviter.save(update_fields=["display_name"])
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, secret = _invite(world, "ja")

    (job,) = run_pending_jobs()

    assert job.status == TaskResultStatus.SUCCESSFUL
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["new.member@example.test"]
    assert envelope.mail_from == "noreply@kakehashi.invalid"
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    with translation.override("ja"):
        ignore_it = gettext(IGNORE_IT)
    body = received.get_body(("plain",)).get_content()
    assert "Vendor A（日本語）" in str(received["subject"])
    assert received["to"] == "new.member@example.test"
    assert "伊藤 管理者" in body
    assert "Vendor A（日本語）" in body
    assert ignore_it in body
    assert re.search(rf"/ja/account/invitations/{re.escape(secret)}/\s", body)
