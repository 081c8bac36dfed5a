"""What the vendor portal (and the vendor API) shows of a case to one participating
vendor, read in a fixed number of queries.

The boundary is drawn here, once, for both: the case's title and reference, its
vulnerabilities, the vendor's own products and statuses, the schedule and embargo
(with the date of a public talk planned about the case, never its title or venue),
the vendor's own answer and requests — and other vendors' statuses only when that
vendor chose to share them. Never the desk's internal summary, other vendors'
contact data or answers, and the finder only as far as the finder allowed."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString

from kakehashi.cases.choices import ScheduleRequestStatus
from kakehashi.cases.models import (
    Case,
    CaseProduct,
    Embargo,
    EmbargoProposal,
    Participant,
    ScheduleRequest,
    VendorReferral,
    VendorResponse,
    VendorStatus,
    Vulnerability,
)
from kakehashi.cases.workflow import EMState
from kakehashi.core.markdown import render_markdown

UTC = zoneinfo.ZoneInfo("UTC")
JST = zoneinfo.ZoneInfo("Asia/Tokyo")


@dataclass
class Instant:
    """One instant as a vendor reads it: in its own zone, in JST and in UTC."""

    at: datetime
    zone: str

    # Formatted here: the template ``date`` filter would convert to the active zone.
    @property
    def local(self) -> str:
        return f"{self.at.astimezone(_zone(self.zone)):%Y-%m-%d %H:%M}"

    @property
    def jst(self) -> str:
        return f"{self.at.astimezone(JST):%Y-%m-%d %H:%M}"

    @property
    def utc(self) -> str:
        return f"{self.at.astimezone(UTC):%Y-%m-%d %H:%M}"

    @property
    def iso(self) -> str:
        return self.at.astimezone(UTC).isoformat()

    @property
    def is_past(self) -> bool:
        return self.at <= timezone.now()


@dataclass
class PlannedTalk:
    """A public talk planned about the case, as its vendors may know of it: a day the
    publication should come before, and nothing more.

    The report form asks the finder whether their *name and contact* may be passed to
    the vendor, never whether their talk may. Knowing that a talk about its product is
    planned on a given day, a vendor would find the speaker in the conference's
    programme; so the vendor is told only that the report asks for publication before
    that day. Only the vendors that reach the case page receive it
    (``access_participation``: those that may receive pre-publication information),
    and only before publication.
    """

    on: date
    today: date  # in the vendor's zone
    negotiating: bool  # no target yet, or the target falls after the talk
    without_details: bool = False  # the finder agreed to present without details

    @property
    def iso(self) -> str:
        return self.on.isoformat()

    @property
    def days_left(self) -> int:
        return (self.on - self.today).days

    @property
    def is_past(self) -> bool:
        return self.days_left < 0


def planned_talk(case: Case, zone: str) -> PlannedTalk | None:
    """The case's planned talk for its vendors, while the case is open and unpublished.

    Published, the talk no longer constrains a date and its day is no news; a closed
    case has no date left to plan. The day is a calendar day as the finder gave it (a
    day has no zone); "today" is the vendor's, for the days left."""
    if case.planned_talk_date is None:
        return None
    if case.published_at is not None or case.is_closed:
        return None
    return PlannedTalk(
        on=case.planned_talk_date,
        today=timezone.now().astimezone(_zone(zone)).date(),
        negotiating=not case.talk_without_details
        and (case.target_publication_at is None or case.talk_before_target),
        without_details=case.talk_without_details,
    )


@dataclass
class VulnerabilityView:
    vulnerability: Vulnerability
    description_html: SafeString


@dataclass
class SharedStatus:
    vendor_name: str
    vulnerability_number: int
    product: str
    status: str
    approved: bool

    @property
    def status_label(self) -> str:
        from kakehashi.cases.choices import VexStatus

        try:
            return str(VexStatus(self.status).label)
        except ValueError:
            return self.status


@dataclass
class PortalCase:
    participation: Participant
    case: Case
    zone: str
    response: VendorResponse | None
    vulnerabilities: list[VulnerabilityView]
    products: list[CaseProduct]
    statuses: list[VendorStatus]
    shared: list[SharedStatus]
    target: Instant | None
    embargo: Instant | None
    proposal: Instant | None
    requests: list[ScheduleRequest]
    referrals: list[VendorReferral]
    finder: dict[str, str] = field(default_factory=dict)
    talk: PlannedTalk | None = None

    @property
    def open_request(self) -> ScheduleRequest | None:
        return next((r for r in self.requests if r.status == ScheduleRequestStatus.OPEN), None)

    @property
    def may_answer_embargo(self) -> bool:
        return self.case.em_state in (EMState.PROPOSED, EMState.ACTIVE, EMState.REVISE)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def vendor_zone(participation: Participant, user: Any) -> str:
    """The zone a vendor's times are shown in: its registry entry's, else the user's."""
    from kakehashi.vendors.models import VendorProfile

    profile = None
    if participation.organisation_id is not None:
        profile = VendorProfile.objects.filter(
            organisation_id=participation.organisation_id
        ).first()
    if profile is not None and profile.time_zone:
        return profile.time_zone
    return str(getattr(user, "timezone", "") or settings.TIME_ZONE)


def _finder(case: Case) -> dict[str, str]:
    """The finder's name and affiliation, only if every report of the case allows
    sharing the identity with vendors; otherwise nothing."""
    from kakehashi.intake.access import redacted_finder

    reports = list(case.reports.all())
    if not reports:
        return {}
    shown = [redacted_finder(report) for report in reports]
    if not all(s["name"] for s in shown):
        return {}
    return {"name": shown[0]["name"], "affiliation": shown[0]["affiliation"]}


def shared_statuses(case: Case, participation: Participant) -> list[SharedStatus]:
    """The statuses of the case's other vendors that chose to share them, as far as
    those vendors may themselves receive pre-publication information."""
    from kakehashi.vendors.rules import pre_publication_recipients

    rows = (
        VendorStatus.objects.filter(case=case, vendor__response__shares_statuses=True)
        .filter(vendor__removed_at__isnull=True)
        .exclude(vendor=participation)
        .select_related("vendor__organisation", "vulnerability", "product")
        .order_by("vendor_id", "vulnerability__number", "product__name")
    )
    rows_list = list(rows)
    if not rows_list:
        return []
    allowed = pre_publication_recipients(case)
    return [
        SharedStatus(
            vendor_name=s.vendor.display_name(),
            vulnerability_number=s.vulnerability.number,
            product=s.product.name if s.product else "",
            status=s.status,
            approved=s.is_approved,
        )
        for s in rows_list
        if s.vendor_id in allowed
    ]


def portal_case(participation: Participant, user: Any) -> PortalCase:
    case = participation.case
    zone = vendor_zone(participation, user)
    embargo = Embargo.objects.filter(case=case, ended_at__isnull=True).first()
    proposal = EmbargoProposal.objects.filter(case=case, status="open").first()
    return PortalCase(
        participation=participation,
        case=case,
        zone=zone,
        response=VendorResponse.objects.filter(participant=participation).first(),
        vulnerabilities=[
            VulnerabilityView(v, render_markdown(v.description_ja or v.description_en))
            if _japanese()
            else VulnerabilityView(v, render_markdown(v.description_en or v.description_ja))
            for v in case.vulnerabilities.order_by("number")
        ],
        products=list(participation.products.order_by("name")),
        statuses=list(
            participation.statuses.select_related("vulnerability", "product").order_by(
                "vulnerability__number", "product__name"
            )
        ),
        shared=shared_statuses(case, participation),
        target=Instant(case.target_publication_at, zone) if case.target_publication_at else None,
        embargo=Instant(embargo.ends_at, zone) if embargo else None,
        proposal=Instant(proposal.ends_at, zone) if proposal else None,
        requests=list(participation.schedule_requests.order_by("-requested_at")[:10]),
        referrals=list(participation.referrals.order_by("-referred_at")[:10]),
        finder=_finder(case),
        talk=planned_talk(case, zone),
    )


def _japanese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("ja")
