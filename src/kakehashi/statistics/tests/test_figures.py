"""Exact figures for a constructed history, per quarter in Japan time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kakehashi.statistics.catalogue import (
    FIGURES,
    PUBLIC_FIGURES,
    cumulative_column,
    quarter_column,
)
from kakehashi.statistics.figures import Dataset
from kakehashi.statistics.quarters import Quarter, quarters_between

from .dataset import build_history

pytestmark = pytest.mark.django_db

Q4 = Quarter(2025, 4)
Q1 = Quarter(2026, 1)

# key: (2025 Q4, 2026 Q1, both together)
EXPECTED = {
    "received_total": (4, 2, 6),
    "received_product": (2, 1, 3),
    "received_website": (1, 1, 2),
    "received_self_report": (1, 0, 1),
    "received_per_business_day": (0.07, 0.03, 0.05),  # 60 and 58 business days
    "reporter_identified": (2, 1, 3),
    "reporter_anonymous": (1, 1, 2),
    "accepted_product": (1, 0, 1),
    "accepted_website": (1, 1, 2),
    "accepted_self_report": (0, 1, 1),
    "not_accepted": (1, 0, 1),
    "cases_opened": (3, 2, 5),
    "cases_published": (1, 1, 2),
    "cases_closed_unpublished": (0, 1, 1),
    "cases_in_coordination_at_end": (2, 2, 2),
    "cases_updating_at_end": (1, 2, 2),
    "advisories_total": (1, 2, 3),
    "advisories_jvn": (1, 1, 2),
    "advisories_jvnvu": (0, 0, 0),  # the embargoed one is only scheduled
    "advisories_jvnta": (0, 1, 1),
    "advisories_self_report": (0, 1, 1),
    "days_to_publication_median": (43.0, 56.0, 49.5),
    "published_within_45_days": (1, 0, 1),
    "websites_fixed": (0, 2, 2),
    "websites_fixed_application_fixed": (0, 1, 1),
    "websites_fixed_page_removed": (0, 1, 1),
    "websites_fixed_avoided_by_operation": (0, 0, 0),
    "websites_fixed_within_90_days": (0, 2, 2),
    "websites_fixed_operator_local_government": (0, 1, 1),
    "websites_fixed_operator_company": (0, 1, 1),
    "websites_fixed_operator_government": (0, 0, 0),
    "websites_fixed_operator_unrecorded": (0, 0, 0),
    "unreachable_listed": (1, 1, 2),
    "unreachable_product_listed": (0, 1, 1),
    "unreachable_removed": (0, 1, 1),
    "unreachable_resumed": (0, 1, 1),
    "unreachable_listed_at_end": (1, 1, 1),
    # The desk's own figures.
    "reports_undecided_at_end": (1, 1, 1),
    "not_accepted_out_of_scope": (1, 0, 1),
    "not_accepted_known": (0, 0, 0),
    "cases_closed_unpublished_not_vulnerability": (0, 1, 1),
    "websites_long_open_at_end": (0, 0, 0),
}


@pytest.fixture
def data(world) -> Dataset:
    build_history(world)
    return Dataset.load()


def test_every_figure_per_quarter_and_together(data):
    q4 = quarter_column(data, Q4, FIGURES).values
    q1 = quarter_column(data, Q1, FIGURES).values
    both = cumulative_column(data, Q4, Q1, FIGURES, "total").values
    for key, (in_q4, in_q1, together) in EXPECTED.items():
        assert (q4[key], q1[key], both[key]) == (in_q4, in_q1, together), key


def test_the_quarter_before_is_empty(data):
    before = quarter_column(data, Q4.previous(), FIGURES).values
    assert before["received_total"] == 0
    assert before["days_to_publication_median"] is None
    assert before["cases_in_coordination_at_end"] == 0


def test_the_history_starts_with_the_first_report(data):
    assert Quarter.containing(data.first_instant()) == Q4


def test_quarters_are_counted_in_japan_time():
    # 31 March 23:59 JST is 14:59 UTC; 1 April 00:00 JST is 15:00 UTC on 31 March.
    assert Quarter.containing(datetime(2026, 3, 31, 14, 59, tzinfo=UTC)) == Quarter(2026, 1)
    assert Quarter.containing(datetime(2026, 3, 31, 15, 0, tzinfo=UTC)) == Quarter(2026, 2)
    assert Quarter(2026, 2).start == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 1).last_day.isoformat() == "2026-03-31"
    assert [q.code for q in quarters_between(Quarter(2025, 3), Quarter(2026, 1))] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "2026Q1", "26-Q1", "2026-q1", ""])
def test_a_malformed_quarter_is_refused(text):
    assert Quarter.parse(text) is None


def test_the_public_figures_leave_out_the_desks():
    public = {figure.key for figure in PUBLIC_FIGURES}
    assert "received_total" in public
    assert not {"reports_undecided_at_end", "websites_long_open_at_end"} & public
    assert not any(key.startswith(("not_accepted_", "cases_closed_unpublished_")) for key in public)


def test_labels_follow_the_language_when_shown():
    from django.utils import translation

    label = next(f.label for f in FIGURES if f.key == "websites_fixed_operator_local_government")
    with translation.override("en"):
        assert str(label) == "Fixed, operator: Local government"
