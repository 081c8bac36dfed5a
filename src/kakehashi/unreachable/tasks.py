"""The periodic check that removes listings of vendors who answered meanwhile."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .actions import resume_answered_listings as _resume


@cron("*/10 * * * *")
@task()
def resume_answered_listings() -> int:
    """Idempotent: a listing already removed is skipped."""
    return _resume()
