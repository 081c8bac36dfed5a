"""The translation task's states, as data (STYLE point 4), fired through
``core.workflow.apply_transition``.

requested → in progress (start) → done (submit) → reviewed (review);
done → in progress (return, with a note); requested or in progress → cancelled.
Who may fire each event is the table's roles; the rules that depend on the person
(only the assignee submits, the reviewer is not the translator) are guards in
``actions``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Role
from kakehashi.core.workflow import Transition, Workflow

from .choices import TaskStatus

TRANSLATORS = frozenset({Role.TRANSLATOR, Role.COORDINATOR, Role.ADMINISTRATOR})
COORDINATORS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})

TASK = Workflow(
    name="translation",
    label=_("the translation task"),
    states=TaskStatus,
    transitions=[
        Transition(TaskStatus.REQUESTED, "start", TaskStatus.IN_PROGRESS, TRANSLATORS),
        Transition(TaskStatus.IN_PROGRESS, "submit", TaskStatus.DONE, TRANSLATORS),
        Transition(TaskStatus.DONE, "review", TaskStatus.REVIEWED, TRANSLATORS),
        Transition(TaskStatus.DONE, "return", TaskStatus.IN_PROGRESS, TRANSLATORS),
        Transition(TaskStatus.REQUESTED, "cancel", TaskStatus.CANCELLED, COORDINATORS),
        Transition(TaskStatus.IN_PROGRESS, "cancel", TaskStatus.CANCELLED, COORDINATORS),
    ],
    event_labels={
        "start": _("start translating"),
        "submit": _("submit for review"),
        "review": _("approve as reviewed"),
        "return": _("return to the translator"),
        "cancel": _("cancel the task"),
        "request": _("request a translation"),
        "assign": _("assign the task"),
        "due": _("change the due date"),
    },
)
