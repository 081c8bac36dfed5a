"""The case page's panel of vendor notices: what each vendor on the page was sent, and
what the coordinator should do next (the few queries here do not grow with the case)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count
from django.utils.translation import gettext as _

from kakehashi.cases.choices import ParticipantRole
from kakehashi.cases.views._perform import viewer_zone

from ..choices import NoticeState
from ..forms import BounceForm
from ..models import ContactPoint, VendorNotice
from ..notify import OTHER_CHANNELS, RESTARTABLE

register = template.Library()


@register.inclusion_tag("vendors/_case_notices.html", takes_context=True)
def case_vendor_notices(context: template.Context) -> dict[str, Any]:
    case = context["case"]
    vendors = [p for p in context.get("participants") or [] if p.role == ParticipantRole.VENDOR]
    notices = {n.participant_id: n for n in VendorNotice.objects.filter(participant__in=vendors)}
    flagged = [p.organisation_id for p in vendors if _needs_other(notices.get(p.pk))]
    channels: dict[int, list[ContactPoint]] = {}
    if flagged:
        for point in ContactPoint.objects.filter(
            profile__organisation_id__in=flagged, kind__in=OTHER_CHANNELS
        ).select_related("profile"):
            channels.setdefault(point.profile.organisation_id, []).append(point)
    rows = [
        {
            "participant": p,
            "notice": notices.get(p.pk),
            "status": _status(p, notices.get(p.pk)),
            "channels": channels.get(p.organisation_id, []) if p.organisation_id else [],
            "all_tried": _all_channels_tried(p, notices.get(p.pk)),
            "may_notify": _may_notify(notices.get(p.pk)),
        }
        for p in vendors
    ]
    allowed = context.get("allowed")
    act = bool(allowed and allowed.coordinate and allowed.open)
    request = context.get("request")
    zone = viewer_zone(request) if request is not None else "UTC"
    return {
        "case": case,
        "rows": rows,
        "summary": _summary(case),
        "act": act,
        "bounce_form": BounceForm(case=case, zone=zone) if act else None,
        "sent": [r["participant"] for r in rows if r["notice"] and r["notice"].last_sent_at],
        "csrf_token": context.get("csrf_token"),
    }


def _may_notify(notice: VendorNotice | None) -> bool:
    """A box to tick: not yet notified, or the notice bounced or found no address and
    starts again once the coordinator has corrected the vendor's entry."""
    return notice is None or notice.state in RESTARTABLE


def _needs_other(notice: VendorNotice | None) -> bool:
    return notice is not None and notice.other_channels_needed


def _all_channels_tried(participant: Any, notice: VendorNotice | None) -> bool:
    """Escalation ends here: every channel of the vendor's entry was tried since its last
    answer, and none answered (the unreachable rules read the same logged attempts)."""
    from kakehashi.unreachable import rules

    if not _needs_other(notice) or participant.acknowledged_at is not None:
        return False
    quiet = rules.silence(participant)
    return quiet.since is not None and not rules.untried_channels(participant, quiet.channels_tried)


def _status(participant: Any, notice: VendorNotice | None) -> str:
    if participant.acknowledged_at is not None:
        return _("Acknowledged")
    if notice is None:
        return _("Not notified")
    if notice.other_channels_needed:
        return _("Needs other channels")
    return str(NoticeState(notice.state).label)


def _summary(case: Any) -> list[tuple[str, int]]:
    counts = dict(
        VendorNotice.objects.filter(case=case)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return [
        (str(NoticeState(state).label), counts[state]) for state in NoticeState if counts.get(state)
    ]
