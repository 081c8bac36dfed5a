"""Who may see which translation task, the glossary and the memory (STYLE point 6).

A task belongs to its case, so every read of a task goes through ``cases.access``:
``access_task`` returns a task only if ``access_case(user, task.case_id,
need="details")`` does (the case's coordination side), and then only what the user's
role there shows:

- coordinators and administrators of the case's coordinator organisation: every task
  of the case;
- translators of that organisation: the tasks assigned to them, the queue (requested
  and unassigned), tasks awaiting review that someone else translated, and the tasks
  they translated or reviewed;
- anyone else (the reception, the CNA officer, the committee, vendors, finders): none.

Anything else is ``Http404``, as for a task that does not exist. The recipient of a
translation (a vendor reading a message) never opens a task: the translated text is
shown beside the source it already may read (``templatetags.translation_tags``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kakehashi.accounts.choices import Role
from kakehashi.cases.access import CASE_BLIND_ROLES, COORDINATING_ROLES, access_case
from kakehashi.cases.models import Case

from .choices import TaskStatus
from .models import TranslationTask, TranslationTaskQuerySet

GLOSSARY_ROLES = frozenset({Role.TRANSLATOR, *COORDINATING_ROLES})


def _organisations(user: Any, roles: frozenset[str]) -> list[int]:
    return [
        m.organisation_id
        for m in user.memberships_cached()
        if m.role in roles and m.role not in CASE_BLIND_ROLES
    ]


def details_cases(user: Any) -> QuerySet[Case]:
    """The cases ``access_case(user, …, need="details")`` opens, as one queryset (the
    coordination side: staff of the case's coordinator organisation)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    organisations = [
        m.organisation_id for m in user.memberships_cached() if m.role not in CASE_BLIND_ROLES
    ]
    return Case.objects.for_desk(user).filter(coordinator_org_id__in=organisations)


def visible_tasks(user: Any) -> TranslationTaskQuerySet:
    """The tasks ``user`` may see; every list of tasks starts here."""
    tasks: TranslationTaskQuerySet = TranslationTask.objects.all()
    if not getattr(user, "is_authenticated", False):
        return tasks.none()
    if user.is_superuser:
        return tasks
    managed = _organisations(user, COORDINATING_ROLES)
    translating = _organisations(user, frozenset({Role.TRANSLATOR}))
    own = (
        Q(assignee=user)
        | Q(status=TaskStatus.REQUESTED, assignee__isnull=True)
        | (Q(status=TaskStatus.DONE) & ~Q(translator=user))
        | Q(translator=user)
        | Q(reviewer=user)
    )
    return tasks.filter(
        Q(case__coordinator_org_id__in=managed)
        | (Q(case__coordinator_org_id__in=translating) & own)
    )


def access_task(user: Any, task_id: int) -> TranslationTask:
    """The task, if ``user`` may see it (and its case's details); otherwise ``Http404``."""
    task = visible_tasks(user).filter(pk=task_id).select_related("case").first()
    if task is None:
        raise Http404
    task.case = access_case(user, task.case_id, need="details")
    return task


def access_case_translations(user: Any, case_id: int) -> Case:
    """A case's translation page: its coordinators, and its translators (who see only
    their own tasks there); otherwise ``Http404``."""
    case = access_case(user, case_id, need="details")
    if not may_translate_in(user, case) and not manages_translations(user, case):
        raise Http404
    return case


def manages_translations(user: Any, case: Case) -> bool:
    """Coordinators and administrators of the case's coordinator organisation."""
    if getattr(user, "is_superuser", False):
        return True
    return case.coordinator_org_id in _organisations(user, COORDINATING_ROLES)


def may_translate_in(user: Any, case: Case) -> bool:
    return case.coordinator_org_id in _organisations(user, frozenset({Role.TRANSLATOR}))


def works_on_translations(user: Any) -> bool:
    """Translators, coordinators and administrators of a coordinator organisation:
    the task list and the glossary."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    from kakehashi.accounts.choices import OrganisationKind

    return any(
        m.role in GLOSSARY_ROLES and m.organisation.kind == OrganisationKind.COORDINATOR
        for m in user.memberships_cached()
    )


def require_translation_staff(user: Any) -> None:
    if not works_on_translations(user):
        raise Http404
