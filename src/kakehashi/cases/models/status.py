"""What each vendor says about each vulnerability in each product (VEX-grade)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import VexJustification, VexStatus
from .case import Case, CaseProduct, Participant, Vulnerability, pick_language


class VendorStatusFields(models.Model):
    """The fields a status and each of its history rows share."""

    status = models.CharField(_("status"), max_length=24, choices=VexStatus.choices)
    justification = models.CharField(
        _("justification"), max_length=64, choices=VexJustification.choices, blank=True
    )
    reason = models.TextField(_("reason for the dispute"), blank=True)
    statement_ja = models.TextField(_("statement (Japanese)"), blank=True)
    statement_en = models.TextField(_("statement (English)"), blank=True)
    fixed_in = models.CharField(_("fixed in version"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        abstract = True

    def statement(self, language: str | None = None) -> str:
        return pick_language(self.statement_ja, self.statement_en, language)


class VendorStatus(VendorStatusFields):
    """The current status of one vendor × vulnerability × product (product optional:
    without one, the status covers all of the vendor's products in the case)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vendor_statuses")
    vendor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="statuses")
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, related_name="vendor_statuses"
    )
    product = models.ForeignKey(
        CaseProduct, null=True, blank=True, on_delete=models.CASCADE, related_name="statuses"
    )
    version = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        verbose_name = _("vendor status")
        verbose_name_plural = _("vendor statuses")
        indexes = [models.Index(fields=["case", "updated_at"])]  # the timeline's newest
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "vulnerability", "product"],
                condition=Q(product__isnull=False),
                name="vendor_status_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["vendor", "vulnerability"],
                condition=Q(product__isnull=True),
                name="vendor_status_one_without_product",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_affected") | ~Q(justification=""),
                name="vendor_status_not_affected_needs_justification",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(reason=""),
                name="vendor_status_disputed_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} / {self.vulnerability}: {self.get_status_display()}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class VendorStatusHistory(VendorStatusFields):
    """Every version of a status, written by the action that made it; never changed."""

    vendor_status = models.ForeignKey(
        VendorStatus, on_delete=models.CASCADE, related_name="history"
    )
    version = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("vendor status version")
        verbose_name_plural = _("vendor status versions")
        ordering = ["vendor_status", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_status", "version"], name="vendor_status_history_version"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.status}"
