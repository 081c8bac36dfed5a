"""Two people act on the same thing at the same moment: exactly one wins, the other is
told clearly, and the database shows one change and one audit trail.

Each test runs two real transactions on two database connections, one thread each, and
makes them meet at a barrier inside their transactions, after both have read the same
state and just before the statement that decides who wins. Only PostgreSQL can hold two
writing transactions open at once, so the tests skip elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone, translation

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Membership, Organisation, User
from kakehashi.cases import actions
from kakehashi.cases.actions import _common
from kakehashi.cases.actions import embargo as embargo_actions
from kakehashi.cases.actions import participants as participant_actions
from kakehashi.cases.choices import ContactOutcome
from kakehashi.cases.models import (
    Case,
    Embargo,
    EmbargoProposal,
    Participant,
    ScheduleChange,
    StateChange,
    VendorStatus,
)
from kakehashi.core import audit
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import ConcurrentChange

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONFLICT = "Someone else changed this at the same moment. Reload the page and try again."
WAIT = 3  # seconds a thread waits for the other one at the barrier


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("two open transactions need a server database; CI runs this on PostgreSQL")


# --- running two transactions at once ---------------------------------------------------


def race(*calls: Callable[[], Any]) -> list[BaseException | None]:
    """Run each call in its own thread (and so on its own connection); return what each
    raised, or None for the ones that succeeded."""
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            with translation.override("en"):
                call()
        except BaseException as error:  # reported to the test, which decides
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call), name=f"racer-{i}")
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a transaction never finished"
    return outcomes


def one_winner(outcomes: list[BaseException | None]) -> int:
    """Exactly one succeeded and the other got the clear conflict; the winner's index."""
    winners = [i for i, outcome in enumerate(outcomes) if outcome is None]
    assert len(winners) == 1, f"expected exactly one winner: {outcomes!r}"
    loser = outcomes[1 - winners[0]]
    assert isinstance(loser, ConcurrentChange), f"the other one failed otherwise: {loser!r}"
    assert str(loser) == CONFLICT
    return winners[0]


def _meet(barrier: threading.Barrier) -> None:
    # If the other one is held elsewhere (say, by the case row's lock, which actions take
    # first so that they cannot deadlock), the barrier breaks: carry on.
    with suppress(threading.BrokenBarrierError):
        barrier.wait()


@contextmanager
def meet_before_claim(barrier: threading.Barrier) -> Iterator[None]:
    """Both transactions read the case's revision, then meet, then claim it."""
    real = _common.claim_case

    def claim(case: Case, revision: int | None = None) -> None:
        Case.objects.filter(pk=case.pk).values_list("revision", flat=True).get()
        _meet(barrier)
        real(case, revision)

    with (
        mock.patch.object(_common, "claim_case", claim),
        mock.patch.object(embargo_actions, "claim_case", claim),
    ):
        yield


@contextmanager
def meet_before_locking_the_case(barrier: threading.Barrier) -> Iterator[None]:
    """Actions that do not claim the case (``change_rm``, ``record_vendor_status``) lock
    its row first: both transactions read it, meet, then take the lock in turn."""
    real = participant_actions.lock_case

    def lock_case(case: Case) -> None:
        Case.objects.filter(pk=case.pk).exists()
        _meet(barrier)
        real(case)

    with mock.patch.object(participant_actions, "lock_case", lock_case):
        yield


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def audit_head() -> int:
    return audit.chain_head()[0]


def audit_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _vendor(slug: str) -> Organisation:
    return Organisation.objects.create(
        slug=slug, kind=OrganisationKind.VENDOR, name_en=slug.title(), mfa_required=False
    )


# --- (a) two case-level actions on the same revision --------------------------------------


def test_of_two_coordinators_acting_on_the_same_revision_exactly_one_wins(case, world):
    first, second = fresh(case), fresh(case)  # two browser tabs, the same revision
    revision, seq = first.revision, audit_head()
    target = timezone.now() + timedelta(days=50)
    with meet_before_claim(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(
            lambda: actions.update_case(first, actor=world.user("coordinator"), title_en="New"),
            lambda: actions.change_schedule(
                second, actor=world.user("admin"), new_target=target, reason="leak_risk"
            ),
        )
    winner = one_winner(outcomes)
    case = fresh(case)
    assert case.revision == revision + 1
    renamed = case.title_en == "New"
    moved = ScheduleChange.objects.filter(case=case, new_target=target).exists()
    assert (renamed, moved) == ((True, False) if winner == 0 else (False, True))
    expected = "case.updated" if winner == 0 else "schedule.changed"
    assert [e.action for e in audit_since(seq)] == [expected]
    assert audit.first_problem() is None


def test_of_two_coordinators_adding_vendors_at_once_exactly_one_adds(case, world):
    first, second = fresh(case), fresh(case)
    vendor_c, vendor_d = _vendor("vendor-c"), _vendor("vendor-d")
    before, seq = case.participants.count(), audit_head()
    with meet_before_claim(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(
            lambda: actions.add_participants(
                first, actor=world.user("coordinator"), role="vendor", organisations=[vendor_c]
            ),
            lambda: actions.add_participants(
                second, actor=world.user("admin"), role="vendor", organisations=[vendor_d]
            ),
        )
    winner = one_winner(outcomes)
    added = [vendor_c, vendor_d][winner]
    assert case.participants.count() == before + 1
    assert list(case.participants.filter(organisation__in=[vendor_c, vendor_d])) == [
        case.participants.get(organisation=added)
    ]
    assert [e.action for e in audit_since(seq)] == ["participants.added"]
    assert audit.first_problem() is None


# --- (b) the same embargo transition fired twice ------------------------------------------


def test_two_coordinators_accepting_the_same_proposal_make_one_embargo(case, world):
    coordinator, admin = world.user("coordinator"), world.user("admin")
    ends_at = timezone.now() + timedelta(days=30)
    proposal = actions.propose_embargo(case, actor=coordinator, ends_at=ends_at)
    seq = audit_head()

    def accept(actor: User) -> Callable[[], Any]:
        mine, loaded = fresh(case), EmbargoProposal.objects.get(pk=proposal.pk)
        return lambda: actions.accept_embargo(mine, loaded, actor=actor)

    with meet_before_claim(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(accept(coordinator), accept(admin))
    winner = [coordinator, admin][one_winner(outcomes)]
    assert fresh(case).em_state == "A"
    assert Embargo.objects.filter(case=case).count() == 1
    assert StateChange.objects.filter(case=case, machine="em", event="accept").count() == 1
    events = audit_since(seq)
    assert [e.action for e in events].count("em.accept") == 1
    assert {e.actor_id for e in events} == {winner.pk}
    assert audit.first_problem() is None


def test_the_gate_lets_one_of_two_identical_transitions_through(case, world, vendor_a):
    """No claim here: the case row's lock makes the second wait, and the gate's
    ``filter(state=old).update`` then finds the state moved and turns it away."""
    seq = audit_head()

    def receive(actor: User) -> Callable[[], Any]:
        mine, participant = fresh(case), Participant.objects.get(pk=vendor_a.pk)
        return lambda: actions.change_rm(mine, participant, "receive", actor=actor)

    with meet_before_locking_the_case(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(receive(world.user("coordinator")), receive(world.user("psirt")))
    one_winner(outcomes)
    vendor_a.refresh_from_db()
    assert vendor_a.rm_state == "R"
    rows = StateChange.objects.filter(participant=vendor_a, machine="rm", event="receive")
    assert rows.count() == 1
    assert [e.action for e in audit_since(seq)] == ["rm.receive"]
    assert audit.first_problem() is None


# --- (c) two PSIRT members record the same status version ---------------------------------


@pytest.fixture
def second_psirt(world) -> User:
    user = User.objects.create_user(username="psirt2", email="psirt2@example.test")
    Membership.objects.create(
        user=user, organisation=world.organisations["vendor-a"], role=Role.VENDOR_PSIRT
    )
    return user


def _recorder(case: Case, vendor: Participant, vulnerability: Any) -> Callable[..., Any]:
    """``record(actor, status, expected)``: one form, loaded now, submitted in a thread."""

    def record(actor: User, status: str, expected: int) -> Callable[[], Any]:
        mine, speaking_for = fresh(case), Participant.objects.get(pk=vendor.pk)
        return lambda: actions.record_vendor_status(
            mine, speaking_for, vulnerability, actor=actor, status=status, expected_version=expected
        )

    return record


def test_two_psirt_members_recording_over_the_same_version_one_wins(
    case, world, vendor_a, vulnerability, second_psirt
):
    psirt = world.user("psirt")
    actions.record_vendor_status(case, vendor_a, vulnerability, actor=psirt, status="affected")
    record, seq = _recorder(case, vendor_a, vulnerability), audit_head()
    with meet_before_locking_the_case(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(record(psirt, "under_investigation", 1), record(second_psirt, "unknown", 1))
    winner = one_winner(outcomes)
    status = VendorStatus.objects.get(vendor=vendor_a, vulnerability=vulnerability)
    assert status.version == 2
    assert status.status == ("under_investigation", "unknown")[winner]
    assert [h.status for h in status.history.order_by("version")] == ["affected", status.status]
    assert [e.action for e in audit_since(seq)] == ["vendor_status.recorded"]
    assert audit.first_problem() is None


def test_two_psirt_members_recording_the_first_status_at_once_one_wins(
    case, world, vendor_a, vulnerability, second_psirt
):
    record, seq = _recorder(case, vendor_a, vulnerability), audit_head()
    with meet_before_locking_the_case(threading.Barrier(2, timeout=WAIT)):
        outcomes = race(
            record(world.user("psirt"), "affected", 0), record(second_psirt, "unknown", 0)
        )
    one_winner(outcomes)
    assert VendorStatus.objects.get(vendor=vendor_a, vulnerability=vulnerability).version == 1
    assert [e.action for e in audit_since(seq)] == ["vendor_status.recorded"]


# --- lock order: the audit chain's lock and the rows' locks -------------------------------


@contextmanager
def meet_around_the_first_audit_event(barrier: threading.Barrier, after: str) -> Iterator[None]:
    """Thread ``after`` meets just after appending its first audit event (it then holds
    the chain's lock); the other meets just before appending its first one."""
    real = audit.record
    local = threading.local()

    def record(*args: Any, **kwargs: Any) -> AuditEvent:
        if getattr(local, "met", False):
            return real(*args, **kwargs)
        local.met = True
        if threading.current_thread().name == after:
            appended = real(*args, **kwargs)
            _meet(barrier)
            return appended
        _meet(barrier)
        return real(*args, **kwargs)

    with mock.patch.object(audit, "record", record):
        yield


def test_a_contact_attempt_and_a_report_change_on_one_vendor_do_not_deadlock(case, world, vendor_a):
    """The interleaving that deadlocked when actions took the audit chain's lock before
    the vendor's row: the contact attempt holds the chain, the report change holds the
    row. Now both lock the case row first, so the second waits (the barrier breaks after
    ``WAIT``) and both go through."""
    coordinator = world.user("coordinator")
    actions.change_rm(case, vendor_a, "receive", actor=coordinator)
    mine, participant = fresh(case), Participant.objects.get(pk=vendor_a.pk)
    theirs = Participant.objects.get(pk=vendor_a.pk)
    with meet_around_the_first_audit_event(threading.Barrier(2, timeout=WAIT), after="racer-0"):
        outcomes = race(
            lambda: actions.record_contact_attempt(
                mine,
                participant,
                actor=coordinator,
                channel="email",
                address="psirt@vendor-a.test",
                outcome=ContactOutcome.ANSWERED,
            ),
            lambda: actions.change_rm(fresh(case), theirs, "validate", actor=world.user("psirt")),
        )
    deadlocked = [o for o in outcomes if isinstance(o, OperationalError)]
    assert outcomes == [None, None], f"deadlocked: {deadlocked!r}" if deadlocked else outcomes
    vendor_a.refresh_from_db()
    assert (vendor_a.rm_state, vendor_a.vfd) == ("V", "Vfd")
    assert audit.first_problem() is None
