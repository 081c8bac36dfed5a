"""Background jobs: the immediate notification mails and the daily digest."""

from __future__ import annotations

from crontask import cron
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
