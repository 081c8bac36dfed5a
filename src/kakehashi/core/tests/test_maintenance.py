"""Job pruning and the client address behind trusted proxies."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kakehashi.core.audit import client_ip
from kakehashi.core.jobs import prune_finished_jobs
from kakehashi.core.tests.worker_tasks import stamp


@pytest.mark.django_db
def test_pruning_deletes_only_finished_jobs_older_than_the_retention(settings):
    settings.KAKEHASHI_JOB_RETENTION_DAYS = 14
    old_done, recent_done, old_ready = (stamp.enqueue(n) for n in range(3))
    long_ago = timezone.now() - timedelta(days=20)
    DBTaskResult.objects.filter(pk=old_done.id).update(status="SUCCESSFUL", finished_at=long_ago)
    DBTaskResult.objects.filter(pk=recent_done.id).update(
        status="FAILED", finished_at=timezone.now() - timedelta(days=2)
    )
    DBTaskResult.objects.filter(pk=old_ready.id).update(enqueued_at=long_ago)
    assert prune_finished_jobs() == 1
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert {str(pk) for pk in remaining} == {str(recent_done.id), str(old_ready.id)}


def test_client_address_ignores_forwarded_for_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    settings.KAKEHASHI_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.KAKEHASHI_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.KAKEHASHI_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    settings.KAKEHASHI_TRUSTED_PROXY_COUNT = 3  # fewer hops than trusted: spoofing attempt
    assert client_ip(request) == "10.0.0.5"
