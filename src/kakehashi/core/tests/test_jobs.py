"""Background jobs: retry with backoff, permanent errors, the stale-job reaper, on-commit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from kakehashi.core import jobs
from kakehashi.core.tasks import reap_jobs
from kakehashi.core.testing import run_pending_jobs

from . import jobs_fixtures

pytestmark = pytest.mark.django_db

READY = TaskResultStatus.READY
RUNNING = TaskResultStatus.RUNNING
FAILED = TaskResultStatus.FAILED
SUCCESSFUL = TaskResultStatus.SUCCESSFUL


@pytest.fixture
def key() -> str:
    """A run counter of our own in ``jobs_fixtures.RUNS``."""
    return uuid.uuid4().hex


def _rows(task) -> list[DBTaskResult]:
    rows = DBTaskResult.objects.filter(task_path=task.module_path)
    return sorted(rows, key=lambda row: row.args_kwargs["kwargs"].get("_attempt", 1))


def _make_retries_due() -> None:
    DBTaskResult.objects.filter(status=READY).update(run_after=timezone.now())


def _run_until_quiet(rounds: int = 20) -> None:
    for _ in range(rounds):
        _make_retries_due()
        if not run_pending_jobs():
            return


def test_a_failed_job_is_retried_later_with_its_attempt_number(key, settings):
    settings.KAKEHASHI_JOB_BACKOFF_SECONDS = 60
    jobs_fixtures.always_fails.enqueue(key)
    before = timezone.now()

    run_pending_jobs()

    first, retry = _rows(jobs_fixtures.always_fails)
    assert first.status == FAILED
    assert "temporary failure" in first.traceback
    assert retry.status == READY
    assert retry.args_kwargs == {"args": [key], "kwargs": {"_attempt": 2}}
    # First backoff: the base delay plus up to a quarter of jitter.
    assert before + timedelta(seconds=60) <= retry.run_after
    assert retry.run_after <= timezone.now() + timedelta(seconds=75)
    assert jobs_fixtures.RUNS[key] == 1


def test_a_retry_is_not_run_before_its_time(key):
    jobs_fixtures.always_fails.enqueue(key)
    run_pending_jobs()

    assert run_pending_jobs() == []
    assert jobs_fixtures.RUNS[key] == 1


def test_retries_stop_after_the_configured_number_of_attempts(key, settings):
    settings.KAKEHASHI_JOB_MAX_ATTEMPTS = 3
    jobs_fixtures.always_fails.enqueue(key)

    _run_until_quiet()

    rows = _rows(jobs_fixtures.always_fails)
    assert [row.status for row in rows] == [FAILED, FAILED, FAILED]
    assert [row.args_kwargs["kwargs"].get("_attempt", 1) for row in rows] == [1, 2, 3]
    assert jobs_fixtures.RUNS[key] == 3


def test_max_attempts_given_to_the_decorator_overrides_the_setting(key, settings):
    settings.KAKEHASHI_JOB_MAX_ATTEMPTS = 5
    jobs_fixtures.fails_twice_at_most.enqueue(key)

    _run_until_quiet()

    assert [row.status for row in _rows(jobs_fixtures.fails_twice_at_most)] == [FAILED, FAILED]
    assert jobs_fixtures.RUNS[key] == 2


def test_a_permanent_error_is_not_retried(key):
    jobs_fixtures.refuses_bad_input.enqueue(key)

    _run_until_quiet()

    (row,) = _rows(jobs_fixtures.refuses_bad_input)
    assert row.status == FAILED
    assert row.exception_class_path == "kakehashi.core.jobs.PermanentJobError"
    assert jobs_fixtures.RUNS[key] == 1


def test_a_retried_job_succeeds_on_a_later_attempt(key):
    jobs_fixtures.fails_once_then_succeeds.enqueue(key)

    _run_until_quiet()

    first, second = _rows(jobs_fixtures.fails_once_then_succeeds)
    assert (first.status, second.status) == (FAILED, SUCCESSFUL)
    assert second.return_value == f"done {key}"


@given(attempt=st.integers(min_value=1, max_value=40), base=st.integers(1, 600))
def test_backoff_doubles_per_attempt_with_jitter_and_is_capped(attempt, base):
    seconds = jobs.backoff_delay(attempt, base).total_seconds()

    nominal = min(base * 2 ** (attempt - 1), 6 * 3600)
    assert nominal <= seconds <= nominal * 1.25


def _stale_running_row(task, *args, age: timedelta) -> DBTaskResult:
    result = task.enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - age)
    return row


def test_reaper_fails_a_stale_running_job_and_enqueues_it_again_once(key, settings):
    settings.KAKEHASHI_JOB_STALE_SECONDS = 900
    stale = _stale_running_row(jobs_fixtures.counts, key, age=timedelta(seconds=901))

    assert jobs.reap_stale_jobs() == 1
    assert jobs.reap_stale_jobs() == 0

    stale.refresh_from_db()
    assert stale.status == FAILED
    assert stale.exception_class_path == "kakehashi.core.jobs.StaleJobError"
    (again,) = DBTaskResult.objects.filter(status=READY)
    assert again.task_path == jobs_fixtures.counts.module_path
    assert again.args_kwargs == {"args": [key], "kwargs": {}}
    run_pending_jobs()
    assert jobs_fixtures.RUNS[key] == 1


def test_reaper_leaves_a_fresh_running_job_alone(key, settings):
    settings.KAKEHASHI_JOB_STALE_SECONDS = 900
    fresh = _stale_running_row(jobs_fixtures.counts, key, age=timedelta(seconds=899))

    assert jobs.reap_stale_jobs() == 0

    fresh.refresh_from_db()
    assert fresh.status == RUNNING
    assert DBTaskResult.objects.count() == 1


def test_reaper_fails_but_cannot_re_enqueue_a_job_whose_code_is_gone(key):
    gone = _stale_running_row(jobs_fixtures.counts, key, age=timedelta(days=1))
    DBTaskResult.objects.filter(pk=gone.pk).update(
        task_path="kakehashi.core.tests.jobs_fixtures.removed_since"
    )

    assert jobs.reap_stale_jobs() == 0

    gone.refresh_from_db()
    assert gone.status == FAILED
    assert not DBTaskResult.objects.filter(status=READY).exists()


def test_reaper_runs_as_a_periodic_job(key):
    _stale_running_row(jobs_fixtures.counts, key, age=timedelta(days=1))

    assert reap_jobs.call() == 1


def test_enqueue_on_commit_enqueues_nothing_when_the_transaction_rolls_back(
    key, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.enqueue_on_commit(jobs_fixtures.counts, key)
        raise RuntimeError("the action failed")

    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_enqueue_on_commit_enqueues_after_the_commit_and_not_before(
    key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs.enqueue_on_commit(jobs_fixtures.counts, key)
        assert not DBTaskResult.objects.exists()

    (row,) = DBTaskResult.objects.all()
    assert row.args_kwargs == {"args": [key], "kwargs": {}}
