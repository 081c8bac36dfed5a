"""The demo data loads twice without change and shows the three kinds of case."""

from __future__ import annotations

import pytest

from kakehashi.cases.models import Case
from kakehashi.core import audit
from kakehashi.core.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_cases_load_idempotently_in_three_instructive_states():
    load_demo()
    load_demo()
    cases = {c.title_en: c for c in Case.objects.all()}
    assert len(cases) == 3
    states = sorted((c.phase, c.em_state, c.pxa) for c in cases.values())
    assert states == [
        ("forwarded", "N", "pxa"),
        ("schedule_agreed", "A", "pxa"),
        ("schedule_agreed", "X", "Pxa"),
    ]
    assert audit.first_problem() is None
