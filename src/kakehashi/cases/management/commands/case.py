"""``kakehashi case show ID|REFERENCE``: a case's states, schedule and timeline.

An operator's tool: it reads every case, without the desk's access rules. The JSON
form is the API's case document with its timeline (oldest first).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kakehashi.cases.choices import ClosureReason, ParticipantRole, VexStatus
from kakehashi.cases.models import Case
from kakehashi.cases.models.case import pick_language
from kakehashi.cases.priority import Priority
from kakehashi.cases.schemas import CaseOut, TimelineEntryOut, case_detail, case_timeline
from kakehashi.cases.templatetags.cases_tags import jst_utc
from kakehashi.cases.workflow import EMState, PECState, Phase, RMState


def find_case(key: str) -> Case:
    """A case by its numeric ID or its reference (``KH-2026-00001``)."""
    key = key.strip()
    found = Case.objects.filter(reference__iexact=key).first()
    if found is None and key.isdigit():
        found = Case.objects.filter(pk=int(key)).first()
    if found is None:
        raise CommandError(_("No case has the ID or reference “%(key)s”.") % {"key": key})
    return found


def _label(choices: Any, value: str) -> str:
    """``Label [code]``: the translated label, with the stored code for scripts and grep."""
    label = dict(choices.choices).get(value)
    return f"{label} [{value}]" if label is not None else value


def _instant(value: datetime | None) -> str:
    return jst_utc(value) if value is not None else "—"


class Command(BaseCommand):
    help = "Show a case: its states, schedule, participants, embargo and timeline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        show = sub.add_parser("show", help="Print one case.")
        show.add_argument("case", help="The case's numeric ID or its reference.")
        show.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        show.add_argument(
            "--limit", type=int, default=100, help="Show the newest N timeline entries."
        )
        show.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1."))
        with translation.override(options["language"]):
            case = find_case(options["case"])
            detail = case_detail(case)
            # The timeline comes newest first; a terminal reads best with the newest last.
            timeline = list(reversed(case_timeline(case, limit=options["limit"])))
            if options["json"]:
                document = detail.model_dump(mode="json")
                document["timeline"] = [entry.model_dump(mode="json") for entry in timeline]
                self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
                return
            for line in _text(detail, timeline):
                self.stdout.write(line)


def _field(label: str, value: object, indent: int = 0) -> str:
    return f"{' ' * indent}{label}: {value}"


def _text(case: CaseOut, timeline: list[TimelineEntryOut]) -> list[str]:
    lines = [
        f"{case.reference}  {case.title}",
        _field(_("Title (Japanese)"), case.title_ja or "—", 2),
        _field(_("Title (English)"), case.title_en or "—", 2),
        _field(_("Phase"), _label(Phase, case.phase)),
        _field(_("Embargo state"), _label(EMState, case.em_state)),
        _field(_("World state (pxa)"), case.pxa),
        _field(_("Priority"), _label(Priority, case.priority)),
        _field(_("Revision"), case.revision),
    ]
    if case.closure_reason:
        closed = f"{_label(ClosureReason, case.closure_reason)} {_instant(case.closed_at)}"
        lines.append(_field(_("Closed"), closed))
    return [
        *lines,
        *_schedule(case),
        *_participants(case),
        *_vulnerabilities(case),
        *_embargo(case),
        "",
        _("Timeline (oldest first)"),
        *_timeline(timeline),
    ]


def _schedule(case: CaseOut) -> list[str]:
    schedule = case.schedule
    day_zero = schedule.day_zero.isoformat() if schedule.day_zero else "—"
    lines = [
        "",
        _("Schedule"),
        _field(_("Day zero"), day_zero, 2),
        _field(_("First contact attempt"), _instant(schedule.day_zero_at), 2),
        _field(_("Details sent"), _instant(schedule.details_sent_at), 2),
        _field(_("Target publication"), _instant(schedule.target_publication_at), 2),
    ]
    if schedule.planned_talk_title or schedule.planned_talk_date:
        talk_date = schedule.planned_talk_date.isoformat() if schedule.planned_talk_date else "—"
        talk = f"{schedule.planned_talk_title} ({schedule.planned_talk_venue or '—'}, {talk_date})"
        lines.append(_field(_("Planned talk or paper"), talk, 2))
    lines += [_field(_("Warning"), warning, 2) for warning in schedule.warnings]
    return lines


def _participants(case: CaseOut) -> list[str]:
    lines = ["", _("Participants")]
    for p in case.participants:
        states = [f"RM {_label(RMState, p.rm_state)}"]
        if p.vfd:
            states.append(f"vfd {p.vfd}")
        states.append(f"PEC {_label(PECState, p.pec_state)}")
        role = _label(ParticipantRole, p.role)
        lines.append(f"  #{p.id} {p.name} — {role}: {', '.join(states)}")
        if p.notified_at:
            lines.append(_field(_("First contacted"), _instant(p.notified_at), 6))
        if p.details_sent_at:
            lines.append(_field(_("Details sent"), _instant(p.details_sent_at), 6))
    return lines


def _vulnerabilities(case: CaseOut) -> list[str]:
    lines = ["", _("Vulnerabilities")]
    for v in case.vulnerabilities:
        title = pick_language(v.title_ja, v.title_en)
        lines.append(f"  #{v.number} {title} — {v.cwe_id or '—'}")
        if v.cvss_v3_vector:
            lines.append(f"      CVSS 3.1 {v.cvss_v3_score} {v.cvss_v3_vector}")
        if v.cvss_v4_vector:
            lines.append(f"      CVSS 4.0 {v.cvss_v4_score} {v.cvss_v4_vector}")
    names = {p.id: p.name for p in case.participants}
    numbers = {v.id: v.number for v in case.vulnerabilities}
    for s in case.vendor_statuses:
        approved = _("approved") if s.approved_at else _("not approved")
        vendor = names.get(s.vendor_id, s.vendor_id)
        status = f"{_label(VexStatus, s.status)} (v{s.version}, {approved})"
        lines.append(_field(f"{vendor} #{numbers.get(s.vulnerability_id)}", status, 2))
    return lines


def _embargo(case: CaseOut) -> list[str]:
    embargo = case.embargo
    lines = ["", _("Embargo")]
    if embargo.in_force:
        lines.append(_field(_("In force until"), _instant(embargo.ends_at), 2))
    else:
        lines.append("  " + _("No embargo in force."))
    for proposal in embargo.open_proposals:
        label = _("Open proposal #%(id)d") % {"id": proposal.id}
        lines.append(_field(label, _instant(proposal.ends_at), 2))
    if embargo.attention:
        lines.append(_field(_("Attention"), embargo.attention, 2))
    return lines


def _timeline(entries: list[TimelineEntryOut]) -> list[str]:
    lines = []
    for entry in entries:
        line = f"  {_instant(entry.at)}  {entry.text}"
        who = ", ".join(p.name for p in entry.participants)
        if who:
            line += f" [{who}]"
        if entry.note:
            line += f" — {entry.note}"
        lines.append(line)
    return lines or ["  " + _("Nothing recorded yet.")]
