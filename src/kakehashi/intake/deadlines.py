"""The reception desk's two clocks on a report, computed from an explicit ``now``.

- **Acknowledgement**: ISO/IEC 29147 asks for an acknowledgement of receipt within
  7 *calendar* days (guideline 付録6); it runs from ``submitted_at`` until the desk
  acknowledges (accepting or rejecting acknowledges too). The guideline counts the
  desk's processing in business days only, so a window that spans national holidays
  or the year-end closure is flagged: the desk has fewer working days than it seems.
- **Decision** (受理 / 不受理): ``KAKEHASHI_RECEPTION_DECISION_BUSINESS_DAYS`` Japanese
  business days from receipt, or from the finder's latest answer when the desk asked a
  question (the finder's time is not the desk's delay). It runs only while the report is
  the desk's move (``received``); while waiting for the finder it is paused.

Everything takes ``now`` so that tests (and the queue's SQL filter) agree on one instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from kakehashi.core.dates import (
    ACKNOWLEDGEMENT_DAYS,
    JST,
    add_business_days,
    end_of_jst_day,
    is_business_day,
    jst_date,
)

from .workflow import REPORT_OPEN, ReportState


def decision_business_days() -> int:
    return int(settings.KAKEHASHI_RECEPTION_DECISION_BUSINESS_DAYS)


def acknowledge_by(submitted_at: datetime) -> datetime:
    return submitted_at + timedelta(days=ACKNOWLEDGEMENT_DAYS)


def decide_by(clock_start: datetime, days: int | None = None) -> date:
    """The JST business day by whose end the desk should decide."""
    days = decision_business_days() if days is None else days
    return add_business_days(jst_date(clock_start), days)


def holidays_between(start: date, end: date) -> int:
    """Weekdays from ``start`` to ``end`` (both included) that are not business days:
    national holidays and the year-end closure. Weekends are expected and not counted."""
    count = 0
    day = start
    while day <= end:
        if day.weekday() < 5 and not is_business_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def last_business_day_on_or_before(day: date) -> date:
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def decision_overdue_cutoff(now: datetime, days: int | None = None) -> datetime:
    """The decision is overdue exactly for clocks started before this instant.

    ``decide_by`` grows with the start date, so one cutoff serves a whole queue in SQL:
    the start of the JST day after the latest start date whose deadline has passed.
    """
    days = decision_business_days() if days is None else days
    start = jst_date(now)
    while end_of_jst_day(add_business_days(start, days)) >= now:
        start -= timedelta(days=1)
    return datetime.combine(start + timedelta(days=1), time(0, 0), tzinfo=JST)


@dataclass(frozen=True)
class ReportClock:
    acknowledge_by: datetime
    acknowledgement_pending: bool
    acknowledgement_overdue: bool
    # Holidays (not weekends) inside the acknowledgement window, and the last business
    # day on or before its end: what "within 7 days" leaves the desk in practice.
    holidays_in_window: int
    acknowledge_by_business_day: date
    decide_by: date | None  # None when the decision is not the desk's move now
    decision_overdue: bool
    waiting_for_finder: bool

    @property
    def overdue(self) -> bool:
        return self.acknowledgement_overdue or self.decision_overdue


def clock_for(
    *,
    state: str,
    submitted_at: datetime,
    acknowledged_at: datetime | None,
    last_answer_at: datetime | None,
    now: datetime,
    days: int | None = None,
) -> ReportClock:
    """Both clocks of one report at ``now`` (no queries)."""
    due = acknowledge_by(submitted_at)
    pending = acknowledged_at is None and state in REPORT_OPEN
    deciding = state == ReportState.RECEIVED
    decision = decide_by(max(submitted_at, last_answer_at or submitted_at), days)
    return ReportClock(
        acknowledge_by=due,
        acknowledgement_pending=pending,
        acknowledgement_overdue=pending and now > due,
        holidays_in_window=holidays_between(jst_date(submitted_at), jst_date(due)),
        acknowledge_by_business_day=last_business_day_on_or_before(jst_date(due)),
        decide_by=decision if deciding else None,
        decision_overdue=deciding and now > end_of_jst_day(decision),
        waiting_for_finder=state == ReportState.NEEDS_INFO,
    )
