"""What a vendor tells the coordinator besides its statuses: its answer as a whole
(verification, countermeasure, 対応状況, tracking ID, sharing), its requests to move
the publication date, and its hints that the flaw lies in another vendor's product."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ResponseStatus, ScheduleRequestStatus, VerificationResult
from .case import Case, Participant, pick_language


class VendorResponse(models.Model):
    """One vendor participant's answer in a case; written only by ``cases.actions``.

    ``version`` grows with every change, so a form or an API client acting on what it
    read last is refused when someone else changed the answer since."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="response"
    )
    tracking_id = models.CharField(_("vendor's tracking ID"), max_length=100, blank=True)
    shares_statuses = models.BooleanField(
        _("share my statuses with the other vendors"), default=False
    )
    verification = models.CharField(
        _("verification result"), max_length=24, choices=VerificationResult.choices, blank=True
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_at = models.DateTimeField(_("verification reported at"), null=True, blank=True)
    response_status = models.CharField(
        _("response status"), max_length=24, choices=ResponseStatus.choices, blank=True
    )
    workaround_ja = models.TextField(_("workaround (Japanese)"), blank=True)
    workaround_en = models.TextField(_("workaround (English)"), blank=True)
    fix_ja = models.TextField(_("fix (Japanese)"), blank=True)
    fix_en = models.TextField(_("fix (English)"), blank=True)
    fixed_versions = models.CharField(_("fixed versions"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("vendor response")
        verbose_name_plural = _("vendor responses")

    def __str__(self) -> str:
        return f"{self.participant}: {self.verification or '—'}"

    def workaround(self, language: str | None = None) -> str:
        return pick_language(self.workaround_ja, self.workaround_en, language)

    def fix(self, language: str | None = None) -> str:
        return pick_language(self.fix_ja, self.fix_en, language)


class ScheduleRequest(models.Model):
    """A vendor's request to move the target publication; the coordinator grants it
    (through ``change_schedule``) or refuses it with a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="schedule_requests")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="schedule_requests"
    )
    requested_target = models.DateTimeField(_("requested publication"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ScheduleRequestStatus.choices,
        default=ScheduleRequestStatus.OPEN,
    )
    decision_note = models.TextField(_("coordinator's note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("publication date request")
        verbose_name_plural = _("publication date requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="open"),
                name="schedule_request_one_open_per_vendor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.requested_target.isoformat()}"


class VendorReferral(models.Model):
    """A vendor's word that the flaw is in another vendor's product, for the
    coordinator to follow up (find and add that vendor)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vendor_referrals")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="referrals")
    vendor_name = models.CharField(_("vendor"), max_length=200)
    product = models.CharField(_("product"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referred_at = models.DateTimeField(_("told at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral to another vendor")
        verbose_name_plural = _("referrals to other vendors")
        ordering = ["-referred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.participant} → {self.vendor_name}"
