"""Case-state events (Vultron CS) with their cross-model rules, and schedule changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import Role
from kakehashi.core import audit
from kakehashi.core.workflow import SYSTEM, ConcurrentChange, GuardFailed, InvalidInput

from ..choices import EmbargoAttention, EmbargoEndReason, ParticipantRole, ScheduleChangeReason
from ..models import Case, CaseEvent, Participant, ScheduleChange, StateChange
from ..workflow import CS_EVENT_LABELS, CS_EVENTS, EMState, cs_transition_allowed
from ._common import (
    COORDINATING_ROLES,
    actor_roles,
    claimed,
    notify_participants,
    require_coordinator,
    require_open,
)

VENDOR_EVENTS = "VFD"
WORLD_EVENTS = "PXA"


def _cs_refusal(state: str, event: str) -> GuardFailed:
    allowed = [e for e in CS_EVENTS if cs_transition_allowed(state, e)]
    return GuardFailed(
        _(
            "“%(event)s” cannot be recorded while the case state is %(state)s. "
            "Allowed now: %(allowed)s."
        )
        % {
            "event": CS_EVENT_LABELS[event],
            "state": state,
            "allowed": ", ".join(str(CS_EVENT_LABELS[e]) for e in allowed) or _("nothing"),
        }
    )


def record_case_event(
    case: Case,
    event: str,
    *,
    actor: Any,
    participant: Participant | None = None,
    occurred_at: datetime | None = None,
    source: str = "",
    evidence: str = "",
    claim: bool = True,
    revision: int | None = None,
) -> CaseEvent:
    """Record V, F or D for one vendor, or P, X or A for the case, with what follows:
    X brings P; P makes every unaware vendor aware; P and X end the embargo at once;
    A (and a deployed fix) ask the coordinator to end it."""
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now():
        raise InvalidInput(_("An event cannot be recorded in the future."))
    if event not in CS_EVENTS:
        raise InvalidInput(_("Unknown case event."))
    with claimed(case, revision) if claim else transaction.atomic():
        require_open(case)
        if event in VENDOR_EVENTS:
            _require_speaks_for(actor, case, participant)
            return _vendor_event(
                case,
                event,
                participant=participant,
                actor=actor,
                occurred_at=occurred_at,
                source=source,
                evidence=evidence,
            )
        if participant is not None:
            raise InvalidInput(_("Public awareness, exploits and attacks concern the whole case."))
        require_coordinator(actor, case)
        return _world_event(
            case, event, actor=actor, occurred_at=occurred_at, source=source, evidence=evidence
        )


def _require_speaks_for(actor: Any, case: Case, participant: Participant | None) -> None:
    """The coordinator, or the vendor itself, records a vendor's V, F or D."""
    roles = actor_roles(actor, case, participant)
    allowed = COORDINATING_ROLES | {SYSTEM, Role.VENDOR_PSIRT, Role.VENDOR_ADMIN}
    if not roles & allowed:
        raise GuardFailed(_("Only the coordinator or the vendor itself may record this."))


def _vendor_event(
    case: Case,
    event: str,
    *,
    participant: Participant | None,
    actor: Any,
    occurred_at: datetime,
    source: str,
    evidence: str,
) -> CaseEvent:
    if participant is None or participant.role != ParticipantRole.VENDOR:
        raise InvalidInput(_("Vendor awareness, fix ready and fix deployed concern one vendor."))
    if participant.case_id != case.pk or not participant.is_current:
        raise InvalidInput(_("This participant is not in the case."))
    state = participant.vfd + case.pxa
    if not cs_transition_allowed(state, event):
        raise _cs_refusal(state, event)
    index = VENDOR_EVENTS.index(event)
    new = participant.vfd[:index] + event + participant.vfd[index + 1 :]
    if Participant.objects.filter(pk=participant.pk, vfd=participant.vfd).update(vfd=new) != 1:
        raise ConcurrentChange
    StateChange.objects.create(
        case=case,
        participant=participant,
        machine="cs",
        event=event,
        from_state=participant.vfd,
        to_state=new,
        actor=actor,
    )
    participant.vfd = new
    row = CaseEvent.objects.create(
        case=case,
        participant=participant,
        event=event,
        occurred_at=occurred_at,
        source=source,
        evidence=evidence,
        recorded_by=actor,
    )
    audit.record(
        f"cs.{event}",
        actor=actor,
        subject=row,
        case_id=case.pk,
        summary=f"{case.reference}: {participant} {state} → {new}{case.pxa}",
    )
    if event == "D" and case.embargo_in_force:
        _attention(case, EmbargoAttention.FIX_DEPLOYED)
    if event == "F" and case.em_state == EMState.PROPOSED:
        _attention(case, EmbargoAttention.FIX_READY)
    return row


def _world_event(
    case: Case, event: str, *, actor: Any, occurred_at: datetime, source: str, evidence: str
) -> CaseEvent:
    index = WORLD_EVENTS.index(event)
    if case.pxa[index] == event:
        raise _cs_refusal("···" + case.pxa, event)
    steps = [event] + (["P"] if event == "X" and case.pxa[0] == "p" else [])
    main: CaseEvent | None = None
    for step in steps:
        old = case.pxa
        i = WORLD_EVENTS.index(step)
        new = old[:i] + step + old[i + 1 :]
        if Case.objects.filter(pk=case.pk, pxa=old).update(pxa=new) != 1:
            raise ConcurrentChange
        case.pxa = new
        StateChange.objects.create(
            case=case, machine="cs", event=step, from_state=old, to_state=new, actor=actor
        )
        row = CaseEvent.objects.create(
            case=case,
            event=step,
            occurred_at=occurred_at,
            recorded_by=actor,
            implied_by=main,
            source=source if main is None else _("Implied by an exploit being public"),
            evidence=evidence if main is None else "",
        )
        main = main or row
        audit.record(
            f"cs.{step}",
            actor=actor,
            subject=row,
            case_id=case.pk,
            summary=f"{case.reference}: {old} → {new}",
        )
    assert main is not None
    if case.pxa[0] == "P":
        _vendors_become_aware(case, main, actor, occurred_at)
    _embargo_follows_world(case, event, actor)
    return main


def _vendors_become_aware(case: Case, cause: CaseEvent, actor: Any, at: datetime) -> None:
    """Vendors know at least what the public knows: once P, every vendor is V."""
    unaware = list(case.participants.vendors().filter(vfd="vfd"))
    if not unaware:
        return
    Participant.objects.filter(pk__in=[p.pk for p in unaware], vfd="vfd").update(vfd="Vfd")
    StateChange.objects.bulk_create(
        StateChange(
            case=case,
            participant=p,
            machine="cs",
            event="V",
            from_state="vfd",
            to_state="Vfd",
            actor=actor,
        )
        for p in unaware
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            participant=p,
            event="V",
            occurred_at=at,
            implied_by=cause,
            source=_("Implied by public awareness"),
            recorded_by=actor,
        )
        for p in unaware
    )


def _embargo_follows_world(case: Case, event: str, actor: Any) -> None:
    from .embargo import end_embargo_for_world_event

    if event in "PX":
        reason = EmbargoEndReason.PUBLIC if event == "P" else EmbargoEndReason.EXPLOIT_PUBLIC
        end_embargo_for_world_event(case, reason)
    elif event == "A":
        if case.em_state == EMState.PROPOSED:
            end_embargo_for_world_event(case, EmbargoEndReason.ATTACKS)
        elif case.embargo_in_force:
            _attention(case, EmbargoAttention.ATTACKS)


def _attention(case: Case, reason: EmbargoAttention) -> None:
    """Ask the coordinator to act on the embargo; observed attacks, the most urgent
    reason, are never replaced by a milder one (a fix deployed afterwards)."""
    if (
        reason != EmbargoAttention.ATTACKS
        and Case.objects.filter(pk=case.pk, embargo_attention=EmbargoAttention.ATTACKS).exists()
    ):
        return
    case.embargo_attention = reason
    case.save(update_fields=["embargo_attention"])


def change_schedule(
    case: Case,
    *,
    actor: Any,
    new_target: datetime,
    reason: str,
    note: str = "",
    revision: int | None = None,
) -> tuple[ScheduleChange, list[str]]:
    """Move the target publication for one of the guideline's reasons, tell every
    participant, and return warnings the coordinator should read."""
    if reason not in ScheduleChangeReason.values or reason in (
        ScheduleChangeReason.INITIAL,
        ScheduleChangeReason.EMBARGO_AGREED,
    ):
        raise InvalidInput(_("Choose the reason for the change."))
    if reason == ScheduleChangeReason.OTHER and not note.strip():
        raise InvalidInput(_("Explain the change in the note."))
    if new_target <= timezone.now():
        raise InvalidInput(_("The new target must be in the future."))
    if new_target == case.target_publication_at:
        raise InvalidInput(_("That is already the target."))
    with claimed(case, revision):
        require_open(case)
        require_coordinator(actor, case)
        change = ScheduleChange.objects.create(
            case=case,
            old_target=case.target_publication_at,
            new_target=new_target,
            reason=reason,
            note=note,
            changed_by=actor,
        )
        case.target_publication_at = new_target
        case.save(update_fields=["target_publication_at"])
        change.notified = notify_participants(case, "schedule_changed", {"change": change})
        change.save(update_fields=["notified"])
        audit.record(
            "schedule.changed",
            actor=actor,
            subject=change,
            case_id=case.pk,
            summary=f"{case.reference}: → {new_target.isoformat()} ({reason})",
        )
    return change, schedule_warnings(case)


def schedule_warnings(case: Case) -> list[str]:
    """What the coordinator should know about the target: a planned talk before it,
    an embargo that ends first."""
    warnings: list[str] = []
    target = case.target_publication_at
    if target is None:
        return warnings
    if case.talk_constrains_target and case.planned_talk_date is not None:
        warnings.append(
            _("The finder plans a public talk or paper on %(date)s, before the target.")
            % {"date": case.planned_talk_date.isoformat()}
        )
    embargo = case.embargoes.filter(ended_at__isnull=True).first()
    if embargo is not None and embargo.ends_at < target:
        warnings.append(_("The embargo ends before the target: propose a revision."))
    return warnings
