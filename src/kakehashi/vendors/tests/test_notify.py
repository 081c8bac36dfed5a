"""Notifying vendors: one request queues the notices, jobs send them through a real
SMTP server on loopback, encrypted to the vendor's key when it has one and may receive
the details, and reminders follow on the business-day schedule with a frozen clock."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import ContactAttempt
from kakehashi.core import pgp
from kakehashi.core.dates import JST
from kakehashi.core.pgp_mime import parse_incoming
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.tests.test_pgp import PASSPHRASE
from kakehashi.core.workflow import InvalidInput
from kakehashi.vendors import actions, notify
from kakehashi.vendors.choices import ContactKind, EmailRole, NoticeState, RegistrationType
from kakehashi.vendors.links import portal_case_url
from kakehashi.vendors.models import VendorNotice

pytestmark = pytest.mark.django_db

SECRET_DESCRIPTION = "The upload handler trusts the file name; a crafted name runs code."


class Inbox:
    def __init__(self, refuse: set[str] | None = None) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
            if address in e.rcpt_tos
        ]


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Inbox(refuse={"gone@b.test"})
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def platform_key(settings, tmp_path, vendor_keys):
    """The platform signs with a key of its own (the session's signing-only key)."""
    path = tmp_path / "platform.asc"
    path.write_text(vendor_keys["signing_only"].secret)
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = PASSPHRASE
    return vendor_keys["signing_only"]


@pytest.fixture
def case(world, coordinator, profile_a, profile_b, vendor_keys):
    """Vendor A (key, To and Cc) and vendor B (no key) in a case with one vulnerability."""
    actions.add_contact_point(
        coordinator, profile_a, kind=ContactKind.EMAIL, value="psirt@a.test", email_role="to"
    )
    actions.add_contact_point(
        coordinator, profile_a, kind=ContactKind.EMAIL, value="cto@a.test", email_role="cc"
    )
    actions.add_key(coordinator, profile_a, vendor_keys["good"].public)
    actions.add_contact_point(
        coordinator, profile_b, kind=ContactKind.EMAIL, value="psirt@b.test", email_role="to"
    )
    actions.add_contact_point(coordinator, profile_b, kind=ContactKind.PHONE, value="+81 3 0000")
    created = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Remote code execution in Example Uploader",
        title_ja="Example Uploader における任意コード実行",
    )
    case_actions.add_vulnerability(
        created,
        actor=coordinator,
        title_en="Code execution through file names",
        description_en=SECRET_DESCRIPTION,
        cwe_id="CWE-78",
    )
    notify.add_vendors_to_case(
        created,
        actor=coordinator,
        organisations=[world.organisations["vendor-a"], world.organisations["vendor-b"]],
    )
    created.refresh_from_db()
    return created


def _vendor(case, slug, world):
    return case.participants.get(organisation=world.organisations[slug])


def _decrypt(message, key) -> str:
    (found,) = parse_incoming(message.as_bytes(), key.secret_key())
    return found.text


def test_notice_is_encrypted_to_the_vendors_key_and_carries_the_details(  # noqa: PLR0917
    case, world, coordinator, inbox, platform_key, vendor_keys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notices = notify.notify_vendors(case, actor=coordinator)
    assert {n.state for n in notices} == {NoticeState.QUEUED}
    assert inbox.envelopes == []  # nothing sent in the request
    run_pending_jobs()

    (to_a,) = inbox.to("psirt@a.test")
    assert to_a.get_content_type() == "multipart/encrypted"
    assert SECRET_DESCRIPTION.encode() not in to_a.as_bytes()
    assert to_a["Cc"] == "cto@a.test"
    text = _decrypt(to_a, vendor_keys["good"])
    assert SECRET_DESCRIPTION in text
    assert "CWE-78" in text
    assert case.reference in text
    assert portal_case_url(case, "ja") in text  # the registry's default language
    (found,) = parse_incoming(
        to_a.as_bytes(), vendor_keys["good"].secret_key(), senders=[platform_key.public]
    )
    assert found.signature_valid


def test_notice_without_a_key_holds_no_details_and_is_signed(  # noqa: PLR0917
    case, world, coordinator, inbox, platform_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    (to_b,) = inbox.to("psirt@b.test")
    raw = to_b.as_bytes()
    assert to_b.get_content_type() == "multipart/signed"
    assert SECRET_DESCRIPTION.encode() not in raw
    assert b"CWE-78" not in raw
    assert case.reference in to_b["Subject"]
    from kakehashi.core.pgp_mime import verify_pgp_mime_signed

    assert verify_pgp_mime_signed(raw, platform_key.public)
    attempt = ContactAttempt.objects.get(participant=_vendor(case, "vendor-b", world))
    assert (attempt.channel, attempt.outcome, attempt.details_included) == ("email", "sent", False)


def test_sending_sets_day_zero_and_details_sent_like_a_recorded_attempt(  # noqa: PLR0917
    case, world, coordinator, inbox, platform_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    revision = case.revision
    run_pending_jobs()

    case.refresh_from_db()
    vendor_a = _vendor(case, "vendor-a", world)
    assert case.day_zero is not None and case.target_publication_at is not None
    assert case.details_sent_at is not None
    assert vendor_a.notified_at is not None and vendor_a.details_sent_at is not None
    assert case.revision == revision  # deliveries lock the case, they do not claim it
    notice = VendorNotice.objects.get(participant=vendor_a)
    assert (notice.state, notice.details_included) == (NoticeState.SENT, True)
    assert notice.next_escalation_at is not None


def test_individually_registered_vendor_in_a_multi_vendor_case_gets_no_details(  # noqa: PLR0917
    case,
    world,
    coordinator,
    inbox,
    platform_key,
    profile_a,
    vendor_keys,
    django_capture_on_commit_callbacks,
):
    actions.update_profile(coordinator, profile_a, registration_type=RegistrationType.INDIVIDUAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    (to_a,) = inbox.to("psirt@a.test")
    assert to_a.get_content_type() == "multipart/signed"
    assert SECRET_DESCRIPTION.encode() not in to_a.as_bytes()
    assert not ContactAttempt.objects.get(
        participant=_vendor(case, "vendor-a", world)
    ).details_included


def test_smtp_refusal_records_a_bounce_and_asks_for_other_channels(  # noqa: PLR0917
    case, world, coordinator, profile_b, inbox, platform_key, django_capture_on_commit_callbacks
):
    profile_b.contact_points.filter(kind=ContactKind.EMAIL).update(value="gone@b.test")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    vendor_b = _vendor(case, "vendor-b", world)
    attempt = ContactAttempt.objects.get(participant=vendor_b)
    assert attempt.outcome == "bounced"
    notice = VendorNotice.objects.get(participant=vendor_b)
    assert (notice.state, notice.other_channels_needed) == (NoticeState.BOUNCED, True)
    assert notice.next_escalation_at is None


def test_an_unreachable_server_is_retried_later(  # noqa: PLR0917
    case, world, coordinator, settings, platform_key, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    notice = VendorNotice.objects.get(participant=_vendor(case, "vendor-a", world))
    assert notice.state == NoticeState.QUEUED and notice.last_error
    retries = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_notice")
    assert retries.count() == 2  # one per vendor, run later with backoff
    assert not ContactAttempt.objects.filter(case=case).exists()


def test_an_expired_or_signing_only_key_is_not_used_for_encryption(
    case, world, coordinator, profile_a, vendor_keys
):
    from kakehashi.vendors.models import VendorKey

    VendorKey.objects.filter(profile=profile_a).update(expires_at=timezone.now())
    assert notify.usable_keys(profile_a.pk) == []
    VendorKey.objects.filter(profile=profile_a).update(expires_at=None, can_encrypt=False)
    assert notify.usable_keys(profile_a.pk) == []
    with pytest.raises(InvalidInput):
        actions.add_key(coordinator, profile_a, vendor_keys["signing_only"].public)
    with pytest.raises(InvalidInput):
        actions.add_key(coordinator, profile_a, vendor_keys["expired"].public)


def test_a_vendor_without_e_mail_is_flagged_for_other_channels_at_once(
    case, world, coordinator, profile_b, django_capture_on_commit_callbacks
):
    profile_b.contact_points.filter(kind=ContactKind.EMAIL).delete()
    with django_capture_on_commit_callbacks(execute=True):
        notices = notify.notify_vendors(case, actor=coordinator)

    by_vendor = {n.participant.organisation.slug: n for n in notices}
    assert by_vendor["vendor-b"].state == NoticeState.NO_EMAIL
    assert by_vendor["vendor-b"].other_channels_needed


def test_notifying_twice_or_nobody_is_refused_and_changes_nothing(
    case, world, coordinator, django_capture_on_commit_callbacks
):
    vendor_a = _vendor(case, "vendor-a", world)
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator, participants=[vendor_a])
    with pytest.raises(InvalidInput, match="already been notified"):
        notify.notify_vendors(case, actor=coordinator, participants=[vendor_a])
    with pytest.raises(InvalidInput, match="at least one vendor"):
        notify.notify_vendors(case, actor=coordinator, participants=[])
    finder = case.participants.exclude(role="vendor").first()
    if finder is not None:
        with pytest.raises(InvalidInput):
            notify.notify_vendors(case, actor=coordinator, participants=[finder])
    assert VendorNotice.objects.filter(case=case).count() == 1


def test_the_one_request_for_many_vendors_writes_one_job(
    case, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    assert DBTaskResult.objects.count() == 1  # the fan-out


# --- Escalation with a frozen clock ----------------------------------------------------------


def jst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=JST)  # type: ignore[misc]


def test_reminders_follow_business_days_then_other_channels(  # noqa: PLR0917
    case,
    world,
    coordinator,
    inbox,
    platform_key,
    monkeypatch,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.KAKEHASHI_VENDOR_ESCALATION_BUSINESS_DAYS = [3, 7]
    clock = {"now": jst(2026, 12, 24, 10, 0)}  # a Thursday before the year-end closure
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()
    vendor_b = _vendor(case, "vendor-b", world)
    notice = VendorNotice.objects.get(participant=vendor_b)
    # 3 business days: 12/25 (Fri), 12/28 (Mon), then 1/4 (weekends and 12/29–1/3 closed).
    assert notice.next_escalation_at == jst(2027, 1, 4, 10, 0)

    clock["now"] = jst(2027, 1, 4, 9, 59)
    assert notify.escalate_due_notices() == 0
    clock["now"] = jst(2027, 1, 4, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.escalate_due_notices() == 2
    run_pending_jobs()
    assert len(inbox.to("psirt@b.test")) == 2
    notice.refresh_from_db()
    assert (notice.step, notice.state, notice.other_channels_needed) == (1, "sent", False)
    assert notice.next_escalation_at == jst(2027, 1, 8, 10, 0)  # 7 business days after 12/24

    # Vendor A acknowledges in the portal: its reminders stop.
    vendor_a = _vendor(case, "vendor-a", world)
    vendor_a.acknowledged_at = clock["now"]
    vendor_a.save(update_fields=["acknowledged_at"])
    clock["now"] = jst(2027, 1, 8, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.escalate_due_notices() == 1
    run_pending_jobs()
    assert len(inbox.to("psirt@a.test")) == 2  # the first notice and the 3-day reminder
    notice.refresh_from_db()
    assert (notice.step, notice.other_channels_needed, notice.next_escalation_at) == (2, True, None)
    assert len(inbox.to("psirt@b.test")) == 3
    with translation.override("ja"):  # vendor B's preferred language (the default)
        reminder = gettext("Reminder: vulnerability notice %(reference)s")
    assert inbox.to("psirt@b.test")[-1]["Subject"] == reminder % {"reference": case.reference}
    assert ContactAttempt.objects.filter(participant=vendor_b).count() == 3


def test_escalation_run_twice_sends_each_reminder_once(  # noqa: PLR0917
    case, coordinator, inbox, platform_key, monkeypatch, django_capture_on_commit_callbacks
):
    clock = {"now": jst(2026, 6, 1, 10, 0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()
    clock["now"] = jst(2026, 6, 30)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify.escalate_due_notices()
        second = notify.escalate_due_notices()
    assert (first, second) == (2, 0)


def test_manual_bounce_stops_reminders(  # noqa: PLR0917
    case, world, coordinator, inbox, platform_key, django_capture_on_commit_callbacks
):
    vendor_a = _vendor(case, "vendor-a", world)
    with pytest.raises(InvalidInput, match="No notice"):
        notify.record_bounce(case, vendor_a, actor=coordinator, address="psirt@a.test")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()
    case.refresh_from_db()
    notify.record_bounce(
        case, vendor_a, actor=coordinator, address="psirt@a.test", note="550 user unknown"
    )

    notice = VendorNotice.objects.get(participant=vendor_a)
    assert (notice.state, notice.other_channels_needed, notice.next_escalation_at) == (
        NoticeState.BOUNCED,
        True,
        None,
    )
    assert ContactAttempt.objects.filter(participant=vendor_a, outcome="bounced").count() == 1


def test_email_roles_decide_to_and_cc(profile_a, coordinator):
    from kakehashi.vendors.delivery import recipients

    actions.add_contact_point(
        coordinator, profile_a, kind=ContactKind.EMAIL, value="cc@a.test", email_role=EmailRole.CC
    )
    assert recipients(profile_a).to == ["cc@a.test"]  # a Cc alone becomes To
    actions.add_contact_point(
        coordinator, profile_a, kind=ContactKind.EMAIL, value="to@a.test", email_role=EmailRole.TO
    )
    assert (recipients(profile_a).to, recipients(profile_a).cc) == (["to@a.test"], ["cc@a.test"])


def test_pgp_module_refuses_to_encrypt_to_an_expired_key(vendor_keys):
    with pytest.raises(pgp.InvalidKeyError):
        pgp.encrypt(b"x", [vendor_keys["expired"].public])


def test_the_notice_is_written_in_the_vendors_language(  # noqa: PLR0917
    case, world, coordinator, profile_a, profile_b, inbox, django_capture_on_commit_callbacks
):
    """Looked up with gettext under each language, so it holds with or without the
    compiled Japanese catalog; the organisation's Japanese name tells them apart."""
    from django.utils import translation
    from django.utils.translation import gettext

    actions.update_profile(coordinator, profile_b, preferred_language="ja")
    actions.update_profile(coordinator, profile_a, preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    (to_b,) = inbox.to("psirt@b.test")  # no platform key configured: plain, unsigned
    (to_a,) = inbox.to("psirt@a.test")  # encrypted to A's key: the subject is outside
    body = to_b.get_body(("plain",)).get_content()
    with translation.override("ja"):
        subject = gettext("Vulnerability notice %(reference)s") % {"reference": case.reference}
    assert to_b["Subject"] == subject
    with translation.override("ja"):
        assert gettext("To the product security team:") in body
    assert "Vendor B" not in body  # the detail-less mail is the same for every vendor
    assert portal_case_url(case, "ja") in body
    assert to_a["Subject"] == f"Vulnerability notice {case.reference}"
    assert SECRET_DESCRIPTION.encode() not in to_a.as_bytes()


def test_detail_less_notices_share_one_signature_and_each_verifies(  # noqa: PLR0917
    case, world, coordinator, profile_a, inbox, platform_key, django_capture_on_commit_callbacks
):
    from kakehashi.core.pgp_mime import verify_pgp_mime_signed
    from kakehashi.vendors.models import VendorKey

    VendorKey.objects.filter(profile=profile_a).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()

    (to_a,) = inbox.to("psirt@a.test")
    (to_b,) = inbox.to("psirt@b.test")
    for message in (to_a, to_b):
        assert message.get_content_type() == "multipart/signed"
        assert verify_pgp_mime_signed(message.as_bytes(), platform_key.public)
    signatures = [m.get_payload()[1].get_content() for m in (to_a, to_b)]
    assert signatures[0] == signatures[1]
    assert to_a["To"] != to_b["To"] and to_a["Message-ID"] != to_b["Message-ID"]


def test_the_escalation_runs_from_the_scheduler():
    from crontask import scheduler

    from kakehashi.vendors import tasks

    names = {job.name for job in scheduler.get_jobs()}
    assert tasks.escalate_vendor_notices.name in names


def test_a_bounced_notice_starts_again_once_the_address_is_corrected(  # noqa: PLR0917
    case, world, coordinator, profile_b, inbox, platform_key, django_capture_on_commit_callbacks
):
    profile_b.contact_points.filter(kind=ContactKind.EMAIL).update(value="gone@b.test")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator)
    run_pending_jobs()
    vendor_a, vendor_b = _vendor(case, "vendor-a", world), _vendor(case, "vendor-b", world)
    case.refresh_from_db()
    with pytest.raises(InvalidInput, match="already been notified"):
        notify.notify_vendors(case, actor=coordinator, participants=[vendor_a, vendor_b])

    profile_b.contact_points.filter(kind=ContactKind.EMAIL).update(value="psirt@b.test")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_vendors(case, actor=coordinator, participants=[vendor_b])
    run_pending_jobs()

    assert len(inbox.to("psirt@b.test")) == 1
    notice = VendorNotice.objects.get(participant=vendor_b)
    assert (notice.state, notice.step, notice.other_channels_needed) == ("sent", 0, False)
    assert notice.next_escalation_at is not None
    outcomes = list(
        ContactAttempt.objects.filter(participant=vendor_b).values_list("outcome", flat=True)
    )
    assert outcomes == ["bounced", "sent"]


def test_a_vendor_that_declined_the_embargo_gets_no_further_details(case, world, coordinator):
    """Declining (or the pocket veto) cuts a vendor of a multi-vendor case off from
    pre-publication information, until it is invited again; publication opens it."""
    from datetime import timedelta

    from kakehashi.cases.models import Participant
    from kakehashi.vendors.rules import (
        pre_publication_recipients,
        pre_publication_recipients_of,
        receives_pre_publication,
    )

    vendor_a, vendor_b = _vendor(case, "vendor-a", world), _vendor(case, "vendor-b", world)
    case_actions.propose_embargo(
        case, actor=coordinator, ends_at=timezone.now() + timedelta(days=30)
    )
    case_actions.invite_to_embargo(case, [vendor_a, vendor_b], actor=coordinator)
    case.refresh_from_db()
    case_actions.answer_embargo(
        case, vendor_b, actor=coordinator, answer="decline", note="Declined by e-mail."
    )
    vendor_a.refresh_from_db()
    vendor_b.refresh_from_db()

    assert receives_pre_publication(vendor_a)
    assert not receives_pre_publication(vendor_b)
    assert pre_publication_recipients(case) == {vendor_a.pk}
    assert pre_publication_recipients_of([case]) == {vendor_a.pk}

    case_actions.invite_to_embargo(case, [vendor_b], actor=coordinator)
    vendor_b.refresh_from_db()
    assert receives_pre_publication(vendor_b), "invited again, it may read the case"

    Participant.objects.filter(pk=vendor_b.pk).update(pec_state="declined")
    case.published_at = timezone.now()
    case.save(update_fields=["published_at"])
    assert pre_publication_recipients(case) == {vendor_a.pk, vendor_b.pk}
    fresh = Participant.objects.select_related("case").get(pk=vendor_b.pk)
    assert receives_pre_publication(fresh), "published: the rule no longer applies"


def test_the_one_vendor_of_a_case_keeps_its_access_after_declining(case, world, coordinator):
    from kakehashi.cases.models import Participant
    from kakehashi.vendors.rules import pre_publication_recipients

    vendor_a, vendor_b = _vendor(case, "vendor-a", world), _vendor(case, "vendor-b", world)
    case_actions.remove_participant(case, vendor_b, actor=coordinator)
    Participant.objects.filter(pk=vendor_a.pk).update(pec_state="declined")
    assert pre_publication_recipients(case) == {vendor_a.pk}
    from kakehashi.vendors.rules import receives_pre_publication

    assert receives_pre_publication(Participant.objects.get(pk=vendor_a.pk))
