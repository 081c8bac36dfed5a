"""Scheduled work of the domain core: embargo ends and the pocket veto."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .actions import expire_embargoes, time_out_invitations


@cron("* * * * *")
@task()
def end_due_embargoes() -> int:
    """Terminate embargoes whose end has come; idempotent (EM leaves A/R only once)."""
    return expire_embargoes()


@cron("* * * * *")
@task()
def time_out_embargo_invitations() -> int:
    return time_out_invitations()
