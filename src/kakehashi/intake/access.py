"""Who may open a report (STYLE point 6). "Not found" and "not allowed" look the same.

- the reception desk that received it (``need="desk"``: read and work on it);
- the finder: its account (``need="finder"``), or whoever holds the secret follow-up
  link, which the follow-up view trades for a session entry (``finder_session_reports``);
- the coordination staff of the case it became, read-only and without the finder's
  identity unless the finder allowed it (``need="coordination"``; see ``redacted``).

Whoever may see a case opened from a vendor's self-report also sees what the vendor
asked for there: its wanted publication time and whether it wants a CVE ID
(``self_report_requests``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kakehashi.accounts.choices import Role
from kakehashi.cases.choices import CaseOrigin
from kakehashi.cases.models import Case

from .actions.submit import follow_up_digest
from .choices import Track
from .models import Report, ReportAttachment

SESSION_KEY = "kakehashi.reports"  # report IDs this browser proved it holds the link for
NEEDS = ("desk", "finder", "coordination")
DESK_ROLES = frozenset({Role.RECEPTION_CLERK, Role.ADMINISTRATOR})


def desk_roles(user: Any, report: Report) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return {Role.ADMINISTRATOR}
    return {
        m.role for m in user.memberships_cached() if m.organisation_id == report.reception_org_id
    } & DESK_ROLES


def is_finder(request: HttpRequest, report: Report) -> bool:
    user = request.user
    if getattr(user, "is_authenticated", False) and report.finder_user_id == user.pk:
        return True
    return report.pk in request.session.get(SESSION_KEY, [])


def coordinates_its_case(user: Any, report: Report) -> bool:
    if report.case is None or not getattr(user, "is_authenticated", False):
        return False
    from kakehashi.cases.access import can_coordinate

    return can_coordinate(user, report.case)


def access_report(request: HttpRequest, report_id: int, *, need: str = "desk") -> Report:
    """The report if the request may ``need`` it; otherwise ``Http404``."""
    if need not in NEEDS:
        raise ValueError(need)
    report = Report.objects.select_related("case", "reception_org").filter(pk=report_id).first()
    if report is None:
        raise Http404
    if need == "desk" and desk_roles(request.user, report):
        return report
    if need == "finder" and is_finder(request, report):
        return report
    if need == "coordination" and coordinates_its_case(request.user, report):
        return report
    raise Http404


def claim_follow_up_link(request: HttpRequest, token: str) -> Report:
    """Trade ``<report id>-<secret>`` for a session entry (constant-time comparison)."""
    number, _sep, secret = token.partition("-")
    if not number.isdigit() or not secret:
        raise Http404
    report = Report.objects.filter(pk=int(number)).first()
    if report is None or not report.follow_up_digest:
        raise Http404
    if not hmac.compare_digest(report.follow_up_digest, follow_up_digest(secret)):
        raise Http404
    held = list(request.session.get(SESSION_KEY, []))
    if report.pk not in held:
        held.append(report.pk)
        request.session[SESSION_KEY] = held
    return report


def redacted_finder(report: Report) -> dict[str, str]:
    """What coordination (and anyone beyond the desk) may know of the finder."""
    if report.share_identity_with_vendor:
        return {
            "name": report.finder_name,
            "email": report.finder_email,
            "affiliation": report.finder_affiliation,
        }
    return {"name": "", "email": "", "affiliation": ""}


def access_attachment(request: HttpRequest, attachment_id: int) -> ReportAttachment:
    """An attachment, for whoever may open its report: the desk, the finder (account or
    follow-up link), or the coordinators of the case it became. Otherwise ``Http404``."""
    attachment = (
        ReportAttachment.objects.select_related("report", "report__case")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404
    report = attachment.report
    if desk_roles(request.user, report):
        return attachment
    if is_finder(request, report):
        return attachment
    if coordinates_its_case(request.user, report):
        return attachment
    raise Http404


def own_reports(user: Any) -> QuerySet[Report]:
    """The reports filed from ``user``'s account (the finder portal and the API)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return Report.objects.filter(finder_user=user).order_by("-submitted_at", "-pk")


def access_own_report(user: Any, report_id: int) -> Report:
    """One of ``user``'s own reports; another finder's is 404 like a missing one."""
    report = own_reports(user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


@dataclass(frozen=True)
class SelfReportRequests:
    """What a vendor asked for in its self-report, as the case page shows it."""

    tracking_id: str
    wanted_publication_at: datetime | None
    cve_requested: bool


def self_report_requests(case: Case) -> list[SelfReportRequests]:
    """The publication time and CVE ID asked for in the self-reports ``case`` was opened
    from — for whoever may already see ``case`` (the caller checked it with the case's
    access layer). Only these two answers leave the report, nothing of its text. A case
    of another origin costs no query."""
    if case.origin != CaseOrigin.SELF_REPORT:
        return []
    rows = (
        Report.objects.filter(case=case, track=Track.SELF_REPORT)
        .exclude(wanted_publication_at__isnull=True, cve_requested=False)
        .order_by("submitted_at")
        .values_list("tracking_id", "wanted_publication_at", "cve_requested")
    )
    return [SelfReportRequests(*row) for row in rows]
