"""CVE IDs this CNA owns, the records published under them, and the CVE Services
credentials. Rows change only through ``actions`` and the sync jobs in ``tasks``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.cases.models import Vulnerability

from .choices import IdSource, IdState, SyncState

CVE_ID_PATTERN = r"^CVE-[0-9]{4}-[0-9]{4,19}$"
validate_cve_id = RegexValidator(
    CVE_ID_PATTERN, _("A CVE ID looks like CVE-2026-12345 (year, then four or more digits).")
)


class CveId(models.Model):
    """One CVE ID owned by this CNA: reserved at CVE Services or entered by hand."""

    cve_id = models.CharField(_("CVE ID"), max_length=32, unique=True, validators=[validate_cve_id])
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveBigIntegerField(_("sequence number"))  # for numeric ordering
    state = models.CharField(
        _("state at CVE Services"), max_length=10, choices=IdState.choices, default=IdState.RESERVED
    )
    source = models.CharField(_("source"), max_length=10, choices=IdSource.choices)
    owning_cna = models.CharField(_("owning CNA"), max_length=32)
    reserved_at = models.DateTimeField(_("reserved at"), default=timezone.now)
    vulnerability = models.OneToOneField(
        Vulnerability,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cve",
        verbose_name=_("vulnerability"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("CVE ID")
        verbose_name_plural = _("CVE IDs")
        ordering = ["year", "sequence"]
        indexes = [models.Index(fields=["state", "year", "sequence"])]
        constraints = [
            models.CheckConstraint(condition=Q(cve_id__regex=CVE_ID_PATTERN), name="cveid_pattern"),
            # An ID is never assigned twice: once given to a vulnerability it stays with it.
            models.CheckConstraint(
                condition=Q(vulnerability__isnull=True) | Q(assigned_at__isnull=False),
                name="cveid_assigned_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.cve_id

    @property
    def is_free(self) -> bool:
        return self.state == IdState.RESERVED and self.vulnerability_id is None


class CveRecord(models.Model):
    """The record of one assigned ID: the author's texts, the container last generated
    from the case, and where it stands at CVE Services."""

    cve = models.OneToOneField(
        CveId, on_delete=models.PROTECT, related_name="record", verbose_name=_("CVE ID")
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    references = models.JSONField(
        _("further references"),
        default=list,
        blank=True,
        help_text=_("Vendor advisories and other public pages: url, name, tags."),
    )
    cna_tags = models.JSONField(_("record tags"), default=list, blank=True)
    reject_reason = models.TextField(_("reason for rejection (English)"), blank=True)
    sync_state = models.CharField(
        _("sync state"), max_length=16, choices=SyncState.choices, default=SyncState.DRAFT
    )
    # Bumped by every edit; the sync job sends the version it was queued for, once.
    version = models.PositiveIntegerField(default=1)
    synced_version = models.PositiveIntegerField(default=0)
    container = models.JSONField(_("CNA container sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
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
        verbose_name = _("CVE record")
        verbose_name_plural = _("CVE records")
        ordering = ["cve"]

    def __str__(self) -> str:
        return f"{self.cve} ({self.sync_state})"


class ServiceCredential(models.Model):
    """The CNA's CVE Services API user and secret; the secret is stored encrypted
    (``kakehashi.cna.secrets``) and never shown again after it is set."""

    username = models.CharField(_("API user"), max_length=200)
    encrypted_key = models.BinaryField(editable=False)
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )

    class Meta:
        verbose_name = _("CVE Services credential")
        verbose_name_plural = _("CVE Services credentials")
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return self.username


class CorpusRecord(models.Model):
    """One CVE record imported into the corpus (``kakehashi cna import``): the fields
    the known-vulnerability check and the corpus search read, not the whole record.

    ``search_text`` is the folded (NFKC, case-folded) text searched by substring; a
    trigram index keeps that fast (FTS5 on SQLite, pg_trgm on PostgreSQL; migration
    0002). Rows are written only by ``kakehashi.cna.importer``.
    """

    cve_id = models.CharField(_("CVE ID"), max_length=32, unique=True)
    state = models.CharField(_("state"), max_length=10)
    assigner_short_name = models.CharField(_("assigner"), max_length=32, blank=True)
    assigner_org_id = models.CharField(_("assigner's organisation ID"), max_length=36, blank=True)
    date_published = models.DateTimeField(_("published"), null=True, blank=True)
    date_updated = models.DateTimeField(_("updated at CVE"), null=True, blank=True)
    title = models.TextField(_("title"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    vendors = models.JSONField(_("vendors"), default=list)
    products = models.JSONField(_("products"), default=list)
    cpes = models.JSONField(_("CPEs"), default=list)
    purls = models.JSONField(_("package URLs"), default=list)
    # SHA-256 of the record's canonical JSON: an unchanged record is skipped on re-import.
    digest = models.CharField(_("digest"), max_length=64)
    search_text = models.TextField(editable=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("corpus record")
        verbose_name_plural = _("corpus records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.cve_id

    @property
    def description(self) -> str:
        return self.description_en or self.description_ja
