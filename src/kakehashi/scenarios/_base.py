"""What every scenario module shares: the personas, idempotence by title, reloading
a case between actions (each action bumps its revision), and moving a story's rows
into the past so that its waiting periods are proved by the rows themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import F

from kakehashi.accounts.models import Organisation, User
from kakehashi.cases.models import Case
from kakehashi.intake import actions as intake_actions
from kakehashi.intake.models import Report

CHECKS = ("complete", "consistent", "in_scope", "is_vulnerability", "not_known")


@dataclass(frozen=True)
class Cast:
    """The demo personas and organisations a scenario acts with."""

    users: dict[str, User]
    orgs: dict[str, Organisation]

    def __getattr__(self, name: str) -> User:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def cast() -> Cast:
    return Cast(
        users={
            u.username: u for u in User.objects.filter(email__endswith="@demo.kakehashi.invalid")
        },
        orgs={o.slug: o for o in Organisation.objects.all()},
    )


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def case_titled(title_en: str) -> Case | None:
    return Case.objects.filter(title_en=title_en).first()


def new_case(people: Cast, title_en: str, title_ja: str, **details: Any) -> Case:
    from kakehashi.cases import actions as case_actions

    details.setdefault("origin", "report")
    return case_actions.create_case(
        actor=people.coordinator,
        coordinator_org=people.orgs["coordination"],
        reception_org=people.orgs["reception"],
        title_en=title_en,
        title_ja=title_ja,
        **details,
    )


def accept(report: Report, people: Cast) -> None:
    """The clerk's part up to 受理: acknowledged, five checks passed, accepted."""
    if report.acknowledged_at is None:
        intake_actions.acknowledge_report(report, actor=people.clerk)
    for check in CHECKS:
        intake_actions.record_check(report, actor=people.clerk, check=check, result="pass")
    intake_actions.accept_report(report, actor=people.clerk)


# --- Moving a story into the past ---------------------------------------------------

_SKIPPED_APPS = {"core", "admin", "sessions", "contenttypes", "auth"}  # the audit chain stays


def _instant_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and not getattr(f, "auto_now", False)
    ]


def _shift_queryset(queryset: models.QuerySet[Any], delta: timedelta) -> None:
    fields = _instant_fields(queryset.model)
    if fields and queryset.exists():
        # Dates move by whole days, instants by the same delta: one UPDATE per table.
        queryset.update(
            **{name: F(name) - _delta_for(queryset.model, name, delta) for name in fields}
        )


def _delta_for(model: type[models.Model], attname: str, delta: timedelta) -> timedelta:
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if isinstance(field, models.DateTimeField):
        return delta
    return timedelta(days=delta.days)


def _children(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Models holding a foreign key to ``model`` (outside the audit and framework apps)."""
    found = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        if not isinstance(related, type) or related._meta.app_label in _SKIPPED_APPS:
            continue
        if relation.many_to_many or not relation.field.concrete:
            continue
        found.append((related, relation.field.name))
    return found


def shift_into_past(root: models.Model, delta: timedelta, depth: int = 3) -> None:
    """Move every date and instant of ``root`` and of the rows hanging from it (case →
    participants → statuses …, up to ``depth`` levels) ``delta`` into the past, as if
    the story had started that long ago. Demo code only: real rows never move."""
    _shift_tree(type(root), type(root)._default_manager.filter(pk=root.pk), delta, depth, set())


def _shift_tree(
    model: type[models.Model],
    queryset: models.QuerySet[Any],
    delta: timedelta,
    depth: int,
    seen: set[type[models.Model]],
) -> None:
    if model in seen:
        return
    seen.add(model)
    _shift_queryset(queryset, delta)
    if depth == 0:
        return
    for child, field_name in _children(model):
        _shift_tree(
            child,
            child._default_manager.filter(**{f"{field_name}__in": queryset}),
            delta,
            depth - 1,
            seen,
        )
