"""The case page's advisory panel: the case's advisory, if any (one query)."""

from __future__ import annotations

from django import template

from kakehashi.cases.models import Case

from ..models import Advisory

register = template.Library()


@register.simple_tag
def advisory_of(case: Case) -> Advisory | None:
    return Advisory.objects.filter(case=case).first()
