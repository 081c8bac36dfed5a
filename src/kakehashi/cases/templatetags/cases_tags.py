"""Showing instants the way CVD needs them: the viewer's zone, and always JST and UTC."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.core.dates import JST

from ..choices import VexStatus

register = template.Library()


@register.filter
def jst_utc(instant: datetime | None) -> str:
    """``2026-12-01 12:00 JST (03:00 UTC)`` — the form used in mail and on every page."""
    if instant is None:
        return ""
    jst = instant.astimezone(JST)
    utc = instant.astimezone(UTC)
    utc_text = (
        utc.strftime("%H:%M UTC")
        if utc.date() == jst.date()
        else utc.strftime("%Y-%m-%d %H:%M UTC")
    )
    return f"{jst:%Y-%m-%d %H:%M} JST ({utc_text})"


@register.filter
def in_zone(instant: datetime | None, zone: str) -> str:
    """The instant in ``zone`` (a user's preference), with the zone's abbreviation."""
    if instant is None:
        return ""
    try:
        local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = timezone.localtime(instant)
    return f"{local:%Y-%m-%d %H:%M %Z}"


# Zones whose reading is already part of ``jst_utc``.
_SHOWN_ANYWAY = frozenset({"Asia/Tokyo", "Japan", "UTC", "Etc/UTC"})


@register.filter
def all_zones(instant: datetime | None) -> str:
    """The instant in the viewer's zone (the active one), then in JST and UTC:
    ``2026-12-01 04:00 CET · 2026-12-01 12:00 JST (03:00 UTC)``."""
    if instant is None:
        return ""
    zone = timezone.get_current_timezone()
    both = jst_utc(instant)
    if getattr(zone, "key", "") in _SHOWN_ANYWAY:
        return both
    return f"{timezone.localtime(instant, zone):%Y-%m-%d %H:%M %Z} · {both}"


@register.filter
def jst(instant: datetime | None) -> str:
    """Compact, for tables: ``2026-12-01 12:00 JST``."""
    if instant is None:
        return ""
    return f"{instant.astimezone(JST):%Y-%m-%d %H:%M} JST"


@register.filter
def countdown(instant: datetime | None) -> str:
    """Days and hours until (or since) the instant, in words."""
    if instant is None:
        return ""
    delta = instant - timezone.now()
    seconds = int(delta.total_seconds())
    past = seconds < 0
    seconds = abs(seconds)
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    text = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    text += " " + ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    if past:
        return _("%(span)s ago") % {"span": text}
    return _("in %(span)s") % {"span": text}


def matrix_cells_html(rows: list[Any], can_approve: bool) -> list[SafeString]:
    """The cells of each row of the vendor × vulnerability matrix, as one HTML string
    per row: each status (per product), with a mark when approved or a button (of the
    matrix's form) to approve the version shown.

    Built in Python, not with template tags: fifty vendors × twenty vulnerabilities
    through the template engine would cost more than all of the case page's queries.
    Everything interpolated is escaped; status codes are ``VexStatus`` values."""
    labels = {value: escape(str(label)) for value, label in VexStatus.choices}
    approved: str = format_html('<span class="approved" title="{}">✓</span>', _("Approved"))
    approve = escape(_("Approve"))
    html = []
    for row in rows:
        cells = []
        for statuses in row.cells:
            parts = []
            for status in statuses:
                product = f" · {escape(status.product)}" if status.product else ""
                if status.approved:
                    after = approved
                elif can_approve:
                    after = (
                        f'<button name="matrix-approve" value="{int(status.pk)}:'
                        f'{int(status.version)}">{approve}</button>'
                    )
                else:
                    after = ""
                label = labels.get(status.status)
                code = status.status if label is not None else "unknown"
                parts.append(
                    f'<span class="s-{code}">{label or escape(status.status)}{product}</span>{after}'
                )
            cells.append("<td>" + "<br>".join(parts) + "</td>" if parts else "<td>—</td>")
        html.append(SafeString("".join(cells)))  # every part escaped above
    return html
