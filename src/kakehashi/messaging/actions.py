"""Every change to threads, messages, read markers and notifications (STYLE point 3).

Posting and editing lock the case row first (``cases.actions._common.lock_case``),
like the case actions, are audited in the same transaction (without the text: the
audit chain is not a second copy of embargoed content), and refuse bad input with a
translated message, changing nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.cases.actions._common import lock_case, require, require_open
from kakehashi.cases.models import Case, CaseProduct, Participant, Vulnerability
from kakehashi.core import audit
from kakehashi.core.jobs import enqueue_on_commit
from kakehashi.core.workflow import ConcurrentChange, InvalidInput
from kakehashi.intake import files

from . import outbound
from .access import ThreadRef, Viewer, readers_of
from .choices import MailFrequency, NotificationKind, ThreadKind, TopicAudience
from .models import (
    Broadcast,
    MailPreference,
    Message,
    MessageAttachment,
    MessageVersion,
    Notification,
    ReadMarker,
    Thread,
)

MAX_BODY = 50_000
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_names(body: str) -> set[str]:
    """The lower-cased user names after an @. A sentence's full stop is not part of the
    name ("thanks @psirt."), unless a user is really named so: both forms are kept."""
    names = set()
    for found in _MENTION.findall(body):
        names.add(found.lower())
        names.add(found.rstrip(".-").lower())
    return names


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message."))
    if len(body) > MAX_BODY:
        raise InvalidInput(_("A message may not exceed %(n)d characters.") % {"n": MAX_BODY})
    return body


def check_files(uploads: list[Any]) -> None:
    """The report attachments' limits, per message."""
    limit = settings.KAKEHASHI_ATTACHMENT_MAX_BYTES
    if len(uploads) > settings.KAKEHASHI_ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d files per message.") % {"n": settings.KAKEHASHI_ATTACHMENT_MAX_FILES}
        )
    for upload in uploads:
        name = files.clean_filename(upload.name)
        if not upload.size:
            raise InvalidInput(_("“%(name)s” is empty.") % {"name": name})
        if upload.size > limit:
            raise InvalidInput(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": limit // 1_000_000}
            )


def open_topic(
    viewer: Viewer,
    *,
    title: str,
    audience: str,
    finder_included: bool = False,
    vulnerability: Vulnerability | None = None,
    product: CaseProduct | None = None,
) -> Thread:
    """A coordinator opens a topic thread, optionally about one vulnerability or product."""
    case = viewer.case
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput(_("Give the topic a title of at most 200 characters."))
    if audience not in TopicAudience.values:
        raise InvalidInput(_("Choose who may read the thread."))
    if vulnerability is not None and vulnerability.case_id != case.pk:
        raise InvalidInput(_("The vulnerability is not one of this case's."))
    if product is not None and product.case_id != case.pk:
        raise InvalidInput(_("The product is not one of this case's."))
    require(viewer.coordinates, _("Only the case's coordinators may open a topic."))
    with transaction.atomic():
        lock_case(case)
        require_open(case)
        thread = Thread.objects.create(
            case=case,
            kind=ThreadKind.TOPIC,
            title=title,
            audience=audience,
            finder_included=finder_included,
            vulnerability=vulnerability,
            product=product,
            created_by=viewer.user,
        )
        audit.record(
            "messaging.open_topic",
            actor=viewer.user,
            subject=thread,
            case_id=case.pk,
            data={"audience": audience, "finder_included": finder_included},
        )
    return thread


def thread_of(ref: ThreadRef, actor: Any) -> Thread:
    """The ref's thread, created for its first message (under the case lock)."""
    if ref.thread is not None:
        return ref.thread
    lookup: dict[str, Any] = {"case": ref.case, "kind": ref.kind}
    if ref.kind == ThreadKind.VENDOR:
        lookup = {"kind": ref.kind, "participant": ref.participant}
    thread, _created = Thread.objects.get_or_create(
        **lookup, defaults={"case": ref.case, "created_by": actor}
    )
    return thread


def _notify(message: Message, ref: ThreadRef, author: Any) -> int:
    # ``author`` is None for a reply by e-mail from a vendor without an account.
    readers = [u for u in readers_of(ref) if author is None or u.pk != author.pk]
    named = mentioned_names(message.body)
    rows = [
        Notification(
            user=user,
            kind=(
                NotificationKind.MENTION
                if user.get_username().lower() in named
                else NotificationKind.MESSAGE
            ),
            case=ref.case,
            thread=message.thread,
            message=message,
        )
        for user in readers
    ]
    Notification.objects.bulk_create(rows, batch_size=500)
    from .tasks import mail_notifications

    enqueue_on_commit(mail_notifications, notification_ids=[n.pk for n in rows])
    return len(rows)


def post_message(
    ref: ThreadRef,
    *,
    actor: Any,
    body: str,
    uploads: list[Any] | None = None,
    quoted_id: int | None = None,
) -> Message:
    """Post to a thread the actor may read (``access.access_thread`` found ``ref``)."""
    body = _clean_body(body)
    uploads = list(uploads or [])
    check_files(uploads)
    stored = [files.store(upload) for upload in uploads]
    try:
        with transaction.atomic():
            lock_case(ref.case)
            require_open(Case.objects.get(pk=ref.case.pk))  # read under the lock
            message = _write_message(
                ref, actor=actor, body=body, stored=stored, quoted_id=quoted_id
            )
    except Exception:
        files.discard(stored)
        raise
    return message


def _write_message(
    ref: ThreadRef,
    *,
    actor: Any,
    body: str,
    stored: list[dict[str, Any]],
    quoted_id: int | None = None,
    broadcast: Broadcast | None = None,
) -> Message:
    """A post by an account holder: the message (``record_message``), the poster's read
    marker and the audit event. The caller holds the case lock in a transaction."""
    thread = thread_of(ref, actor)
    quoted = None
    if quoted_id is not None:
        quoted = Message.objects.filter(pk=quoted_id, thread=thread).first()
        if quoted is None:
            raise InvalidInput(_("The quoted message is not in this thread."))
    message, notified, mailed = record_message(
        ref, thread, author=actor, body=body, stored=stored, quoted=quoted, broadcast=broadcast
    )
    _advance_marker(thread, actor, message.pk)
    audit.record(
        "messaging.post",
        actor=actor,
        subject=message,
        case_id=ref.case.pk,
        data={
            "thread": thread.key,
            "attachments": len(stored),
            "notified": notified,
            "by_mail": mailed,
            **({"broadcast": broadcast.pk} if broadcast is not None else {}),
        },
    )
    return message


def record_message(
    ref: ThreadRef,
    thread: Thread,
    *,
    author: Any,
    body: str,
    stored: list[dict[str, Any]],
    quoted: Message | None = None,
    broadcast: Broadcast | None = None,
    **sender: Any,
) -> tuple[Message, int, int]:
    """Inside the posting transaction (case locked and open): the message, its first
    version and attachments, the thread's counters, the notifications and the mail to
    vendors without portal access. ``sender`` holds the e-mail fields of a reply that
    came by mail (``inbound``); the vendor it came from is not mailed its own reply.
    Returns the message and how many were notified and mailed."""
    message = Message.objects.create(
        thread=thread, author=author, body=body, quoted=quoted, broadcast=broadcast, **sender
    )
    MessageVersion.objects.create(message=message, number=1, body=body, written_by=author)
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, **fields) for fields in stored
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_message_at=message.created_at,
        last_message_id=message.pk,
        message_count=F("message_count") + 1,
    )
    ref_now = ThreadRef(ref.case, ref.kind, ref.participant, thread)
    notified = _notify(message, ref_now, author)
    mailed = outbound.queue(message, ref_now, exclude=sender.get("sender_participant"))
    return message, notified, mailed


# --- A message to every vendor's private thread ---------------------------------------------


def post_to_all_vendors(viewer: Viewer, *, body: str) -> Broadcast:
    """A coordinator writes once to every current vendor's private thread. The request
    writes one row and one job; the per-vendor messages (with their notifications and
    outbound mail) are posted by background jobs, as vendor notices are."""
    from .tasks import fan_out_broadcast

    body = _clean_body(body)
    require(viewer.coordinates, _("Only the case's coordinators may write to all vendors."))
    with transaction.atomic():
        lock_case(viewer.case)
        case = Case.objects.get(pk=viewer.case.pk)  # read under the lock
        require_open(case)
        vendors = list(Participant.objects.vendors().filter(case=case).values_list("pk", flat=True))
        if not vendors:
            raise InvalidInput(_("The case has no vendor to write to."))
        broadcast = Broadcast.objects.create(
            case=case, author=viewer.user, body=body, vendor_count=len(vendors)
        )
        audit.record(
            "messaging.broadcast",
            actor=viewer.user,
            subject=broadcast,
            case_id=case.pk,
            summary=f"{case.reference}: a message to {len(vendors)} vendors queued",
            data={"vendors": len(vendors)},
        )
        enqueue_on_commit(fan_out_broadcast, broadcast.pk, vendors)
    return broadcast


def deliver_broadcast(broadcast_id: int, participant_id: int) -> str:
    """Post one vendor's copy of a message to all vendors; idempotent (a copy already
    posted, a vendor that left or a closed case is skipped, and says so)."""
    broadcast = Broadcast.objects.select_related("case", "author").filter(pk=broadcast_id).first()
    if broadcast is None:
        return "message gone"
    with transaction.atomic():
        lock_case(broadcast.case)
        case = Case.objects.get(pk=broadcast.case_id)  # read under the lock
        if case.is_closed:
            return "case closed"
        participant = (
            Participant.objects.vendors()
            .filter(case=case, pk=participant_id)
            .select_related("organisation")
            .first()
        )
        if participant is None:
            return "vendor left"
        thread = Thread.objects.filter(kind=ThreadKind.VENDOR, participant=participant).first()
        if thread is not None and thread.messages.filter(broadcast=broadcast).exists():
            return "already posted"
        ref = ThreadRef(case, ThreadKind.VENDOR, participant, thread)
        _write_message(
            ref, actor=broadcast.author, body=broadcast.body, stored=[], broadcast=broadcast
        )
    return "posted"


def edit_message(message: Message, *, actor: Any, body: str, version: int) -> Message:
    """The author changes a message; the earlier text stays in its versions."""
    body = _clean_body(body)
    require(message.author_id == actor.pk, _("Only the author may edit a message."))
    if body == message.body:
        raise InvalidInput(_("The text is unchanged."))
    with transaction.atomic():
        case = message.thread.case
        lock_case(case)
        require_open(case)
        now = timezone.now()
        changed = Message.objects.filter(pk=message.pk, version=version).update(
            body=body, version=version + 1, edited_at=now
        )
        if changed != 1:
            raise ConcurrentChange
        MessageVersion.objects.create(
            message=message, number=version + 1, body=body, written_by=actor, written_at=now
        )
        audit.record(
            "messaging.edit",
            actor=actor,
            subject=message,
            case_id=case.pk,
            data={"version": version + 1},
        )
    message.refresh_from_db()
    return message


def _advance_marker(thread: Thread, user: Any, up_to: int) -> None:
    marker, created = ReadMarker.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_id": up_to}
    )
    if not created and marker.last_read_id < up_to:
        ReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=up_to).update(
            last_read_id=up_to, read_at=timezone.now()
        )


def mark_read(thread: Thread, *, user: Any, up_to: int) -> None:
    """The user has seen the thread up to message ``up_to`` (never moves back); the
    thread's notifications up to there are read too."""
    if not getattr(user, "is_authenticated", False):
        return
    up_to = min(up_to, thread.last_message_id)
    with transaction.atomic():
        _advance_marker(thread, user, up_to)
        Notification.objects.filter(
            user=user, thread=thread, message_id__lte=up_to, read_at__isnull=True
        ).update(read_at=timezone.now())


def mark_notifications_read(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_mail_frequency(user: Any, frequency: str, *, via: str = "preferences") -> MailPreference:
    """How the user hears of notifications by e-mail (at once, daily digest, never)."""
    if frequency not in MailFrequency.values:
        raise InvalidInput(_("Choose how often to receive e-mail."))
    with transaction.atomic():
        preference, _created = MailPreference.objects.update_or_create(
            user=user, defaults={"frequency": frequency, "updated_at": timezone.now()}
        )
        audit.record(
            "messaging.mail_frequency",
            actor=user,
            actor_label=user.get_username(),
            subject=preference,
            data={"frequency": frequency, "via": via},
        )
    return preference
