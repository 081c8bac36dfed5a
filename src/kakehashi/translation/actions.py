"""Every change to translation tasks, the glossary and the memory (STYLE point 3).

Each action runs in one transaction, locks the task row it changes, refuses with a
translated ``WorkflowError`` (nothing is written then), audits in the same
transaction — never the text itself: the audit chain is not a second copy of
embargoed content — and leaves mail and jobs to ``on_commit``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.models import User
from kakehashi.cases.actions._common import actor_roles
from kakehashi.cases.models import Case, Embargo
from kakehashi.core import audit
from kakehashi.core.dates import add_business_days, is_business_day, jst_date
from kakehashi.core.jobs import enqueue_on_commit
from kakehashi.core.mail import send_templated_mail
from kakehashi.core.workflow import (
    ConcurrentChange,
    GuardFailed,
    InvalidInput,
    NotPermitted,
    apply_transition,
)

from . import memory, segments
from .access import manages_translations
from .choices import OPEN_STATUSES, Language, MachineState, TaskStatus, other_language
from .models import GlossaryTerm, MemoryEntry, TranslationTask
from .sources import digest, resolve
from .workflow import TASK, TRANSLATORS

MAX_SOURCE_CHARS = 100_000
MAX_SENTENCE_CHARS = 5_000


# ---------------------------------------------------------------------------
# Helpers shared by the actions.


def _locked(task: TranslationTask) -> TranslationTask:
    """The task row, locked for the rest of the transaction, as it is now."""
    return TranslationTask.objects.select_for_update().select_related("case").get(pk=task.pk)


def _check_version(task: TranslationTask, version: int | None) -> None:
    if version is not None and version != task.version:
        raise ConcurrentChange


def _roles(actor: Any, case: Case) -> set[str]:
    return actor_roles(actor, case) & TRANSLATORS


def _name(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user else ""


def assignable_users(case: Case) -> list[User]:
    """Who may be assigned: active translators and coordinators of the case's
    coordinator organisation."""
    if case.coordinator_org_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=case.coordinator_org_id,
            memberships__role__in=sorted(TRANSLATORS),
        )
        .distinct()
        .order_by("username")
    )


def _check_assignee(case: Case, assignee: Any) -> None:
    if assignee is not None and assignee.pk not in {u.pk for u in assignable_users(case)}:
        raise InvalidInput(
            _("%(name)s is not a translator or coordinator of this case's coordination.")
            % {"name": _name(assignee)}
        )


def _subtract_business_days(day: date, days: int) -> date:
    while days > 0:
        day -= timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def default_due_on(case: Case, today: date | None = None) -> date:
    """Due ``KAKEHASHI_TRANSLATION_LEAD_DAYS`` business days before the case's next
    deadline (target publication or the end of the embargo in force), never before
    today; with no deadline ahead, that many business days from today."""
    today = today or jst_date(timezone.now())
    lead = settings.KAKEHASHI_TRANSLATION_LEAD_DAYS
    deadlines = [case.target_publication_at]
    embargo = Embargo.objects.filter(case=case, ended_at__isnull=True).first()
    if embargo is not None:
        deadlines.append(embargo.ends_at)
    upcoming = [jst_date(d) for d in deadlines if d is not None and jst_date(d) > today]
    if not upcoming:
        return add_business_days(today, lead)
    return max(_subtract_business_days(min(upcoming), lead), today)


def _mail_assignee(task: TranslationTask) -> None:
    assignee = task.assignee
    if assignee is None or not assignee.email:
        return
    path = reverse("translation:task", kwargs={"task_id": task.pk})
    send_templated_mail(
        "translation_assigned",
        [assignee.email],
        {"task": task, "case": task.case, "path": path},
        language=assignee.language,
    )


# ---------------------------------------------------------------------------
# Requesting and assigning.


def request_translation(
    actor: Any,
    case: Case,
    *,
    kind: str,
    source_id: int,
    target_language: str,
    assignee: Any = None,
    due_on: date | None = None,
    note: str = "",
) -> TranslationTask:
    """A new task for one text of the case, snapshotted now."""
    if not manages_translations(actor, case):
        raise NotPermitted(TASK, "request")
    if target_language not in Language.values:
        raise InvalidInput(_("Choose Japanese or English as the target language."))
    source = resolve(case, kind, source_id)
    if source is None:
        raise InvalidInput(_("That text is not part of this case."))
    source_language = other_language(target_language)
    text = source.text(source_language)
    if not text:
        raise InvalidInput(
            _("There is no %(language)s text to translate.")
            % {"language": Language(source_language).label}
        )
    if len(text) > MAX_SOURCE_CHARS:
        raise InvalidInput(
            _("The text is longer than %(n)d characters; split it first.") % {"n": MAX_SOURCE_CHARS}
        )
    today = jst_date(timezone.now())
    if due_on is not None and due_on < today:
        raise InvalidInput(_("The due date is in the past."))
    _check_assignee(case, assignee)
    try:
        with transaction.atomic():
            task = TranslationTask.objects.create(
                case=case,
                source_kind=source.kind,
                source_id=source.id,
                source_label=source.label,
                source_language=source_language,
                target_language=target_language,
                source_text=text,
                source_sha256=digest(text),
                segments=[""] * len(segments.split(text).segments),
                assignee=assignee,
                requested_by=actor,
                request_note=note.strip(),
                due_on=due_on or default_due_on(case, today),
            )
            audit.record(
                "translation.requested",
                actor=actor,
                subject=task,
                case_id=case.pk,
                summary=f"{source.kind} {source.id} → {target_language}",
                data={
                    "kind": source.kind,
                    "source_id": source.id,
                    "source_language": source_language,
                    "target_language": target_language,
                    "assignee_id": assignee.pk if assignee else None,
                    "due_on": task.due_on,
                },
            )
            _mail_assignee(task)
    except IntegrityError:
        raise GuardFailed(
            _("This text already has an open translation task into %(language)s.")
            % {"language": Language(target_language).label}
        ) from None
    return task


def assign_task(
    task: TranslationTask, actor: Any, assignee: Any, *, version: int | None = None
) -> TranslationTask:
    """Coordinators assign or reassign an open task; a translator may take an
    unassigned one for themselves."""
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)
        if task.status not in OPEN_STATUSES:
            raise GuardFailed(_("Only an open task can be assigned."))
        claiming = assignee is not None and assignee.pk == actor.pk and task.assignee_id is None
        if not (manages_translations(actor, task.case) or claiming):
            raise NotPermitted(TASK, "assign")
        _check_assignee(task.case, assignee)
        TranslationTask.objects.filter(pk=task.pk).update(
            assignee=assignee, version=F("version") + 1
        )
        audit.record(
            "translation.assigned",
            actor=actor,
            subject=task,
            case_id=task.case_id,
            data={"from": task.assignee_id, "to": assignee.pk if assignee else None},
        )
        task.refresh_from_db()
        if assignee is not None and assignee.pk != actor.pk:
            _mail_assignee(task)
    return task


def change_due_date(
    task: TranslationTask, actor: Any, due_on: date, *, version: int | None = None
) -> TranslationTask:
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)
        if not manages_translations(actor, task.case):
            raise NotPermitted(TASK, "due")
        if task.status not in OPEN_STATUSES:
            raise GuardFailed(_("Only an open task has a due date to change."))
        if due_on < jst_date(timezone.now()):
            raise InvalidInput(_("The due date is in the past."))
        TranslationTask.objects.filter(pk=task.pk).update(due_on=due_on, version=F("version") + 1)
        audit.record(
            "translation.due_changed",
            actor=actor,
            subject=task,
            case_id=task.case_id,
            data={"from": task.due_on, "to": due_on},
        )
        task.refresh_from_db()
    return task


# ---------------------------------------------------------------------------
# The workflow: start, save, submit, review, return, cancel.


def _fire(
    task: TranslationTask, actor: Any, event: str, guards: list[Any], **updates: Any
) -> TranslationTask:
    apply_transition(
        TASK,
        task,
        "status",
        event,
        actor=actor,
        roles=_roles(actor, task.case),
        guards=guards,
        extra_updates={"version": F("version") + 1, **updates},
        case_id=task.case_id,
        data={"task": task.pk},
    )
    task.refresh_from_db()
    return task


def start_task(task: TranslationTask, actor: Any, *, version: int | None = None) -> TranslationTask:
    """Begin translating; an unassigned task becomes the actor's."""
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)

        def assigned_to_someone_else() -> str | None:
            if task.assignee_id not in (None, actor.pk):
                return _("This task is assigned to %(name)s.") % {"name": _name(task.assignee)}
            return None

        return _fire(
            task,
            actor,
            "start",
            [assigned_to_someone_else],
            assignee=task.assignee or actor,
            started_at=timezone.now(),
        )


def _only_the_assignee(task: TranslationTask, actor: Any) -> None:
    if task.assignee_id != actor.pk:
        raise GuardFailed(_("Only the assignee works on the translation."))


def save_translation(
    task: TranslationTask, actor: Any, sentences: list[str], *, version: int | None = None
) -> TranslationTask:
    """Store the translation of each sentence (a draft; empty sentences allowed)."""
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)
        if task.status != TaskStatus.IN_PROGRESS:
            raise GuardFailed(_("Start the task before writing the translation."))
        _only_the_assignee(task, actor)
        source = segments.split(task.source_text)
        if len(sentences) != len(source.segments):
            raise InvalidInput(_("The sentences do not match the original. Reload the page."))
        cleaned = [" ".join(s.split()) if "\n" not in s else s.strip() for s in sentences]
        for sentence in cleaned:
            if len(sentence) > MAX_SENTENCE_CHARS:
                raise InvalidInput(
                    _("A sentence may not exceed %(n)d characters.") % {"n": MAX_SENTENCE_CHARS}
                )
        TranslationTask.objects.filter(pk=task.pk).update(
            segments=cleaned,
            text=segments.join(source, cleaned, task.target_language),
            version=F("version") + 1,
        )
        audit.record(
            "translation.saved",
            actor=actor,
            subject=task,
            case_id=task.case_id,
            data={"translated": sum(1 for s in cleaned if s), "sentences": len(cleaned)},
        )
        task.refresh_from_db()
    return task


def submit_task(
    task: TranslationTask, actor: Any, *, version: int | None = None
) -> TranslationTask:
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)

        def every_sentence_translated() -> str | None:
            if task.assignee_id != actor.pk:
                return _("Only the assignee works on the translation.")
            if not task.segments or not all(s.strip() for s in task.segments):
                return _("Translate every sentence first (copy one that stays as it is).")
            return None

        return _fire(
            task,
            actor,
            "submit",
            [every_sentence_translated],
            translator=actor,
            submitted_at=timezone.now(),
        )


def review_task(
    task: TranslationTask, actor: Any, *, note: str = "", version: int | None = None
) -> TranslationTask:
    """Approve the translation: a person has now read it, so it is no longer marked
    machine-translated, and its sentence pairs enter the translation memory."""
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)

        def not_the_translator() -> str | None:
            if task.translator_id == actor.pk:
                return _("You translated this task; someone else must review it.")
            return None

        task = _fire(
            task,
            actor,
            "review",
            [not_the_translator],
            reviewer=actor,
            reviewed_at=timezone.now(),
            review_note=note.strip(),
            machine_translated=False,
        )
        _remember(task)
    return task


def _remember(task: TranslationTask) -> None:
    source = segments.split(task.source_text)
    entries = {}
    for segment, translated in zip(source.segments, task.segments, strict=False):
        if segment.text.strip() and translated.strip():
            key = memory.source_key(segment.text)
            entries[key] = MemoryEntry(
                task=task,
                case_id=task.case_id,
                source_language=task.source_language,
                target_language=task.target_language,
                source_text=segment.text.strip(),
                target_text=translated.strip(),
                source_key=key,
            )
    MemoryEntry.objects.bulk_create(entries.values(), ignore_conflicts=True)


def return_task(
    task: TranslationTask, actor: Any, *, note: str, version: int | None = None
) -> TranslationTask:
    """Send a done translation back to its translator, saying what to change."""
    if not note.strip():
        raise InvalidInput(_("Say what should change."))
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)

        def not_the_translator() -> str | None:
            if task.translator_id == actor.pk:
                return _("You translated this task; someone else must review it.")
            return None

        return _fire(
            task,
            actor,
            "return",
            [not_the_translator],
            review_note=note.strip(),
            submitted_at=None,
        )


def cancel_task(
    task: TranslationTask, actor: Any, *, version: int | None = None
) -> TranslationTask:
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)
        return _fire(task, actor, "cancel", [], machine_state=MachineState.NONE)


# ---------------------------------------------------------------------------
# Machine translation.


def request_machine_translation(
    task: TranslationTask, actor: Any, *, version: int | None = None
) -> TranslationTask:
    """Queue the engine for the sentences not yet translated (``tasks``)."""
    from .engines import configured_engine
    from .tasks import machine_translate

    if configured_engine() is None:
        raise GuardFailed(_("Machine translation is not configured."))
    with transaction.atomic():
        task = _locked(task)
        _check_version(task, version)
        if task.status != TaskStatus.IN_PROGRESS:
            raise GuardFailed(_("Start the task before writing the translation."))
        _only_the_assignee(task, actor)
        if task.machine_state == MachineState.QUEUED:
            raise GuardFailed(_("Machine translation is already under way."))
        TranslationTask.objects.filter(pk=task.pk).update(
            machine_state=MachineState.QUEUED, machine_error="", version=F("version") + 1
        )
        audit.record(
            "translation.machine_requested", actor=actor, subject=task, case_id=task.case_id
        )
        enqueue_on_commit(machine_translate, task.pk)
        task.refresh_from_db()
    return task


def apply_machine_translation(task_id: int) -> str:
    """The job's work: ask the engine for the empty sentences, then fill those that
    are still empty. Idempotent: a task no longer queued is left alone. The engine is
    called outside any transaction, so no row stays locked while it answers."""
    from .engines import EngineError, configured_engine

    task = TranslationTask.objects.filter(pk=task_id).first()
    if task is None or task.machine_state != MachineState.QUEUED:
        return "nothing to do"
    engine = configured_engine()
    source = segments.split(task.source_text)
    wanted = [i for i, s in enumerate(task.segments) if not s.strip()]
    error = ""
    translated: list[str] = []
    if engine is None:
        error = _("Machine translation is not configured.")
    else:
        try:
            translated = engine.translate(
                [source.segments[i].text for i in wanted],
                task.source_language,
                task.target_language,
            )
        except EngineError as refusal:
            error = str(refusal)
    with transaction.atomic():
        task = _locked(task)
        if task.machine_state != MachineState.QUEUED:
            return "nothing to do"
        if error or task.status != TaskStatus.IN_PROGRESS:
            TranslationTask.objects.filter(pk=task.pk).update(
                machine_state=MachineState.FAILED,
                machine_error=(error or _("The task is no longer in progress."))[:500],
                version=F("version") + 1,
            )
            audit.record(
                "translation.machine_failed",
                subject=task,
                case_id=task.case_id,
                data={"error": error[:200]},
            )
            return "failed"
        filled = list(task.segments)
        count = 0
        for index, text in zip(wanted, translated, strict=True):
            if not filled[index].strip() and text.strip():
                filled[index] = text.strip()
                count += 1
        TranslationTask.objects.filter(pk=task.pk).update(
            segments=filled,
            text=segments.join(source, filled, task.target_language),
            machine_translated=task.machine_translated or count > 0,
            machine_state=MachineState.DONE,
            version=F("version") + 1,
        )
        audit.record(
            "translation.machine_translated",
            subject=task,
            case_id=task.case_id,
            data={"engine": engine.name if engine else "", "sentences": count},
        )
    return f"{count} sentences"


# ---------------------------------------------------------------------------
# The glossary.


def _clean_term(value: str, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(_("Enter the %(label)s.") % {"label": label})
    if len(value) > 200:
        raise InvalidInput(_("A term may not exceed 200 characters."))
    return value


def save_term(
    actor: Any, *, term_ja: str, term_en: str, note: str = "", term: GlossaryTerm | None = None
) -> GlossaryTerm:
    """Add a term pair, or change one."""
    term_ja = _clean_term(term_ja, _("Japanese term"))
    term_en = _clean_term(term_en, _("English term"))
    note = " ".join((note or "").split())[:500]
    try:
        with transaction.atomic():
            created = term is None
            if term is None:
                term = GlossaryTerm(updated_by=actor)
            before = {"term_ja": term.term_ja, "term_en": term.term_en}
            term.term_ja, term.term_en, term.note = term_ja, term_en, note
            term.updated_at, term.updated_by = timezone.now(), actor
            term.save()
            audit.record(
                "glossary.added" if created else "glossary.changed",
                actor=actor,
                subject=term,
                summary=f"{term_ja} ↔ {term_en}",
                data={
                    "before": None if created else before,
                    "term_ja": term_ja,
                    "term_en": term_en,
                },
            )
    except IntegrityError:
        raise GuardFailed(_("This pair of terms is already in the glossary.")) from None
    return term


def delete_term(actor: Any, term: GlossaryTerm) -> None:
    with transaction.atomic():
        audit.record(
            "glossary.deleted",
            actor=actor,
            subject=term,
            summary=f"{term.term_ja} ↔ {term.term_en}",
            data={"term_ja": term.term_ja, "term_en": term.term_en},
        )
        term.delete()
