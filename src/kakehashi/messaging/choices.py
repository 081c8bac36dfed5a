from django.db import models
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    GENERAL = "general", _("All participants")
    VENDOR = "vendor", _("Vendor and coordinator")
    TOPIC = "topic", _("Topic")


class TopicAudience(models.TextChoices):
    """Who reads a topic thread besides the coordination (always included)."""

    COORDINATION = "coordination", _("Coordination only")
    VENDORS = "vendors", _("Coordination and all vendors")


class NotificationKind(models.TextChoices):
    MESSAGE = "message", _("New message")
    MENTION = "mention", _("Mention")


class MailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per notification")
    DAILY = "daily", _("Once a day, a digest")
    NEVER = "never", _("Never (in the portal only)")


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    NO_ADDRESS = "no_address", _("No e-mail address")
    SKIPPED = "skipped", _("Not sent (vendor left or case closed)")


class InboundState(models.TextChoices):
    """What became of one e-mail read by ``kakehashi mail`` (``inbound``)."""

    FILED = "filed", _("Filed into a thread")
    TRIAGE = "triage", _("Awaiting triage")
    DISCARDED = "discarded", _("Discarded")


class TriageReason(models.TextChoices):
    """Why an e-mail could not be filed by itself; shown to the desk."""

    NO_TOKEN = "no_token", _("Not addressed to any thread's reply address")
    UNKNOWN_TOKEN = "unknown_token", _("The reply address names no thread (unknown or forged)")
    SEVERAL_THREADS = "several", _("Addressed to more than one thread")
    CLOSED = "closed", _("The thread's case is closed")
    SENDER_NOT_ALLOWED = "sender", _("The sender may not write in this thread")
    UNDECRYPTABLE = "undecryptable", _("It could not be decrypted with the platform key")
    UNSIGNED = "unsigned", _("Not signed with the vendor's key on file")
    OVERSIZED = "oversized", _("Too large, or too many attachments")
    REPLAY = "replay", _("Its Message-ID was already received (a replay)")
    EMPTY = "empty", _("No text and no attachment")
    UNREADABLE = "unreadable", _("The message could not be read")
