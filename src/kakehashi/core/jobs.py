"""Background jobs on ``django.tasks``: retry with backoff, and a reaper.

``django.tasks`` has no retry and the database backend does not recover a job left
RUNNING by a killed worker; both gaps are filled here. Jobs must be idempotent: a job
that was reaped or retried may run again after a partial first run.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPT_KWARG = "_attempt"


class PermanentJobError(Exception):
    """Raised by a job when retrying cannot help (bad input, object gone)."""


class StaleJobError(Exception):
    """Recorded on a job that stayed RUNNING past the stale limit (its worker died)."""


def backoff_delay(attempt: int, base_seconds: int | None = None) -> timedelta:
    """Exponential backoff with jitter: base, 2·base, 4·base … capped at six hours."""
    base = base_seconds if base_seconds is not None else settings.KAKEHASHI_JOB_BACKOFF_SECONDS
    seconds = min(base * 2 ** (attempt - 1), 6 * 3600)
    return timedelta(seconds=seconds * (1 + random.random() / 4))  # noqa: S311 - jitter only


def retrying(max_attempts: int | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a job function re-enqueue itself with backoff when it raises.

    Use under ``@task``: ``@task() @retrying() def deliver(...)``. The failed row stays
    FAILED with its traceback (visible on the jobs page); a new READY row is enqueued
    with ``run_after`` in the future and the attempt number in its kwargs.
    """

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))  # type: ignore[call-overload]
            limit = max_attempts or settings.KAKEHASHI_JOB_MAX_ATTEMPTS
            try:
                return func(*args, **kwargs)
            except PermanentJobError:
                raise
            except Exception:
                if attempt < limit:
                    task = import_string(f"{func.__module__}.{func.__name__}")
                    run_after = timezone.now() + backoff_delay(attempt)
                    task.using(run_after=run_after).enqueue(
                        *args, **{**kwargs, ATTEMPT_KWARG: attempt + 1}
                    )
                    logger.warning(
                        "job %s attempt %d failed; retry at %s", func.__name__, attempt, run_after
                    )
                raise

        return wrapper

    return decorator


def enqueue_on_commit(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue after the surrounding transaction commits (side effects after commit)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def reap_stale_jobs(now: Any = None) -> int:
    """Fail jobs left RUNNING by a dead worker and enqueue them again. Returns the count."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.KAKEHASHI_JOB_STALE_SECONDS)
    reaped = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=limit):
        with transaction.atomic():
            # Only the reaper that flips the row re-enqueues it.
            updated = DBTaskResult.objects.filter(pk=row.pk, status=row.status).update(
                status="FAILED",
                finished_at=now,
                exception_class_path=f"{__name__}.StaleJobError",
                traceback=f"StaleJobError: RUNNING at {now.isoformat()}; worker presumed dead",
            )
            if updated != 1:
                continue
            try:
                task = row.task
            except (ImportError, Exception):  # task code removed since: nothing to re-run
                logger.exception("reaped job %s cannot be re-enqueued", row.pk)
                continue
            task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
            reaped += 1
    return reaped


def prune_finished_jobs(now: Any = None) -> int:
    """Delete SUCCESSFUL and FAILED rows older than the retention period."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.KAKEHASHI_JOB_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=limit).delete()
    return deleted
