"""Random sequences of the real case actions keep every Vultron invariant.

A Hypothesis state machine opens one case (coordinator, reception, finder and three
vendors) and fires the actions of ``cases.actions`` in random order, with random
arguments and actors. A refusal (``WorkflowError``) is a legitimate outcome, but then
nothing may have changed. After every step the machine checks that every state is
valid, that the history is append-only and, replayed through the tables, explains the
current state, the cross-model rules of Vultron (reference §5.7) and the audit chain.

Each example runs in a savepoint rolled back at its end, so every example starts from
the same database: the personas, a third vendor, and nothing else.

The tests at the end pin rules that random sequences found broken once (an embargo
accepted in a closed case, consent carried over to other terms, publishing inside an
embargo, a stale attention flag, a participant without its join row).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Membership, Organisation, User
from kakehashi.cases import actions, ssvc
from kakehashi.cases.choices import (
    AWARE_OUTCOMES,
    ClosureReason,
    ContactChannel,
    ContactOutcome,
    EmbargoEndReason,
    ParticipantRole,
    ScheduleChangeReason,
    VexJustification,
    VexStatus,
)
from kakehashi.cases.models import (
    Case,
    CaseEvent,
    CaseProduct,
    ContactAttempt,
    Decision,
    Embargo,
    EmbargoProposal,
    EmbargoResponse,
    Participant,
    ScheduleChange,
    StateChange,
    VendorStatus,
    VendorStatusHistory,
    Vulnerability,
)
from kakehashi.cases.workflow import (
    EM,
    PEC,
    PHASE,
    RM,
    EMState,
    PECState,
    Phase,
    RMState,
    cs_states,
    cs_transition_allowed,
)
from kakehashi.core import audit
from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import World, build_world
from kakehashi.core.workflow import ConcurrentChange, TransitionNotAllowed, WorkflowError

VENDORS = ("vendor-a", "vendor-b", "vendor-c")
PEOPLE = ("coordinator", "reception", "finder", *VENDORS)
# Who speaks for each participant when a rule says "its own user".
OWN_USER = {
    "coordinator": "coordinator",
    "reception": "clerk",
    "finder": "finder",
    "vendor-a": "psirt",
    "vendor-b": "other_vendor",
    "vendor-c": "psirt_c",
}
COORDINATORS = ("coordinator", "coordinator", "admin")  # weighted towards the usual one
TABLES = {"rm": RM, "em": EM, "pec": PEC, "phase": PHASE}
# Every table an action writes to, compared row by row around each step. AuditEvent is
# first: ``act`` counts its rows.
TABLES_WRITTEN = (
    AuditEvent,
    Case,
    Participant,
    EmbargoProposal,
    Embargo,
    EmbargoResponse,
    VendorStatus,
    VendorStatusHistory,
    CaseProduct,
    Vulnerability,
    StateChange,
    CaseEvent,
    ContactAttempt,
    ScheduleChange,
    Decision,
)
OUTCOMES: Counter[tuple[str, str]] = Counter()

hours = st.integers(min_value=-3, max_value=24 * 150)
notes = st.sampled_from(["", "Agreed on the phone."])
by_coordination = st.sampled_from((*COORDINATORS, "psirt", "clerk"))


class CaseMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        try:
            self._open_case()
        except BaseException:
            self.teardown()
            raise

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _open_case(self) -> None:
        world, coordinator = self.world, self.world.user("coordinator")
        case = actions.create_case(
            actor=coordinator,
            coordinator_org=world.organisations["coordination"],
            reception_org=world.organisations["reception"],
            origin="report",
            title_en="Stored XSS in Example CMS",
            finder_user=world.user("finder"),
        )
        actions.add_participants(
            case,
            actor=coordinator,
            role=ParticipantRole.VENDOR,
            organisations=[world.organisations[slug] for slug in VENDORS],
        )
        self.vulnerability = actions.add_vulnerability(case, actor=coordinator, title_en="XSS")
        by_org = {p.organisation_id: p.pk for p in case.participants.exclude(organisation=None)}
        self.pk = {"finder": case.participants.get(role=ParticipantRole.FINDER).pk}
        for key, slug in (("coordinator", "coordination"), ("reception", "reception")):
            self.pk[key] = by_org[world.organisations[slug].pk]
        self.pk |= {slug: by_org[world.organisations[slug].pk] for slug in VENDORS}
        self.product = actions.add_product(
            case, self.participant("vendor-a"), actor=coordinator, name="CMS"
        )
        self.case_id = case.pk
        self.clock = timedelta()  # how far the jobs' clock has moved ahead of the real one
        case = self.case()
        self.revision = case.revision
        # The history replay starts from the state the case was opened in.
        self.seed = _states_of(case, list(case.participants.all()))
        self.opening_rows = set(StateChange.objects.values_list("pk", flat=True))
        self.seen_history: dict[int, tuple[Any, ...]] = {}
        self.seen_audit: dict[int, tuple[Any, ...]] = {}
        self.checked: tuple[Any, ...] = ()

    # --- helpers --------------------------------------------------------------------

    def case(self) -> Case:
        return Case.objects.get(pk=self.case_id)

    def participant(self, key: str) -> Participant:
        return Participant.objects.get(pk=self.pk[key])

    def user(self, persona: str) -> User:
        return self.world.user(persona)

    def act(self, name: str, call: Any) -> Any:
        """Run one action. A refusal must leave the database as it was; a change must
        leave an audit event."""
        before = _snapshot()
        try:
            result = call()
        except WorkflowError as error:
            assert _snapshot() == before, f"{name} was refused ({error}) but changed something"
            OUTCOMES[name, "refused"] += 1
            event(f"{name}: refused ({type(error).__name__})")
            return None
        after = _snapshot()
        OUTCOMES[name, "ok"] += 1
        event(f"{name}: ok")
        if _without_revision(after) != _without_revision(before):
            assert len(after[0]) > len(before[0]), f"{name} changed something but audited nothing"
        return result

    def must(self, name: str, call: Any) -> Any:
        result = self.act(name, call)
        assert result is not None, f"{name} was refused while setting the scene"
        return result

    # --- where an example starts: deeper states are rarely reached by chance --------

    # Hypothesis favours the first choice: an embargo in force, the richest start.
    @initialize(
        stage=st.sampled_from(("embargo", "proposed", "contacted", "fresh")),
        consent=st.booleans(),
        attacked=st.booleans(),
    )
    def start_from(self, stage, consent, attacked):
        """Vendors contacted, terms proposed or in force; participants asked to consent
        (vendor A agreeing); attacks observed (which rejects a mere proposal)."""
        if stage == "fresh":
            return
        coordinator = self.user("coordinator")
        for vendor in VENDORS:
            self.must(
                "record_contact_attempt",
                lambda v=vendor: actions.record_contact_attempt(
                    self.case(),
                    self.participant(v),
                    actor=coordinator,
                    channel="email",
                    address=f"psirt@{v}.test",
                    outcome=ContactOutcome.ACKNOWLEDGED,
                    details_included=True,
                ),
            )
        if stage == "contacted":
            return
        ends_at = timezone.now() + timedelta(days=30)
        proposal = self.must(
            "propose_embargo",
            lambda: actions.propose_embargo(self.case(), actor=coordinator, ends_at=ends_at),
        )
        if stage == "embargo":
            self.must(
                "accept_embargo",
                lambda: actions.accept_embargo(self.case(), proposal, actor=coordinator),
            )
        if consent:
            invited = [self.participant(k) for k in ("finder", *VENDORS)]
            self.must(
                "invite_to_embargo",
                lambda: actions.invite_to_embargo(self.case(), invited, actor=coordinator),
            )
            self.must(
                "answer_embargo",
                lambda: actions.answer_embargo(
                    self.case(), invited[1], actor=self.user("psirt"), answer="accept"
                ),
            )
        if attacked:
            self.must(
                "record_case_event PXA",
                lambda: actions.record_case_event(self.case(), "A", actor=coordinator),
            )

    # --- rules: contact, case events, report management ----------------------------

    @rule(
        who=st.sampled_from(("finder", *VENDORS)),
        outcome=st.sampled_from(ContactOutcome.values),
        details=st.booleans(),
        hours_ago=st.integers(min_value=0, max_value=24 * 30),
        channel=st.sampled_from([*ContactChannel.values, "pigeon"]),
    )
    def record_contact_attempt(self, who, outcome, details, hours_ago, channel):
        self.act(
            "record_contact_attempt",
            lambda: actions.record_contact_attempt(
                self.case(),
                self.participant(who),
                actor=self.user("coordinator"),
                channel=channel,
                address=f"{who}@example.test",
                attempted_at=timezone.now() - timedelta(hours=hours_ago),
                outcome=outcome,
                details_included=details,
            ),
        )

    @rule(
        letter=st.sampled_from("VFDVFDPXAA"),
        who=st.sampled_from((*VENDORS, *VENDORS, "finder", None)),
        by=st.sampled_from(("coordinator", "coordinator", "own", "other_vendor")),
    )
    def record_case_event(self, letter, who, by):
        """V, F, D for one vendor (or, refused, for nobody or the finder); P, X, A for
        the case (or, refused, for one participant). By the coordinator, the vendor
        itself, or (refused) another vendor."""
        world = letter in "PXA"
        participant = self.participant(who) if who and (not world or who == "finder") else None
        actor = self.user(OWN_USER[who] if by == "own" and who else "coordinator")
        if by == "other_vendor":
            actor = self.user(by)
        name = f"record_case_event {'PXA' if world else 'VFD'}"
        done = self.act(
            name,
            lambda: actions.record_case_event(
                self.case(), letter, participant=participant, actor=actor
            ),
        )
        if done is not None and letter in "PX":  # the embargo ends at once
            assert self.case().em_state in (EMState.NONE, EMState.EXITED)

    @rule(
        who=st.sampled_from(PEOPLE),
        move=st.sampled_from([*RM.event_labels, "join"]),
        allowed=st.booleans(),
        by=st.sampled_from(("own", "own", "coordinator", "outsider")),
    )
    def change_rm(self, who, move, allowed, by):
        """Any event, or (``allowed``) one the table allows from the current state."""
        participant, in_force = self.participant(who), self.case().embargo_in_force
        choices = RM.events_from(participant.rm_state)
        if allowed and choices:
            move = choices[len(move) % len(choices)]
        actor = self.user(OWN_USER[who] if by == "own" else by)
        done = self.act(
            "change_rm",
            lambda: actions.change_rm(self.case(), participant, move, actor=actor),
        )
        if done is not None and move == "close":
            assert not in_force, "a report was closed while the embargo was in force"

    # --- rules: the embargo ----------------------------------------------------------

    @rule(offset=hours, by=st.sampled_from(("coordinator", "coordinator", "psirt", "finder")))
    def propose_embargo(self, offset, by):
        speaking_for = {"psirt": "vendor-a", "finder": "finder"}.get(by)
        participant = self.participant(speaking_for) if speaking_for else None
        self.act(
            "propose_embargo",
            lambda: actions.propose_embargo(
                self.case(),
                actor=self.user(by),
                ends_at=timezone.now() + timedelta(hours=offset),
                participant=participant,
            ),
        )

    @rule(
        accept=st.booleans(),
        only_open=st.booleans(),
        which=st.integers(0, 20),
        by=st.sampled_from((*COORDINATORS, "psirt")),
        note=notes,
    )
    def decide_proposal(self, accept, only_open, which, by, note):
        """Accept or reject an open proposal, or (refused) one decided already."""
        proposals = EmbargoProposal.objects.order_by("-pk")
        proposals = list(proposals.filter(status="open") if only_open else proposals)
        if not proposals:
            return
        proposal, pxa = proposals[which % len(proposals)], self.case().pxa
        actor = self.user(by)
        if not accept:
            self.act(
                "reject_embargo",
                lambda: actions.reject_embargo(self.case(), proposal, actor=actor, note=note),
            )
            return
        embargo = self.act(
            "accept_embargo", lambda: actions.accept_embargo(self.case(), proposal, actor=actor)
        )
        if embargo is not None:
            case = self.case()
            assert pxa == "pxa" and case.em_state == EMState.ACTIVE
            assert case.target_publication_at == embargo.ends_at == proposal.ends_at

    @rule(reason=st.sampled_from(EmbargoEndReason.values), by=by_coordination)
    def terminate_embargo(self, reason, by):
        self.act(
            "terminate_embargo",
            lambda: actions.terminate_embargo(self.case(), actor=self.user(by), reason=reason),
        )

    @rule(
        who=st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True),
        deadline=st.none() | hours,
        by=st.sampled_from((*COORDINATORS, "psirt")),
    )
    def invite_to_embargo(self, who, deadline, by):
        at = None if deadline is None else timezone.now() + timedelta(hours=deadline)
        invited = [self.participant(key) for key in who]
        self.act(
            "invite_to_embargo",
            lambda: actions.invite_to_embargo(
                self.case(), invited, actor=self.user(by), deadline=at
            ),
        )

    @rule(
        who=st.sampled_from(("finder", *VENDORS)),
        answer=st.sampled_from(("accept", "accept", "decline", "maybe")),
        by=st.sampled_from(("own", "own", "coordinator", "other_vendor")),
    )
    def answer_embargo(self, who, answer, by):
        actor = self.user(OWN_USER[who] if by == "own" else by)
        self.act(
            "answer_embargo",
            lambda: actions.answer_embargo(
                self.case(), self.participant(who), actor=actor, answer=answer, note="By e-mail."
            ),
        )

    @rule(expire=st.booleans(), ahead=st.integers(0, 24 * 60))
    def run_deadline_jobs(self, expire, ahead):
        """The jobs run on a clock moved ahead by ``ahead`` more hours."""
        self.clock += timedelta(hours=ahead)
        now = timezone.now() + self.clock
        if expire:
            self.act("expire_embargoes", lambda: actions.expire_embargoes(now=now))
            assert not Embargo.objects.filter(ended_at__isnull=True, ends_at__lte=now).exists()
        else:
            self.act("time_out_invitations", lambda: actions.time_out_invitations(now=now))
            late = Participant.objects.filter(pec_state="invited", pec_deadline__lt=now)
            assert not late.exists()

    # --- rules: schedule, statuses, phase, closure, decisions ------------------------

    @rule(
        offset=hours,
        reason=st.sampled_from(ScheduleChangeReason.values),
        note=notes,
        by=by_coordination,
    )
    def change_schedule(self, offset, reason, note, by):
        self.act(
            "change_schedule",
            lambda: actions.change_schedule(
                self.case(),
                actor=self.user(by),
                new_target=timezone.now() + timedelta(hours=offset),
                reason=reason,
                note=note,
            ),
        )

    @rule(
        vendor=st.sampled_from(VENDORS),
        status=st.sampled_from(VexStatus.values),
        explained=st.booleans(),
        with_product=st.booleans(),
        by=st.sampled_from(("own", "own", "coordinator", "other_vendor")),
        expected=st.none() | st.integers(0, 3),
    )
    def record_vendor_status(self, vendor, status, explained, with_product, by, expected):  # noqa: PLR0917
        actor = self.user(OWN_USER[vendor] if by == "own" else by)
        self.act(
            "record_vendor_status",
            lambda: actions.record_vendor_status(
                self.case(),
                self.participant(vendor),
                self.vulnerability,
                actor=actor,
                status=status,
                product=self.product if with_product else None,
                justification=VexJustification.COMPONENT_NOT_PRESENT if explained else "",
                reason="We cannot reproduce it." if explained else "",
                expected_version=expected,
            ),
        )

    @rule(
        move=st.sampled_from([*actions.MANUAL_PHASE_EVENTS, "close"]),
        allowed=st.booleans(),
        by=by_coordination,
    )
    def advance_phase(self, move, allowed, by):
        """Any event, or (``allowed``) a manual one the table allows now."""
        case = self.case()
        choices = [e for e in PHASE.events_from(case.phase) if e in actions.MANUAL_PHASE_EVENTS]
        if allowed and choices:
            move = choices[len(move) % len(choices)]
        self.act("advance_phase", lambda: actions.advance_phase(case, move, actor=self.user(by)))

    @rule(
        reason=st.sampled_from([*ClosureReason.values, "bored"]),
        note=notes,
        override=st.booleans(),
        by=st.sampled_from((*COORDINATORS, "psirt")),
    )
    def close_or_reopen(self, reason, note, override, by):
        """Reopen a closed case; otherwise close it (with or without the override)."""
        case, actor = self.case(), self.user(by)
        if case.is_closed:
            self.act("reopen_case", lambda: actions.reopen_case(case, actor=actor, note=note))
            return
        closed = self.act(
            "close_case",
            lambda: actions.close_case(
                case, actor=actor, reason=reason, note=note, override=override
            ),
        )
        if closed is not None and case.embargo_in_force:
            assert override and note, "closed during an embargo without override and note"
            assert self.case().embargo_in_force, "closing does not end the embargo"

    @rule(
        kind=st.sampled_from(("triage", "triage", "publish")),
        incomplete=st.integers(0, 5),
        data=st.data(),
    )
    def record_decision(self, kind, incomplete, data):
        spec = ssvc.TRIAGE_INPUTS if kind == "triage" else ssvc.PUBLISH_INPUTS
        inputs = {i.name: data.draw(st.sampled_from(i.choices.values)) for i in spec}
        if not incomplete:  # one decision point left unanswered: refused
            inputs.pop(spec[0].name)
        self.act(
            "record_decision",
            lambda: actions.record_decision(
                self.case(), actor=self.user("coordinator"), kind=kind, inputs=inputs
            ),
        )

    @rule(behind=st.integers(1, 3), field=st.sampled_from(("title_en", "summary")))
    def update_with_a_stale_revision(self, behind, field):
        case = self.case()
        if case.revision <= behind:
            return
        before = _snapshot()
        with pytest.raises(ConcurrentChange):
            actions.update_case(
                case,
                actor=self.user("coordinator"),
                revision=case.revision - behind,
                **{field: "Stale"},
            )
        assert _snapshot() == before, "a stale revision changed the case"
        OUTCOMES["stale update_case", "refused"] += 1

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def every_invariant_holds(self):
        snapshot = _snapshot()
        if snapshot == self.checked:
            return  # nothing changed since the last check: it still holds
        self.checked = snapshot
        case = self.case()
        people = list(Participant.objects.filter(case_id=case.pk).order_by("pk"))
        history = list(StateChange.objects.filter(case_id=case.pk).order_by("pk"))
        assert case.revision >= self.revision, "the case's revision went backwards"
        self.revision = case.revision
        _check_states(case, people)
        _check_embargo(case, people, history)
        _check_records(case, people)
        self._check_history(case, people, history)
        self._check_audit()

    def _check_history(self, case: Case, people: list[Participant], rows: list) -> None:
        """Append-only, and replaying it through the tables gives the current state."""
        current = {row.pk: _history_tuple(row) for row in rows}
        for pk, values in self.seen_history.items():
            assert current.get(pk) == values, f"history row {pk} changed or vanished"
        self.seen_history = current
        joined = {row.participant_id for row in rows if row.machine == "rm"}
        assert joined >= {p.pk for p in people}, "a participant without report history"
        state = dict(self.seed)
        vendors = [key[1] for key in self.seed if key[0] == "vfd"]
        for row in rows:
            if row.pk not in self.opening_rows:
                _replay(state, row, vendors)
        assert state == _states_of(case, people), "the history does not explain the state"

    def _check_audit(self) -> None:
        fields = ("pk", "seq", "hash", "prev_hash", "action")
        rows = AuditEvent.objects.order_by("seq").values_list(*fields)
        current = {pk: tuple(rest) for pk, *rest in rows}
        for pk, values in self.seen_audit.items():
            assert current.get(pk) == values, f"audit event {pk} changed or vanished"
        if current.keys() != self.seen_audit.keys():  # the whole chain, when it grew
            assert audit.first_problem() is None
        self.seen_audit = current


# --- what the invariants check ----------------------------------------------------------


def _states_of(case: Case, people: list[Participant]) -> dict[tuple[str, int | None], str]:
    states = {("phase", None): case.phase, ("em", None): case.em_state, ("pxa", None): case.pxa}
    for p in people:
        states["rm", p.pk], states["pec", p.pk] = p.rm_state, p.pec_state
        if p.role == ParticipantRole.VENDOR:
            states["vfd", p.pk] = p.vfd
    return states


def _check_states(case: Case, people: list[Participant]) -> None:
    assert case.phase in Phase.values and case.em_state in EMState.values
    assert len(case.pxa) == 3
    assert all(a in (b, b.upper()) for a, b in zip(case.pxa, "pxa", strict=True)), case.pxa
    closed = case.phase == Phase.CLOSED
    assert closed == (case.closed_at is not None) == bool(case.closure_reason)
    if case.phase in (Phase.PUBLISHED, Phase.UPDATING):
        assert case.published_at is not None
    if case.published_at is not None:  # publication is the public becoming aware
        assert case.pxa[0] == "P", case.pxa
    for p in people:
        assert p.rm_state in RMState.values and p.pec_state in PECState.values
        if p.role != ParticipantRole.VENDOR:
            assert p.vfd == ""
            continue
        assert p.vfd + case.pxa in cs_states()
        # Vendors know at least what the public knows.
        assert case.pxa[0] == "p" or p.vfd[0] == "V", (p.vfd, case.pxa)


def _check_embargo(case: Case, people: list[Participant], history: list) -> None:
    """The cross-model rules of reference §5.7 and the embargo's own bookkeeping."""
    if "P" in case.pxa or "X" in case.pxa:  # SHALL end at once, and not start again
        assert case.em_state in (EMState.NONE, EMState.EXITED), (case.pxa, case.em_state)
    if case.pxa != "pxa":  # no negotiation once anything is public or attacked
        assert case.em_state != EMState.PROPOSED, (case.pxa, case.em_state)
    ended = list(Embargo.objects.filter(case_id=case.pk).values_list("ended_at", flat=True))
    # In force means exactly one open row (closing with the override keeps it so).
    assert ended.count(None) == (1 if case.embargo_in_force else 0), (case.em_state, ended)
    accepted = [r for r in history if r.machine == "em" and r.event == "accept"]
    assert len(ended) == len(accepted), "an embargo row for every accepted proposal"
    proposals = list(
        case.embargo_proposals.filter(status="open").values_list("is_revision", flat=True)
    )
    revising = case.em_state == EMState.REVISE
    if case.em_state in (EMState.PROPOSED, EMState.REVISE):
        assert proposals, f"EM {case.em_state} without an open proposal"
    else:
        assert not proposals, f"EM {case.em_state} with open proposals"
    assert all(is_revision == revising for is_revision in proposals)
    consent = {p.pec_state for p in people if p.removed_at is None}
    if case.em_state in (EMState.NONE, EMState.EXITED):  # no terms: nothing to consent to
        assert consent == {PECState.NO_EMBARGO}, (case.em_state, consent)
        assert case.embargo_attention == "", "attention asked with no embargo or proposal"
    if PECState.LAPSED in consent:
        assert case.em_state in (EMState.ACTIVE, EMState.REVISE)


def _check_records(case: Case, people: list[Participant]) -> None:
    """Dates and flags on the case and its participants agree with the records."""
    attempts = list(ContactAttempt.objects.filter(case_id=case.pk))
    role = {p.pk: p.role for p in people}
    to_vendors = [a for a in attempts if role[a.participant_id] == ParticipantRole.VENDOR]
    first = min((a.attempted_at for a in to_vendors), default=None)
    assert case.day_zero_at == first, "day zero is the first attempt to reach any vendor"
    assert first is None or case.target_publication_at is not None
    assert (case.details_sent_at is not None) == any(a.details_included for a in to_vendors)
    for p in people:
        mine = [a for a in attempts if a.participant_id == p.pk]
        assert (p.notified_at is not None) == bool(mine)
        aware = any(a.outcome in AWARE_OUTCOMES for a in mine)
        assert (p.acknowledged_at is not None) == aware
        if aware:
            assert p.rm_state != RMState.START and (p.vfd == "" or p.vfd[0] == "V")
    vfd = {p.pk: p.vfd for p in people}
    for status in VendorStatus.objects.filter(case_id=case.pk).prefetch_related("history"):
        versions = [h.version for h in status.history.all()]
        assert versions == list(range(1, status.version + 1))
        if any(h.status == VexStatus.FIXED for h in status.history.all()):
            assert vfd[status.vendor_id] in ("VFd", "VFD"), "a fixed status without CS F"


def _replay(state: dict[tuple[str, int | None], str], row: StateChange, vendors: list) -> None:
    """Apply one history row to the replayed state, checking it chains and is allowed."""
    where = f"history row {row.pk} ({row.machine} {row.from_state} -{row.event}-> {row.to_state})"
    if row.machine == "cs":
        key = ("vfd", row.participant_id) if row.participant_id else ("pxa", None)
    elif row.machine in ("em", "phase"):
        key = (row.machine, None)
    else:
        key = (row.machine, row.participant_id)
    assert key in state, f"{where}: unknown machine or participant"
    assert row.from_state == state[key], f"{where} does not follow {state[key]!r}"
    if row.machine == "cs":
        _check_cs_row(state, row, vendors, where)
    else:
        try:
            target = TABLES[row.machine].transition(row.from_state, row.event).target
        except TransitionNotAllowed:
            raise AssertionError(f"{where} is not in the table") from None
        assert target == row.to_state, f"{where}: the table says {target}"
        _check_cross_model_row(state, row, where)
    state[key] = row.to_state


def _flip(state: str, letter: str, alphabet: str) -> str:
    index = alphabet.index(letter)
    return state[:index] + letter + state[index + 1 :]


def _check_cs_row(state, row: StateChange, vendors: list, where: str) -> None:
    """One letter flips to upper case, allowed from the combined vfd+pxa state."""
    pxa = state["pxa", None]
    if row.participant_id:
        assert row.event in "VFD" and row.to_state == _flip(row.from_state, row.event, "VFD")
        assert cs_transition_allowed(row.from_state + pxa, row.event), where
        return
    assert row.event in "PXA" and row.to_state == _flip(row.from_state, row.event, "PXA")
    for vendor in vendors:
        assert cs_transition_allowed(state["vfd", vendor] + row.from_state, row.event), where


def _check_cross_model_row(state, row: StateChange, where: str) -> None:
    em = state["em", None]
    if row.machine == "em" and row.event in ("propose", "accept"):
        assert state["pxa", None] == "pxa", f"{where}: negotiated once public or attacked"
    if row.machine == "em" and row.event in ("propose", "accept"):
        assert state["phase", None] != Phase.CLOSED, f"{where}: in a closed case"
    if row.machine == "rm" and row.event == "close":
        assert em not in (EMState.ACTIVE, EMState.REVISE), f"{where}: closed under embargo"
    if row.machine == "pec" and row.event == "lapse":
        assert em == EMState.REVISE, where
    if row.machine == "pec" and row.event == "embargo_exited":
        assert em == EMState.EXITED, where
    if row.machine == "pec" and row.event == "proposal_rejected":
        assert em == EMState.NONE, where
    if row.machine == "pec" and row.event in ("invite", "consent", "accept", "decline"):
        assert em in (EMState.PROPOSED, EMState.ACTIVE, EMState.REVISE), where


# --- snapshots ----------------------------------------------------------------------------


def _columns(model: Any) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


@cache
def _snapshot_queries() -> list[str]:
    quote = connection.ops.quote_name
    return [
        f"SELECT {', '.join(map(quote, _columns(m)))} FROM {quote(m._meta.db_table)} ORDER BY id"  # noqa: S608
        for m in TABLES_WRITTEN
    ]


def _snapshot() -> tuple[list[tuple[Any, ...]], ...]:
    """Every row of every table an action writes to (one example's worth: small)."""
    with connection.cursor() as cursor:
        tables = []
        for query in _snapshot_queries():
            cursor.execute(query)
            tables.append(cursor.fetchall())
        return tuple(tables)


def _without_revision(snapshot: tuple[Any, ...]) -> tuple[Any, ...]:
    """The snapshot without the case's revision and update time, which every claim
    bumps, and without the audit log (what ``act`` wants to know is whether anything
    else changed)."""
    names = _columns(Case)
    skip = {names.index("revision"), names.index("updated_at")}
    index = TABLES_WRITTEN.index(Case)
    cases = [tuple(v for i, v in enumerate(row) if i not in skip) for row in snapshot[index]]
    return (*snapshot[1:index], cases, *snapshot[index + 1 :])


def _history_tuple(row: StateChange) -> tuple[Any, ...]:
    fields = ("case_id", "participant_id", "machine", "event", "from_state", "to_state")
    return (*(getattr(row, f) for f in fields), row.actor_id, row.note, row.at)


# --- the test -----------------------------------------------------------------------------


def _add_third_vendor(world: World) -> None:
    vendor = Organisation.objects.create(
        slug="vendor-c", kind=OrganisationKind.VENDOR, name_en="Vendor C", mfa_required=False
    )
    user = User.objects.create_user(username="psirt_c", email="psirt_c@example.test")
    Membership.objects.create(user=user, organisation=vendor, role=Role.VENDOR_PSIRT)
    world.organisations["vendor-c"], world.users["psirt_c"] = vendor, user


@pytest.mark.django_db
def test_random_sequences_of_case_actions_keep_every_invariant():
    world = build_world()
    _add_third_vendor(world)
    OUTCOMES.clear()
    run_state_machine_as_test(
        lambda: CaseMachine(world),
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    # The machine went to interesting places, not only to refusals. Hypothesis switches
    # rules off at random per example (swarm testing), so only the broad picture is
    # stable from run to run: the starts, and many different actions that succeeded.
    reached = {name for (name, outcome), count in OUTCOMES.items() if outcome == "ok"}
    assert {"record_contact_attempt", "propose_embargo", "accept_embargo"} <= reached
    assert len(reached) >= 10, f"few actions ever succeeded: {dict(OUTCOMES)}"
    assert OUTCOMES["stale update_case", "refused"], "the stale revision was never tried"


# --- the rules random sequences found broken once, one plain example each ----------------


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _proposal(case: Case, actor: User, days: int = 30) -> EmbargoProposal:
    ends_at = timezone.now() + timedelta(days=days)
    return actions.propose_embargo(_fresh(case), actor=actor, ends_at=ends_at)


@pytest.mark.django_db
def test_no_embargo_comes_into_force_in_a_closed_case(case, coordinator):
    proposal = _proposal(case, coordinator)
    actions.close_case(_fresh(case), actor=coordinator, reason="low_impact")
    with pytest.raises(WorkflowError):
        actions.accept_embargo(_fresh(case), proposal, actor=coordinator)
    assert _fresh(case).em_state == EMState.PROPOSED


@pytest.mark.django_db
def test_rejecting_the_only_proposal_withdraws_the_consents_given_to_it(
    case, coordinator, vendor_a, vendor_b, world
):
    first = _proposal(case, coordinator, days=30)
    actions.invite_to_embargo(_fresh(case), [vendor_a, vendor_b], actor=coordinator)
    actions.answer_embargo(_fresh(case), vendor_a, actor=world.user("psirt"), answer="accept")
    actions.reject_embargo(_fresh(case), first, actor=coordinator)
    assert _fresh(case).em_state == EMState.NONE
    _proposal(case, coordinator, days=90)  # other terms, which vendor A has not seen
    states = dict(Participant.objects.filter(case=case).values_list("pk", "pec_state"))
    assert states[vendor_a.pk] == PECState.NO_EMBARGO
    assert states[vendor_b.pk] == PECState.NO_EMBARGO


@pytest.mark.django_db
def test_publishing_does_not_leave_the_embargo_in_force(case, coordinator):
    proposal = _proposal(case, coordinator)
    actions.accept_embargo(_fresh(case), proposal, actor=coordinator)
    try:
        actions.advance_phase(_fresh(case), "publish", actor=coordinator)
    except WorkflowError:
        return  # refusing to publish during the embargo is a fix too
    case = _fresh(case)
    assert case.phase == Phase.PUBLISHED
    assert "P" in case.pxa and case.em_state == EMState.EXITED


@pytest.mark.django_db
def test_the_embargo_attention_goes_when_the_proposal_is_rejected(case, coordinator, vendor_a):
    proposal = _proposal(case, coordinator)
    actions.record_case_event(_fresh(case), "V", participant=vendor_a, actor=coordinator)
    vendor_a.refresh_from_db()
    actions.record_case_event(_fresh(case), "F", participant=vendor_a, actor=coordinator)
    assert _fresh(case).embargo_attention
    actions.reject_embargo(_fresh(case), proposal, actor=coordinator)
    case = _fresh(case)
    assert case.em_state == EMState.NONE
    assert case.embargo_attention == ""


@pytest.mark.django_db
def test_the_fix_ready_attention_goes_when_the_proposal_is_accepted(case, coordinator, vendor_a):
    """It asked the coordinator to decide the pending proposal; accepting decides it."""
    proposal = _proposal(case, coordinator)
    actions.record_case_event(_fresh(case), "V", participant=vendor_a, actor=coordinator)
    vendor_a.refresh_from_db()
    actions.record_case_event(_fresh(case), "F", participant=vendor_a, actor=coordinator)
    assert _fresh(case).embargo_attention == "fix_ready"
    actions.accept_embargo(_fresh(case), proposal, actor=coordinator)
    case = _fresh(case)
    assert case.em_state == EMState.ACTIVE
    assert case.embargo_attention == ""


@pytest.mark.django_db
def test_a_fix_deployed_attention_stays_when_a_revision_is_accepted(case, coordinator, vendor_a):
    """It asks about the embargo in force, which a revision does not answer."""
    first = _proposal(case, coordinator)
    actions.accept_embargo(_fresh(case), first, actor=coordinator)
    for step in "VFD":
        vendor_a.refresh_from_db()
        actions.record_case_event(_fresh(case), step, participant=vendor_a, actor=coordinator)
    assert _fresh(case).embargo_attention == "fix_deployed"
    revision = actions.propose_embargo(
        _fresh(case), actor=coordinator, ends_at=timezone.now() + timedelta(days=20)
    )
    actions.accept_embargo(_fresh(case), revision, actor=coordinator)
    assert _fresh(case).embargo_attention == "fix_deployed"


@pytest.mark.django_db
def test_a_fix_deployed_after_attacks_does_not_soften_the_attention(case, coordinator, vendor_a):
    first = _proposal(case, coordinator)
    actions.accept_embargo(_fresh(case), first, actor=coordinator)
    actions.record_case_event(_fresh(case), "A", actor=coordinator)
    for step in "VFD":
        vendor_a.refresh_from_db()
        actions.record_case_event(_fresh(case), step, participant=vendor_a, actor=coordinator)
    assert _fresh(case).embargo_attention == "attacks"


@pytest.mark.django_db
def test_every_participant_the_case_opens_with_has_a_history_row(case):
    for participant in case.participants.all():
        assert StateChange.objects.filter(
            case=case, participant=participant, machine="rm"
        ).exists(), participant.role


@pytest.mark.django_db
def test_a_refused_action_leaves_the_case_object_as_the_database_has_it(case, coordinator):
    proposal = _proposal(case, coordinator)
    actions.accept_embargo(_fresh(case), proposal, actor=coordinator)
    case = _fresh(case)
    with pytest.raises(WorkflowError, match="embargo"):
        actions.close_case(case, actor=coordinator, reason="low_impact")
    assert case.revision == _fresh(case).revision
    actions.close_case(
        case, actor=coordinator, reason="low_impact", override=True, note="Kept until its end."
    )
