"""A report: one submission by a finder, and where the reception desk has taken it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import STAFF_KINDS
from kakehashi.accounts.models import Organisation
from kakehashi.cases.models import Case
from kakehashi.cases.priority import Priority, Scope

from ..choices import (
    FixMethod,
    OperatorType,
    RejectionReason,
    ReportClosureReason,
    SelfCoordination,
    Track,
)
from ..workflow import ReportState, SiteState


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        """Reports the user may open: the desk's own, or the finder's own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        staff = [
            m.organisation_id
            for m in user.memberships_cached()
            if m.organisation.kind in STAFF_KINDS
        ]
        return self.filter(Q(reception_org__in=staff) | Q(finder_user=user))

    def for_desk(self, user: Any) -> ReportQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        desks = [m.organisation_id for m in user.memberships_cached()]
        return self.filter(reception_org__in=desks, reception_org__kind="reception")


class Report(models.Model):
    """What the finder stated (IV.2.5 (ア)–(ケ) or V.2.4), and the desk's handling."""

    tracking_id = models.CharField(_("tracking ID"), max_length=32, unique=True)
    track = models.CharField(_("kind of report"), max_length=16, choices=Track.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.RECEIVED
    )
    site_state = models.CharField(
        _("website handling"),
        max_length=20,
        choices=SiteState.choices,
        default=SiteState.NOT_STARTED,
    )
    reception_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("reception desk")
    )
    # The finder: an account, or a secret follow-up link (only its SHA-256 is kept).
    finder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("finder account"),
    )
    follow_up_digest = models.CharField(max_length=64, blank=True)
    finder_name = models.CharField(_("your name"), max_length=200, blank=True)
    finder_email = models.EmailField(_("your e-mail address"), blank=True)
    finder_phone = models.CharField(_("your telephone number"), max_length=40, blank=True)
    finder_affiliation = models.CharField(_("your organisation"), max_length=200, blank=True)
    # The finder's four disclosure preferences (IV.2.5 (ウ)(エ)(オ)(ク)).
    share_identity_with_vendor = models.BooleanField(
        _("my name and contact may be passed to the vendor"), default=False
    )
    allow_direct_contact = models.BooleanField(
        _("the vendor may contact me directly"), default=False
    )
    publish_credit = models.BooleanField(_("publish my name in the advisory"), default=False)
    credit_name = models.CharField(_("name to publish"), max_length=200, blank=True)
    personal_data_note = models.TextField(_("how my personal data may be handled"), blank=True)
    # What is reported.
    title = models.CharField(_("summary"), max_length=300)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    product_version = models.CharField(_("product version"), max_length=200, blank=True)
    vendor_name = models.CharField(_("vendor"), max_length=200, blank=True)
    site_url = models.URLField(_("website URL"), max_length=500, blank=True)
    description = models.TextField(_("the vulnerability"), blank=True)
    environment = models.TextField(_("environment in which it was confirmed"), blank=True)
    reproduction = models.TextField(_("steps and result"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    cvss_v3_vector = models.CharField(_("CVSS v3.1 vector"), max_length=200, blank=True)
    cvss_v3_score = models.DecimalField(
        _("CVSS v3.1 base score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    other_organisations_told = models.TextField(_("other organisations told"), blank=True)
    self_coordination = models.CharField(
        _("if you told the vendor"),
        max_length=16,
        choices=SelfCoordination.choices,
        default=SelfCoordination.NOT_TOLD,
    )
    planned_talk_title = models.CharField(_("planned talk or paper"), max_length=300, blank=True)
    planned_talk_venue = models.CharField(_("venue"), max_length=300, blank=True)
    planned_talk_date = models.DateField(_("date of the talk"), null=True, blank=True)
    # A vendor's self-report (track SELF_REPORT) says when it wants the advisory out and
    # whether it wants a CVE ID; both travel to the case page for the coordinator and
    # the CNA officer (``intake.case_requests``).
    wanted_publication_at = models.DateTimeField(
        _("wanted publication time"), null=True, blank=True
    )
    cve_requested = models.BooleanField(_("a CVE ID is requested"), default=False)
    encrypted_body = models.TextField(_("encrypted report"), blank=True)
    decrypted_at = models.DateTimeField(_("decrypted at"), null=True, blank=True)
    # The desk's handling.
    submitted_at = models.DateTimeField(_("received at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at (受理日)"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for not accepting"), max_length=24, choices=RejectionReason.choices, blank=True
    )
    decision_note = models.TextField(_("note to the finder"), blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=ReportClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.WIDE)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_rank = models.PositiveSmallIntegerField(default=1, db_index=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("case"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    fix_method = models.CharField(
        _("how it was fixed"), max_length=24, choices=FixMethod.choices, blank=True
    )
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    operator_notified_at = models.DateTimeField(
        _("operator first contacted"), null=True, blank=True
    )
    operator_type = models.CharField(
        _("type of operator"),
        max_length=20,
        choices=OperatorType.choices,
        blank=True,
        help_text=_("Counted in the quarterly statistics; the site itself never is."),
    )
    revision = models.PositiveIntegerField(default=1)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["priority_rank", "submitted_at"]
        indexes = [models.Index(fields=["reception_org", "state", "priority_rank"])]

    def __str__(self) -> str:
        return f"{self.tracking_id} {self.title}"

    @property
    def is_website(self) -> bool:
        return self.track == Track.WEBSITE

    @property
    def is_self_report(self) -> bool:
        return self.track == Track.SELF_REPORT

    @property
    def is_encrypted_pending(self) -> bool:
        return bool(self.encrypted_body) and self.decrypted_at is None
