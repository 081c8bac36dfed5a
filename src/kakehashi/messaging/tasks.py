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
# Deliveries enqueued per fan-out job: the request writes one job, not a thousand.
FAN_OUT_BATCH = 100


@task()
def fan_out_broadcast(broadcast_id: int, participant_ids: list[int]) -> int:
    """Enqueue one job per vendor of a message to all vendors; a long list is split into
    further fan-outs, so no job runs for long (and a reaped one repeats little)."""
    if len(participant_ids) > FAN_OUT_BATCH:
        for start in range(0, len(participant_ids), FAN_OUT_BATCH):
            fan_out_broadcast.enqueue(broadcast_id, participant_ids[start : start + FAN_OUT_BATCH])
        return 0
    for participant_id in participant_ids:
        deliver_broadcast.enqueue(broadcast_id, participant_id)
    return len(participant_ids)


@task()
@retrying()
def deliver_broadcast(broadcast_id: int, participant_id: int) -> str:
    """Post one vendor's copy of a message to all vendors (idempotent)."""
    from . import actions

    return actions.deliver_broadcast(broadcast_id, participant_id)
