"""What the case page shows of the CNA: for a CNA officer of the case's coordinator,
which vulnerabilities hold one of our IDs (one query), and the assign button."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from kakehashi.cases.models import Case

from ..access import cna_organisations
from ..models import CveId

register = template.Library()


@dataclass(frozen=True)
class CnaView:
    officer: bool
    owned: set[int] = field(default_factory=set)  # vulnerability IDs holding our IDs


@register.simple_tag(takes_context=True)
def cna_view(context: dict[str, Any], case: Case) -> CnaView:
    user = context["request"].user
    if not (
        getattr(user, "is_superuser", False) or case.coordinator_org_id in cna_organisations(user)
    ):
        return CnaView(officer=False)
    owned = set(
        CveId.objects.filter(vulnerability__case=case).values_list("vulnerability_id", flat=True)
    )
    return CnaView(officer=True, owned={pk for pk in owned if pk is not None})
