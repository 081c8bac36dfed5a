"""The quarterly figures (届出状況), computed from the rows themselves.

Every figure is a function of a period [start, end) and of a few columns read once
(``Dataset.load``: five queries whatever the number of quarters), so the public page,
the desk's page and the CSV files all count the same way.

What may be public (the rule, documented in docs/guide/statistics.*.md): counts of
events in a *completed* quarter and states at its end, by track, reporter kind,
decision, kind of advisory, fix method and operator type; a duration only for cases
whose advisory has been published. Never a title, reference, product, vendor, site,
finder or date finer than the quarter, so no figure describes an embargoed case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.db.models import Min
from django.utils.functional import Promise

from kakehashi.advisories.models import Advisory
from kakehashi.cases.choices import CaseOrigin
from kakehashi.cases.models import Case
from kakehashi.core.dates import business_days_between, jst_date
from kakehashi.intake.choices import Track
from kakehashi.intake.models import Report
from kakehashi.intake.workflow import ReportState
from kakehashi.unreachable.models import UnreachableListing

from .quarters import Quarter

PUBLICATION_TARGET_DAYS = 45  # IPA counts 受理 → JVN publication within 45 days
WEBSITE_FIX_DAYS = 90  # and websites fixed within 90 days of its first notice

Value = int | float | None


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    @classmethod
    def of(cls, quarter: Quarter) -> Period:
        return cls(quarter.start, quarter.end)

    def __contains__(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant < self.end

    def before_end(self, instant: datetime | None) -> bool:
        return instant is not None and instant < self.end


@dataclass
class Dataset:
    """The columns the figures need, read once; no text of any row is read."""

    reports: list[dict[str, Any]]
    cases: list[dict[str, Any]]
    advisories: list[dict[str, Any]]
    listings: list[dict[str, Any]]

    @classmethod
    def load(cls) -> Dataset:
        reports: list[dict[str, Any]] = []
        for row in Report.objects.values(
            "track",
            "state",
            "submitted_at",
            "accepted_at",
            "decided_at",
            "rejection_reason",
            "closure_reason",
            "closed_at",
            "finder_user_id",
            "finder_name",
            "finder_email",
            "operator_notified_at",
            "operator_type",
            "fix_method",
            "fixed_at",
        ):
            # Anonymous: no account, no name and no address (a follow-up link only).
            # Only this flag is kept: no identity reaches the figures.
            values: dict[str, Any] = dict(row)
            identity = [
                values.pop(key) for key in ("finder_user_id", "finder_name", "finder_email")
            ]
            reports.append({**values, "anonymous": not any(identity)})
        cases = [
            dict(row)
            for row in Case.objects.values(
                "origin", "created_at", "published_at", "closed_at", "closure_reason", "phase"
            )
        ]
        advisories = [
            dict(row)
            for row in Advisory.objects.filter(published_at__isnull=False)
            .annotate(accepted_at=Min("case__reports__accepted_at"))
            .values("kind", "published_at", "case__origin", "accepted_at")
        ]
        listings = [
            dict(row)
            for row in UnreachableListing.objects.values(
                "listed_at", "product_listed_at", "removed_at", "removal_reason"
            )
        ]
        return cls(reports, cases, advisories, listings)

    def first_instant(self) -> datetime | None:
        instants = [r["submitted_at"] for r in self.reports]
        instants += [c["created_at"] for c in self.cases]
        instants += [a["published_at"] for a in self.advisories]
        return min(instants, default=None)


@dataclass(frozen=True)
class Figure:
    key: str  # stable: the CSV's and the templates' name for it
    label: str | Promise
    section: str
    compute: Callable[[Dataset, Period], Value]
    public: bool = True
    indent: bool = False  # a breakdown of the figure above it


def _count(rows: Iterable[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> int:
    return sum(1 for row in rows if test(row))


def _days(earlier: datetime, later: datetime) -> int:
    """Whole days between two instants, counted on the Japanese calendar."""
    return (jst_date(later) - jst_date(earlier)).days


# --- Reports --------------------------------------------------------------------------


def _received(track: str | None = None) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.reports,
            lambda r: r["submitted_at"] in period and (track is None or r["track"] == track),
        )

    return compute


def _per_business_day(data: Dataset, period: Period) -> Value:
    days = business_days_between(
        jst_date(period.start) - timedelta(days=1), jst_date(period.end) - timedelta(days=1)
    )
    received = _received()(data, period) or 0
    return round(received / days, 2) if days else None


def _by_reporter(anonymous: bool) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.reports,
            lambda r: (
                r["submitted_at"] in period
                and r["track"] != Track.SELF_REPORT
                and r["anonymous"] is anonymous
            ),
        )

    return compute


def _accepted(track: str) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(data.reports, lambda r: r["accepted_at"] in period and r["track"] == track)

    return compute


def _not_accepted(reason: str | None = None) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.reports,
            lambda r: (
                r["state"] == ReportState.REJECTED
                and r["decided_at"] in period
                and (reason is None or r["rejection_reason"] == reason)
            ),
        )

    return compute


def _undecided_at_end(data: Dataset, period: Period) -> Value:
    """Received by the end of the period and neither accepted, refused nor closed then."""
    return _count(
        data.reports,
        lambda r: (
            period.before_end(r["submitted_at"])
            and not period.before_end(r["decided_at"])
            and not period.before_end(r["closed_at"])
        ),
    )


# --- Cases and advisories -------------------------------------------------------------


def _cases_opened(data: Dataset, period: Period) -> Value:
    return _count(data.cases, lambda c: c["created_at"] in period)


def _cases_published(data: Dataset, period: Period) -> Value:
    return _count(data.cases, lambda c: c["published_at"] in period)


def _cases_closed_unpublished(reason: str | None = None) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.cases,
            lambda c: (
                c["closed_at"] in period
                and c["published_at"] is None
                and (reason is None or c["closure_reason"] == reason)
            ),
        )

    return compute


def _open_at_end(published: bool) -> Callable[[Dataset, Period], Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.cases,
            lambda c: (
                period.before_end(c["created_at"])
                and not period.before_end(c["closed_at"])
                and period.before_end(c["published_at"]) is published
            ),
        )

    return compute


def _advisories(kind: str | None = None, self_report: bool = False) -> Callable[..., Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.advisories,
            lambda a: (
                a["published_at"] in period
                and (kind is None or a["kind"] == kind)
                and (not self_report or a["case__origin"] == CaseOrigin.SELF_REPORT)
            ),
        )

    return compute


def _publication_days(data: Dataset, period: Period) -> list[int]:
    """Days from 受理 (the earliest accepted report of the case) to first publication,
    for advisories first published in the period. Alerts without a report have none."""
    return [
        _days(a["accepted_at"], a["published_at"])
        for a in data.advisories
        if a["published_at"] in period and a["accepted_at"] is not None
    ]


def _median_days(data: Dataset, period: Period) -> Value:
    days = _publication_days(data, period)
    return float(median(days)) if days else None


def _within_target(data: Dataset, period: Period) -> Value:
    return sum(1 for d in _publication_days(data, period) if d <= PUBLICATION_TARGET_DAYS)


# --- Websites -------------------------------------------------------------------------


def _fixed(test: Callable[[dict[str, Any]], bool] = lambda r: True) -> Callable[..., Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.reports,
            lambda r: r["track"] == Track.WEBSITE and r["fixed_at"] in period and test(r),
        )

    return compute


def _column_is(column: str, value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda row: bool(row[column] == value)


def _fixed_in_time(row: dict[str, Any]) -> bool:
    notified = row["operator_notified_at"]
    return notified is not None and _days(notified, row["fixed_at"]) <= WEBSITE_FIX_DAYS


def _websites_long_open(data: Dataset, period: Period) -> Value:
    """Operator contacted more than 90 days before the end, not fixed nor closed by then."""
    limit = period.end - timedelta(days=WEBSITE_FIX_DAYS)
    return _count(
        data.reports,
        lambda r: (
            r["track"] == Track.WEBSITE
            and r["operator_notified_at"] is not None
            and r["operator_notified_at"] < limit
            and not period.before_end(r["fixed_at"])
            and not period.before_end(r["closed_at"])
        ),
    )


# --- Unreachable developers -------------------------------------------------------------


def _listings(column: str, reason: str | None = None) -> Callable[..., Value]:
    def compute(data: Dataset, period: Period) -> Value:
        return _count(
            data.listings,
            lambda row: (
                row[column] in period and (reason is None or row["removal_reason"] == reason)
            ),
        )

    return compute


def _listed_at_end(data: Dataset, period: Period) -> Value:
    return _count(
        data.listings,
        lambda row: (
            period.before_end(row["listed_at"]) and not period.before_end(row["removed_at"])
        ),
    )
