"""Tasks used by the multi-worker test (importable by the worker subprocesses)."""

import time

from django.tasks import task

from kakehashi.core import audit

# Long enough that forty jobs outlast a second worker's start-up on a loaded machine,
# so the test sees both workers take part.
JOB_SECONDS = 0.25


@task()
def stamp(number: int) -> int:
    time.sleep(JOB_SECONDS)
    audit.record("test.stamp", summary=str(number), data={"n": number})
    return number
