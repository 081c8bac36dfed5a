"""Case, Participant, Vulnerability and the products a case is about."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import STAFF_KINDS, Role
from kakehashi.accounts.models import Organisation

from ..choices import FIX_PATH_ROLES, CaseOrigin, ClosureReason, EmbargoAttention, ParticipantRole
from ..priority import Priority, Scope
from ..workflow import EMState, PECState, Phase, RMState


def pick_language(ja: str, en: str, language: str | None = None) -> str:
    """The text in the viewer's language, falling back to the other one."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if language.startswith("ja"):
        return ja or en
    return en or ja


class CaseQuerySet(models.QuerySet["Case"]):
    def for_desk(self, user: Any) -> CaseQuerySet:
        """Cases on the user's desk: those run by one of the user's staff organisations."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        staff = [
            m.organisation_id
            for m in user.memberships_cached()
            if m.organisation.kind in STAFF_KINDS and m.role != Role.COMMITTEE_MEMBER
        ]
        return self.filter(Q(coordinator_org__in=staff) | Q(reception_org__in=staff))


class Case(models.Model):
    """The coordination of one or more vulnerabilities among its participants."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary = models.TextField(_("internal summary"), blank=True)
    origin = models.CharField(
        _("origin"), max_length=20, choices=CaseOrigin.choices, default=CaseOrigin.MANUAL
    )
    reception_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reception desk"),
    )
    coordinator_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    handed_off_at = models.DateTimeField(_("handed to coordination at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    phase = models.CharField(
        _("phase"), max_length=32, choices=Phase.choices, default=Phase.FORWARDED
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    em_state = models.CharField(
        _("embargo state"), max_length=1, choices=EMState.choices, default=EMState.NONE
    )
    # The world half of the Vultron case state: public aware, exploit public, attacks.
    pxa = models.CharField(_("world state"), max_length=3, default="pxa")
    embargo_attention = models.CharField(
        _("embargo needs attention"),
        max_length=200,
        blank=True,
        choices=EmbargoAttention.choices,
        help_text=_(
            "Set when an event (such as observed attacks) asks the coordinator to end the embargo."
        ),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.WIDE)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_rank = models.PositiveSmallIntegerField(default=1, db_index=True)
    day_zero = models.DateField(
        _("day zero"),
        null=True,
        blank=True,
        help_text=_("起算日: the JST day of the first attempt to contact any vendor."),
    )
    day_zero_at = models.DateTimeField(_("first contact attempt"), null=True, blank=True)
    details_sent_at = models.DateTimeField(_("details sent at"), null=True, blank=True)
    target_publication_at = models.DateTimeField(_("target publication"), null=True, blank=True)
    nondisclosure_lifted_at = models.DateTimeField(
        _("non-disclosure request lifted at"), null=True, blank=True
    )
    planned_talk_title = models.CharField(_("planned talk or paper"), max_length=300, blank=True)
    planned_talk_venue = models.CharField(_("venue"), max_length=300, blank=True)
    planned_talk_date = models.DateField(_("date of the talk"), null=True, blank=True)
    talk_without_details = models.BooleanField(
        _("the talk gives no details before publication"),
        default=False,
        help_text=_(
            "Agreed with the finder: the talk or paper goes ahead without the vulnerability's "
            "details, so it no longer has to come after the publication."
        ),
    )
    # Bumped by every case-level action: a form carries the revision it was rendered
    # from, so of two people acting on the same case at once exactly one wins.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["priority_rank", "-created_at"]
        indexes = [
            models.Index(fields=["phase", "priority_rank"]),
            models.Index(fields=["priority_rank", "target_publication_at"]),
            models.Index(fields=["target_publication_at"]),
            models.Index(fields=["coordinator_org", "phase"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pxa__regex=r"^[pP][xX][aA]$"), name="case_pxa_letters"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title()}".strip()

    def title(self, language: str | None = None) -> str:
        return pick_language(self.title_ja, self.title_en, language)

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED

    @property
    def embargo_in_force(self) -> bool:
        return self.em_state in (EMState.ACTIVE, EMState.REVISE)

    @property
    def talk_before_target(self) -> bool:
        """Whether the finder's planned talk falls on a day before the target
        publication's JST day: the coordinator is warned, the vendor told that the date
        is being negotiated. A talk on the target's own day counts as after it."""
        from kakehashi.core.dates import jst_date

        target = self.target_publication_at
        if self.planned_talk_date is None or target is None:
            return False
        return self.planned_talk_date < jst_date(target)

    @property
    def talk_constrains_target(self) -> bool:
        """A talk before the target that will disclose details: the date must move,
        or the finder agree to present without them (``talk_without_details``)."""
        return self.talk_before_target and not self.talk_without_details


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def current(self) -> ParticipantQuerySet:
        return self.filter(removed_at__isnull=True)

    def vendors(self) -> ParticipantQuerySet:
        return self.current().filter(role=ParticipantRole.VENDOR)


class Participant(models.Model):
    """An organisation or a person in a case, with its own RM, fix path and consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("For a person or body without an account."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    rm_state = models.CharField(
        _("report management"), max_length=1, choices=RMState.choices, default=RMState.START
    )
    vfd = models.CharField(_("fix path"), max_length=3, blank=True)
    pec_state = models.CharField(
        _("embargo consent"),
        max_length=16,
        choices=PECState.choices,
        default=PECState.NO_EMBARGO,
    )
    pec_deadline = models.DateTimeField(_("answer the embargo by"), null=True, blank=True)
    notified_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    details_sent_at = models.DateTimeField(_("details sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "role"],
                condition=Q(organisation__isnull=False, removed_at__isnull=True),
                name="participant_one_current_per_organisation_role",
            ),
            models.CheckConstraint(
                condition=Q(vfd="") | Q(vfd__regex=r"^(vfd|Vfd|VFd|VFD)$"),
                name="participant_vfd_valid_fix_path",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        if self.organisation is not None:
            return self.organisation.display_name(language)
        if self.user_id is not None:
            return str(self.user)
        return self.name or self.email

    @property
    def tracks_fix_path(self) -> bool:
        return self.role in FIX_PATH_ROLES

    @property
    def is_current(self) -> bool:
        return self.removed_at is None


class Vulnerability(models.Model):
    """One vulnerability in a case; texts per language, scored with ``cvss``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vulnerabilities")
    number = models.PositiveSmallIntegerField(_("number"))
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    cwe_id = models.CharField(_("CWE"), max_length=16, blank=True)
    cvss_v3_vector = models.CharField(_("CVSS v3.1 vector"), max_length=200, blank=True)
    cvss_v3_score = models.DecimalField(
        _("CVSS v3.1 base score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    cvss_v4_vector = models.CharField(_("CVSS v4.0 vector"), max_length=300, blank=True)
    cvss_v4_score = models.DecimalField(
        _("CVSS v4.0 score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    cve_id = models.CharField(_("CVE ID"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="vulnerability_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title()}"

    def title(self, language: str | None = None) -> str:
        return pick_language(self.title_ja, self.title_en, language)


class CaseProduct(models.Model):
    """A vendor's product touched by a case (CPE and purl where known)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="products")
    vendor = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name=_("vendor"),
    )
    name = models.CharField(_("product"), max_length=200)
    versions = models.CharField(_("affected versions"), max_length=300, blank=True)
    cpe = models.CharField(_("CPE 2.3"), max_length=300, blank=True)
    purl = models.CharField(_("package URL"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["vendor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="case_product_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
