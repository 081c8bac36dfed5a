"""Showing instants the way CVD needs them: the viewer's zone, and always JST and UTC."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.core.dates import JST

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
