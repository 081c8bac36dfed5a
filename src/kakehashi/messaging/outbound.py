"""Thread messages by e-mail, for vendors without portal access.

A vendor of the thread's audience that may receive pre-publication information
(``vendors.rules``) and has no active portal account gets each message by e-mail, from
a background job. Like the vendor notices (``vendors.delivery``), the text and the
attachments travel only encrypted (PGP/MIME, to the vendor's usable keys, signed with
the platform key); without a key, the mail says that a message awaits them, names the
case and asks for a key — signed, but with no text. The Reply-To carries the thread's
unguessable reply token (``KAKEHASHI_REPLY_ADDRESS_TEMPLATE``) for inbound mail.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from kakehashi.accounts.models import Membership
from kakehashi.cases.access import PORTAL_ROLES
from kakehashi.cases.models import Participant
from kakehashi.core import pgp
from kakehashi.core.jobs import PermanentJobError, enqueue_on_commit
from kakehashi.core.mail import build_message, render_mail
from kakehashi.core.pgp_mime import pgp_mime_encrypted, pgp_mime_signed
from kakehashi.core.storage import open_private

from .access import ThreadRef
from .choices import OutboundState, ThreadKind, TopicAudience
from .models import Message, OutboundMail


def reply_address(token: str) -> str | None:
    template = settings.KAKEHASHI_REPLY_ADDRESS_TEMPLATE
    if not template:
        return None
    if "{token}" not in template:
        raise ImproperlyConfigured("KAKEHASHI_REPLY_ADDRESS_TEMPLATE must contain {token}")
    return template.replace("{token}", token)


def offline_vendors(ref: ThreadRef) -> list[Participant]:
    """The thread's vendors that can only be reached by e-mail. Three queries."""
    from kakehashi.vendors.rules import pre_publication_recipients_of

    if ref.kind == ThreadKind.VENDOR and ref.participant is not None:
        vendors = [ref.participant]
    elif ref.kind == ThreadKind.GENERAL or (
        ref.thread is not None and ref.thread.audience == TopicAudience.VENDORS
    ):
        vendors = list(Participant.objects.vendors().filter(case=ref.case))
    else:
        return []
    allowed = pre_publication_recipients_of([ref.case])
    online = set(
        Membership.objects.filter(
            organisation_id__in=[p.organisation_id for p in vendors if p.organisation_id],
            role__in=PORTAL_ROLES,
            user__is_active=True,
        ).values_list("organisation_id", flat=True)
    )
    return [p for p in vendors if p.pk in allowed and p.organisation_id not in online]


def queue(message: Message, ref: ThreadRef, *, exclude: Participant | None = None) -> int:
    """In the posting transaction: one row per offline vendor (but ``exclude``, the
    vendor whose e-mailed reply this is), a job each after commit."""
    from .tasks import deliver_outbound

    rows = OutboundMail.objects.bulk_create(
        OutboundMail(message=message, participant=p)
        for p in offline_vendors(ref)
        if exclude is None or p.pk != exclude.pk
    )
    for row in rows:
        enqueue_on_commit(deliver_outbound, outbound_id=row.pk)
    return len(rows)


def _addresses(participant: Participant) -> tuple[list[str], list[str], Any]:
    from kakehashi.vendors.delivery import recipients

    profile = getattr(participant.organisation, "vendor_profile", None)
    if profile is not None:
        found = recipients(profile)
        if found.all:
            return found.to, found.cc, profile
    return ([participant.email] if participant.email else []), [], profile


def deliver(outbound_id: int) -> str:
    """Send one message to one vendor once; what happened, for the job's result."""
    row = (
        OutboundMail.objects.select_related(
            "message__thread__case",
            "message__author",
            "participant__organisation__vendor_profile",
        )
        .filter(pk=outbound_id)
        .first()
    )
    if row is None:
        raise PermanentJobError(f"outbound mail {outbound_id} is gone")
    if row.state != OutboundState.QUEUED:
        return "already handled"  # a retry or a reaped job after the mail went
    participant = row.participant
    if not participant.is_current or row.message.thread.case.is_closed:
        OutboundMail.objects.filter(pk=row.pk).update(state=OutboundState.SKIPPED)
        return "vendor left or case closed"
    to, cc, profile = _addresses(participant)
    if not to:
        OutboundMail.objects.filter(pk=row.pk).update(state=OutboundState.NO_ADDRESS)
        return "no e-mail address"
    mail, encrypted = compose(row.message, profile, to, cc)
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as refusal:
        OutboundMail.objects.filter(pk=row.pk).update(last_error=repr(refusal)[:1000])
        raise PermanentJobError("recipients refused") from refusal
    except Exception as error:
        OutboundMail.objects.filter(pk=row.pk).update(last_error=repr(error)[:1000])
        raise  # retried with backoff by the job
    OutboundMail.objects.filter(pk=row.pk).update(
        state=OutboundState.SENT,
        encrypted=encrypted,
        addresses=", ".join([*to, *cc])[:1000],
        sent_at=timezone.now(),
        last_error="",
    )
    return "sent encrypted" if encrypted else "sent without text"


def compose(
    message: Message, profile: Any, to: list[str], cc: list[str]
) -> tuple[EmailMessage, bool]:
    """The mail, and whether it carries the text (only ever encrypted)."""
    from kakehashi.vendors.notify import usable_keys

    keys = usable_keys(profile.pk) if profile is not None else []
    platform = pgp.platform_key()
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    if keys:
        plain = _mail(message, language, to, cc, with_text=True)
        try:
            return pgp_mime_encrypted(plain, [k.armored for k in keys], sign_with=platform), True
        except pgp.InvalidKeyError:
            pass  # expired or revoked since it was stored: no text then
    plain = _mail(message, language, to, cc, with_text=False)
    return (pgp_mime_signed(plain, platform) if platform else plain), False


def _mail(
    message: Message, language: str, to: list[str], cc: list[str], *, with_text: bool
) -> EmailMessage:
    thread = message.thread
    context = {
        "case": thread.case,
        "thread": thread,
        "author": str(message.author) if message.author else "",
        "text": message.body if with_text else "",
        "with_text": with_text,
        "attachments": [a.filename for a in message.attachments.all()],
    }
    subject, body = render_mail("thread_message", context, language)
    mail = build_message(subject, body, to)
    mail.cc = cc
    address = reply_address(thread.reply_token)
    if address:
        mail.reply_to = [address]
    if with_text:
        for attachment in message.attachments.filter(~Q(quarantined=True)):
            with open_private(attachment.storage_key) as handle:
                mail.attach(attachment.filename, handle.read(), "application/octet-stream")
    return mail
