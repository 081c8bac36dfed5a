"""The desk's view of now: how many cases are in each phase and reports in each state.
Counts only, in three queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise

from kakehashi.cases.models import Case
from kakehashi.cases.workflow import Phase
from kakehashi.intake.choices import Track
from kakehashi.intake.models import Report
from kakehashi.intake.workflow import ReportState, SiteState


@dataclass(frozen=True)
class Tally:
    label: str | Promise
    count: int


@dataclass(frozen=True)
class Snapshot:
    case_phases: list[Tally]
    report_states: list[Tally]
    website_states: list[Tally]


def _counts(
    rows: dict[str, int], choices: type[Phase] | type[ReportState] | type[SiteState]
) -> list[Tally]:
    return [Tally(choice.label, rows.get(choice.value, 0)) for choice in choices]


def desk_snapshot() -> Snapshot:
    phases = dict(
        Case.objects.values_list("phase").annotate(n=Count("id")).values_list("phase", "n")
    )
    states = dict(
        Report.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    sites = dict(
        Report.objects.filter(track=Track.WEBSITE, state=ReportState.ACCEPTED)
        .values_list("site_state")
        .annotate(n=Count("id"))
        .values_list("site_state", "n")
    )
    return Snapshot(_counts(phases, Phase), _counts(states, ReportState), _counts(sites, SiteState))
