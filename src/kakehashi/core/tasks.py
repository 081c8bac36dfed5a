"""Core background jobs: mail delivery and the stale-job reaper."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .jobs import prune_finished_jobs, reap_stale_jobs, retrying
from .mail import build_message


@task(queue_name="mail")
@retrying()
def deliver_mail(
    subject: str, body: str, to: list[str], headers: dict[str, str] | None = None
) -> int:
    """Send one rendered message. Idempotent enough: SMTP has no exactly-once anyway."""
    return build_message(subject, body, to, headers).send(fail_silently=False)


@cron("* * * * *")
@task()
def reap_jobs() -> int:
    return reap_stale_jobs()


@cron("17 3 * * *")
@task()
def prune_jobs() -> int:
    """Delete finished job rows after a retention period: they hold rendered mail."""
    return prune_finished_jobs()
