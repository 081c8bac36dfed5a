"""Justified disclosures of a case's information before its publication.

One ``Disclosure`` row per act of sharing (or per vendor's request to share), with
who asked, who approved, what was shared, under which terms and to whom; its
``Recipient`` rows say how each recipient received the package. Rows are written
only by ``disclosures.actions``; an approved or refused disclosure never changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Case, Participant
from kakehashi.cases.models.case import pick_language

from .choices import DeliveryState, DisclosureKind, DisclosureState


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def of_vendor(self, participant: Participant) -> DisclosureQuerySet:
        """A vendor's own requests in its case: all a vendor may see of this log."""
        return self.filter(case_id=participant.case_id, vendor=participant)


class Disclosure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(_("kind"), max_length=32, choices=DisclosureKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=DisclosureState.choices, default=DisclosureState.APPROVED
    )
    summary = models.TextField(_("what is shared"))
    includes_fix = models.BooleanField(_("the fix is included"), default=False)
    justification = models.TextField(_("justification"), blank=True)
    terms_ja = models.TextField(_("confidentiality terms (Japanese)"), blank=True)
    terms_en = models.TextField(_("confidentiality terms (English)"), blank=True)
    # Guideline IV.4.8: the coordinator consults the reception desk (IPA) and the
    # vendor before a critical-infrastructure pre-release.
    reception_consulted_on = models.DateField(
        _("reception desk consulted on"), null=True, blank=True
    )
    reception_consultation = models.TextField(_("reception desk's answer"), blank=True)
    vendor_consulted_on = models.DateField(_("vendor consulted on"), null=True, blank=True)
    vendor_consultation = models.TextField(_("vendor's answer"), blank=True)
    # A vendor's notice to its own users: the vendor and to whom it will tell.
    vendor = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vendor"),
    )
    audience = models.TextField(_("to whom"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved or refused by"),
    )
    decided_at = models.DateTimeField(_("approved or refused at"), null=True, blank=True)
    decision_note = models.TextField(_("coordinator's note"), blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["case", "requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(terms_ja="") | ~Q(terms_en=""), name="disclosure_has_terms"
            ),
            models.CheckConstraint(
                condition=~Q(kind="critical_infrastructure")
                | (Q(reception_consulted_on__isnull=False) & Q(vendor_consulted_on__isnull=False)),
                name="disclosure_critical_infrastructure_consulted",
            ),
            models.CheckConstraint(
                condition=Q(state="requested") | Q(decided_at__isnull=False),
                name="disclosure_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()}"

    def terms(self, language: str | None = None) -> str:
        return pick_language(self.terms_ja, self.terms_en, language)

    @property
    def is_pending(self) -> bool:
        return self.state == DisclosureState.REQUESTED


class Recipient(models.Model):
    """One organisation or person the information was given to."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )
    key = models.TextField(_("OpenPGP public key"), blank=True)
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=64, blank=True)
    key_expires_at = models.DateTimeField(_("key expires at"), null=True, blank=True)
    delivery = models.CharField(
        _("delivery"),
        max_length=16,
        choices=DeliveryState.choices,
        default=DeliveryState.OTHER_CHANNEL,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery_error = models.CharField(_("delivery error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["disclosure", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(organisation="") | ~Q(name=""), name="recipient_named"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self) -> str:
        if self.organisation and self.name:
            return f"{self.name} ({self.organisation})"
        return self.name or self.organisation

    def as_dict(self) -> dict[str, Any]:
        return {"organisation": self.organisation, "name": self.name, "email": self.email}
