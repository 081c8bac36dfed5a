"""The priority matrix (影響度), cell by cell, at every score boundary."""

from decimal import Decimal

import pytest
from django.utils.functional import Promise

from kakehashi.cases.priority import (
    Priority,
    Scope,
    priority_for,
    priority_rank_ordering,
    scope_from,
)

HIGH, NORMAL, LOW = Priority.HIGH, Priority.NORMAL, Priority.LOW

# (scope, score, expected): the three columns 0–3.9, 4.0–6.9, 7.0–10.0 at both of their ends.
MATRIX = [
    (scope, score, expected)
    for scope, row in (
        (Scope.WIDE, (NORMAL, HIGH, HIGH)),
        (Scope.MEDIUM, (LOW, NORMAL, HIGH)),
        (Scope.NARROW, (LOW, LOW, NORMAL)),
    )
    for scores, expected in zip(((0, 3.9), (4.0, 6.9), (7.0, 10.0)), row, strict=True)
    for score in scores
]


@pytest.mark.parametrize(("scope", "score", "expected"), MATRIX)
def test_every_cell_of_the_matrix_at_both_score_boundaries(scope, score, expected):
    assert priority_for(score, scope) is expected
    assert priority_for(Decimal(str(score)), scope.value) is expected


def test_the_matrix_has_nine_cells():
    cells = {(scope, score >= 4, score >= 7) for scope, score, _ in MATRIX}
    assert len(cells) == 9


@pytest.mark.parametrize("scope", Scope.values)
def test_an_unscored_case_gets_normal_handling_whatever_its_scope(scope):
    assert priority_for(None, scope) is NORMAL


@pytest.mark.parametrize("score", [-0.1, 10.1, float("nan"), Decimal("NaN")])
def test_a_score_outside_the_cvss_range_is_refused(score):
    with pytest.raises(ValueError, match=r"CVSS v3 base score must be from 0\.0 to 10\.0"):
        priority_for(score, Scope.WIDE)


def test_an_unknown_scope_is_refused_even_without_a_score():
    with pytest.raises(ValueError, match=r"^scope='広' is not a scope; expected one of: wide"):
        priority_for(None, "広")


def test_scope_is_wide_when_all_three_factors_are_unknown():
    assert scope_from() is Scope.WIDE
    assert scope_from(users=None, social_impact=None, ease_of_attack=None) is Scope.WIDE


def test_scope_is_the_widest_known_factor():
    assert scope_from(users=Scope.NARROW) is Scope.NARROW
    assert scope_from(users="narrow", social_impact="medium") is Scope.MEDIUM
    assert scope_from(users=Scope.NARROW, ease_of_attack=Scope.WIDE) is Scope.WIDE


def test_scope_from_names_a_bad_factor():
    with pytest.raises(ValueError, match=r"^social_impact='high' is not a scope"):
        scope_from(social_impact="high")


def test_rank_puts_priority_handling_first():
    assert sorted(Priority, key=lambda p: p.rank) == [HIGH, NORMAL, LOW]
    assert [p.rank for p in (HIGH, NORMAL, LOW)] == [0, 1, 2]


def test_rank_ordering_expression_covers_every_priority():
    expression = priority_rank_ordering("case__priority")
    branches = {(*case.condition.children, case.result.value) for case in expression.cases}
    assert branches == {(("case__priority", p), p.rank) for p in Priority}
    assert expression.default.value == 3


def test_labels_are_translatable():
    for member in [*Scope, *Priority]:
        assert isinstance(member.label, Promise), member
    assert str(HIGH.label) == "Priority handling"
    assert str(NORMAL.label) == "Normal handling"
    assert str(LOW.label) == "Simplified handling"
