"""The quarterly statistics: a public page and CSV (completed quarters, public figures
only), and the desk's page and CSV (the current quarter too, and every figure)."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kakehashi.core.public import cached_public_page, render_public_page

from .access import require_statistics_desk
from .catalogue import (
    FIGURES,
    PUBLIC_FIGURES,
    SECTIONS,
    Column,
    cumulative_column,
    quarter_column,
)
from .figures import Dataset, Figure, Value
from .quarters import Quarter, quarters_between
from .snapshot import desk_snapshot

QUARTERS_PER_PAGE = 4


@dataclass(frozen=True)
class Row:
    figure: Figure
    cells: list[str]


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class Window:
    """The quarters a page shows and the ones it may link to."""

    quarters: list[Quarter]  # newest first
    earlier: Quarter | None
    later: Quarter | None
    first: Quarter


def _window(data: Dataset, newest_allowed: Quarter, until: str | None) -> Window:
    """Up to four quarters ending at ``until`` (default: the newest allowed); before
    anything happened, just that one. A malformed or out-of-range ``until`` is 404."""
    first_instant = data.first_instant()
    first = Quarter.containing(first_instant) if first_instant else newest_allowed
    first = min(first, newest_allowed)
    last = newest_allowed
    if until is not None:
        parsed = Quarter.parse(until)
        if parsed is None or not first <= parsed <= newest_allowed:
            raise Http404
        last = parsed
    shown = quarters_between(first, last)[-QUARTERS_PER_PAGE:]
    earlier = shown[0].previous() if shown[0] > first else None
    later = None
    if last < newest_allowed:
        later = min(newest_allowed, Quarter(last.year + 1, last.number))
    return Window(list(reversed(shown)), earlier, later, first)


def display(value: Value) -> str:
    """3 → "3", 12.0 → "12", 0.25 → "0.25"; nothing to measure → "—"."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _sections(columns: list[Column], figures: list[Figure]) -> list[Section]:
    sections: dict[str, list[Row]] = {}
    for figure in figures:
        cells = [display(column.values[figure.key]) for column in columns]
        sections.setdefault(figure.section, []).append(Row(figure, cells))
    return [Section(str(SECTIONS[key]), rows) for key, rows in sections.items()]


def _table(data: Dataset, window: Window, figures: list[Figure]) -> dict[str, object]:
    columns = [quarter_column(data, quarter, figures) for quarter in window.quarters]
    columns.append(
        cumulative_column(
            data, window.first, window.quarters[0], figures, _("Total since the start")
        )
    )
    return {"columns": columns, "sections": _sections(columns, figures), "window": window}


def last_completed_quarter() -> Quarter:
    return Quarter.containing(timezone.now()).previous()


@require_GET
def public(request: HttpRequest, until: str | None = None) -> HttpResponse:
    cached = cached_public_page(request)
    if cached is not None:
        return cached
    data = Dataset.load()
    window = _window(data, last_completed_quarter(), until)

    def context() -> dict[str, object]:
        return {**_table(data, window, PUBLIC_FIGURES), "desk": False}

    return render_public_page(request, "statistics/public.html", context)


def _csv(data: Dataset, newest: Quarter, figures: list[Figure], name: str) -> HttpResponse:
    first_instant = data.first_instant()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so spreadsheet programs read the Japanese labels as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Quarter"), _("First day"), _("Last day"), *[str(f.label) for f in figures]])
    writer.writerow(["quarter", "first_day", "last_day", *[f.key for f in figures]])
    if first_instant is None:
        return response
    for quarter in reversed(quarters_between(Quarter.containing(first_instant), newest)):
        values = quarter_column(data, quarter, figures).values
        writer.writerow(
            [
                quarter.code,
                quarter.first_day.isoformat(),
                quarter.last_day.isoformat(),
                *["" if values[f.key] is None else values[f.key] for f in figures],
            ]
        )
    return response


@require_GET
def public_csv(request: HttpRequest) -> HttpResponse:
    return _csv(Dataset.load(), last_completed_quarter(), PUBLIC_FIGURES, "statistics.csv")


@login_required
@require_GET
def desk(request: HttpRequest, until: str | None = None) -> HttpResponse:
    require_statistics_desk(request.user)
    data = Dataset.load()
    window = _window(data, Quarter.containing(timezone.now()), until)
    snapshot = desk_snapshot()
    groups = [
        (_("Cases by phase"), snapshot.case_phases),
        (_("Reports by state"), snapshot.report_states),
        (_("Accepted website reports by handling"), snapshot.website_states),
    ]
    context = {**_table(data, window, FIGURES), "desk": True, "snapshot_groups": groups}
    response = render(request, "statistics/desk.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def desk_csv(request: HttpRequest) -> HttpResponse:
    require_statistics_desk(request.user)
    response = _csv(
        Dataset.load(), Quarter.containing(timezone.now()), FIGURES, "statistics-desk.csv"
    )
    response["Cache-Control"] = "private, no-store"
    return response
