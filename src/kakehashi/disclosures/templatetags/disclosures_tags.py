"""The disclosure panels included in the desk's case page and the portal's case page:
each reads what it shows with one query."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from kakehashi.cases.models import Case, Participant

from ..choices import DisclosureState
from ..forms import UserNoticeRequestForm
from ..models import Disclosure

register = template.Library()

PANEL_ROWS = 5


@register.simple_tag
def disclosure_summary(case: Case) -> dict[str, Any]:
    """For the desk's case page, which shows it to the case's coordination side only."""
    rows = list(
        Disclosure.objects.filter(case=case)
        .select_related("vendor__organisation")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-requested_at", "-id")
    )
    return {
        "rows": rows[:PANEL_ROWS],
        "total": len(rows),
        "pending": sum(1 for row in rows if row.state == DisclosureState.REQUESTED),
    }


@register.simple_tag(takes_context=True)
def vendor_notice(context: template.Context, participation: Participant) -> dict[str, Any]:
    """For the portal's case page: the vendor's own requests, and the form (bound
    after a refusal, fresh otherwise)."""
    return {
        "rows": list(Disclosure.objects.of_vendor(participation).order_by("-requested_at", "-id")),
        "form": context.get("notice_form") or UserNoticeRequestForm(prefix="notice"),
    }
