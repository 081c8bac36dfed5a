"""The periodic check that removes listings of vendors who answered meanwhile and of
cases closed meanwhile."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .actions import remove_listings_of_closed_cases
from .actions import resume_answered_listings as _resume


@cron("*/10 * * * *")
@task()
def resume_answered_listings() -> int:
    """Remove the listings of vendors that answered and of cases that were closed.
    Idempotent: a listing already removed is skipped."""
    return _resume() + remove_listings_of_closed_cases()
