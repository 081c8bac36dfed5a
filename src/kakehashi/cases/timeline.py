"""A case's timeline: every recorded step, newest first, described in the viewer's
language. Built from the domain's own append-only rows with a fixed number of
queries, whatever the number of participants; bulk steps (a thousand vendors
invited at once) collapse into one entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from django.db import models
from django.db.models import Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import ContactChannel, ContactOutcome, EmbargoAnswer, ScheduleChangeReason, VexStatus
from .models import (
    Case,
    CaseEvent,
    ContactAttempt,
    Decision,
    EmbargoProposal,
    EmbargoResponse,
    ScheduleChange,
    StateChange,
    VendorStatus,
    VendorStatusHistory,
)
from .workflow import CS_EVENT_LABELS, EM, PEC, PHASE, RM

MACHINES = {"rm": RM, "em": EM, "pec": PEC, "phase": PHASE}


@dataclass
class Entry:
    at: datetime
    kind: str  # state, contact, event, schedule, embargo, decision, status, disclosure
    text: str
    actor: Any = None
    participants: list[Any] = field(default_factory=list)
    note: str = ""


# Other apps' steps (disclosures, the unreachable listing, the committee …): each app
# registers a source from its AppConfig.ready(), so this module imports none of them.
# A source returns at most ``limit`` entries with a fixed number of queries.
TimelineSource = Callable[[Case, int], list[Entry]]
_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, source: TimelineSource) -> None:
    """Add an app's rows to every case timeline; the same name replaces it."""
    _SOURCES[name] = source


def _label(choices: type[models.TextChoices], value: str) -> str:
    """``get_FOO_display()`` without its cost (it hashes every lazy label per call,
    and a timeline makes hundreds of calls)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _state_text(row: StateChange, count: int) -> str:
    if row.machine == "cs":
        label = str(CS_EVENT_LABELS.get(row.event, row.event))
        return _("Case state: %(event)s (%(old)s → %(new)s)") % {
            "event": label,
            "old": row.from_state or "∅",
            "new": row.to_state,
        }
    if row.machine == "status":  # an approval: from = the version, to = the vulnerability
        return _("Vendor status for #%(number)s approved (version %(version)s)") % {
            "number": row.to_state,
            "version": row.from_state,
        }
    if row.machine == "vendor":  # the vendor's own answers (cases.actions.vendor)
        return _vendor_text(row)
    machine = MACHINES.get(row.machine)
    if machine is None:
        return f"{row.machine}: {row.from_state} → {row.to_state}"
    text = _("%(machine)s: %(old)s → %(new)s") % {
        "machine": str(machine.label).capitalize(),
        "old": machine.state_label(row.from_state) if row.from_state else "∅",
        "new": machine.state_label(row.to_state),
    }
    if count > 1:
        text += " " + ngettext("(%(n)d participant)", "(%(n)d participants)", count) % {"n": count}
    return text


def _vendor_text(row: StateChange) -> str:
    from .choices import ResponseStatus, VerificationResult

    texts = {
        "verification": lambda: (
            _("Verification result: %(result)s")
            % {"result": _label(VerificationResult, row.to_state)}
        ),
        "countermeasure": lambda: (
            _("Countermeasure: %(status)s") % {"status": _label(ResponseStatus, row.to_state)}
        ),
        "tracking_id": lambda: _("Vendor's tracking ID set"),
        "sharing": lambda: (
            _("Statuses shared with the other vendors")
            if row.to_state == "on"
            else _("Statuses no longer shared with the other vendors")
        ),
        "schedule_request": lambda: _("Vendor asked for another publication date"),
        "schedule_granted": lambda: _("Publication date request granted"),
        "schedule_refused": lambda: _("Publication date request refused"),
        "referral": lambda: _("Vendor says the flaw lies in another vendor's product"),
    }
    text = texts.get(row.event)
    return text() if text is not None else row.event


_GROUPING = ("id", "machine", "event", "from_state", "to_state", "actor_id", "at", "participant_id")


def _state_entries(case: Case, rows: int) -> list[Entry]:
    """Group the newest ``rows`` state changes by bulk step (same machine, event, actor,
    second). Only the grouping columns are read for all of them; whole rows only for
    what each entry shows (its first row and up to five participants), so that a step
    on a thousand participants costs little more than a step on one."""
    heads = list(
        StateChange.objects.filter(case=case).order_by("-at", "-id").values_list(*_GROUPING)[:rows]
    )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        _pk, machine, event, old, new, actor_id, at, participant_id = row
        return (
            machine,
            event,
            old,
            new,
            actor_id,
            at.replace(microsecond=0),
            participant_id is None,
        )

    groups = [list(group) for _key, group in groupby(heads, key=key)]
    shown = [[row[0] for row in group if row[7] is not None][:5] for group in groups]
    loaded = StateChange.objects.select_related(
        "actor", "participant__organisation", "participant__user"
    ).in_bulk([group[0][0] for group in groups] + [pk for pks in shown for pk in pks])
    entries = []
    for group, participant_rows in zip(groups, shown, strict=True):
        first = loaded[group[0][0]]
        entries.append(
            Entry(
                at=first.at,
                kind="state",
                text=_state_text(first, len(group)),
                actor=first.actor,
                participants=[loaded[pk].participant for pk in participant_rows],
                note=first.note,
            )
        )
    return entries


def build_timeline(case: Case, limit: int = 100) -> list[Entry]:
    """The newest ``limit`` entries (of each source) merged, newest first."""
    entries = _state_entries(case, limit * 5)
    for attempt in (
        ContactAttempt.objects.filter(case=case)
        .select_related("participant__organisation", "participant__user", "recorded_by")
        .order_by("-attempted_at")[:limit]
    ):
        entries.append(
            Entry(
                at=attempt.attempted_at,
                kind="contact",
                actor=attempt.recorded_by,
                participants=[attempt.participant],
                note=attempt.note,
                text=_("Contact attempt by %(channel)s to %(address)s: %(outcome)s%(details)s")
                % {
                    "channel": _label(ContactChannel, attempt.channel),
                    "address": attempt.address,
                    "outcome": _label(ContactOutcome, attempt.outcome),
                    "details": _(" (details sent)") if attempt.details_included else "",
                },
            )
        )
    for event in (
        CaseEvent.objects.filter(case=case, implied_by__isnull=True)
        .select_related("participant__organisation", "recorded_by")
        .order_by("-occurred_at")[:limit]
    ):
        entries.append(
            Entry(
                at=event.occurred_at,
                kind="event",
                actor=event.recorded_by,
                participants=[event.participant] if event.participant else [],
                note=event.evidence,
                text=_("Event: %(event)s%(source)s")
                % {
                    "event": CS_EVENT_LABELS.get(event.event, event.event),
                    "source": f" — {event.source}" if event.source else "",
                },
            )
        )
    for change in (
        ScheduleChange.objects.filter(case=case)
        .select_related("changed_by")
        .order_by("-changed_at")[:limit]
    ):
        entries.append(
            Entry(
                at=change.changed_at,
                kind="schedule",
                actor=change.changed_by,
                note=change.note,
                text=_("Target publication set to %(target)s: %(reason)s")
                % {
                    "target": _jst_utc(change.new_target),
                    "reason": _label(ScheduleChangeReason, change.reason),
                },
            )
        )
    for proposal in (
        EmbargoProposal.objects.filter(case=case)
        .select_related("proposed_by")
        .order_by("-created_at")[:limit]
    ):
        entries.append(
            Entry(
                at=proposal.created_at,
                kind="embargo",
                actor=proposal.proposed_by,
                note=proposal.note,
                text=(
                    _("Embargo revision proposed until %(end)s")
                    if proposal.is_revision
                    else _("Embargo proposed until %(end)s")
                )
                % {"end": _jst_utc(proposal.ends_at)},
            )
        )
    for response in (
        EmbargoResponse.objects.filter(case=case)
        .select_related("participant__organisation", "participant__user", "answered_by")
        .order_by("-answered_at")[:limit]
    ):
        entries.append(
            Entry(
                at=response.answered_at,
                kind="embargo",
                actor=response.answered_by,
                participants=[response.participant],
                note=response.note,
                text=_("Embargo answer: %(answer)s")
                % {"answer": _label(EmbargoAnswer, response.answer)},
            )
        )
    for decision in (
        Decision.objects.filter(case=case)
        .select_related("decided_by")
        .order_by("-decided_at")[:limit]
    ):
        entries.append(
            Entry(
                at=decision.decided_at,
                kind="decision",
                actor=decision.decided_by,
                note=decision.note,
                text=_("SSVC decision: %(vector)s") % {"vector": decision.vector},
            )
        )
    # The newest versions belong to the most recently updated statuses (a status's
    # ``updated_at`` is that of its newest version): sorting a thousand vendors' ×
    # twenty vulnerabilities' history would cost more than the rest of the page.
    newest_statuses = (
        VendorStatus.objects.filter(case=case).order_by("-updated_at").values("pk")[:limit]
    )
    for version in (
        VendorStatusHistory.objects.filter(vendor_status__in=Subquery(newest_statuses))
        .select_related(
            "vendor_status__vendor__organisation", "vendor_status__vulnerability", "updated_by"
        )
        .order_by("-updated_at")[:limit]
    ):
        status = version.vendor_status
        entries.append(
            Entry(
                at=version.updated_at,
                kind="status",
                actor=version.updated_by,
                participants=[status.vendor],
                text=_("Vendor status for #%(number)d: %(status)s (version %(version)d)")
                % {
                    "number": status.vulnerability.number,
                    "status": _label(VexStatus, version.status),
                    "version": version.version,
                },
            )
        )
    for source in _SOURCES.values():
        entries += source(case, limit)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _jst_utc(instant: datetime) -> str:
    from .templatetags.cases_tags import jst_utc

    return jst_utc(instant)
