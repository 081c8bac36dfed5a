"""A workflow is a table plus one gate (STYLE point 4).

Each state machine declares its states as ``TextChoices`` and its transitions as
data: ``Transition(source, event, target, roles)``. :func:`apply_transition` is the
only function that changes a state field: it checks the table, the actor's roles and
any guards, updates with ``filter(pk=…, field=old).update(…)`` so that of two
concurrent users exactly one wins, writes the history row and the audit event in the
same transaction, and leaves side effects to ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from . import audit

SYSTEM = "system"  # the role of the platform itself (deadline jobs, cross-model rules)


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    target: str
    roles: frozenset[str] = frozenset({SYSTEM})


class WorkflowError(Exception):
    """Base for refusals; ``str()`` is a translated message for the person who acted."""


class TransitionNotAllowed(WorkflowError):
    def __init__(self, workflow: Workflow, state: str, event: str, allowed: list[str]) -> None:
        self.workflow, self.state, self.event, self.allowed = workflow, state, event, allowed
        super().__init__(
            _(
                "“%(event)s” is not allowed while %(machine)s is “%(state)s”. Allowed now: %(allowed)s."
            )
            % {
                "event": workflow.event_label(event),
                "machine": workflow.label,
                "state": workflow.state_label(state),
                "allowed": ", ".join(workflow.event_label(e) for e in allowed) or _("nothing"),
            }
        )


class NotPermitted(WorkflowError):
    def __init__(self, workflow: Workflow, event: str) -> None:
        super().__init__(
            _("Your role may not do “%(event)s”.") % {"event": workflow.event_label(event)}
        )


class GuardFailed(WorkflowError):
    """A cross-model rule refused the transition; the message says which."""


class InvalidInput(WorkflowError):
    """The input itself is wrong (a malformed vector, a date in the past …)."""


class ConcurrentChange(WorkflowError):
    def __init__(self) -> None:
        super().__init__(
            _("Someone else changed this at the same moment. Reload the page and try again.")
        )


@dataclass
class Workflow:
    name: str
    label: Any  # a lazy translation
    states: type[models.TextChoices]
    transitions: list[Transition]
    event_labels: Mapping[str, Any] = field(default_factory=dict)
    _table: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._table = {}
        valid = set(self.states.values)
        for transition in self.transitions:
            key = (transition.source, transition.event)
            if key in self._table:
                raise ValueError(f"{self.name}: duplicate transition {key}")
            if transition.source not in valid or transition.target not in valid:
                raise ValueError(f"{self.name}: unknown state in {transition}")
            self._table[key] = transition

    def state_label(self, state: str) -> str:
        return str(dict(self.states.choices).get(state, state))

    def event_label(self, event: str) -> str:
        return str(self.event_labels.get(event, event))

    def events_from(self, state: str, roles: Iterable[str] | None = None) -> list[str]:
        """Events allowed from ``state``; only those ``roles`` may fire, if given."""
        role_set = set(roles) if roles is not None else None
        return [
            t.event
            for (source, _event), t in self._table.items()
            if source == state and (role_set is None or t.roles & role_set)
        ]

    def transition(self, state: str, event: str) -> Transition:
        found = self._table.get((state, event))
        if found is None:
            raise TransitionNotAllowed(self, state, event, self.events_from(state))
        return found

    def pairs(self) -> set[tuple[str, str]]:
        return {(t.source, t.target) for t in self.transitions}


Guard = Callable[[], str | None]  # returns a refusal message, or None to allow


def apply_transition(
    workflow: Workflow,
    obj: models.Model,
    field_name: str,
    event: str,
    *,
    actor: Any,
    roles: Iterable[str],
    guards: Iterable[Guard] = (),
    extra_updates: Mapping[str, Any] | None = None,
    history: Callable[[str, str], Any] | None = None,
    case_id: int | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> Transition:
    """Fire ``event`` on ``obj.<field_name>``; see the module docstring."""
    with transaction.atomic():
        old = getattr(obj, field_name)
        role_set = set(roles)
        try:
            transition = workflow.transition(old, event)
        except TransitionNotAllowed:
            # Name only what this actor could do now, not the platform's own events.
            raise TransitionNotAllowed(
                workflow, old, event, workflow.events_from(old, role_set)
            ) from None
        if not transition.roles & role_set:
            raise NotPermitted(workflow, event)
        for guard in guards:
            refusal = guard()
            if refusal:
                raise GuardFailed(refusal)
        updates = {field_name: transition.target, **(extra_updates or {})}
        model = type(obj)
        changed = model._default_manager.filter(pk=obj.pk, **{field_name: old}).update(**updates)
        if changed != 1:
            raise ConcurrentChange
        for key, value in updates.items():
            setattr(obj, key, value)
        if history is not None:
            history(old, transition.target)
        audit.record(
            f"{workflow.name}.{event}",
            actor=actor,
            subject=obj,
            case_id=case_id,
            summary=summary or f"{old} → {transition.target}",
            data={"from": old, "to": transition.target, "event": event, **(data or {})},
        )
    return transition
