"""Users, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ORGANISATION_MANAGER_ROLES, STAFF_KINDS, OrganisationKind, Role, TokenScope

if TYPE_CHECKING:
    from collections.abc import Iterable


def default_timezone() -> str:
    """The operator's zone (settings.TIME_ZONE), read at row creation, not in migrations."""
    return settings.TIME_ZONE


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class User(AbstractUser):
    """A person. What they may see follows from their memberships, never from flags."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default=default_timezone, validators=[validate_timezone]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def memberships_cached(self) -> list[Membership]:
        """Memberships with their organisations, loaded once per request object."""
        cached: list[Membership] | None = getattr(self, "_memberships_cache", None)
        if cached is None:
            cached = list(Membership.objects.filter(user=self).select_related("organisation"))
            self._memberships_cache = cached
        return cached

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships_cached()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def organisation_kinds(self) -> set[str]:
        return {m.organisation.kind for m in self.memberships_cached()}

    def is_desk_staff(self) -> bool:
        """Staff of the operator: reception or coordination organisations."""
        return bool(self.organisation_kinds() & STAFF_KINDS)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: Any) -> OrganisationQuerySet:
        """Organisations whose private details the user may see.

        Desk staff see every organisation; everyone else sees the ones they belong to.
        The public vendor list is a separate, consent-filtered query.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.is_desk_staff():
            return self.all()
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    """A reception desk, coordinator, vendor, partner CERT or finder organisation."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    mfa_required = models.BooleanField(
        _("MFA required"),
        null=True,
        blank=True,
        help_text=_("Leave empty to follow the default for this kind of organisation."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = language or get_language() or settings.LANGUAGE_CODE
        if language.startswith("ja") and self.name_ja:
            return self.name_ja
        return self.name_en or self.name_ja

    def requires_mfa(self) -> bool:
        if self.mfa_required is not None:
            return self.mfa_required
        return self.kind in settings.KAKEHASHI_MFA_REQUIRED_KINDS


class Membership(models.Model):
    """One role of one user in one organisation (a user may hold several roles)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_manage_members(self) -> bool:
        return self.role in ORGANISATION_MANAGER_ROLES


class Invitation(models.Model):
    """An organisation administrator's invitation for an e-mail address to take a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token: only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> Iterable[str]:
        labels = dict(TokenScope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]
