"""Advisories: a draft per language that coordinators edit and approve, and the
immutable published revisions that every public surface reads.

Nothing public ever reads a draft. Pages, feeds, search and exports read only
``AdvisoryRevision`` rows, which the publication job writes at the agreed instant:
before it, there is nothing for a public surface to leak.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Case

from .choices import AdvisoryKind, AdvisoryState, ReviewState

ADVISORY_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9-]*#?[0-9]{8}$"


class AdvisoryQuerySet(models.QuerySet["Advisory"]):
    def published(self) -> AdvisoryQuerySet:
        """Advisories with a public revision: the only ones public surfaces list."""
        return self.filter(state__in=[AdvisoryState.PUBLISHED, AdvisoryState.WITHDRAWN]).exclude(
            current_revision__isnull=True
        )


class Advisory(models.Model):
    case = models.OneToOneField(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advisory",
        verbose_name=_("case"),
    )
    coordinator_org = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    advisory_id = models.CharField(_("advisory ID"), max_length=32, unique=True)
    slug = models.SlugField(_("URL name"), max_length=32, unique=True)  # the ID without "#"
    kind = models.CharField(_("kind"), max_length=16, choices=AdvisoryKind.choices)
    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("Immediate action is strongly recommended.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=AdvisoryState.choices, default=AdvisoryState.DRAFT
    )
    scheduled_for = models.DateTimeField(_("publication scheduled for"), null=True, blank=True)
    # The instant the coordinator chose (an urgent alert: "now" or a set time). Empty:
    # the embargo's end or the case's target, or at once for an alert without a case.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last updated at"), null=True, blank=True)
    current_revision = models.ForeignKey(
        "AdvisoryRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current revision"),
    )
    waived_language = models.CharField(_("language waived"), max_length=2, blank=True)
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason_ja = models.TextField(_("reason for the withdrawal (Japanese)"), blank=True)
    withdrawal_reason_en = models.TextField(_("reason for the withdrawal (English)"), blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped by every change of the draft
    # The facts of an alert without a case (a case's advisory takes them from the case).
    cve_ids: models.JSONField[list[str]] = models.JSONField(_("CVE IDs"), default=list, blank=True)
    cwe_id = models.CharField(_("CWE"), max_length=16, blank=True)
    cvss_v3_vector = models.CharField(_("CVSS v3.1 vector"), max_length=200, blank=True)
    cvss_v4_vector = models.CharField(_("CVSS v4.0 vector"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["state", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(advisory_id__regex=ADVISORY_ID_PATTERN), name="advisory_id_pattern"
            ),
        ]

    def __str__(self) -> str:
        return self.advisory_id

    def text(self, language: str) -> AdvisoryText | None:
        return next((t for t in self.texts.all() if t.language == language), None)


class AdvisoryText(models.Model):
    """The draft in one language; approval covers one version of it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300, blank=True)
    overview = models.TextField(_("overview"), blank=True)
    affected = models.TextField(_("affected products"), blank=True)
    description = models.TextField(_("description"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    references = models.TextField(_("references"), blank=True)
    notes = models.TextField(_("coordinator's notes"), blank=True)
    revision_note = models.TextField(
        _("revision history entry"), blank=True, help_text=_("What this publication changes.")
    )
    version = models.PositiveIntegerField(default=1)
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("advisory text")
        verbose_name_plural = _("advisory texts")
        ordering = ["advisory", "-language"]  # ja first
        constraints = [
            models.UniqueConstraint(fields=["advisory", "language"], name="advisory_text_language")
        ]

    def __str__(self) -> str:
        return f"{self.advisory} [{self.language}]"

    @property
    def approved(self) -> bool:
        return self.approved_version == self.version


class AlertProduct(models.Model):
    """A product an alert without a case names, entered by hand: every listed product
    is affected; a "fixed in" version says which release fixes it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="alert_products")
    vendor_ja = models.CharField(_("vendor (Japanese)"), max_length=200, blank=True)
    vendor_en = models.CharField(_("vendor (English)"), max_length=200)
    name = models.CharField(_("product"), max_length=200)
    versions = models.CharField(_("affected versions"), max_length=200, blank=True)
    fixed_in = models.CharField(_("fixed in"), max_length=100, blank=True)
    cpe = models.CharField(_("CPE 2.3"), max_length=300, blank=True)
    purl = models.CharField(_("package URL"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("alert product")
        verbose_name_plural = _("alert products")
        ordering = ["advisory", "vendor_en", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.vendor_en} {self.name} {self.versions}".strip()


class AdvisoryRevision(models.Model):
    """One published state of an advisory, frozen: what every public surface shows."""

    advisory = models.ForeignKey(Advisory, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    published_at = models.DateTimeField(_("published at"))
    content: models.JSONField[dict[str, Any]] = models.JSONField(_("content"))
    # For the public list's search and filters (derived from ``content``).
    search_text = models.TextField(editable=False, blank=True)  # folded, both languages
    severity = models.CharField(_("highest severity"), max_length=10, blank=True)
    cwe_ids = models.CharField(max_length=500, editable=False, blank=True)  # " CWE-79 CWE-89 "
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("advisory revision")
        verbose_name_plural = _("advisory revisions")
        ordering = ["advisory", "number"]
        constraints = [
            models.UniqueConstraint(fields=["advisory", "number"], name="advisory_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.advisory} r{self.number}"


class VendorReview(models.Model):
    """One vendor's answer to the advisory draft before publication: its row confirmed
    or changes asked for, and the URL and instant of its own advisory, so that both
    publications go out together. One per vendor participant; answering again replaces
    the answer (the audit log keeps every one)."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="reviews")
    participant = models.ForeignKey(
        "cases.Participant",
        on_delete=models.CASCADE,
        related_name="advisory_reviews",
        verbose_name=_("vendor"),
    )
    state = models.CharField(_("answer"), max_length=20, choices=ReviewState.choices)
    comment = models.TextField(_("comment"), blank=True)
    vendor_advisory_url = models.URLField(_("URL of the vendor's advisory"), blank=True)
    vendor_published_at = models.DateTimeField(
        _("publication of the vendor's advisory"), null=True, blank=True
    )
    # The draft the vendor read: the text versions per language ({"ja": 3, "en": 2}).
    draft_versions: models.JSONField[dict[str, int]] = models.JSONField(default=dict)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("vendor review")
        verbose_name_plural = _("vendor reviews")
        ordering = ["advisory", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "participant"], name="advisory_review_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory} / {self.participant_id}: {self.state}"
