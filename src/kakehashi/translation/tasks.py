"""Background jobs: machine translation of a task's empty sentences."""

from __future__ import annotations

from django.tasks import task


@task()
def machine_translate(task_id: int) -> str:
    """Ask the configured engine (idempotent: only a task still queued is filled).
    Not retried with backoff: the translator is waiting, and a failure is shown on
    the task with its reason so they can ask again."""
    from .actions import apply_machine_translation

    return apply_machine_translation(task_id)
