"""Append-only records of what happened in a case: state changes, contact attempts,
case-state events, schedule changes and SSVC decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ContactChannel, ContactOutcome, DecisionKind, ScheduleChangeReason
from .case import Case, Participant


class StateChange(models.Model):
    """One transition of one state machine (the history row of ``apply_transition``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="state_changes")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    machine = models.CharField(_("state machine"), max_length=10)
    event = models.CharField(_("event"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]  # the timeline's newest

    def __str__(self) -> str:
        return f"{self.machine} {self.from_state} → {self.to_state}"


class ContactAttempt(models.Model):
    """One attempt to reach a participant; the 6-month unreachable rule rests on these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    address = models.CharField(_("address"), max_length=300)
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ContactOutcome.choices, default=ContactOutcome.SENT
    )
    details_included = models.BooleanField(_("vulnerability details sent"), default=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["case", "attempted_at"])]  # the timeline's newest

    def __str__(self) -> str:
        return f"{self.participant} via {self.channel} at {self.attempted_at.isoformat()}"


class CaseEvent(models.Model):
    """A Vultron case-state event: V, F, D for one vendor; P, X, A for the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    event = models.CharField(_("event"), max_length=1)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=300, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    implied_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The event that made this one follow (X implies P, P implies V)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"])]  # the timeline's newest

    def __str__(self) -> str:
        return f"{self.event} at {self.occurred_at.isoformat()}"


class ScheduleChange(models.Model):
    """A change of the target publication instant, with the guideline's reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="schedule_changes")
    old_target = models.DateTimeField(_("old target"), null=True, blank=True)
    new_target = models.DateTimeField(_("new target"))
    reason = models.CharField(_("reason"), max_length=32, choices=ScheduleChangeReason.choices)
    note = models.TextField(_("note"), blank=True)
    notified = models.JSONField(_("participants notified"), default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"→ {self.new_target.isoformat()} ({self.reason})"


class Decision(models.Model):
    """An SSVC decision with the table version it was taken under."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    table = models.CharField(_("decision table"), max_length=40)
    inputs = models.JSONField(_("inputs"))
    outcome = models.CharField(_("outcome"), max_length=4)
    vector = models.CharField(_("vector"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("SSVC decision")
        verbose_name_plural = _("SSVC decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return self.vector
