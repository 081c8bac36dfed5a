"""Embargo proposals, the answers of each participant, and the terms in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import EmbargoAnswer, EmbargoEndReason, ProposalStatus
from .case import Case, Participant


class EmbargoProposal(models.Model):
    """A proposed end instant for the embargo (first terms or a revision)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="embargo_proposals")
    ends_at = models.DateTimeField(_("embargo ends at"))
    is_revision = models.BooleanField(_("revision"), default=False)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_by_participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("embargo proposal")
        verbose_name_plural = _("embargo proposals")
        ordering = ["case", "-created_at"]

    def __str__(self) -> str:
        return f"{self.case} → {self.ends_at.isoformat()}"


class EmbargoResponse(models.Model):
    """One participant's answer to the embargo (or to a revision of it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="embargo_responses")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="embargo_responses"
    )
    proposal = models.ForeignKey(
        EmbargoProposal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )
    answer = models.CharField(_("answer"), max_length=10, choices=EmbargoAnswer.choices)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("embargo answer")
        verbose_name_plural = _("embargo answers")
        ordering = ["answered_at"]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_answer_display()}"


class Embargo(models.Model):
    """The terms in force: one row per accepted proposal; at most one open row per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="embargoes")
    proposal = models.OneToOneField(
        EmbargoProposal, on_delete=models.PROTECT, related_name="embargo"
    )
    ends_at = models.DateTimeField(_("embargo ends at"))
    started_at = models.DateTimeField(_("in force since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason it ended"), max_length=20, choices=EmbargoEndReason.choices, blank=True
    )
    end_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("embargo")
        verbose_name_plural = _("embargoes")
        ordering = ["case", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="embargo_one_in_force_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} until {self.ends_at.isoformat()}"
