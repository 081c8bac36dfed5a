"""Exhaustive checks of the Vultron tables: every allowed and every refused pair."""

from itertools import product

import pytest

from kakehashi.cases import workflow as states
from kakehashi.core.workflow import TransitionNotAllowed

RM_EXPECTED = {
    ("S", "R"),
    ("R", "V"),
    ("R", "I"),
    ("I", "V"),
    ("I", "C"),
    ("V", "A"),
    ("V", "D"),
    ("A", "D"),
    ("A", "C"),
    ("D", "A"),
    ("D", "C"),
}
EM_EXPECTED = {
    ("N", "P"),
    ("P", "P"),
    ("P", "N"),
    ("P", "A"),
    ("A", "R"),
    ("A", "X"),
    ("R", "R"),
    ("R", "A"),
    ("R", "X"),
}


def test_rm_has_exactly_the_eleven_transitions_of_the_protocol():
    assert states.RM.pairs() == RM_EXPECTED
    assert len(states.RM.transitions) == 11


@pytest.mark.parametrize(("source", "target"), sorted(product(states.RMState.values, repeat=2)))
def test_rm_every_pair_is_allowed_or_refused_as_the_table_says(source, target):
    events = [t.event for t in states.RM.transitions if t.source == source and t.target == target]
    assert bool(events) == ((source, target) in RM_EXPECTED)


def test_rm_cannot_close_from_valid():
    with pytest.raises(TransitionNotAllowed):
        states.RM.transition("V", "close")


def test_em_matches_the_protocol_and_rejecting_a_revision_keeps_the_old_terms():
    assert states.EM.pairs() == EM_EXPECTED
    assert states.EM.transition("R", "reject").target == "A"
    for event in ("propose", "accept", "reject", "terminate"):
        with pytest.raises(TransitionNotAllowed):
            states.EM.transition("X", event)


def test_pec_invitation_times_out_to_declined_and_everything_resets_on_exit():
    assert states.PEC.transition("invited", "time_out").target == "declined"
    assert states.PEC.transition("signatory", "lapse").target == "lapsed"
    for state in ("invited", "signatory", "lapsed", "declined"):
        assert states.PEC.transition(state, "embargo_exited").target == "no_embargo"
    with pytest.raises(TransitionNotAllowed):
        states.PEC.transition("declined", "accept")


def test_cs_has_32_states_and_58_transitions():
    assert len(states.cs_states()) == 32
    assert len(states.cs_transitions()) == 58


def test_cs_each_transition_flips_exactly_one_letter_to_upper_case():
    for source, event, target in states.cs_transitions():
        diffs = [i for i, (a, b) in enumerate(zip(source, target, strict=True)) if a != b]
        assert len(diffs) == 1
        assert target[diffs[0]] == event


def test_cs_follows_the_erratum_not_the_printed_grammar():
    moves = {(s, e): t for s, e, t in states.cs_transitions()}
    assert moves[("VFdPxA", "X")] == "VFdPXA"
    assert ("VFdPxA", "D") in moves


@pytest.mark.parametrize(
    ("source", "event", "allowed"),
    [
        ("vfdpxa", "F", False),  # no fix before the vendor knows
        ("Vfdpxa", "D", False),  # no deployment before a fix
        ("vfdPxa", "X", False),  # once public, an unaware vendor's only move is V
        ("vfdPxa", "V", True),
        ("vfdpXa", "A", False),  # pX is ephemeral: only P may follow
        ("vfdpXa", "P", True),
        ("VfdpxA", "P", True),  # attacks do not force P
        ("VFDPXA", "A", False),  # final state
    ],
)
def test_cs_validity_rules(source, event, allowed):
    assert states.cs_transition_allowed(source, event) is allowed


def test_world_events_an_exploit_makes_the_vulnerability_public():
    assert states.record_world_event("pxa", "X") == "PXa"
    assert states.record_world_event("pxa", "A") == "pxA"
    assert states.embargo_viable("pxa")
    assert not states.embargo_viable("pxA")
