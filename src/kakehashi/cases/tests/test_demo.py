"""The demo data loads twice without change and shows the four kinds of case."""

from __future__ import annotations

import pytest

from kakehashi.cases.models import Case
from kakehashi.core import audit
from kakehashi.core.demo import load_demo
from kakehashi.intake.models import Report

pytestmark = pytest.mark.django_db


def test_demo_cases_and_reports_load_idempotently_in_instructive_states():
    load_demo()
    load_demo()
    cases = list(Case.objects.all())
    # With the unreachable developer's case (unreachable.demo) and the two cases of
    # advisories.demo (one published, one under embargo with a scheduled advisory).
    assert len(cases) == 6
    states = sorted((c.phase, c.em_state, c.pxa) for c in cases)
    assert states == [
        ("contacting", "N", "pxa"),
        ("forwarded", "N", "pxa"),
        ("published", "N", "Pxa"),
        ("schedule_agreed", "A", "pxa"),
        ("schedule_agreed", "A", "pxa"),
        ("schedule_agreed", "X", "Pxa"),
    ]
    assert audit.first_problem() is None
    reports = {r.title: r.state for r in Report.objects.all()}
    assert sorted(reports.values()) == [
        "accepted",
        "forwarded",
        "needs_info",
        "received",
        "rejected",
    ]
    forwarded = Report.objects.get(state="forwarded")
    assert forwarded.case.phase == "forwarded"
