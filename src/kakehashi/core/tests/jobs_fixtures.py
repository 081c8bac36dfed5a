"""Small module-level tasks for the job tests (tasks must be importable by path).

``RUNS`` counts calls per key, so a test can tell how often a job body ran; each test
uses its own key.
"""

from __future__ import annotations

from collections import Counter

from django.tasks import task

from kakehashi.core.jobs import PermanentJobError, retrying

RUNS: Counter[str] = Counter()


@task()
@retrying()
def always_fails(key: str) -> None:
    RUNS[key] += 1
    raise RuntimeError(f"temporary failure for {key}")


@task()
@retrying(max_attempts=2)
def fails_twice_at_most(key: str) -> None:
    RUNS[key] += 1
    raise RuntimeError(f"temporary failure for {key}")


@task()
@retrying()
def fails_once_then_succeeds(key: str) -> str:
    RUNS[key] += 1
    if RUNS[key] == 1:
        raise RuntimeError("first try fails")
    return f"done {key}"


@task()
@retrying()
def refuses_bad_input(key: str) -> None:
    RUNS[key] += 1
    raise PermanentJobError(f"{key} can never work")


@task()
def counts(key: str) -> int:
    RUNS[key] += 1
    return RUNS[key]
