"""Deciding what one raw e-mail is: which thread, from whom, what it says, and whether it
may be filed by itself or needs the desk (a ``TriageReason``). Reads the database,
writes nothing.

The reply token is the capability: it must fit the reply-address template and equal an
existing thread's token exactly (compared in constant time). The From address must then
be a party of that thread: an active account that ``access.access_thread`` lets read
it, or an e-mail contact point of a current vendor of the thread's audience that may
receive pre-publication information. From is easy to forge, so a vendor with an
OpenPGP key on file must sign (inside the encryption, or PGP/MIME-signed) with one of
its keys. Encrypted content is decrypted with the platform key; when the message is
encrypted, only what was encrypted is filed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.cases.models import Participant
from kakehashi.core import pgp
from kakehashi.core.pgp_mime import Attachment, parse_incoming, verify_pgp_mime_signed

from ..access import ThreadRef, access_thread
from ..actions import MAX_BODY
from ..choices import ThreadKind, TopicAudience, TriageReason
from ..models import Thread
from . import reading

PREFIX = 8  # characters of a token looked up in the index; the rest compared in constant time


@dataclass
class Sender:
    ref: ThreadRef
    user: Any = None  # the account, when the sender has one
    participant: Participant | None = None  # the vendor it writes for, if any


@dataclass
class Analysis:
    envelope: reading.Envelope
    text: str = ""
    full_text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    encrypted: bool = False
    signed_by: str = ""
    thread: Thread | None = None
    sender: Sender | None = None
    reason: str = ""
    detail: str = ""

    def refuse(self, reason: str, detail: str = "") -> None:
        """Keep the first reason found: they are checked in order of importance."""
        if not self.reason:
            self.reason, self.detail = reason, detail[:1000]


def find_thread(tokens: set[str]) -> Thread | None:
    """The thread whose token equals one of ``tokens``. The index finds candidates by a
    short prefix; the whole token is compared with ``hmac.compare_digest``."""
    for token in tokens:
        candidates = Thread.objects.filter(reply_token__startswith=token[:PREFIX]).select_related(
            "case", "participant__organisation"
        )
        for thread in candidates:
            if hmac.compare_digest(thread.reply_token.encode(), token.encode()):
                return thread
    return None


def audience_vendors(thread: Thread) -> list[Participant]:
    """The current vendors that read the thread and may receive pre-publication
    information (the same audience as ``access.readers_of``)."""
    from kakehashi.vendors.rules import pre_publication_recipients_of

    if thread.kind == ThreadKind.VENDOR:
        vendors = list(
            Participant.objects.vendors()
            .filter(pk=thread.participant_id or 0)
            .select_related("organisation")
        )
    elif thread.kind == ThreadKind.GENERAL or thread.audience == TopicAudience.VENDORS:
        vendors = list(
            Participant.objects.vendors().filter(case=thread.case).select_related("organisation")
        )
    else:
        return []
    allowed = pre_publication_recipients_of([thread.case])
    return [p for p in vendors if p.pk in allowed]


def _contact_addresses(participant: Participant) -> set[str]:
    from kakehashi.vendors.choices import ContactKind
    from kakehashi.vendors.models import ContactPoint

    found = {
        value.strip().lower()
        for value in ContactPoint.objects.filter(
            profile__organisation_id=participant.organisation_id or 0, kind=ContactKind.EMAIL
        ).values_list("value", flat=True)
    }
    if participant.email:
        found.add(participant.email.strip().lower())
    return found


def find_sender(thread: Thread, address: str) -> Sender | None:
    """The party of ``thread`` that ``address`` belongs to, or None."""
    if not address:
        return None
    for user in User.objects.filter(email__iexact=address, is_active=True).order_by("pk"):
        try:
            viewer, ref = access_thread(user, thread.case_id, thread.key)
        except Http404:
            continue
        participant = viewer.participant if viewer.side == "vendor" else None
        return Sender(ref, user=user, participant=participant)
    for participant in audience_vendors(thread):
        if address in _contact_addresses(participant):
            ref = ThreadRef(thread.case, thread.kind, thread.participant, thread)
            return Sender(ref, participant=participant)
    return None


def sender_keys(sender: Sender | None) -> list[Any]:
    """The vendor's usable keys on file (``vendors.notify.usable_keys``)."""
    from kakehashi.vendors.models import VendorProfile
    from kakehashi.vendors.notify import usable_keys

    if sender is None or sender.participant is None:
        return []
    profile = VendorProfile.objects.filter(
        organisation_id=sender.participant.organisation_id or 0
    ).first()
    return usable_keys(profile.pk) if profile is not None else []


def analyse(raw: bytes) -> Analysis:
    """Everything the filing needs to know about ``raw``; never raises for bad input."""
    message = reading.parse(raw)
    result = Analysis(reading.envelope(message))
    if len(raw) > settings.KAKEHASHI_INBOUND_MAX_BYTES:
        result.refuse(
            TriageReason.OVERSIZED,
            _("The message is larger than %(mb)d MB; it was kept unread.")
            % {"mb": settings.KAKEHASHI_INBOUND_MAX_BYTES // 1_000_000},
        )
        return result
    _match(result)
    keys = sender_keys(result.sender)
    _read(result, raw, message, keys)
    _check(result, keys)
    return result


def _match(result: Analysis) -> None:
    tokens = reading.reply_tokens(result.envelope.recipients)
    if not tokens:
        result.refuse(TriageReason.NO_TOKEN)
        return
    if len(tokens) > 1:
        result.refuse(TriageReason.SEVERAL_THREADS)
        return
    result.thread = find_thread(tokens)
    if result.thread is None:
        result.refuse(TriageReason.UNKNOWN_TOKEN)
        return
    if result.thread.case.is_closed:
        result.refuse(TriageReason.CLOSED)
    result.sender = find_sender(result.thread, result.envelope.sender)
    if result.sender is None:
        result.refuse(
            TriageReason.SENDER_NOT_ALLOWED,
            _("%(address)s is neither a reader of the thread nor a contact of its vendors.")
            % {"address": result.envelope.sender or _("(no sender)")},
        )


def _is_encrypted(message: EmailMessage, raw: bytes) -> bool:
    return message.get_content_type() == "multipart/encrypted" or (
        b"-----BEGIN PGP MESSAGE-----" in raw
    )


def _read(result: Analysis, raw: bytes, message: EmailMessage, keys: list[Any]) -> None:
    """The text and files: decrypted when encrypted; the signer when validly signed."""
    fingerprints = {k.fingerprint.upper() for k in keys}
    if _is_encrypted(message, raw):
        result.encrypted = True
        platform = pgp.platform_key()
        if platform is None:
            result.refuse(TriageReason.UNDECRYPTABLE, _("No platform key is configured."))
            return
        try:
            parts = parse_incoming(raw, platform, senders=[k.armored for k in keys])
        except pgp.PgpError as error:
            result.refuse(TriageReason.UNDECRYPTABLE, str(error))
            return
        texts = []
        signers = set()
        for part in parts:
            found = reading.content(part.entity)
            texts.append(found.text)
            result.attachments += found.attachments
            signed = (part.signed_by or "").upper()
            signers.add(signed if part.signature_valid and signed in fingerprints else "")
        result.full_text = "\n\n".join(t for t in texts if t.strip())
        if parts and signers and "" not in signers:
            result.signed_by = sorted(signers)[0]
        return
    entity: Any = message
    if message.get_content_type() == "multipart/signed":
        for key in keys:
            if verify_pgp_mime_signed(raw, key.armored):
                result.signed_by = key.fingerprint.upper()
                break
        children = list(message.iter_parts())
        entity = children[0] if children else message
    found = reading.content(entity)
    result.full_text, result.attachments = found.text, found.attachments


def _check(result: Analysis, keys: list[Any]) -> None:
    if keys and not result.signed_by:
        result.refuse(
            TriageReason.UNSIGNED,
            _("The vendor has an OpenPGP key on file; replies must be signed with it."),
        )
    limit = settings.KAKEHASHI_ATTACHMENT_MAX_BYTES
    if len(result.attachments) > settings.KAKEHASHI_ATTACHMENT_MAX_FILES:
        result.refuse(
            TriageReason.OVERSIZED,
            _("At most %(n)d files per message.") % {"n": settings.KAKEHASHI_ATTACHMENT_MAX_FILES},
        )
    for attachment in result.attachments:
        if len(attachment.data) > limit:
            result.refuse(
                TriageReason.OVERSIZED,
                _("“%(name)s” is larger than %(mb)d MB.")
                % {"name": attachment.filename, "mb": limit // 1_000_000},
            )
    result.text = reading.strip_quoted(result.full_text)
    if len(result.text) > MAX_BODY:
        result.refuse(
            TriageReason.OVERSIZED,
            _("A message may not exceed %(n)d characters.") % {"n": MAX_BODY},
        )
    if not result.text.strip() and not result.attachments:
        result.refuse(TriageReason.EMPTY)
