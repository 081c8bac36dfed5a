"""The public listing of developers who could not be reached (連絡不能開発者一覧).

A listing belongs to one vendor participant of one case. It is never deleted: removal
stamps ``removed_at`` and the row stays as history, and its DID number (問合せ番号) is
never given to another listing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Role
from kakehashi.cases.models import Case, Participant
from kakehashi.cases.models.case import pick_language

from .choices import DeveloperKind, RemovalReason

COORDINATING_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})


class ListingQuerySet(models.QuerySet["UnreachableListing"]):
    def public(self) -> ListingQuerySet:
        """What the public list shows: entries not removed, oldest DID first."""
        return self.filter(removed_at__isnull=True).order_by("number")

    def visible_to(self, user: Any) -> ListingQuerySet:
        """The desk's view: coordinators and administrators of the case's coordinator."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        organisations = [
            m.organisation_id for m in user.memberships_cached() if m.role in COORDINATING_ROLES
        ]
        return self.filter(case__coordinator_org__in=organisations)


class UnreachableListing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="unreachable_listings")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="unreachable_listings"
    )
    # 問合せ番号: shown as KAKEHASHI_DID_PREFIX + eight digits; never reused.
    number = models.PositiveIntegerField(_("DID number"), unique=True)
    kind = models.CharField(_("kind of developer"), max_length=16, choices=DeveloperKind.choices)
    developer_name_ja = models.CharField(_("developer (Japanese)"), max_length=200, blank=True)
    developer_name_en = models.CharField(_("developer (English)"), max_length=200, blank=True)
    related_information = models.CharField(
        _("related information"),
        max_length=500,
        blank=True,
        help_text=_("For example the developer's or the product's web address."),
    )
    remarks_ja = models.CharField(_("remarks (Japanese)"), max_length=500, blank=True)
    remarks_en = models.CharField(_("remarks (English)"), max_length=500, blank=True)
    # The first unanswered contact attempt: an answer after it means contact resumed.
    silent_since = models.DateTimeField(_("silent since"))
    listed_at = models.DateTimeField(_("date added"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    product_version = models.CharField(_("version"), max_length=200, blank=True)
    product_listed_at = models.DateTimeField(_("product information added"), null=True)
    product_listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_deadline = models.DateField(_("contact deadline"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.CharField(
        _("reason for removal"), max_length=24, choices=RemovalReason.choices, blank=True
    )
    removal_note = models.TextField(_("note"), blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("unreachable-developer listing")
        verbose_name_plural = _("unreachable-developer listings")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(removed_at__isnull=True),
                name="unreachable_one_open_listing_per_participant",
            ),
            models.CheckConstraint(
                condition=~Q(developer_name_ja="", developer_name_en="")
                | ~Q(remarks_ja="", remarks_en=""),
                name="unreachable_named_or_described",
            ),
        ]

    def __str__(self) -> str:
        return self.did

    @property
    def did(self) -> str:
        return f"{settings.KAKEHASHI_DID_PREFIX}{self.number:08d}"

    @property
    def is_open(self) -> bool:
        return self.removed_at is None

    def developer(self, language: str | None = None) -> str:
        return pick_language(self.developer_name_ja, self.developer_name_en, language)

    def remarks(self, language: str | None = None) -> str:
        return pick_language(self.remarks_ja, self.remarks_en, language)

    def product_information(self) -> str:
        return " ".join(part for part in (self.product_name, self.product_version) if part)
