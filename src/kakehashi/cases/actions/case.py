"""Creating, describing, advancing, closing and reopening cases; SSVC decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.accounts.choices import OrganisationKind, Role
from kakehashi.accounts.models import Organisation
from kakehashi.core import audit
from kakehashi.core.cwe import is_known_cwe, normalise_cwe
from kakehashi.core.dates import NON_DISCLOSURE_LIFT_DAYS
from kakehashi.core.workflow import SYSTEM, GuardFailed, InvalidInput, NotPermitted

from .. import ssvc
from ..choices import CaseOrigin, ClosureReason, DecisionKind, ParticipantRole
from ..models import Case, CaseProduct, Decision, Participant, StateChange, Vulnerability
from ..priority import priority_for
from ..scoring import score_v3, score_v4
from ..signals import case_milestone
from ..workflow import PHASE, RM, Phase, RMState
from ._common import (
    COORDINATING_ROLES,
    actor_roles,
    claimed,
    fire,
    require,
    require_coordinator,
    require_open,
)

TALK_FIELDS = ("planned_talk_title", "planned_talk_venue", "planned_talk_date")
CASE_FIELDS = (
    "title_ja",
    "title_en",
    "summary",
    "scope",
    *TALK_FIELDS,
    "talk_without_details",
)


def _reference_for(case: Case) -> str:
    prefix = getattr(settings, "KAKEHASHI_CASE_PREFIX", "KH")
    return f"{prefix}-{case.created_at.year}-{case.pk:05d}"


def create_case(
    *,
    actor: Any,
    coordinator_org: Organisation,
    title_ja: str = "",
    title_en: str = "",
    summary: str = "",
    origin: str = CaseOrigin.MANUAL,
    reception_org: Organisation | None = None,
    finder_user: Any = None,
    finder_name: str = "",
    finder_email: str = "",
    first_vulnerability: dict[str, Any] | None = None,
    **details: Any,
) -> Case:
    """Open a case, by hand or from a report the reception desk forwards (the hand-off).

    The coordinator joins as a participant that has received the report (RM R); the
    finder, if named, joins in Accepted, as the protocol starts finders.
    """
    if coordinator_org.kind != OrganisationKind.COORDINATOR:
        raise InvalidInput(_("Cases are run by a coordinator organisation."))
    if reception_org is not None and reception_org.kind != OrganisationKind.RECEPTION:
        raise InvalidInput(_("The forwarding desk must be a reception organisation."))
    if not (title_ja.strip() or title_en.strip()):
        raise InvalidInput(_("Give the case a title in at least one language."))
    unknown = set(details) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    _require_may_open(actor, coordinator_org, reception_org)
    if first_vulnerability:
        if set(first_vulnerability) - set(VULNERABILITY_FIELDS):
            raise TypeError("unknown vulnerability fields")
        first_vulnerability = _vulnerability_fields(first_vulnerability)
    with transaction.atomic():
        now = timezone.now()
        handed_off = origin != CaseOrigin.MANUAL
        case = Case.objects.create(
            title_ja=title_ja.strip(),
            title_en=title_en.strip(),
            summary=summary,
            origin=origin,
            coordinator_org=coordinator_org,
            reception_org=reception_org,
            handed_off_at=now if handed_off else None,
            created_by=actor,
            phase=Phase.FORWARDED if handed_off else Phase.IDENTIFYING_VENDORS,
            **details,
        )
        case.reference = _reference_for(case)
        _apply_priority(case)
        case.save(update_fields=["reference", "priority", "priority_rank"])
        coordinator = Participant.objects.create(
            case=case,
            role=ParticipantRole.COORDINATOR,
            organisation=coordinator_org,
            rm_state=RMState.RECEIVED,
            added_by=actor,
        )
        rows = [
            StateChange(
                case=case,
                machine="phase",
                event="create",
                from_state="",
                to_state=case.phase,
                actor=actor,
            ),
            StateChange(
                case=case,
                participant=coordinator,
                machine="rm",
                event="receive",
                from_state=RMState.START,
                to_state=RMState.RECEIVED,
                actor=actor,
            ),
        ]
        if reception_org is not None:
            reception = Participant.objects.create(
                case=case,
                role=ParticipantRole.RECEPTION,
                organisation=reception_org,
                rm_state=RMState.ACCEPTED,
                added_by=actor,
            )
            rows.append(
                StateChange(
                    case=case,
                    participant=reception,
                    machine="rm",
                    event="join",
                    from_state="",
                    to_state=RMState.ACCEPTED,
                    actor=actor,
                )
            )
        if finder_user is not None or finder_name or finder_email:
            finder = Participant.objects.create(
                case=case,
                role=ParticipantRole.FINDER,
                user=finder_user,
                name=finder_name,
                email=finder_email,
                rm_state=RMState.ACCEPTED,
                added_by=actor,
            )
            rows.append(
                StateChange(
                    case=case,
                    participant=finder,
                    machine="rm",
                    event="join",
                    from_state="",
                    to_state=RMState.ACCEPTED,
                    actor=actor,
                )
            )
        StateChange.objects.bulk_create(rows)
        if first_vulnerability:  # what a report carries over in the hand-off
            _create_vulnerability(case, first_vulnerability)
        audit.record(
            "case.handed_off" if handed_off else "case.created",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=f"{case.reference} ({origin})",
            data={
                "coordinator_org": coordinator_org.pk,
                "reception_org": reception_org.pk if reception_org else None,
            },
        )
    return case


def _require_may_open(
    actor: Any, coordinator_org: Organisation, reception_org: Organisation | None
) -> None:
    """Coordinators open cases in their organisation; a reception desk hands off to one."""
    if actor is None or actor.is_superuser:
        return
    for membership in actor.memberships_cached():
        if membership.organisation_id == coordinator_org.pk and membership.role in (
            COORDINATING_ROLES
        ):
            return
        if reception_org is not None and membership.organisation_id == reception_org.pk:
            return
    raise NotPermitted(PHASE, "create")


def _apply_priority(case: Case) -> None:
    """The guideline's priority: the highest CVSS v3 base score × the scope."""
    score = None
    if case.pk:
        score = case.vulnerabilities.aggregate(top=Max("cvss_v3_score"))["top"]
    priority = priority_for(score, case.scope)
    case.priority, case.priority_rank = priority, priority.rank


def update_case(case: Case, *, actor: Any, revision: int | None = None, **changes: Any) -> Case:
    """Edit the case's descriptive fields (titles, summary, scope, the planned talk)."""
    unknown = set(changes) - set(CASE_FIELDS) - {"owner"}
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    if "title_ja" in changes or "title_en" in changes:
        ja = changes.get("title_ja", case.title_ja).strip()
        en = changes.get("title_en", case.title_en).strip()
        if not (ja or en):
            raise InvalidInput(_("Give the case a title in at least one language."))
    talk_changed = any(
        name in changes and changes[name] != getattr(case, name) for name in TALK_FIELDS
    )
    if talk_changed and "talk_without_details" not in changes:
        # The finder's agreement was for the talk as it was: confirmed again, or gone.
        changes["talk_without_details"] = False
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        for name, value in changes.items():
            setattr(case, name, value)
        _apply_priority(case)
        case.save(update_fields=[*changes, "priority", "priority_rank"])
        audit.record(
            "case.updated",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=case.reference,
            data={"fields": sorted(changes)},
        )
    return case


def _vulnerability_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and score what the user typed; refuse with a translated message."""
    fields = dict(changes)
    if fields.get("cwe_id"):
        try:
            cwe = normalise_cwe(fields["cwe_id"])
        except ValueError:
            cwe = ""
        if not cwe or not is_known_cwe(cwe):
            raise InvalidInput(_("“%(cwe)s” is not a known CWE ID.") % {"cwe": fields["cwe_id"]})
        fields["cwe_id"] = cwe
    if "cvss_v3_vector" in fields:
        vector = fields["cvss_v3_vector"].strip()
        fields["cvss_v3_vector"] = vector
        fields["cvss_v3_score"] = score_v3(vector) if vector else None
    if "cvss_v4_vector" in fields:
        vector = fields["cvss_v4_vector"].strip()
        fields["cvss_v4_vector"] = vector
        fields["cvss_v4_score"] = score_v4(vector) if vector else None
    return fields


VULNERABILITY_FIELDS = (
    "title_ja",
    "title_en",
    "description_ja",
    "description_en",
    "cwe_id",
    "cvss_v3_vector",
    "cvss_v4_vector",
)


def add_vulnerability(
    case: Case, *, actor: Any, revision: int | None = None, **fields: Any
) -> Vulnerability:
    unknown = set(fields) - set(VULNERABILITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown vulnerability fields: {sorted(unknown)}")
    if not (fields.get("title_ja", "").strip() or fields.get("title_en", "").strip()):
        raise InvalidInput(_("Give the vulnerability a title in at least one language."))
    values = _vulnerability_fields(fields)
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        vulnerability = _create_vulnerability(case, values)
        audit.record(
            "vulnerability.added",
            actor=actor,
            subject=vulnerability,
            case_id=case.pk,
            summary=f"{case.reference} #{vulnerability.number}",
        )
    return vulnerability


def _create_vulnerability(case: Case, values: dict[str, Any]) -> Vulnerability:
    """Create from values already checked by ``_vulnerability_fields``."""
    number = (case.vulnerabilities.aggregate(top=Max("number"))["top"] or 0) + 1
    vulnerability = Vulnerability.objects.create(case=case, number=number, **values)
    _apply_priority(case)
    case.save(update_fields=["priority", "priority_rank"])
    return vulnerability


def update_vulnerability(
    vulnerability: Vulnerability, *, actor: Any, revision: int | None = None, **changes: Any
) -> Vulnerability:
    unknown = set(changes) - set(VULNERABILITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown vulnerability fields: {sorted(unknown)}")
    values = _vulnerability_fields(changes)
    case = vulnerability.case
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        for name, value in values.items():
            setattr(vulnerability, name, value)
        vulnerability.save(update_fields=list(values))
        _apply_priority(case)
        case.save(update_fields=["priority", "priority_rank"])
        audit.record(
            "vulnerability.updated",
            actor=actor,
            subject=vulnerability,
            case_id=case.pk,
            summary=f"{case.reference} #{vulnerability.number}",
            data={"fields": sorted(values)},
        )
    return vulnerability


def add_product(
    case: Case,
    vendor: Participant,
    *,
    actor: Any,
    name: str,
    versions: str = "",
    cpe: str = "",
    purl: str = "",
    revision: int | None = None,
) -> CaseProduct:
    if vendor.case_id != case.pk or vendor.role != ParticipantRole.VENDOR:
        raise InvalidInput(_("Products belong to a vendor of this case."))
    if not name.strip():
        raise InvalidInput(_("Name the product."))
    if cpe and not cpe.startswith("cpe:2.3:"):
        raise InvalidInput(_("A CPE 2.3 name starts with “cpe:2.3:”."))
    if purl and not purl.startswith("pkg:"):
        raise InvalidInput(_("A package URL starts with “pkg:”."))
    with claimed(case, revision):
        require_coordinator(actor, case)
        require_open(case)
        if CaseProduct.objects.filter(vendor=vendor, name=name.strip()).exists():
            raise InvalidInput(_("This vendor already has a product of that name in the case."))
        product = CaseProduct.objects.create(
            case=case, vendor=vendor, name=name.strip(), versions=versions, cpe=cpe, purl=purl
        )
        audit.record(
            "product.added",
            actor=actor,
            subject=product,
            case_id=case.pk,
            summary=f"{case.reference}: {product.name}",
        )
    return product


# Phase events a coordinator fires by hand; the others follow from other actions.
MANUAL_PHASE_EVENTS = ("identify", "agree_schedule", "release_priority", "publish", "revise")


def advance_phase(
    case: Case, event: str, *, actor: Any, note: str = "", revision: int | None = None
) -> Case:
    if event not in MANUAL_PHASE_EVENTS:
        raise InvalidInput(_("Use the matching action for this step."))
    with claimed(case, revision):
        extra: dict[str, Any] = {}
        if event == "publish":
            _end_embargo_for_publication(case)
            extra["published_at"] = case.published_at or timezone.now()
        fire(
            PHASE,
            case,
            "phase",
            event,
            case=case,
            actor=actor,
            roles=actor_roles(actor, case),
            extra_updates=extra,
            note=note,
        )
        if event == "publish":
            case_milestone.send(sender=Case, case=case, milestone="published")
        if event == "publish" and case.pxa[0] == "p":
            from .events import record_case_event

            record_case_event(  # publication is the public becoming aware (P)
                case, "P", actor=actor, claim=False, source=_("Publication")
            )
    return case


def _embargo_end(case: Case) -> Any:
    if not case.embargo_in_force:
        return None
    embargo = case.embargoes.filter(ended_at__isnull=True).first()
    return embargo.ends_at if embargo is not None else None


def _end_embargo_for_publication(case: Case) -> None:
    """Publish at or after the embargo's end, never before; an embargo whose end has
    come but which the minute job has not ended yet is ended here."""
    from ..templatetags.cases_tags import jst_utc

    until = _embargo_end(case)
    if until is None:
        return
    if until > timezone.now():
        raise GuardFailed(
            _("The embargo is in force until %(end)s. Publish then, or end the embargo first.")
            % {"end": jst_utc(until)}
        )
    from .embargo import expire_case_embargo

    expire_case_embargo(case)


def close_case(
    case: Case,
    *,
    actor: Any,
    reason: str,
    note: str = "",
    override: bool = False,
    revision: int | None = None,
) -> Case:
    """Close with one of the guideline's reasons. While an embargo is in force the
    coordinator must override explicitly, with a note; closing does not end it."""
    if reason not in ClosureReason.values:
        raise InvalidInput(_("Choose a closure reason."))
    if reason == ClosureReason.OTHER and not note.strip():
        raise InvalidInput(_("Explain the closure in the note."))

    def embargo_guard() -> str | None:
        if not case.embargo_in_force:
            return None
        if override and note.strip():
            return None
        return _(
            "An embargo is in force. Close anyway only with the override and a note explaining why."
        )

    with claimed(case, revision):
        fire(
            PHASE,
            case,
            "phase",
            "close",
            case=case,
            actor=actor,
            roles=actor_roles(actor, case),
            guards=[embargo_guard],
            note=note,
            extra_updates={
                "closure_reason": reason,
                "closure_note": note,
                "closed_at": timezone.now(),
            },
        )
    return case


def reopen_case(case: Case, *, actor: Any, note: str = "", revision: int | None = None) -> Case:
    event = "reopen_published" if case.published_at else "reopen"
    with claimed(case, revision):
        fire(
            PHASE,
            case,
            "phase",
            event,
            case=case,
            actor=actor,
            roles=actor_roles(actor, case),
            note=note,
            extra_updates={"closure_reason": "", "closure_note": "", "closed_at": None},
        )
    return case


def record_decision(
    case: Case,
    *,
    actor: Any,
    kind: str,
    inputs: dict[str, str],
    note: str = "",
    revision: int | None = None,
) -> Decision:
    """Record an SSVC decision with its table version; triage moves the coordinator's
    RM as the Vultron crosswalk says (Decline → Deferred; Track, Coordinate → Accepted)."""
    try:
        if kind == DecisionKind.TRIAGE:
            table, spec = ssvc.TRIAGE_TABLE, ssvc.TRIAGE_INPUTS
            values = {i.name: inputs.get(i.name, "") for i in spec}
            outcome: str = ssvc.coordinator_triage(**values)
        elif kind == DecisionKind.PUBLISH:
            table, spec = ssvc.PUBLISH_TABLE, ssvc.PUBLISH_INPUTS
            values = {i.name: inputs.get(i.name, "") for i in spec}
            outcome = ssvc.coordinator_publish(**values)
        else:
            raise InvalidInput(_("Unknown kind of decision."))
    except ValueError as error:
        raise InvalidInput(_("Answer every decision point.")) from error
    with claimed(case, revision):
        require_coordinator(actor, case)
        decision = Decision.objects.create(
            case=case,
            kind=kind,
            table=table,
            inputs=values,
            outcome=str(outcome),
            vector=ssvc.ssvc_vector(table, values, str(outcome)),
            note=note,
            decided_by=actor,
        )
        audit.record(
            "decision.recorded",
            actor=actor,
            subject=decision,
            case_id=case.pk,
            summary=f"{case.reference}: {decision.vector}",
        )
        if kind == DecisionKind.TRIAGE:
            _triage_to_rm(case, str(outcome), actor)
    return decision


def _triage_to_rm(case: Case, outcome: str, actor: Any) -> None:
    coordinator = case.participants.current().filter(role=ParticipantRole.COORDINATOR).first()
    if coordinator is None:
        return
    target = RMState.DEFERRED if outcome == ssvc.TriageOutcome.DECLINE else RMState.ACCEPTED
    roles = actor_roles(actor, case)
    path = {"R": ["validate"], "I": ["validate"], "V": [], "A": [], "D": []}.get(
        coordinator.rm_state
    )
    if path is None:
        return  # Start or Closed: a decision does not reopen a closed report
    for event in [*path, "defer" if target == RMState.DEFERRED else "accept"]:
        if coordinator.rm_state == target:
            break
        fire(
            RM,
            coordinator,
            "rm_state",
            event,
            case=case,
            actor=actor,
            roles=roles,
            participant=coordinator,
            note=_("SSVC triage: %(outcome)s") % {"outcome": outcome},
        )


def lift_nondisclosure(case: Case, *, actor: Any, note: str = "") -> Case:
    """The finder may withdraw its non-disclosure request one year after day zero."""
    require(case.day_zero is not None, _("Day zero is not set yet."))
    assert case.day_zero is not None
    earliest = case.day_zero + timedelta(days=NON_DISCLOSURE_LIFT_DAYS)
    require(
        timezone.localdate() >= earliest,
        _("The non-disclosure request may be lifted from %(date)s.") % {"date": earliest},
    )
    require(case.nondisclosure_lifted_at is None, _("The request was already lifted."))
    roles = actor_roles(actor, case, case.participants.filter(role=ParticipantRole.FINDER).first())
    require(
        bool(roles & {Role.FINDER, Role.RECEPTION_CLERK, *COORDINATING_ROLES, SYSTEM}),
        _("Only the finder, through the reception desk, may lift the request."),
    )
    with claimed(case):
        case.nondisclosure_lifted_at = timezone.now()
        case.save(update_fields=["nondisclosure_lifted_at"])
        audit.record(
            "case.nondisclosure_lifted",
            actor=actor,
            subject=case,
            case_id=case.pk,
            summary=case.reference,
            data={"note": note},
        )
    return case
