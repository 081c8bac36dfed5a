"""The publication job: every minute, publish each advisory whose instant has come."""

from __future__ import annotations

from crontask import cron
from django.tasks import task
from django.utils import timezone

from .actions import publish_if_due
from .choices import AdvisoryState
from .models import Advisory


@cron("* * * * *")
@task()
def publish_due_advisories() -> int:
    due = Advisory.objects.filter(
        state=AdvisoryState.SCHEDULED, scheduled_for__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if publish_if_due(pk) is not None)
