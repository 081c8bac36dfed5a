"""Demo data told as the eight scenarios of ``SCENARIOS.md`` (issue 9, point 3).

Each module builds one scenario through the apps' own actions, in the state a
visitor learns most from (some finished and published, some mid-way), idempotently
(a scenario whose case or report exists is left alone). ``load_all`` runs them in
order after ``core.demo`` has made the organisations and personas."""

from __future__ import annotations

from django.db import transaction

from . import (
    s1_domestic,
    s2_library,
    s3_unreachable,
    s4_zero_day,
    s5_website,
    s6_talk,
    s7_self_report,
    s8_anonymous,
)
from ._base import cast

SCENARIOS = (
    s1_domestic,
    s2_library,
    s3_unreachable,
    s4_zero_day,
    s5_website,
    s6_talk,
    s7_self_report,
    s8_anonymous,
)


def load_all() -> None:
    with transaction.atomic():
        people = cast()
        for scenario in SCENARIOS:
            scenario.load(people)
