"""Tasks used by the multi-worker test (importable by the worker subprocesses)."""

from django.tasks import task

from kakehashi.core import audit


@task()
def stamp(number: int) -> int:
    audit.record("test.stamp", summary=str(number), data={"n": number})
    return number
