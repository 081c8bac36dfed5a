"""The guideline's priority matrix (影響度): CVSS v3 base score × scope of impact (影響範囲).

Source: 情報セキュリティ早期警戒パートナーシップガイドライン, 付録4; see
``shared/reference/jp-process.md`` §1.9. IPA and JPCERT/CC judge the scope from three factors
(① number of users, ② social impact such as use in critical infrastructure, ③ ease of attack,
e.g. public exploit code or observed attacks); when all three are unknown the scope is wide.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    """影響範囲: how far the impact reaches."""

    WIDE = "wide", pgettext_lazy("impact scope", "Wide")  # 広
    MEDIUM = "medium", pgettext_lazy("impact scope", "Medium")  # 中
    NARROW = "narrow", pgettext_lazy("impact scope", "Narrow")  # 狭


class Priority(models.TextChoices):
    """影響度: how the coordinator handles the case."""

    HIGH = "high", _("Priority handling")  # 優先対応
    NORMAL = "normal", _("Normal handling")  # 通常の対応
    LOW = "low", _("Simplified handling")  # 簡易な対応

    @property
    def rank(self) -> int:
        """Sort key for queues: 0 is handled first."""
        return PRIORITY_RANK[self]


PRIORITY_RANK: dict[str, int] = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}

_SCOPE_ORDER = (Scope.WIDE, Scope.MEDIUM, Scope.NARROW)

# Columns: CVSS v3 base score 0–3.9, 4.0–6.9, 7.0–10.0.
_MATRIX: dict[Scope, tuple[Priority, Priority, Priority]] = {
    Scope.WIDE: (Priority.NORMAL, Priority.HIGH, Priority.HIGH),
    Scope.MEDIUM: (Priority.LOW, Priority.NORMAL, Priority.HIGH),
    Scope.NARROW: (Priority.LOW, Priority.LOW, Priority.NORMAL),
}


def _scope(value: str, name: str = "scope") -> Scope:
    try:
        return Scope(value)
    except ValueError:
        allowed = ", ".join(Scope.values)
        raise ValueError(f"{name}={value!r} is not a scope; expected one of: {allowed}") from None


def scope_from(
    *,
    users: str | None = None,
    social_impact: str | None = None,
    ease_of_attack: str | None = None,
) -> Scope:
    """Suggest a scope from the three factors, each judged wide/medium/narrow or None (unknown).

    All unknown → wide, as the guideline says. Otherwise the widest known factor wins: the
    guideline leaves the weighing to IPA and JPCERT/CC, and a single wide factor (say, a public
    exploit) already makes the impact wide. This is a suggestion; a coordinator may override it.
    """
    known = [
        _scope(value, name)
        for name, value in (
            ("users", users),
            ("social_impact", social_impact),
            ("ease_of_attack", ease_of_attack),
        )
        if value is not None
    ]
    if not known:
        return Scope.WIDE
    return min(known, key=_SCOPE_ORDER.index)


def priority_for(cvss_v3_base_score: float | Decimal | None, scope: str) -> Priority:
    """Read the matrix. Without a score the matrix cannot be read: return NORMAL.

    NORMAL for an unscored case is a placeholder, not a judgement: it keeps the case in the
    ordinary queue until someone scores it, neither hiding it (LOW) nor jumping it ahead (HIGH).
    """
    row = _MATRIX[_scope(scope)]
    if cvss_v3_base_score is None:
        return Priority.NORMAL
    score = float(cvss_v3_base_score)  # Decimal NaN would raise InvalidOperation when compared
    if not 0 <= score <= 10:  # written so that NaN fails too
        raise ValueError(f"CVSS v3 base score must be from 0.0 to 10.0, not {cvss_v3_base_score!r}")
    if score < 4:
        return row[0]
    if score < 7:
        return row[1]
    return row[2]


def priority_rank_ordering(field_name: str = "priority") -> models.Case:
    """An ORM expression for ``order_by()`` that puts high priority first, then normal, low."""
    return models.Case(
        *(models.When(**{field_name: value}, then=rank) for value, rank in PRIORITY_RANK.items()),
        default=len(PRIORITY_RANK),
        output_field=models.IntegerField(),
    )
