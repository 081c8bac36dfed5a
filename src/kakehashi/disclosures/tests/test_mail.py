"""The package mailed to a recipient with a key: PGP/MIME, readable only with the
recipient's secret key (decrypted here by the recipient's own GnuPG), sent once."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.core import mail

from kakehashi.cases.timeline import build_timeline
from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.tests.test_pgp import _cli_decrypt
from kakehashi.disclosures import actions
from kakehashi.disclosures.actions import RecipientInput
from kakehashi.disclosures.models import Recipient
from kakehashi.disclosures.tasks import deliver_package
from kakehashi.disclosures.terms import DEFAULT_TERMS_JA
from kakehashi.disclosures.tests.test_actions import pre_release


@pytest.fixture
def mailed(fixed, coordinator, recipient_keys, django_capture_on_commit_callbacks):
    grid = RecipientInput(
        organisation="Kanto Grid Co.",
        email="csirt@grid.test",
        language="en",
        key=recipient_keys["good"].public,
    )
    with django_capture_on_commit_callbacks(execute=True):
        disclosure = pre_release(fixed, coordinator, recipients=[grid], send_by_mail=True)
    return disclosure


def _ciphertext(message) -> bytes:
    raw = message.message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/encrypted"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == [
        "application/pgp-encrypted",
        "application/octet-stream",
    ]
    return parts[1].get_payload(decode=True)


def _decrypted_text(key, message, tmp_path) -> str:
    """The body as the recipient's mail client shows it after its GnuPG decrypted it."""
    entity = _cli_decrypt(key, _ciphertext(message), tmp_path)
    return email.message_from_bytes(entity, policy=email.policy.default).get_content()


def test_the_package_reaches_a_recipient_with_a_key_encrypted(mailed, recipient_keys, tmp_path):
    recipient = mailed.recipients.get()
    assert recipient.delivery == "queued"
    assert recipient.key_fingerprint == recipient_keys["good"].fingerprint

    run_pending_jobs()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["csirt@grid.test"]
    raw = message.message().as_bytes()
    for secret in (b"historian", b"4.2.1", b"Keep this information secret"):
        assert secret not in raw
    plaintext = _decrypted_text(recipient_keys["good"], message, tmp_path)
    assert "SQL injection in the historian" in plaintext
    assert "A crafted tag name runs SQL" in plaintext
    assert "fixed in 4.2.1" in plaintext and "Update to 4.2.1." in plaintext
    assert "1. Keep this information secret until the public date" in plaintext
    assert "The advisory draft and the 4.2.1 update." in plaintext
    recipient.refresh_from_db()
    assert recipient.delivery == "sent" and recipient.sent_at is not None
    assert AuditEvent.objects.filter(action="disclosure.package_sent").count() == 1
    timeline = [e.text for e in build_timeline(mailed.case) if e.kind == "disclosure"]
    assert "Package mailed, encrypted, to Kanto Grid Co." in timeline


def test_the_package_is_in_the_recipients_language(
    fixed, coordinator, recipient_keys, tmp_path, django_capture_on_commit_callbacks
):
    ja = RecipientInput(
        organisation="関東電力", email="csirt@kanto.test", key=recipient_keys["good"].public
    )
    with django_capture_on_commit_callbacks(execute=True):
        pre_release(fixed, coordinator, recipients=[ja], send_by_mail=True)
    run_pending_jobs()

    plaintext = _decrypted_text(recipient_keys["good"], mail.outbox[0], tmp_path)
    assert "細工されたタグ名" in plaintext  # the description in Japanese
    assert DEFAULT_TERMS_JA.splitlines()[0] in plaintext


def test_the_package_is_signed_with_the_platform_key_when_one_is_configured(
    settings, fixed, recipient_keys, tmp_path, django_capture_on_commit_callbacks
):
    from kakehashi.core import pgp
    from kakehashi.core.tests.test_pgp import _configure

    _configure(settings, tmp_path, recipient_keys["platform"])
    grid = RecipientInput(
        organisation="Grid", email="csirt@grid.test", key=recipient_keys["good"].public
    )
    with django_capture_on_commit_callbacks(execute=True):
        pre_release(fixed, fixed.created_by, recipients=[grid], send_by_mail=True)
    run_pending_jobs()

    opened = pgp.decrypt(
        _ciphertext(mail.outbox[0]),
        recipient_keys["good"].secret_key(),
        senders=[recipient_keys["platform"].public],
    )
    assert opened.signature_valid
    assert opened.signed_by == recipient_keys["platform"].fingerprint


def test_a_delivery_job_run_twice_sends_once(mailed):
    recipient = mailed.recipients.get()
    run_pending_jobs()
    deliver_package.call(recipient_id=recipient.pk)

    assert len(mail.outbox) == 1


def test_a_key_that_expired_since_it_was_recorded_fails_the_delivery_visibly(
    mailed, recipient_keys
):
    recipient = mailed.recipients.get()
    Recipient.objects.filter(pk=recipient.pk).update(key=recipient_keys["expired"].public)

    rows = run_pending_jobs()

    assert [row.status for row in rows] == ["FAILED"]
    assert mail.outbox == []
    recipient.refresh_from_db()
    assert recipient.delivery == "failed" and "expired" in recipient.delivery_error
    assert AuditEvent.objects.filter(action="disclosure.package_failed").count() == 1


def test_without_mail_nothing_is_queued(fixed, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_disclosure(
            fixed,
            actor=fixed.created_by,
            kind="nda_partner",
            summary="The report.",
            justification="Analysis under NDA.",
            terms_ja="秘密保持契約に基づく。",
            terms_en="",
            recipients=[RecipientInput(organisation="Partner", email="p@partner.test")],
        )
    assert run_pending_jobs() == []
    assert mail.outbox == []
