"""Core background jobs: mail delivery and the stale-job reaper."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from .jobs import reap_stale_jobs, retrying
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
