"""The case page's panel of what a self-reporting vendor asked for (intake's part of
the case page, as other apps add theirs)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from ..access import self_report_requests

register = template.Library()


@register.inclusion_tag("intake/case/_self_report_requests.html", takes_context=True)
def case_self_report_requests(context: template.Context) -> dict[str, Any]:
    """The vendor's wanted publication time (with a button for the coordinator that
    makes it the case's target, through the case's own schedule action) and its CVE
    request (for the CNA officer). Empty unless the case came from such a report."""
    case = context["case"]
    request = context["request"]
    allowed = context.get("allowed")
    may_schedule = bool(allowed and allowed.coordinate and allowed.open)
    zone = _viewer_zone(request.user)
    now = timezone.now()
    rows = []
    for asked in self_report_requests(case):
        wanted = asked.wanted_publication_at
        rows.append(
            {
                "asked": asked,
                "is_target": wanted is not None and wanted == case.target_publication_at,
                "adoptable": may_schedule
                and wanted is not None
                and wanted > now
                and wanted != case.target_publication_at,
                "local_value": (
                    timezone.localtime(wanted, zone).strftime("%Y-%m-%dT%H:%M") if wanted else ""
                ),
            }
        )
    return {"case": case, "rows": rows, "request": request}


def _viewer_zone(user: Any) -> zoneinfo.ZoneInfo:
    """The zone the case's schedule form reads a typed time in (the viewer's)."""
    try:
        return zoneinfo.ZoneInfo(str(getattr(user, "timezone", "") or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
