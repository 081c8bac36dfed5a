"""The desk's clocks with a frozen ``now``: the 7-day acknowledgement in calendar days,
the decision in Japanese business days, holidays flagged, and the queue's order."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kakehashi.core.dates import JST
from kakehashi.intake import actions
from kakehashi.intake.deadlines import clock_for, decide_by, decision_overdue_cutoff
from kakehashi.intake.desk_queries import clock_of, filter_queue
from kakehashi.intake.models import Report

from .factories import make_report


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


def clock(state="received", *, submitted, now, acknowledged=None, answered=None, days=3):
    return clock_for(
        state=state,
        submitted_at=submitted,
        acknowledged_at=acknowledged,
        last_answer_at=answered,
        now=now,
        days=days,
    )


def test_acknowledgement_is_due_seven_calendar_days_after_receipt():
    submitted = jst(2026, 6, 1, 10, 0)  # a Monday
    before = clock(submitted=submitted, now=jst(2026, 6, 8, 9, 59))
    after = clock(submitted=submitted, now=jst(2026, 6, 8, 10, 1))
    assert before.acknowledge_by == jst(2026, 6, 8, 10, 0)
    assert not before.acknowledgement_overdue and after.acknowledgement_overdue
    done = clock(submitted=submitted, now=jst(2026, 7, 1), acknowledged=jst(2026, 6, 2))
    assert not done.acknowledgement_pending and not done.acknowledgement_overdue


def test_the_year_end_closure_is_flagged_in_the_acknowledgement_window():
    submitted = jst(2026, 12, 25, 10, 0)  # Friday; due Friday 2027-01-01
    result = clock(submitted=submitted, now=jst(2026, 12, 26))
    assert result.holidays_in_window == 4  # 12/29, 12/30, 12/31, 1/1 (weekdays)
    assert result.acknowledge_by_business_day == date(2026, 12, 28)
    ordinary = clock(submitted=jst(2026, 6, 1, 10, 0), now=jst(2026, 6, 2))
    assert ordinary.holidays_in_window == 0


def test_golden_week_is_flagged_too():
    result = clock(submitted=jst(2026, 4, 30, 9, 0), now=jst(2026, 5, 1))
    assert result.holidays_in_window == 3  # 5/4, 5/5 and 5/6 (substitute for Sunday 5/3)


def test_the_decision_counts_business_days_skipping_weekends_holidays_and_closure():
    assert decide_by(jst(2026, 6, 5, 18, 0), 3) == date(2026, 6, 10)  # Fri → Wed
    assert decide_by(jst(2026, 12, 25, 10, 0), 3) == date(2027, 1, 5)  # 12/28, 1/4, 1/5
    overdue = clock(submitted=jst(2026, 6, 5, 18, 0), now=jst(2026, 6, 11, 0, 1))
    on_time = clock(submitted=jst(2026, 6, 5, 18, 0), now=jst(2026, 6, 10, 23, 0))
    assert overdue.decision_overdue and not on_time.decision_overdue


def test_the_decision_clock_restarts_at_the_finders_answer_and_pauses_while_waiting():
    submitted = jst(2026, 6, 1, 10, 0)
    waiting = clock("needs_info", submitted=submitted, now=jst(2026, 6, 20))
    assert waiting.waiting_for_finder and waiting.decide_by is None
    assert not waiting.decision_overdue
    answered = clock(submitted=submitted, answered=jst(2026, 6, 19, 12, 0), now=jst(2026, 6, 20))
    assert answered.decide_by == date(2026, 6, 24) and not answered.decision_overdue
    decided = clock("accepted", submitted=submitted, now=jst(2026, 7, 1))
    assert decided.decide_by is None and not decided.decision_overdue


def test_the_sql_cutoff_agrees_with_the_clock_for_every_start_day():
    now = jst(2027, 1, 7, 9, 30)
    cutoff = decision_overdue_cutoff(now, 3)
    for hours in range(0, 24 * 30, 5):
        start = now - timedelta(hours=hours)
        assert clock(submitted=start, now=now).decision_overdue == (start < cutoff), start


@pytest.mark.django_db
def test_the_queue_orders_by_priority_then_the_acknowledgement_deadline(world, clerk):
    now = jst(2026, 6, 15, 12, 0)

    def received(title: str, days_ago: float, scope: str = "wide") -> Report:
        report = make_report(world, title=title)
        if scope != "wide":
            actions.set_scope(report, actor=clerk, scope=scope)
        Report.objects.filter(pk=report.pk).update(submitted_at=now - timedelta(days=days_ago))
        return Report.objects.get(pk=report.pk)

    # The finder's vector scores 6.1: wide → priority handling, narrow → simplified.
    low_old = received("low, oldest", 20, scope="narrow")
    high_new = received("high, new", 1)
    high_old = received("high, old", 9)
    high_acknowledged = received("high, acknowledged, oldest", 30)
    actions.acknowledge_report(high_acknowledged, actor=clerk)
    rows = list(filter_queue(clerk, {}, now))
    assert [r.title for r in rows] == [
        high_old.title,
        high_new.title,
        high_acknowledged.title,
        low_old.title,
    ]
    flags = {r.title: clock_of(r, now) for r in rows}
    assert flags["high, old"].acknowledgement_overdue
    assert not flags["high, new"].acknowledgement_overdue
    assert flags["high, new"].decide_by == date(2026, 6, 17)
    assert not flags["high, new"].decision_overdue and flags["high, old"].decision_overdue
    overdue = {r.title for r in filter_queue(clerk, {"overdue": True}, now)}
    assert overdue == {"high, old", "high, acknowledged, oldest", "low, oldest"}
    assert {t for t, c in flags.items() if c.overdue} == overdue
