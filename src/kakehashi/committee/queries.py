"""What the committee file page and the case panel show, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kakehashi.cases.choices import ContactChannel, ContactOutcome

from .choices import Criterion
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


@dataclass
class FileRecords:
    drafts: list[DraftText]
    notices: list[Notice]
    opinions: list[Opinion]
    assessments: list[Assessment]
    decision: Decision | None
    statements: list[VendorStatement]
    meti: MetiConfirmation | None
    criteria: list[tuple[str, Assessment | None]] = field(default_factory=list)
    contact_history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def draft(self) -> DraftText | None:
        return self.drafts[-1] if self.drafts else None


def file_records(committee_file: CommitteeFile) -> FileRecords:
    def rows(model: Any) -> list[Any]:
        return list(model.objects.filter(file=committee_file).select_related("recorded_by"))

    assessments = rows(Assessment)
    newest = current_assessments_from(assessments)
    return FileRecords(
        drafts=rows(DraftText),
        notices=rows(Notice),
        opinions=list(
            Opinion.objects.filter(file=committee_file)
            .select_related("recorded_by")
            .prefetch_related("attachments")
        ),
        assessments=assessments,
        decision=Decision.objects.filter(file=committee_file).select_related("recorded_by").first(),
        statements=rows(VendorStatement),
        meti=MetiConfirmation.objects.filter(file=committee_file).first(),
        criteria=[(str(label), newest.get(value)) for value, label in Criterion.choices],
        contact_history=[_labelled(row) for row in committee_file.contact_history],
    )


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A snapshot row with its channel and outcome in the viewer's language."""
    return {
        **row,
        "attempted_at": datetime.fromisoformat(row["attempted_at"]),
        "channel": _label(ContactChannel, row["channel"]),
        "outcome": _label(ContactOutcome, row["outcome"]),
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def current_assessments_from(rows: list[Assessment]) -> dict[str, Assessment]:
    newest: dict[str, Assessment] = {}
    for row in sorted(rows, key=lambda r: (r.recorded_at, r.pk)):
        newest[row.criterion] = row
    return newest
