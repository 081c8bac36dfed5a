"""The task's life: request, start, save, submit, review or return, cancel — and
every refusal, which changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kakehashi.core.dates import jst_date
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import (
    ConcurrentChange,
    GuardFailed,
    InvalidInput,
    NotPermitted,
    TransitionNotAllowed,
)
from kakehashi.translation import actions
from kakehashi.translation.choices import TaskStatus
from kakehashi.translation.models import MemoryEntry, TranslationTask

from .conftest import translate_all

pytestmark = pytest.mark.django_db


def test_request_snapshots_the_source_and_splits_it(task, vulnerability):
    assert task.status == TaskStatus.REQUESTED
    assert task.source_language == "ja"
    assert task.source_text == vulnerability.description_ja
    assert task.segments == ["", "", ""]
    assert AuditEvent.objects.filter(action="translation.requested", subject_id=str(task.pk))
    # The audit event does not copy the text.
    event = AuditEvent.objects.get(action="translation.requested", subject_id=str(task.pk))
    assert "ログイン" not in str(event.data) and "ログイン" not in event.summary


def test_full_cycle_reviewed_by_someone_else_fills_the_memory(task, world):
    translator, coordinator = world.user("translator"), world.user("coordinator")
    task = translate_all(task, translator)
    assert task.status == TaskStatus.DONE
    assert task.translator == translator
    assert task.text == "Sentence 1. Sentence 2.\n\nSentence 3."
    task = actions.review_task(task, coordinator, note="Fine.", version=task.version)
    assert task.status == TaskStatus.REVIEWED
    assert task.reviewer == coordinator
    assert MemoryEntry.objects.filter(task=task).count() == 3
    actions_seen = set(
        AuditEvent.objects.filter(subject_id=str(task.pk)).values_list("action", flat=True)
    )
    assert {"translation.start", "translation.submit", "translation.review"} <= actions_seen


def test_the_translator_cannot_review_their_own_translation(task, world):
    translator = world.user("translator")
    task = translate_all(task, translator)
    with pytest.raises(GuardFailed, match="someone else must review"):
        actions.review_task(task, translator, version=task.version)
    assert TranslationTask.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert not MemoryEntry.objects.exists()


def test_the_database_refuses_a_reviewer_who_translated(task, world):
    from django.db import IntegrityError, transaction

    translator = world.user("translator")
    with pytest.raises(IntegrityError), transaction.atomic():
        TranslationTask.objects.filter(pk=task.pk).update(
            translator=translator, reviewer=translator
        )


def test_submitting_needs_every_sentence(task, world):
    translator = world.user("translator")
    task = actions.start_task(task, translator)
    task = actions.save_translation(task, translator, ["One.", "", "Three."], version=task.version)
    with pytest.raises(GuardFailed, match="Translate every sentence"):
        actions.submit_task(task, translator, version=task.version)
    assert TranslationTask.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS


def test_only_the_assignee_saves(task, world):
    task = actions.start_task(task, world.user("translator"))
    with pytest.raises(GuardFailed, match="Only the assignee"):
        actions.save_translation(task, world.user("coordinator"), ["a", "b", "c"])


def test_a_task_assigned_to_someone_else_cannot_be_started(task, world):
    with pytest.raises(GuardFailed, match="assigned to"):
        actions.start_task(task, world.user("admin"))


def test_a_stale_version_is_refused(task, world):
    translator = world.user("translator")
    task = actions.start_task(task, translator)
    old = task.version
    actions.save_translation(task, translator, ["a", "b", "c"], version=old)
    with pytest.raises(ConcurrentChange):
        actions.save_translation(task, translator, ["x", "y", "z"], version=old)
    assert TranslationTask.objects.get(pk=task.pk).segments == ["a", "b", "c"]


def test_saving_a_different_number_of_sentences_is_refused(task, world):
    translator = world.user("translator")
    task = actions.start_task(task, translator)
    with pytest.raises(InvalidInput, match="do not match"):
        actions.save_translation(task, translator, ["only one"], version=task.version)


def test_return_needs_a_note_and_goes_back_to_the_translator(task, world):
    translator, coordinator = world.user("translator"), world.user("coordinator")
    task = translate_all(task, translator)
    with pytest.raises(InvalidInput):
        actions.return_task(task, coordinator, note="  ", version=task.version)
    task = actions.return_task(task, coordinator, note="Use 'workaround'.", version=task.version)
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.review_note == "Use 'workaround'."


def test_vendors_and_finders_hold_no_role_in_the_workflow(task, world):
    for persona in ("psirt", "finder", "clerk", "committee"):
        with pytest.raises(NotPermitted):
            actions.start_task(task, world.user(persona))


def test_translators_may_not_request_or_cancel(case, vulnerability, task, world):
    translator = world.user("translator")
    with pytest.raises(NotPermitted):
        actions.request_translation(
            translator, case, kind="vulnerability", source_id=vulnerability.pk, target_language="en"
        )
    with pytest.raises(NotPermitted):
        actions.cancel_task(task, translator)


def test_reviewed_tasks_cannot_be_cancelled(task, world):
    translator, coordinator = world.user("translator"), world.user("coordinator")
    task = translate_all(task, translator)
    task = actions.review_task(task, coordinator, version=task.version)
    with pytest.raises(TransitionNotAllowed):
        actions.cancel_task(task, coordinator)


def test_one_open_task_per_source_and_language(case, vulnerability, task, world):
    with pytest.raises(GuardFailed, match="already has an open translation task"):
        actions.request_translation(
            world.user("coordinator"),
            case,
            kind="vulnerability",
            source_id=vulnerability.pk,
            target_language="en",
        )
    actions.cancel_task(task, world.user("coordinator"))
    again = actions.request_translation(
        world.user("coordinator"),
        case,
        kind="vulnerability",
        source_id=vulnerability.pk,
        target_language="en",
    )
    assert again.pk != task.pk


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_language": "fr"}, "Choose Japanese or English"),
        ({"target_language": "ja"}, "no English text"),
        ({"kind": "nonsense"}, "not part of this case"),
        ({"source_id": 999_999}, "not part of this case"),
    ],
)
def test_bad_requests_are_refused_and_store_nothing(case, vulnerability, world, kwargs, message):
    arguments = {"kind": "vulnerability", "source_id": vulnerability.pk, "target_language": "en"}
    with pytest.raises(InvalidInput, match=message):
        actions.request_translation(world.user("coordinator"), case, **{**arguments, **kwargs})
    assert not TranslationTask.objects.exists()


def test_a_source_of_another_case_is_not_part_of_this_case(case, world):
    from kakehashi.cases import actions as case_actions

    other = case_actions.create_case(
        actor=world.user("coordinator"),
        coordinator_org=world.organisations["coordination"],
        title_en="Another case",
    )
    foreign = case_actions.add_vulnerability(
        other, actor=world.user("coordinator"), title_en="X", description_en="Secret text."
    )
    with pytest.raises(InvalidInput, match="not part of this case"):
        actions.request_translation(
            world.user("coordinator"),
            case,
            kind="vulnerability",
            source_id=foreign.pk,
            target_language="ja",
        )


def test_the_assignee_must_translate_for_the_cases_coordination(case, vulnerability, world):
    with pytest.raises(InvalidInput, match="not a translator or coordinator"):
        actions.request_translation(
            world.user("coordinator"),
            case,
            kind="vulnerability",
            source_id=vulnerability.pk,
            target_language="en",
            assignee=world.user("psirt"),
        )


def test_a_due_date_in_the_past_is_refused(case, vulnerability, world):
    with pytest.raises(InvalidInput, match="past"):
        actions.request_translation(
            world.user("coordinator"),
            case,
            kind="vulnerability",
            source_id=vulnerability.pk,
            target_language="en",
            due_on=jst_date(timezone.now()) - timedelta(days=1),
        )


def test_the_due_date_defaults_to_before_the_target_publication(case, world):
    from kakehashi.core.dates import is_business_day

    today = jst_date(timezone.now())
    case.target_publication_at = timezone.now() + timedelta(days=30)
    due = actions.default_due_on(case, today)
    target = jst_date(case.target_publication_at)
    assert today <= due < target
    assert is_business_day(due)
    case.target_publication_at = None
    assert actions.default_due_on(case, today) > today


def test_the_due_date_is_never_before_today(case):
    today = jst_date(timezone.now())
    case.target_publication_at = timezone.now() + timedelta(days=1)
    assert actions.default_due_on(case, today) == today


def test_a_coordinator_changes_the_due_date_and_assignee(task, world):
    coordinator = world.user("coordinator")
    later = jst_date(timezone.now()) + timedelta(days=20)
    task = actions.change_due_date(task, coordinator, later, version=task.version)
    assert task.due_on == later
    task = actions.assign_task(task, coordinator, None, version=task.version)
    assert task.assignee is None
    assert AuditEvent.objects.filter(action="translation.assigned").exists()


def test_a_translator_may_take_an_unassigned_task_but_not_reassign(task, world):
    coordinator, translator = world.user("coordinator"), world.user("translator")
    task = actions.assign_task(task, coordinator, None)
    task = actions.assign_task(task, translator, translator)
    assert task.assignee == translator
    with pytest.raises(NotPermitted):
        actions.assign_task(task, translator, coordinator)


def test_assignment_mails_the_assignee_without_the_text(
    case, vulnerability, world, mailoutbox, django_capture_on_commit_callbacks
):
    from kakehashi.core.testing import run_pending_jobs

    with django_capture_on_commit_callbacks(execute=True):
        task = actions.request_translation(
            world.user("coordinator"),
            case,
            kind="vulnerability",
            source_id=vulnerability.pk,
            target_language="en",
            assignee=world.user("translator"),
        )
    run_pending_jobs()
    sent = [m for m in mailoutbox if world.user("translator").email in m.to]
    assert len(sent) == 1
    assert task.case.reference in sent[0].subject
    assert f"/translation/tasks/{task.pk}/" in sent[0].body
    assert "ログイン" not in sent[0].body
