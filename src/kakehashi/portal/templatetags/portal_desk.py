"""The desk case page's panel of what the vendors said in the portal: open date
requests to grant or refuse, referrals to other vendors, each vendor's verification
and countermeasure, and the statements awaiting approval. A fixed number of queries."""

from __future__ import annotations

from typing import Any

from django import template

from kakehashi.cases.choices import ScheduleRequestStatus
from kakehashi.cases.models import (
    Case,
    ScheduleRequest,
    VendorReferral,
    VendorResponse,
    VendorStatus,
)

register = template.Library()


@register.inclusion_tag("portal/_desk_panel.html", takes_context=True)
def vendor_answers(context: template.Context, case: Case, coordinate: bool) -> dict[str, Any]:
    return {
        "case": case,
        "coordinate": coordinate,
        "csrf_token": context.get("csrf_token"),
        "requests": list(
            ScheduleRequest.objects.filter(case=case, status=ScheduleRequestStatus.OPEN)
            .select_related("participant__organisation")
            .order_by("requested_at")
        ),
        "referrals": list(
            VendorReferral.objects.filter(case=case)
            .select_related("participant__organisation")
            .order_by("-referred_at")[:50]
        ),
        "responses": list(
            VendorResponse.objects.filter(participant__case=case)
            .select_related("participant__organisation")
            .order_by("participant_id")[:200]
        ),
        "pending": list(
            VendorStatus.objects.filter(case=case, approved_at__isnull=True)
            .select_related("vendor__organisation", "vulnerability", "product")
            .order_by("updated_at")[:100]
        ),
    }
