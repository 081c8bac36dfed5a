"""Scheduled work of intake."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .draft import purge_stale_uploads


@cron("23 * * * *")
@task()
def purge_abandoned_report_files() -> int:
    """Delete files chosen on report forms that were never sent (their session is gone)."""
    return purge_stale_uploads()
