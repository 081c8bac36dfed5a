"""The disclosure log's rows in the case timeline: two queries, however many rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.cases.models import Case

from .choices import DisclosureKind, DisclosureState
from .models import Disclosure, Recipient


def _kind(value: str) -> str:
    try:
        return str(DisclosureKind(value).label)
    except ValueError:
        return value


def timeline_entries(case: Case, limit: int, entry: Any) -> list[Any]:
    """``entry`` is ``cases.timeline.Entry`` (passed in: cases does not import us)."""
    rows = (
        Disclosure.objects.filter(case=case)
        .select_related("requested_by", "decided_by", "vendor__organisation")
        .prefetch_related(Prefetch("recipients", queryset=Recipient.objects.order_by("id")))
        .order_by("-requested_at", "-id")[:limit]
    )
    entries = []
    for row in rows:
        if row.kind == DisclosureKind.VENDOR_USERS:
            entries.append(
                entry(
                    at=row.requested_at,
                    kind="disclosure",
                    actor=row.requested_by,
                    participants=[row.vendor] if row.vendor else [],
                    note=row.audience,
                    text=_("Asked to notify its users before publication"),
                )
            )
            if row.state != DisclosureState.REQUESTED and row.decided_at is not None:
                entries.append(
                    entry(
                        at=row.decided_at,
                        kind="disclosure",
                        actor=row.decided_by,
                        participants=[row.vendor] if row.vendor else [],
                        note=row.decision_note,
                        text=_("Notice to its users approved")
                        if row.state == DisclosureState.APPROVED
                        else _("Notice to its users refused"),
                    )
                )
            continue
        recipients = list(row.recipients.all())
        entries += [
            entry(
                at=recipient.sent_at,
                kind="disclosure",
                text=_("Package mailed, encrypted, to %(recipient)s")
                % {"recipient": recipient.display_name()},
            )
            for recipient in recipients
            if recipient.sent_at is not None
        ]
        entries.append(
            entry(
                at=row.decided_at or row.requested_at,
                kind="disclosure",
                actor=row.decided_by,
                note=row.justification,
                text=ngettext(
                    "Disclosed before publication (%(kind)s) to %(count)d recipient: %(names)s",
                    "Disclosed before publication (%(kind)s) to %(count)d recipients: %(names)s",
                    len(recipients),
                )
                % {
                    "kind": _kind(row.kind),
                    "count": len(recipients),
                    "names": ", ".join(r.display_name() for r in recipients),
                },
            )
        )
    return entries
