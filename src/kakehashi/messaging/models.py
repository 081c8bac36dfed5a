"""Case threads and their messages, per-user read markers and notifications.

The general thread and each vendor's private thread exist once per case (and per
vendor); they are created by the first message posted to them (``actions``), so a case
with a thousand silent vendors holds no empty rows. Message text is never shown raw:
it is rendered through ``core.markdown``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Case, CaseProduct, Participant, Vulnerability

from .choices import (
    InboundState,
    MailFrequency,
    NotificationKind,
    OutboundState,
    ThreadKind,
    TopicAudience,
    TriageReason,
)


def new_reply_token() -> str:
    # 32 random bytes: the token names the thread in reply addresses (inbound mail).
    return secrets.token_urlsafe(32)


class Thread(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(_("kind"), max_length=10, choices=ThreadKind.choices)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("topic"), max_length=200, blank=True)
    audience = models.CharField(
        _("audience"),
        max_length=16,
        choices=TopicAudience.choices,
        default=TopicAudience.COORDINATION,
    )
    finder_included = models.BooleanField(_("the finder may read and write"), default=False)
    vulnerability = models.ForeignKey(
        Vulnerability, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey(
        CaseProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_token = models.CharField(max_length=64, unique=True, default=new_reply_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_id = models.PositiveBigIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["kind", "id"]
        # The shared threads (general, topics) of a case without walking its thousand
        # vendors' private threads (the threads page, ``queries.thread_overview``).
        indexes = [models.Index(fields=["case", "kind"], name="thread_case_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="general"), name="thread_one_general_per_case"
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(kind="vendor"),
                name="thread_one_private_per_vendor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.key}"

    @property
    def key(self) -> str:
        if self.kind == ThreadKind.VENDOR:
            return f"vendor-{self.participant_id}"
        if self.kind == ThreadKind.TOPIC:
            return f"topic-{self.pk}"
        return "general"


class Broadcast(models.Model):
    """A coordinator's message to every vendor's private thread at once.

    The request writes only this row and one job; the per-vendor messages are posted by
    background jobs (``tasks.deliver_broadcast``), each at most once per vendor."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="broadcasts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    vendor_count = models.PositiveIntegerField(_("vendors"), default=0)

    class Meta:
        verbose_name = _("message to all vendors")
        verbose_name_plural = _("messages to all vendors")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"broadcast {self.pk} in {self.case_id}"


class Message(models.Model):
    """One message; ``body`` is the current text, ``MessageVersion`` keeps every one."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # A reply that came by e-mail (``inbound``): who sent it. ``author`` is the account
    # when the sender has one; a vendor without portal access has only its contact
    # address, so the participant it wrote for is kept instead.
    arrived_by_email = models.BooleanField(_("arrived by e-mail"), default=False)
    sender_address = models.EmailField(_("sender address"), max_length=320, blank=True)
    sender_participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set for the copies of a message to all vendors: one per private thread, at most.
    broadcast = models.ForeignKey(
        Broadcast, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["thread", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "thread"], name="message_once_per_broadcast_and_thread"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.thread_id}"


class MessageVersion(models.Model):
    """Append-only: the text of each version of a message, the first one included."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="message_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} v{self.number}"


class StoredFile(models.Model):
    """A file kept in private storage, checked like a report attachment (intake.files):
    what a message's and a received e-mail's attachments both are."""

    storage_key = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    filename = models.CharField(_("file name"), max_length=255)
    detected_type = models.CharField(_("detected type"), max_length=100)
    scan_label = models.CharField(_("scan"), max_length=16)
    scan_detail = models.CharField(_("scanner said"), max_length=200, blank=True)
    quarantined = models.BooleanField(_("quarantined"), default=False)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class MessageAttachment(StoredFile):
    """A file on a message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        pass


class ReadMarker(models.Model):
    """How far one user has read one thread: the id of the last message seen. One row
    per (thread, user), so unread state costs nothing per message and survives paging."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    first_read_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="read_marker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.thread_id}:{self.last_read_id}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when an e-mail (immediate or digest) has told the user; claimed atomically.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.message_id}"


class MailPreference(models.Model):
    """How a user wants to hear of notifications by e-mail. No row: at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference"
    )
    frequency = models.CharField(
        _("e-mail about new messages"),
        max_length=10,
        choices=MailFrequency.choices,
        default=MailFrequency.IMMEDIATE,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class OutboundMail(models.Model):
    """A message sent by e-mail to a participant without portal access (``outbound``)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="outbound")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=12, choices=OutboundState.choices, default=OutboundState.QUEUED
    )
    encrypted = models.BooleanField(_("encrypted"), default=False)
    addresses = models.CharField(_("sent to"), max_length=1000, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("message sent by e-mail")
        verbose_name_plural = _("messages sent by e-mail")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "participant"], name="outbound_once_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.participant_id}: {self.state}"


class InboundMail(models.Model):
    """One e-mail read by ``kakehashi mail fetch`` / ``ingest``, kept whatever became of it.

    The raw bytes are in private storage (``raw_key``) and never deleted by the product,
    so nothing received is lost: either it became a thread ``message`` (``filed``), or it
    waits in the desk's triage queue with a ``reason`` until someone files or discards it.
    ``text`` and the ``attachments`` are what was read from it (decrypted if it was
    encrypted); the triage screen shows only those, as text.
    """

    state = models.CharField(_("state"), max_length=10, choices=InboundState.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=TriageReason.choices, blank=True)
    detail = models.CharField(_("details"), max_length=1000, blank=True)
    raw_key = models.CharField(max_length=100)
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    raw_size = models.PositiveBigIntegerField(_("size"))
    rfc_message_id = models.CharField(_("Message-ID"), max_length=998, blank=True, db_index=True)
    sender = models.CharField(_("from"), max_length=320, blank=True)
    recipients = models.CharField(_("to"), max_length=2000, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_date = models.CharField(_("date"), max_length=100, blank=True)
    source = models.CharField(_("read from"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    signed_by = models.CharField(_("signed by"), max_length=64, blank=True)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discard_reason = models.CharField(_("reason for discarding"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return f"{self.pk}: {self.state} {self.reason}"


class InboundAttachment(StoredFile):
    """A file read from an inbound e-mail; becomes a ``MessageAttachment`` when filed."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        pass
