"""The publication committee's file (公表判定委員会, guideline IV.3(2)).

Every row is an immutable record: rows are added, never edited or deleted
(``AppendOnly.save`` refuses an update, ``delete`` refuses always). A correction is a
new row; the newest row of its kind counts. The only change to an existing row is the
file's closing stamp, set once by a conditional update in the decision action.

The file carries snapshots of what the committee needs from the case (the
vulnerabilities and every contact attempt, as they were when the file was opened), so
committee members never need the case itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Role
from kakehashi.cases.models import Case
from kakehashi.cases.models.case import pick_language

from .choices import Criterion, Ground, NoticeMethod, OpinionForm, Outcome

# Who may open a file at all: the committee's members, and the coordinators and
# administrators of the case's coordinator organisation.
FILE_ROLES = frozenset({Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMINISTRATOR})


class ImmutableRecord(Exception):
    def __init__(self) -> None:
        super().__init__(_t("A committee record cannot be changed; add a correction instead."))


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord


class FileQuerySet(models.QuerySet["CommitteeFile"]):
    def visible_to(self, user: Any) -> FileQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        organisations = [
            m.organisation_id for m in user.memberships_cached() if m.role in FILE_ROLES
        ]
        return self.filter(case__coordinator_org__in=organisations)


class CommitteeFile(AppendOnly):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="committee_files")
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    listing = models.ForeignKey(
        "unreachable.UnreachableListing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_files",
        verbose_name=_("unreachable listing"),
    )
    vendor_name = models.CharField(_("developer"), max_length=200)
    statement = models.TextField(_("why coordination is impossible"))
    # Snapshots taken when the file was opened (see the module docstring).
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list)
    contact_history = models.JSONField(_("contact history"), default=list)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee file")
        verbose_name_plural = _("committee files")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(closed_at__isnull=True),
                name="committee_one_open_file_per_case",
            )
        ]

    def __str__(self) -> str:
        return _t("Committee file %(number)d") % {"number": self.pk}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def for_unreachable(self) -> bool:
        return self.ground == Ground.UNREACHABLE


class _Entry(AppendOnly):
    file = models.ForeignKey(CommitteeFile, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        abstract = True
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DraftText(_Entry):
    """The draft publication text sent to the vendor; the newest is current."""

    text_ja = models.TextField(_("draft text (Japanese)"), blank=True)
    text_en = models.TextField(_("draft text (English)"), blank=True)

    class Meta(_Entry.Meta):
        verbose_name = _("draft publication text")

    def text(self, language: str | None = None) -> str:
        return pick_language(self.text_ja, self.text_en, language)


class Notice(_Entry):
    """Notice to the vendor, with where and by when to send an opinion (IV.3(2)3)."""

    method = models.CharField(_("method"), max_length=16, choices=NoticeMethod.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    opinion_deadline = models.DateTimeField(_("opinion deadline"))
    automatic = models.BooleanField(_("recorded by the platform"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta(_Entry.Meta):
        verbose_name = _("notice to the vendor")


class Opinion(_Entry):
    """The vendor's opinion, in writing or at an oral hearing (IV.3(2)4)."""

    form = models.CharField(_("form"), max_length=8, choices=OpinionForm.choices)
    author = models.CharField(_("from"), max_length=200)
    received_at = models.DateTimeField(_("received at"))
    text = models.TextField(_("opinion or hearing record"))

    class Meta(_Entry.Meta):
        verbose_name = _("opinion")


class OpinionAttachment(AppendOnly):
    """A document that came with an opinion, kept in private storage and served only
    as a download (``intake.downloads``: never rendered in our origin)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=220)
    storage_key = models.CharField(max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("opinion attachment")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Assessment(_Entry):
    """One of the four criteria, met or not, with the reasoning; the newest per
    criterion counts."""

    criterion = models.CharField(_("criterion"), max_length=1, choices=Criterion.choices)
    met = models.BooleanField(_("met"))
    reasoning = models.TextField(_("reasoning"))

    class Meta(_Entry.Meta):
        verbose_name = _("criterion assessment")


class Decision(_Entry):
    """The outcome with its reasons; a file has at most one, and it closes the file."""

    file = models.OneToOneField(CommitteeFile, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reasons = models.TextField(_("reasons"))

    class Meta(_Entry.Meta):
        verbose_name = _("committee decision")


class VendorStatement(_Entry):
    """The vendor's statement, printed beside the advisory when it asks (not for an
    unreachable vendor)."""

    text_ja = models.TextField(_("statement (Japanese)"), blank=True)
    text_en = models.TextField(_("statement (English)"), blank=True)

    class Meta(_Entry.Meta):
        verbose_name = _("vendor statement")


class MetiConfirmation(_Entry):
    """METI's confirmation that the procedure was followed (not for an unreachable
    vendor)."""

    confirmed_at = models.DateTimeField(_("confirmed at"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta(_Entry.Meta):
        verbose_name = _("METI confirmation")
