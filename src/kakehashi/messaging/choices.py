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
