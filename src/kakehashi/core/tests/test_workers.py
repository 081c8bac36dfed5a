"""Several real worker processes drain one queue on PostgreSQL, each job exactly once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from kakehashi.core import audit
from kakehashi.core.models import AuditEvent
from kakehashi.core.tests.worker_tasks import stamp

JOBS = 40


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_job_exactly_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("several workers need a server database; CI runs this on PostgreSQL")
    for number in range(JOBS):
        stamp.enqueue(number)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "kakehashi.settings",
    }
    command = [
        sys.executable,
        "-m",
        "kakehashi",
        "db_worker",
        "--batch",
        "--interval",
        "0",
        "--no-startup-delay",
    ]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()[-2000:]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == JOBS
    numbers = sorted(
        int(s)
        for s in AuditEvent.objects.filter(action="test.stamp").values_list("summary", flat=True)
    )
    assert numbers == list(range(JOBS))
    # Both workers took part, and the chain they appended to concurrently is intact.
    assert len({tuple(r.worker_ids) for r in DBTaskResult.objects.all()}) == 2
    assert audit.first_problem() is None
