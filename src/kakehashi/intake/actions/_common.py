"""Shared by the intake actions: the actor's roles towards a report, the report claim,
firing a transition with its history row, and mail to the finder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Role
from kakehashi.core.mail import send_templated_mail
from kakehashi.core.workflow import (
    SYSTEM,
    ConcurrentChange,
    Guard,
    GuardFailed,
    Transition,
    Workflow,
    apply_transition,
)

from ..models import Report, ReportStateChange

DESK_ROLES = frozenset({Role.RECEPTION_CLERK, Role.ADMINISTRATOR})


def report_roles(actor: Any, report: Report, *, finder_secret_ok: bool = False) -> set[str]:
    """Workflow roles of ``actor`` for ``report``: the desk's clerks, or the finder
    (its account, or whoever holds the follow-up link, which the caller checked)."""
    if finder_secret_ok:  # the follow-up link speaks for the finder, and only for it
        return {Role.FINDER}
    if actor is None:
        return {SYSTEM}
    roles: set[str] = set()
    if not getattr(actor, "is_authenticated", False):
        return roles
    if actor.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    for membership in actor.memberships_cached():
        if membership.organisation_id == report.reception_org_id:
            roles.add(membership.role)
    if report.finder_user_id is not None and report.finder_user_id == actor.pk:
        roles.add(Role.FINDER)
    return roles


def require_desk(actor: Any, report: Report) -> set[str]:
    roles = report_roles(actor, report)
    if not roles & (DESK_ROLES | {SYSTEM}):
        raise GuardFailed(_("Only the reception desk may do this."))
    return roles


def claim_report(report: Report, revision: int | None = None) -> None:
    """Of two clerks acting on the same revision of a report, exactly one wins."""
    expected = report.revision if revision is None else revision
    changed = Report.objects.filter(pk=report.pk, revision=expected).update(
        revision=F("revision") + 1
    )
    if changed != 1:
        raise ConcurrentChange
    report.revision = expected + 1


@contextmanager
def claimed(report: Report, revision: int | None = None) -> Iterator[None]:
    """``transaction.atomic()`` plus :func:`claim_report`, restoring the in-memory
    revision when the block fails (the database's rolls back with it)."""
    before = report.revision
    try:
        with transaction.atomic():
            claim_report(report, revision)
            yield
    except BaseException:
        report.revision = before
        raise


def fire(
    workflow: Workflow,
    report: Report,
    field_name: str,
    event: str,
    *,
    actor: Any,
    roles: Iterable[str],
    guards: Iterable[Guard] = (),
    extra_updates: dict[str, Any] | None = None,
    note: str = "",
) -> Transition:
    def history(old: str, new: str) -> None:
        ReportStateChange.objects.create(
            report=report,
            machine=workflow.name,
            event=event,
            from_state=old,
            to_state=new,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
        )

    return apply_transition(
        workflow,
        report,
        field_name,
        event,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        roles=roles,
        guards=guards,
        extra_updates=extra_updates,
        history=history,
        summary=f"{report.tracking_id}: {workflow.name} {event}",
        data={"note": note},
    )


def finder_address(report: Report) -> tuple[str, str]:
    """(e-mail, language) to write to the finder, or ("", …) when there is none."""
    user = report.finder_user
    if user is not None and user.email:
        return user.email, user.language
    return report.finder_email, report.language


def mail_finder(report: Report, template: str, context: dict[str, Any] | None = None) -> bool:
    email, language = finder_address(report)
    if not email:
        return False
    send_templated_mail(
        template,
        [email],
        {"report": report, "site_url": settings.SITE_URL, **(context or {})},
        language,
    )
    return True


def now() -> Any:
    return timezone.now()
