"""What every case action shares: the actor's roles in the case, the case claim that
makes concurrent actions conflict cleanly, the one call that fires a transition, and
notices to participants after commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.core import audit
from kakehashi.core.workflow import (
    SYSTEM,
    ConcurrentChange,
    Guard,
    GuardFailed,
    InvalidInput,
    Transition,
    Workflow,
    apply_transition,
)

from ..models import Case, Participant, StateChange
from ..workflow import PHASE

# A membership's "administrator" role means different things in different kinds of
# organisation: only the coordinator's administrators may coordinate.
_MEMBER_ROLE_OF_KIND = {
    OrganisationKind.RECEPTION: Role.RECEPTION_CLERK,
    OrganisationKind.PARTNER_CERT: Role.PARTNER_MEMBER,
    OrganisationKind.FINDER: Role.FINDER,
    OrganisationKind.VENDOR: Role.VENDOR_ADMIN,
}


def actor_roles(actor: Any, case: Case, participant: Participant | None = None) -> set[str]:
    """The workflow roles ``actor`` holds in ``case`` (optionally: speaking for one
    participant). ``None`` is the platform itself."""
    if actor is None:
        return {SYSTEM}
    if getattr(actor, "is_superuser", False):
        return {Role.ADMINISTRATOR}
    roles: set[str] = set()
    for membership in actor.memberships_cached():
        organisation = membership.organisation
        if organisation.pk == case.coordinator_org_id:
            roles.add(membership.role)
        elif participant is not None and organisation.pk == participant.organisation_id:
            role = membership.role
            if role == Role.ADMINISTRATOR:
                role = _MEMBER_ROLE_OF_KIND.get(organisation.kind, role)
            roles.add(role)
        elif organisation.pk == case.reception_org_id:
            roles.add(Role.RECEPTION_CLERK)
    if (
        participant is not None
        and participant.user_id is not None
        and participant.user_id == actor.pk
    ):
        roles.add(Role.FINDER if participant.role == "finder" else Role.VENDOR_PSIRT)
    return roles


def require(condition: bool, message: str) -> None:
    """Refuse with a translated message (a cross-model rule or a precondition)."""
    if not condition:
        raise GuardFailed(message)


def refuse_input(message: str) -> None:
    raise InvalidInput(message)


def require_open(case: Case) -> None:
    require(not case.is_closed, _("The case is closed. Reopen it first."))


def require_future(instant: datetime | None, what: str) -> None:
    if instant is None or instant <= timezone.now():
        raise InvalidInput(_("%(what)s must be in the future.") % {"what": what})


def claim_case(case: Case, revision: int | None = None) -> None:
    """Bump the case's revision if it is still ``revision`` (default: as loaded).

    Every case-level action calls this first inside its transaction: of two people
    acting on the same revision, the second finds no row to update and gets a clear
    conflict, whatever else each of them changes.
    """
    expected = case.revision if revision is None else revision
    changed = Case.objects.filter(pk=case.pk, revision=expected).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    if changed != 1:
        raise ConcurrentChange
    case.revision = expected + 1


def lock_case(case: Case) -> None:
    """Lock the case row first, as every claim does, so that actions on one case take
    their locks in one order (case row, audit chain, then other rows) and cannot
    deadlock; unlike a claim, this does not conflict with a newer revision."""
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))


@contextmanager
def claimed(case: Case, revision: int | None = None) -> Iterator[None]:
    """``transaction.atomic()`` plus :func:`claim_case`; if the block fails, the
    in-memory revision goes back to what the database still holds."""
    before = case.revision
    try:
        with transaction.atomic():
            claim_case(case, revision)
            yield
    except BaseException:
        case.revision = before
        raise


def fire(
    workflow: Workflow,
    obj: Case | Participant,
    field_name: str,
    event: str,
    *,
    case: Case,
    actor: Any,
    roles: Iterable[str],
    participant: Participant | None = None,
    guards: Iterable[Guard] = (),
    extra_updates: dict[str, Any] | None = None,
    note: str = "",
) -> Transition:
    """Fire a transition through the one gate and write its history row."""

    def history(old: str, new: str) -> None:
        StateChange.objects.create(
            case=case,
            participant=participant,
            machine=workflow.name,
            event=event,
            from_state=old,
            to_state=new,
            actor=actor,
            note=note,
        )

    return apply_transition(
        workflow,
        obj,
        field_name,
        event,
        actor=actor,
        roles=roles,
        guards=guards,
        extra_updates=extra_updates,
        history=history,
        case_id=case.pk,
        summary=f"{case.reference}: {workflow.name} {event}",
        data={"participant": participant.pk if participant else None, "note": note},
    )


def fire_bulk(
    workflow: Workflow,
    participants: list[Participant],
    field_name: str,
    event: str,
    *,
    case: Case,
    actor: Any,
    note: str = "",
) -> list[Participant]:
    """A platform transition on many participants at once (e.g. every signatory lapses
    when a revision is proposed): one UPDATE per source state, history in bulk."""
    moved: list[Participant] = []
    history: list[StateChange] = []
    by_source: dict[str, list[Participant]] = {}
    for participant in participants:
        state = getattr(participant, field_name)
        if (state, event) in {(t.source, t.event) for t in workflow.transitions}:
            by_source.setdefault(state, []).append(participant)
    for source, group in by_source.items():
        target = workflow.transition(source, event).target
        Participant.objects.filter(pk__in=[p.pk for p in group], **{field_name: source}).update(
            **{field_name: target}
        )
        for participant in group:
            setattr(participant, field_name, target)
            history.append(
                StateChange(
                    case=case,
                    participant=participant,
                    machine=workflow.name,
                    event=event,
                    from_state=source,
                    to_state=target,
                    actor=actor,
                    note=note,
                )
            )
            moved.append(participant)
    StateChange.objects.bulk_create(history)
    if moved:
        audit.record(
            f"{workflow.name}.{event}",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=f"{case.reference}: {workflow.name} {event} ×{len(moved)}",
            data={"participants": [p.pk for p in moved]},
        )
    return moved


def advance_phase_if(case: Case, event: str, *, actor: Any, note: str = "") -> bool:
    """Fire a platform phase event when the phase allows it; otherwise leave it be."""
    if (case.phase, event) not in {(t.source, t.event) for t in PHASE.transitions}:
        return False
    fire(PHASE, case, "phase", event, case=case, actor=actor, roles={SYSTEM}, note=note)
    return True


def notify_participants(
    case: Case, template: str, context: dict[str, Any], *, roles: Iterable[str] | None = None
) -> list[int]:
    """Mail every current participant (their members, or their own address) in each
    recipient's language, after commit. Returns the participant IDs notified."""
    from kakehashi.accounts.models import Membership
    from kakehashi.core.mail import send_templated_mail

    participants = list(case.participants.current().select_related("organisation", "user"))
    if roles is not None:
        wanted = set(roles)
        participants = [p for p in participants if p.role in wanted]
    org_ids = [p.organisation_id for p in participants if p.organisation_id]
    members: dict[int, list[Any]] = {}
    for membership in Membership.objects.filter(organisation_id__in=org_ids).select_related("user"):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    notified: list[int] = []
    seen: set[str] = set()
    for participant in participants:
        people = members.get(participant.organisation_id, []) if participant.organisation_id else []
        if participant.user is not None:
            people = [*people, participant.user]
        targets = [(u.email, u.language) for u in people if u.email]
        if not targets and participant.email:
            targets = [(participant.email, None)]
        for email, language in targets:
            if email in seen:
                continue
            seen.add(email)
            send_templated_mail(template, [email], {"case": case, **context}, language)
        if targets:
            notified.append(participant.pk)
    return notified


COORDINATING_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})


def require_coordinator(actor: Any, case: Case) -> set[str]:
    """The actor coordinates this case (or is the platform); returns its roles."""
    roles = actor_roles(actor, case)
    require(
        bool(roles & (COORDINATING_ROLES | {SYSTEM})), _("Only the case's coordinator may do this.")
    )
    return roles
