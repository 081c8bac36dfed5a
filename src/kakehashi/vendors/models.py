"""The vendor registry (製品開発者リスト): one profile per vendor organisation, with its
contact points, OpenPGP keys and products. Rows change only through ``actions``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation, default_timezone, validate_timezone
from kakehashi.cases.models import Case, Participant

from .choices import ContactKind, EmailRole, NoticeState, RegistrationType, VersionScheme
from .identifiers import fold, validate_cpe, validate_purl

validate_web_url = URLValidator(schemes=["http", "https"])


class VendorProfileQuerySet(models.QuerySet["VendorProfile"]):
    def visible_to(self, user: Any) -> VendorProfileQuerySet:
        """Desk staff see every entry; a vendor's members see their own; others none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.is_desk_staff():
            return self.all()
        own = [
            m.organisation_id
            for m in user.memberships_cached()
            if m.organisation.kind == OrganisationKind.VENDOR
        ]
        return self.filter(organisation_id__in=own)

    def publicly_listed(self) -> VendorProfileQuerySet:
        """The public vendor list: only vendors that consented to appear in it."""
        return self.filter(public_listing=True).select_related("organisation")


class VendorProfile(models.Model):
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="vendor_profile",
        limit_choices_to={"kind": OrganisationKind.VENDOR},
        verbose_name=_("organisation"),
    )
    registration_type = models.CharField(
        _("registration type"),
        max_length=16,
        choices=RegistrationType.choices,
        default=RegistrationType.GENERAL,
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_timezone, validators=[validate_timezone]
    )
    keywords = models.TextField(
        _("technology keywords"), blank=True, help_text=_("One or more per line.")
    )
    search_keywords = models.TextField(editable=False, blank=True)  # fold(keywords)
    public_listing = models.BooleanField(
        _("listed publicly"),
        default=False,
        help_text=_("The vendor consented to appear in the public vendor list."),
    )
    direct_report_url = models.URLField(
        _("direct-report window"),
        blank=True,
        validators=[validate_web_url],
        help_text=_("Where finders may report to the vendor directly; shown in the public list."),
    )
    overseas = models.BooleanField(_("overseas vendor"), default=False)
    coordinating_partner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_vendors",
        limit_choices_to={"kind": OrganisationKind.PARTNER_CERT},
        verbose_name=_("coordinating partner CERT"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = VendorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor profile")
        verbose_name_plural = _("vendor profiles")

    def __str__(self) -> str:
        return str(self.organisation)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_keywords = fold(self.keywords)
        super().save(*args, **kwargs)


class ContactPoint(models.Model):
    profile = models.ForeignKey(
        VendorProfile, on_delete=models.CASCADE, related_name="contact_points"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=500)
    email_role = models.CharField(
        _("e-mail role"), max_length=2, choices=EmailRole.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class VendorKey(models.Model):
    """A vendor's OpenPGP public key, stored only after ``pgp.validate_recipient_key``."""

    profile = models.ForeignKey(VendorProfile, on_delete=models.CASCADE, related_name="keys")
    armored = models.TextField(_("public key"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    can_encrypt = models.BooleanField(_("can encrypt"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vendor key")
        verbose_name_plural = _("vendor keys")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "fingerprint"], name="vendorkey_unique_fingerprint"
            )
        ]

    def __str__(self) -> str:
        return self.fingerprint


class Product(models.Model):
    profile = models.ForeignKey(VendorProfile, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("product name"), max_length=200)
    cpe = models.CharField(_("CPE 2.3 name"), max_length=500, blank=True, validators=[validate_cpe])
    purl = models.CharField(
        _("package URL (purl)"), max_length=500, blank=True, validators=[validate_purl]
    )
    version_scheme = models.CharField(
        _("version scheme"),
        max_length=16,
        choices=VersionScheme.choices,
        default=VersionScheme.OTHER,
    )
    keywords = models.TextField(_("keywords"), blank=True)
    search_text = models.TextField(editable=False, blank=True)  # fold(name + keywords)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["cpe"], name="vendors_product_cpe"),
            models.Index(fields=["purl"], name="vendors_product_purl"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(f"{self.name}\n{self.keywords}")
        super().save(*args, **kwargs)


class VendorGroup(models.Model):
    """Vendors that a case often touches together (e.g. every vendor shipping one
    library); adding the group to a case adds each member once."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        VendorProfile, related_name="groups", blank=True, verbose_name=_("members")
    )
    search_text = models.TextField(editable=False, blank=True)  # fold(names + description)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("vendor group")
        verbose_name_plural = _("vendor groups")
        ordering = ["name_en", "id"]

    def __str__(self) -> str:
        return self.name_en or self.name_ja

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(f"{self.name_ja}\n{self.name_en}\n{self.description}")
        super().save(*args, **kwargs)

    def display_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        japanese = (language or get_language() or "").startswith("ja")
        return (self.name_ja if japanese else self.name_en) or self.name_en or self.name_ja


class VendorNotice(models.Model):
    """The notice to one vendor of one case: its first mail and the reminders that
    follow until the vendor acknowledges. ``step`` 0 is the first notice, 1… the
    escalation steps (``KAKEHASHI_VENDOR_ESCALATION_BUSINESS_DAYS``)."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="notice")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=NoticeState.choices, default=NoticeState.QUEUED
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    first_sent_at = models.DateTimeField(_("first sent at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    next_escalation_at = models.DateTimeField(_("next reminder due"), null=True, blank=True)
    other_channels_needed = models.BooleanField(_("other channels needed"), default=False)
    details_included = models.BooleanField(_("vulnerability details sent"), default=False)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("vendor notice")
        verbose_name_plural = _("vendor notices")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_escalation_at"], name="vendors_notice_due"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} step {self.step} ({self.state})"
