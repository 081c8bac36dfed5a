"""The embargo: proposals and revisions, acceptance, termination, and each
participant's consent (invitation, answer, and the pocket veto of a lapsed deadline)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.workflow import SYSTEM, InvalidInput

from ..choices import (
    EmbargoAnswer,
    EmbargoAttention,
    EmbargoEndReason,
    ProposalStatus,
    ScheduleChangeReason,
)
from ..models import Case, Embargo, EmbargoProposal, EmbargoResponse, Participant, ScheduleChange
from ..workflow import EM, PARTICIPANT_SELF, PEC, EMState, PECState, embargo_viable
from ._common import (
    actor_roles,
    advance_phase_if,
    claim_case,
    claimed,
    fire,
    fire_bulk,
    lock_case,
    notify_participants,
    require,
    require_coordinator,
    require_future,
    require_open,
)


def _viable(case: Case) -> str | None:
    if embargo_viable(case.pxa):
        return None
    return _(
        "No embargo may be negotiated once the vulnerability or an exploit is public or "
        "attacks are observed."
    )


def propose_embargo(
    case: Case,
    *,
    actor: Any,
    ends_at: datetime,
    note: str = "",
    participant: Participant | None = None,
    revision: int | None = None,
) -> EmbargoProposal:
    """Propose terms (EM N→P, P→P) or a revision of the terms in force (A→R, R→R).
    Proposing a revision lapses every signatory's consent until they answer again."""
    require_future(ends_at, _("The end of the embargo"))
    with claimed(case, revision):
        require_open(case)
        revising = case.embargo_in_force
        fire(
            EM,
            case,
            "em_state",
            "propose",
            case=case,
            actor=actor,
            roles=actor_roles(actor, case, participant),
            guards=[lambda: _viable(case)],
            participant=participant,
            note=note,
        )
        proposal = EmbargoProposal.objects.create(
            case=case,
            ends_at=ends_at,
            is_revision=revising,
            note=note,
            proposed_by=actor,
            proposed_by_participant=participant,
        )
        if revising:
            signatories = list(case.participants.current().filter(pec_state=PECState.SIGNATORY))
            fire_bulk(PEC, signatories, "pec_state", "lapse", case=case, actor=None)
    return proposal


def accept_embargo(
    case: Case, proposal: EmbargoProposal, *, actor: Any, revision: int | None = None
) -> Embargo:
    """The coordinator accepts a proposal: its end becomes the terms in force and the
    target publication; other open proposals are superseded."""
    require(
        proposal.case_id == case.pk and proposal.status == ProposalStatus.OPEN,
        _("This proposal is not open."),
    )
    require_future(proposal.ends_at, _("The end of the embargo"))
    with claimed(case, revision):
        require_open(case)
        now = timezone.now()
        fire(
            EM,
            case,
            "em_state",
            "accept",
            case=case,
            actor=actor,
            roles=actor_roles(actor, case),
            guards=[lambda: _viable(case)],
        )
        # "Fix ready" asked about the pending proposal, which is now decided (read in
        # the database: the attention changes without the case's revision).
        if Case.objects.filter(pk=case.pk, embargo_attention=EmbargoAttention.FIX_READY).update(
            embargo_attention=""
        ):
            case.embargo_attention = ""
        EmbargoProposal.objects.filter(case=case, status=ProposalStatus.OPEN).exclude(
            pk=proposal.pk
        ).update(status=ProposalStatus.SUPERSEDED, decided_at=now)
        EmbargoProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.ACCEPTED, decided_at=now, decided_by=actor
        )
        proposal.status = ProposalStatus.ACCEPTED
        Embargo.objects.filter(case=case, ended_at__isnull=True).update(
            ended_at=now, end_reason=EmbargoEndReason.REVISED
        )
        embargo = Embargo.objects.create(
            case=case, proposal=proposal, ends_at=proposal.ends_at, started_at=now
        )
        if case.target_publication_at != proposal.ends_at:
            ScheduleChange.objects.create(
                case=case,
                old_target=case.target_publication_at,
                new_target=proposal.ends_at,
                reason=ScheduleChangeReason.EMBARGO_AGREED,
                changed_by=actor,
            )
            case.target_publication_at = proposal.ends_at
            case.save(update_fields=["target_publication_at"])
        advance_phase_if(case, "agree_schedule", actor=actor)
        audit.record(
            "embargo.in_force",
            actor=actor,
            subject=embargo,
            case_id=case.pk,
            summary=f"{case.reference}: until {embargo.ends_at.isoformat()}",
        )
        notify_participants(case, "embargo_agreed", {"embargo": embargo})
    return embargo


def reject_embargo(
    case: Case,
    proposal: EmbargoProposal,
    *,
    actor: Any,
    note: str = "",
    revision: int | None = None,
) -> EmbargoProposal:
    """Reject one proposal. When none is left open, EM goes back (P→N, or R→A: the
    old terms stand and the lapsed consents are restored)."""
    require(
        proposal.case_id == case.pk and proposal.status == ProposalStatus.OPEN,
        _("This proposal is not open."),
    )
    with claimed(case, revision):
        require_coordinator(actor, case)
        EmbargoProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.REJECTED, decided_at=timezone.now(), decided_by=actor
        )
        proposal.status = ProposalStatus.REJECTED
        audit.record(
            "embargo.proposal_rejected",
            actor=actor,
            subject=proposal,
            case_id=case.pk,
            summary=case.reference,
            data={"note": note},
        )
        if not case.embargo_proposals.filter(status=ProposalStatus.OPEN).exists():
            _fire_reject(case, actor, note)
    return proposal


def _fire_reject(case: Case, actor: Any, note: str, roles: Any = None) -> None:
    was_revision = case.em_state == EMState.REVISE
    fire(
        EM,
        case,
        "em_state",
        "reject",
        case=case,
        actor=actor,
        roles=roles if roles is not None else actor_roles(actor, case),
        note=note,
        extra_updates={} if was_revision else {"embargo_attention": ""},
    )
    if not was_revision:  # P → N: consents to the rejected terms lapse with them
        consenting = list(case.participants.current().exclude(pec_state=PECState.NO_EMBARGO))
        fire_bulk(PEC, consenting, "pec_state", "proposal_rejected", case=case, actor=None)
    if was_revision:
        lapsed = list(case.participants.current().filter(pec_state=PECState.LAPSED))
        fire_bulk(
            PEC,
            lapsed,
            "pec_state",
            "accept",
            case=case,
            actor=None,
            note=_("The revision was rejected; the terms in force stand."),
        )


def terminate_embargo(
    case: Case,
    *,
    actor: Any,
    reason: str = EmbargoEndReason.COORDINATOR,
    note: str = "",
    revision: int | None = None,
) -> None:
    """End the embargo now (EM A/R→X): every consent returns to "no embargo"."""
    if reason not in EmbargoEndReason.values or reason == EmbargoEndReason.REVISED:
        raise InvalidInput(_("Choose why the embargo ends."))
    with claimed(case, revision):
        _terminate(case, actor, reason, note, roles=actor_roles(actor, case))


def _terminate(case: Case, actor: Any, reason: str, note: str, roles: Iterable[str]) -> None:
    now = timezone.now()
    fire(
        EM,
        case,
        "em_state",
        "terminate",
        case=case,
        actor=actor,
        roles=roles,
        note=note,
        extra_updates={"embargo_attention": ""},
    )
    Embargo.objects.filter(case=case, ended_at__isnull=True).update(
        ended_at=now, end_reason=reason, end_note=note
    )
    EmbargoProposal.objects.filter(case=case, status=ProposalStatus.OPEN).update(
        status=ProposalStatus.REJECTED, decided_at=now
    )
    consenting = list(case.participants.current().exclude(pec_state=PECState.NO_EMBARGO))
    fire_bulk(PEC, consenting, "pec_state", "embargo_exited", case=case, actor=None)
    audit.record(
        "embargo.ended",
        actor=actor,
        subject=case,
        case_id=case.pk,
        summary=f"{case.reference}: {reason}",
        data={"note": note},
    )
    notify_participants(case, "embargo_ended", {"reason": EmbargoEndReason(reason).label})


def end_embargo_for_world_event(case: Case, reason: str) -> None:
    """The SHALL rule: P or X ends the embargo at once; a pending proposal is rejected."""
    if case.em_state == EMState.PROPOSED:
        EmbargoProposal.objects.filter(case=case, status=ProposalStatus.OPEN).update(
            status=ProposalStatus.REJECTED, decided_at=timezone.now()
        )
        _fire_reject(case, None, str(EmbargoEndReason(reason).label), roles={SYSTEM})
    elif case.embargo_in_force:
        _terminate(case, None, reason, "", roles={SYSTEM})


def _answer_deadline(case: Case, deadline: datetime | None) -> datetime:
    """Default: ``KAKEHASHI_EMBARGO_ANSWER_HOURS`` from now, clamped to the embargo end."""
    if deadline is None:
        deadline = timezone.now() + timedelta(hours=settings.KAKEHASHI_EMBARGO_ANSWER_HOURS)
    ends = [e.ends_at for e in case.embargoes.filter(ended_at__isnull=True)]
    ends += [p.ends_at for p in case.embargo_proposals.filter(status=ProposalStatus.OPEN)]
    if ends:
        deadline = min(deadline, max(ends))
    require_future(deadline, _("The deadline to answer"))
    return deadline


def invite_to_embargo(
    case: Case,
    participants: Iterable[Participant],
    *,
    actor: Any,
    deadline: datetime | None = None,
    revision: int | None = None,
) -> list[Participant]:
    """Ask participants to consent to the embargo by a deadline (PEC → invited)."""
    participants = [p for p in participants if p.case_id == case.pk and p.is_current]
    require(
        case.em_state in (EMState.PROPOSED, EMState.ACTIVE, EMState.REVISE),
        _("There is no embargo or proposal to consent to."),
    )
    with claimed(case, revision):
        require_open(case)
        require_coordinator(actor, case)
        deadline = _answer_deadline(case, deadline)
        invited = fire_bulk(PEC, participants, "pec_state", "invite", case=case, actor=actor)
        Participant.objects.filter(pk__in=[p.pk for p in invited]).update(pec_deadline=deadline)
        for participant in invited:
            participant.pec_deadline = deadline
    return invited


def answer_embargo(
    case: Case, participant: Participant, *, actor: Any, answer: str, note: str = ""
) -> EmbargoResponse:
    """A participant accepts or declines the embargo (or its revision) — itself, or
    through the coordinator, who then says how the answer came (e-mail, telephone …)."""
    if answer not in EmbargoAnswer.values:
        raise InvalidInput(_("Answer accept or decline."))
    roles = actor_roles(actor, case, participant)
    if actor is not None and not roles & PARTICIPANT_SELF and not note.strip():
        raise InvalidInput(_("Say how and when the answer came."))
    require(
        participant.case_id == case.pk and participant.is_current,
        _("This participant is not in the case."),
    )
    require(
        case.em_state in (EMState.PROPOSED, EMState.ACTIVE, EMState.REVISE),
        _("There is no embargo or proposal to answer."),
    )
    if participant.pec_state == PECState.INVITED and participant.pec_deadline is not None:
        require(
            participant.pec_deadline > timezone.now(),
            _("The time to answer has passed; ask the coordinator for a new invitation."),
        )
    event = (
        "decline"
        if answer == EmbargoAnswer.DECLINE
        else ("consent" if participant.pec_state == PECState.NO_EMBARGO else "accept")
    )
    with transaction.atomic():
        lock_case(case)
        fire(
            PEC,
            participant,
            "pec_state",
            event,
            case=case,
            actor=actor,
            roles=roles,
            participant=participant,
            note=note,
            extra_updates={"pec_deadline": None},
        )
        proposal = (
            case.embargo_proposals.filter(status=ProposalStatus.OPEN).first()
            or case.embargo_proposals.filter(status=ProposalStatus.ACCEPTED).first()
        )
        response = EmbargoResponse.objects.create(
            case=case,
            participant=participant,
            proposal=proposal,
            answer=answer,
            note=note,
            answered_by=actor,
        )
    return response


def time_out_invitations(now: datetime | None = None) -> int:
    """The pocket veto: an invitation unanswered by its deadline becomes a decline."""
    now = now or timezone.now()
    late = Participant.objects.filter(
        pec_state__in=[PECState.INVITED, PECState.LAPSED],
        pec_deadline__lt=now,
        removed_at__isnull=True,
    ).select_related("case")
    by_case: dict[int, list[Participant]] = {}
    for participant in late:
        by_case.setdefault(participant.case_id, []).append(participant)
    count = 0
    for group in by_case.values():
        with transaction.atomic():
            lock_case(group[0].case)
            count += len(
                fire_bulk(PEC, group, "pec_state", "time_out", case=group[0].case, actor=None)
            )
    return count


def expire_case_embargo(case: Case) -> None:
    """End the case's embargo because its end has come (inside the caller's claim)."""
    if case.embargo_in_force:
        _terminate(case, None, EmbargoEndReason.EXPIRED, "", roles={SYSTEM})


def expire_embargoes(now: datetime | None = None) -> int:
    """End every embargo whose end has come (the publication instant)."""
    now = now or timezone.now()
    count = 0
    for embargo in Embargo.objects.filter(ended_at__isnull=True, ends_at__lte=now).select_related(
        "case"
    ):
        with transaction.atomic():
            case = Case.objects.get(pk=embargo.case_id)
            if case.embargo_in_force:
                claim_case(case)  # forms rendered before the end are now stale
                _terminate(case, None, EmbargoEndReason.EXPIRED, "", roles={SYSTEM})
                count += 1
    return count
