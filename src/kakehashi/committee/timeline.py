"""The committee's steps in the case timeline (``cases.timeline`` merges them): one
query per kind of record, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .choices import Criterion, Ground, NoticeMethod, OpinionForm, Outcome
from .models import (
    Assessment,
    CommitteeFile,
    Decision,
    DraftText,
    MetiConfirmation,
    Notice,
    Opinion,
    VendorStatement,
)


def entries(case: Any, limit: int) -> list[Any]:
    from kakehashi.cases.timeline import Entry

    rows: list[Any] = []
    files = list(CommitteeFile.objects.filter(case=case).select_related("opened_by")[:limit])
    if not files:
        return rows  # most cases never reach the committee: one query for them
    for f in files:
        rows.append(
            Entry(
                at=f.opened_at,
                kind="committee",
                actor=f.opened_by,
                note=f.statement,
                text=_("Committee file %(number)d opened: %(ground)s")
                % {"number": f.pk, "ground": Ground(f.ground).label},
            )
        )

    def records(model: Any) -> Any:
        return (
            model.objects.filter(file__case=case)
            .select_related("recorded_by")
            .order_by("-recorded_at")[:limit]
        )

    for d in records(DraftText):
        rows.append(_entry(Entry, d, _("Committee file %(number)d: draft publication text")))
    for n in records(Notice):
        text = _("Committee file %(number)d: notice to the vendor (%(method)s)") % {
            "number": n.file_id,
            "method": NoticeMethod(n.method).label,
        }
        rows.append(Entry(at=n.recorded_at, kind="committee", actor=n.recorded_by, text=text))
    for o in records(Opinion):
        text = _("Committee file %(number)d: %(form)s from %(author)s") % {
            "number": o.file_id,
            "form": OpinionForm(o.form).label,
            "author": o.author,
        }
        rows.append(Entry(at=o.recorded_at, kind="committee", actor=o.recorded_by, text=text))
    for a in records(Assessment):
        verdict = _("met") if a.met else _("not met")
        text = _("Committee file %(number)d: %(criterion)s — %(verdict)s") % {
            "number": a.file_id,
            "criterion": Criterion(a.criterion).label,
            "verdict": verdict,
        }
        rows.append(Entry(at=a.recorded_at, kind="committee", actor=a.recorded_by, text=text))
    for c in records(Decision):
        text = _("Committee file %(number)d decided: %(outcome)s") % {
            "number": c.file_id,
            "outcome": Outcome(c.outcome).label,
        }
        rows.append(
            Entry(
                at=c.recorded_at, kind="committee", actor=c.recorded_by, note=c.reasons, text=text
            )
        )
    for s in records(VendorStatement):
        rows.append(_entry(Entry, s, _("Committee file %(number)d: the vendor's statement")))
    for m in records(MetiConfirmation):
        rows.append(_entry(Entry, m, _("Committee file %(number)d: METI confirmed the procedure")))
    return rows


def _entry(entry_class: Any, row: Any, text: str) -> Any:
    return entry_class(
        at=row.recorded_at,
        kind="committee",
        actor=row.recorded_by,
        text=text % {"number": row.file_id},
    )
