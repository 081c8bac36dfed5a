"""The demo loads twice without change: a reviewed translation and one in progress,
on the seeded glossary."""

from __future__ import annotations

import pytest

from kakehashi.core.demo import load_demo
from kakehashi.translation.choices import TaskStatus
from kakehashi.translation.models import GlossaryTerm, MemoryEntry, TranslationTask

pytestmark = pytest.mark.django_db


def test_demo_translations_load_idempotently():
    load_demo()
    load_demo()
    statuses = sorted(TranslationTask.objects.values_list("status", flat=True))
    assert statuses == [TaskStatus.IN_PROGRESS, TaskStatus.REVIEWED]
    assert MemoryEntry.objects.count() == 3
    assert GlossaryTerm.objects.filter(term_ja="起算日", term_en="day zero").exists()
    in_progress = TranslationTask.objects.get(status=TaskStatus.IN_PROGRESS)
    assert in_progress.assignee.username == "translator"
