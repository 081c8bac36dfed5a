"""The data of the reception desk's pages, each read with a fixed number of queries:
the queue (filtered, ordered by priority and deadlines), a report's page, and what the
viewer may do on it (from the workflow tables, never guessed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import User
from kakehashi.core.dates import ACKNOWLEDGEMENT_DAYS, add_months, jst_date

from .access import desk_roles
from .choices import AcceptanceCheck, CheckResult
from .deadlines import ReportClock, clock_for, decision_overdue_cutoff
from .models import AcceptanceCheckRecord, Report, ReportStateChange
from .workflow import RECEPTION, REPORT_OPEN, REPORT_UNDECIDED, WEBSITE, ReportState

PAGE_SIZE = 50
# The queue's default: reports on which the desk still has work.
DESK_WORK = (ReportState.RECEIVED, ReportState.NEEDS_INFO, ReportState.ACCEPTED)
ALL_STATES = "all"


def require_reception_staff(user: Any) -> None:
    """The queue is for members of a reception desk; others get ``Http404``."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if user.is_superuser:
        return
    if OrganisationKind.RECEPTION not in user.organisation_kinds():
        raise Http404


def with_clock_fields(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate ``last_answer_at`` (the finder's latest answer to a question) and
    ``clock_start`` (when the decision clock started: receipt, or that answer)."""
    answers = ReportStateChange.objects.filter(
        report=OuterRef("pk"), machine=RECEPTION.name, event="answer"
    ).order_by("-at")
    return reports.annotate(
        last_answer_at=Subquery(answers.values("at")[:1]),
    ).annotate(clock_start=Coalesce(F("last_answer_at"), F("submitted_at")))


def filter_queue(user: Any, filters: dict[str, Any], now: datetime) -> QuerySet[Report]:
    """The user's desk reports narrowed by the queue's filters, in queue order:
    the guideline's priority first; within it, reports still owing the 7-day
    acknowledgement (nearest deadline first), then by the decision clock."""
    reports = with_clock_fields(Report.objects.for_desk(user).select_related("assignee"))
    state = filters.get("state") or ""
    if state == ALL_STATES:
        pass
    elif state in ReportState.values:
        reports = reports.filter(state=state)
    else:
        reports = reports.filter(state__in=DESK_WORK)
    if filters.get("track"):
        reports = reports.filter(track=filters["track"])
    if filters.get("assignee") == "me":
        reports = reports.filter(assignee=user)
    elif filters.get("assignee") == "unassigned":
        reports = reports.filter(assignee__isnull=True)
    if filters.get("overdue"):
        reports = reports.filter(overdue_q(now))
    awaiting = Q(acknowledged_at__isnull=True, state__in=REPORT_OPEN)
    return reports.annotate(
        awaiting_ack=Case(
            When(awaiting, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        # The start of the deadline that matters now; both deadlines grow with it.
        due_from=Case(When(awaiting, then=F("submitted_at")), default=F("clock_start")),
    ).order_by("priority_rank", "awaiting_ack", F("due_from").asc(), "pk")


def overdue_q(now: datetime) -> Q:
    """Past the acknowledgement deadline, or past the decision deadline (needs
    :func:`with_clock_fields`). The same rule as :func:`deadlines.clock_for`."""
    unacknowledged = Q(
        acknowledged_at__isnull=True,
        state__in=REPORT_OPEN,
        submitted_at__lt=now - timedelta(days=ACKNOWLEDGEMENT_DAYS),
    )
    # An annotation, which the type checker cannot see on the model.
    before_cutoff = {"clock_start__lt": decision_overdue_cutoff(now)}
    undecided = Q(state=ReportState.RECEIVED, **before_cutoff)
    return unacknowledged | undecided


def clock_of(report: Report, now: datetime) -> ReportClock:
    return clock_for(
        state=report.state,
        submitted_at=report.submitted_at,
        acknowledged_at=report.acknowledged_at,
        last_answer_at=getattr(report, "last_answer_at", None),
        now=now,
    )


def desk_clerks(report: Report) -> QuerySet[User]:
    """Who a report may be assigned to: the clerks and administrators of its desk."""
    return (
        User.objects.filter(
            memberships__organisation_id=report.reception_org_id,
            memberships__role__in=[Role.RECEPTION_CLERK, Role.ADMINISTRATOR],
        )
        .distinct()
        .order_by("username")
    )


# --- A report's page --------------------------------------------------------------------


@dataclass
class CheckRow:
    check: str
    label: str
    latest: AcceptanceCheckRecord | None

    @property
    def passed(self) -> bool:
        return self.latest is not None and self.latest.result == CheckResult.PASS


def check_rows(report: Report) -> list[CheckRow]:
    """The five checks in the guideline's order, with the latest record of each."""
    latest: dict[str, AcceptanceCheckRecord] = {}  # as actions.check_results, with the clerks
    for record in report.checks.select_related("checked_by").order_by("checked_at", "id"):
        latest[record.check_name] = record
    return [
        CheckRow(value, str(label), latest.get(value)) for value, label in AcceptanceCheck.choices
    ]


@dataclass
class DeskAllowed:
    """What the viewer may do on a report now, from the RECEPTION and WEBSITE tables."""

    desk: bool = False
    acknowledge: bool = False
    assign: bool = False
    scope: bool = False
    ask: bool = False
    message: bool = False
    checks: bool = False
    accept: bool = False
    reject: bool = False
    decrypt: bool = False
    duplicate: bool = False
    forward: bool = False
    close: bool = False
    reopen: bool = False
    website: bool = False  # the website line runs: log contacts with the operator
    site_steps: list[tuple[str, str]] = field(default_factory=list)
    send_details: bool = False
    fix: bool = False
    transfer: bool = False


SITE_BUTTON_EVENTS = ("start", "verify", "notify_finder")


def allowed_on(report: Report, user: Any) -> DeskAllowed:
    roles = desk_roles(user, report)
    if not roles:
        return DeskAllowed()
    events = set(RECEPTION.events_from(report.state, roles))
    line = report.is_website and report.state == ReportState.ACCEPTED
    site = set(WEBSITE.events_from(report.site_state, roles)) if line else set()
    is_open = report.state in REPORT_OPEN
    return DeskAllowed(
        desk=True,
        acknowledge=is_open and report.acknowledged_at is None,
        assign=is_open,
        scope=report.state in DESK_WORK,
        ask="ask" in events,
        message=True,
        checks=report.state in REPORT_UNDECIDED,
        accept="accept" in events,
        reject="reject" in events,
        decrypt=report.is_encrypted_pending,
        duplicate="close" in events,
        forward="forward" in events and not report.is_website,
        close="close" in events,
        reopen="reopen" in events,
        website=line,
        site_steps=[(e, WEBSITE.event_label(e)) for e in SITE_BUTTON_EVENTS if e in site],
        send_details="send_details" in site,
        fix="fix" in site,
        transfer=report.is_website and "close" in events,
    )


WORKFLOWS = {RECEPTION.name: RECEPTION, WEBSITE.name: WEBSITE}
FIX_TARGET_MONTHS = 3  # the operator reports its fix within about 3 months (V.4.1)


@dataclass
class HistoryRow:
    change: ReportStateChange
    event: str
    state: str


def history_rows(history: list[ReportStateChange]) -> list[HistoryRow]:
    rows = []
    for change in history:
        workflow = WORKFLOWS.get(change.machine)
        if workflow is None:
            continue
        rows.append(
            HistoryRow(
                change, workflow.event_label(change.event), workflow.state_label(change.to_state)
            )
        )
    return rows


def fix_target(history: list[ReportStateChange]) -> date | None:
    """About three months after the details reached the operator (JST date)."""
    sent = [h.at for h in history if h.machine == WEBSITE.name and h.event == "send_details"]
    if not sent:
        return None
    return add_months(jst_date(min(sent)), FIX_TARGET_MONTHS)


def load_report_page(report: Report) -> dict[str, Any]:
    """The rows around a report that its page shows (a fixed number of queries)."""
    messages = list(report.messages.select_related("author"))
    attachments = list(report.attachments.all())
    by_message: dict[int, list[Any]] = {}
    for attachment in attachments:
        if attachment.message_id is not None:
            by_message.setdefault(attachment.message_id, []).append(attachment)
    history = list(report.state_changes.select_related("actor").order_by("-at", "-pk"))
    return {
        "conversation": [(m, by_message.get(m.pk, [])) for m in messages],
        "attachments": attachments,
        "checks": check_rows(report),
        "history": history,
        "history_rows": history_rows(history),
        "fix_target": fix_target(history) if report.is_website else None,
        "operator_contacts": list(report.operator_contacts.select_related("recorded_by"))
        if report.is_website
        else [],
    }
