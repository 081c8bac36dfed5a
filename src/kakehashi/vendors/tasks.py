"""Background work of the vendor registry: delivering notices and escalating them."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from kakehashi.core.jobs import retrying

from . import delivery
from .notify import escalate_due_notices

# Deliveries enqueued per fan-out row: the request writes one job, not a thousand.
FAN_OUT_BATCH = 100


@task()
def fan_out_notices(case_id: int, notice_ids: list[int]) -> int:
    """Enqueue one delivery job per notice; large lists are split into further fan-outs
    so that no single job runs for long (and a reaped one repeats little)."""
    if len(notice_ids) > FAN_OUT_BATCH:
        for start in range(0, len(notice_ids), FAN_OUT_BATCH):
            fan_out_notices.enqueue(case_id, notice_ids[start : start + FAN_OUT_BATCH])
        return 0
    for notice_id in notice_ids:
        deliver_notice.enqueue(notice_id, 0)
    return len(notice_ids)


@task(queue_name="mail")
@retrying()
def deliver_notice(notice_id: int, step: int) -> str:
    """Send one step of one notice; idempotent (a done step is skipped)."""
    return delivery.deliver_notice(notice_id, step)


@cron("*/10 * * * *")
@task()
def escalate_vendor_notices() -> int:
    """Re-send unacknowledged notices that are due (business-day schedule)."""
    return escalate_due_notices()
