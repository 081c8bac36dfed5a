"""Demo data told as the eight scenarios of ``SCENARIOS.md`` (issue 9, point 3).

Each module builds one scenario through the apps' own actions, in the state a
visitor learns most from (some finished and published, some mid-way), idempotently
(a scenario whose case or report exists is left alone). ``load_all`` runs them in
order after ``core.demo`` has made the organisations and personas."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import s1_domestic, s2_library
from ._base import cast


@dataclass(frozen=True)
class Loaded:
    """What ``load_demo`` prints beside the personas."""

    follow_up_url: str  # scenario 8: the anonymous finder's secret link


def load_all() -> Loaded:
    with transaction.atomic():
        people = cast()
        s1_domestic.load(people)
        s2_library.load(people)
    return Loaded(follow_up_url="")
