"""Every change inbound mail makes (STYLE point 3): ``ingest`` one raw e-mail, and the
desk's ``file_triaged`` and ``discard_triaged``.

Nothing received is lost: the raw bytes are stored privately before anything else, the
``InboundMail`` row is written in the same transaction as the thread message (or alone,
in triage), and a failure before the commit leaves the source message unmarked, so the
next fetch reads it again. Ingesting the same bytes twice finds the first row (the
SHA-256 is unique); the same Message-ID with other bytes is a replay and goes to triage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.cases.actions._common import lock_case, require, require_open
from kakehashi.cases.models import Case
from kakehashi.core import audit
from kakehashi.core.storage import delete_private, save_private
from kakehashi.core.workflow import ConcurrentChange, InvalidInput
from kakehashi.intake import files

from ..access import ThreadRef
from ..actions import record_message, thread_of
from ..choices import InboundState, TriageReason
from ..models import InboundAttachment, InboundMail, Message
from .analysis import Analysis, analyse
from .reading import Envelope


@dataclass(frozen=True)
class Ingested:
    mail: InboundMail
    new: bool  # False: these exact bytes were ingested before


def _stored_files(analysis: Analysis) -> list[dict[str, Any]]:
    uploads = [
        SimpleUploadedFile(a.filename or "attachment", a.data, "application/octet-stream")
        for a in analysis.attachments
    ]
    return [files.store(upload) for upload in uploads]


def _is_replay(analysis: Analysis) -> bool:
    message_id = analysis.envelope.message_id
    return bool(message_id) and InboundMail.objects.filter(rfc_message_id=message_id).exists()


def ingest(raw: bytes, *, source: str) -> Ingested:
    """Read one raw e-mail and file it into its thread, or put it in triage."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMail.objects.filter(raw_sha256=digest).first()
    if existing is not None:
        return Ingested(existing, new=False)
    kept = save_private(raw)
    try:
        analysis = analyse(raw)
    except Exception as error:  # any unreadable input goes to the desk, never lost
        analysis = Analysis(Envelope("", "", (), "", ""))
        analysis.refuse(TriageReason.UNREADABLE, repr(error))
    if _is_replay(analysis):
        analysis.reason, analysis.detail = TriageReason.REPLAY, ""
    stored = _stored_files(analysis)
    try:
        with transaction.atomic():
            mail = _record(
                analysis,
                raw_key=kept.key,
                digest=digest,
                size=len(raw),
                source=source,
                stored=stored,
            )
    except IntegrityError:
        # The same bytes were ingested by a concurrent run: keep the first.
        files.discard(stored)
        delete_private(kept.key)
        return Ingested(InboundMail.objects.get(raw_sha256=digest), new=False)
    except Exception:
        files.discard(stored)
        delete_private(kept.key)
        raise
    return Ingested(mail, new=True)


def _record(
    analysis: Analysis,
    *,
    raw_key: str,
    digest: str,
    size: int,
    source: str,
    stored: list[dict[str, Any]],
) -> InboundMail:
    envelope = analysis.envelope
    message = None
    if not analysis.reason and analysis.sender is not None:
        case = Case.objects.get(pk=analysis.sender.ref.case.pk)
        lock_case(case)
        if case.is_closed:  # closed since the analysis
            analysis.refuse(TriageReason.CLOSED)
        else:
            message = _file(analysis.sender.ref, analysis, stored, actor=None)
    mail = InboundMail.objects.create(
        state=InboundState.FILED if message else InboundState.TRIAGE,
        reason="" if message else analysis.reason,
        detail=analysis.detail,
        raw_key=raw_key,
        raw_sha256=digest,
        raw_size=size,
        rfc_message_id=envelope.message_id,
        sender=envelope.sender,
        recipients=", ".join(envelope.recipients)[:2000],
        subject=envelope.subject,
        sent_date=envelope.date,
        source=source[:200],
        text=analysis.full_text,
        encrypted=analysis.encrypted,
        signed_by=analysis.signed_by,
        thread=analysis.thread,
        message=message,
        handled_at=timezone.now() if message else None,
    )
    InboundAttachment.objects.bulk_create(
        InboundAttachment(mail=mail, **fields) for fields in stored
    )
    audit.record(
        "messaging.inbound_filed" if message else "messaging.inbound_triage",
        actor_label=envelope.sender or "e-mail",
        subject=mail,
        case_id=analysis.thread.case_id if analysis.thread else None,
        data={
            "reason": mail.reason,
            "message": message.pk if message else None,
            "thread": analysis.thread.key if analysis.thread else None,
            "encrypted": analysis.encrypted,
            "signed_by": analysis.signed_by,
            "attachments": len(stored),
            "source": source,
        },
    )
    return mail


def _file(
    ref: ThreadRef,
    analysis: Analysis,
    stored: list[dict[str, Any]],
    *,
    actor: Any,
    author: Any = None,
    participant: Any = None,
) -> Message:
    """The thread message (case locked and open): notifications and mail as for a post."""
    sender = analysis.sender
    if sender is not None and actor is None:
        author, participant = sender.user, sender.participant
    body = analysis.text.strip() or _("(Sent by e-mail with attachments only.)")
    thread = thread_of(ref, author or actor)
    message, _notified, _mailed = record_message(
        ref,
        thread,
        author=author,
        body=body,
        stored=stored,
        arrived_by_email=True,
        sender_address=analysis.envelope.sender,
        sender_participant=participant,
    )
    return message


def file_triaged(mail: InboundMail, ref: ThreadRef, *, actor: Any) -> Message:
    """The desk files a triaged e-mail into a thread ``actor`` may read
    (``access.access_thread`` found ``ref``). A Message-ID already filed is refused."""
    require(mail.state == InboundState.TRIAGE, _("This e-mail was already handled."))
    if (
        mail.rfc_message_id
        and InboundMail.objects.filter(
            rfc_message_id=mail.rfc_message_id, state=InboundState.FILED
        ).exists()
    ):
        raise InvalidInput(
            _("An e-mail with this Message-ID was already filed; a replay is not filed twice.")
        )
    analysis = Analysis(
        Envelope(mail.rfc_message_id, mail.sender, (), mail.subject, mail.sent_date),
        text=mail.text.strip(),
    )
    stored = [
        {
            name: getattr(a, name)
            for name in (
                "storage_key",
                "sha256",
                "size",
                "filename",
                "detected_type",
                "scan_label",
                "scan_detail",
                "quarantined",
            )
        }
        for a in mail.attachments.all()
    ]
    if not analysis.text and not stored:
        raise InvalidInput(_("This e-mail has no text and no attachment to file."))
    with transaction.atomic():
        case = Case.objects.get(pk=ref.case.pk)
        lock_case(case)
        require_open(case)
        message = _file(ref, analysis, stored, actor=actor)
        changed = InboundMail.objects.filter(pk=mail.pk, state=InboundState.TRIAGE).update(
            state=InboundState.FILED,
            message=message,
            thread=message.thread,
            handled_at=timezone.now(),
            handled_by=actor,
        )
        if changed != 1:
            raise ConcurrentChange
        audit.record(
            "messaging.inbound_file",
            actor=actor,
            subject=mail,
            case_id=case.pk,
            data={"message": message.pk, "thread": message.thread.key, "reason": mail.reason},
        )
    mail.refresh_from_db()
    return message


def discard_triaged(mail: InboundMail, *, actor: Any, reason: str) -> None:
    """The desk discards a triaged e-mail, saying why; the raw message stays stored."""
    require(mail.state == InboundState.TRIAGE, _("This e-mail was already handled."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the e-mail is discarded."))
    if len(reason) > 500:
        raise InvalidInput(_("The reason may not exceed %(n)d characters.") % {"n": 500})
    with transaction.atomic():
        changed = InboundMail.objects.filter(pk=mail.pk, state=InboundState.TRIAGE).update(
            state=InboundState.DISCARDED,
            discard_reason=reason,
            handled_at=timezone.now(),
            handled_by=actor,
        )
        if changed != 1:
            raise ConcurrentChange
        audit.record(
            "messaging.inbound_discard",
            actor=actor,
            subject=mail,
            case_id=mail.thread.case_id if mail.thread_id and mail.thread else None,
            summary=reason,
        )
    mail.refresh_from_db()
