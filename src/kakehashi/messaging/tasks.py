"""Background jobs: the immediate notification mails and the daily digest."""

from __future__ import annotations

from crontask import cron
from django.conf import settings
from django.tasks import task

from kakehashi.core.jobs import retrying

from . import mail


@task()
@retrying()
def mail_notifications(notification_ids: list[int]) -> int:
    """Mail new notifications to the users who want them at once (idempotent)."""
    return mail.mail_immediately(notification_ids)


@cron("0 8 * * *")  # 08:00 in the scheduler's zone (settings.TIME_ZONE)
@task()
def send_digests() -> int:
    """The daily digest of unread notifications (idempotent: each is mailed once)."""
    return mail.send_digests()


@task(queue_name="mail")
@retrying()
def deliver_outbound(outbound_id: int) -> str:
    """Send one thread message to one vendor without portal access (idempotent)."""
    from . import outbound

    return outbound.deliver(outbound_id)


@task()
def fetch_mail() -> str:
    """Read the IMAP folder once (``kakehashi mail fetch``); idempotent: a message read
    twice is found by its SHA-256 and not filed again."""
    from .inbound import sources

    tally = sources.fetch()
    return f"filed {tally.filed}, triage {tally.triage}, already {tally.already}"


# Only a configured mailbox is fetched periodically: with no host, nothing is scheduled.
if settings.KAKEHASHI_IMAP_HOST:
    fetch_mail = cron(settings.KAKEHASHI_IMAP_SCHEDULE)(fetch_mail)
