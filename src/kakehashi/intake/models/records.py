"""Append-only rows around a report: attachments, messages, checks, history, and the
reception's attempts to reach a website operator."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.choices import ContactChannel, ContactOutcome

from ..choices import AcceptanceCheck, CheckResult, ScanLabel
from .report import Report


class ReportMessage(models.Model):
    """One message of the conversation between the finder and the reception desk."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    from_finder = models.BooleanField(_("from the finder"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"))
    is_question = models.BooleanField(_("question to the finder"), default=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("report message")
        verbose_name_plural = _("report messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report.tracking_id} @ {self.created_at.isoformat()}"


class ReportAttachment(models.Model):
    """A file given with a report. Stored privately under a random key (core.storage);
    the type is what the bytes say, never what the client claimed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        ReportMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    storage_key = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    filename = models.CharField(_("file name"), max_length=255)
    detected_type = models.CharField(_("detected type"), max_length=100)
    scan_label = models.CharField(
        _("scan"), max_length=16, choices=ScanLabel.choices, default=ScanLabel.NOT_SCANNED
    )
    scan_detail = models.CharField(_("scanner said"), max_length=200, blank=True)
    quarantined = models.BooleanField(_("quarantined"), default=False)
    from_finder = models.BooleanField(_("from the finder"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class AcceptanceCheckRecord(models.Model):
    """One of the five acceptance checks, as a clerk recorded it (latest counts)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="checks")
    check_name = models.CharField(_("check"), max_length=20, choices=AcceptanceCheck.choices)
    result = models.CharField(_("result"), max_length=8, choices=CheckResult.choices)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptance check")
        verbose_name_plural = _("acceptance checks")
        ordering = ["checked_at", "id"]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.result}"


class ReportStateChange(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="state_changes")
    machine = models.CharField(max_length=10)
    event = models.CharField(max_length=32)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.machine} {self.from_state} → {self.to_state}"


class OperatorContact(models.Model):
    """An attempt to reach a website's operator (the website line's contact log)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="operator_contacts")
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    address = models.CharField(_("address"), max_length=300)
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    window_confirmed = models.BooleanField(_("confirmed as the operator's window"), default=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("operator contact")
        verbose_name_plural = _("operator contacts")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"
