"""A case as the API and the CLI publish it: typed output schemas and the functions
that build them with a fixed number of queries, whatever the number of vendors.

Instants are ISO 8601 in UTC; ``day_zero`` is a date (the JST day, 起算日). The
reception desk's view leaves out the vendors and what they said (``cases.access``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from kakehashi.api.schemas import Input, UtcInstant

from . import ssvc
from .actions import schedule_warnings
from .choices import (
    CaseOrigin,
    ClosureReason,
    ContactChannel,
    ContactOutcome,
    DecisionKind,
    EmbargoAnswer,
    EmbargoEndReason,
    ParticipantRole,
    ProposalStatus,
    ScheduleChangeReason,
    VexJustification,
    VexStatus,
)
from .models import Case, Decision, Participant
from .priority import Priority, Scope
from .timeline import Entry, build_timeline
from .workflow import Phase

# Events an API caller may name (the others follow from other actions).
RmEvent = Literal["receive", "validate", "invalidate", "accept", "defer", "close"]
PhaseEvent = Literal["identify", "agree_schedule", "release_priority", "publish", "revise"]
CaseEventCode = Literal["V", "F", "D", "P", "X", "A"]
DeskView = Literal["coordination", "reception"]

# Roles the reception desk does not see in a case: the vendors and what they say.
HIDDEN_FROM_RECEPTION = frozenset({ParticipantRole.VENDOR, ParticipantRole.DEPLOYER})


class ParticipantRef(Schema):
    id: int
    role: str
    name: str


class ParticipantOut(Schema):
    id: int
    role: str
    organisation_id: int | None
    name: str
    email: str
    rm_state: str
    vfd: str
    pec_state: str
    pec_deadline: UtcInstant | None
    notified_at: UtcInstant | None
    details_sent_at: UtcInstant | None
    acknowledged_at: UtcInstant | None
    added_at: UtcInstant


class VulnerabilityOut(Schema):
    id: int
    number: int
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    cwe_id: str
    cvss_v3_vector: str
    cvss_v3_score: float | None
    cvss_v4_vector: str
    cvss_v4_score: float | None
    cve_id: str


class ProductOut(Schema):
    id: int
    vendor_id: int
    name: str
    versions: str
    cpe: str
    purl: str


class VendorStatusOut(Schema):
    id: int
    vendor_id: int
    vulnerability_id: int
    product_id: int | None
    status: str
    justification: str
    reason: str
    statement_ja: str
    statement_en: str
    fixed_in: str
    version: int
    updated_at: UtcInstant
    approved_at: UtcInstant | None


class ProposalOut(Schema):
    id: int
    ends_at: UtcInstant
    is_revision: bool
    note: str
    proposed_at: UtcInstant
    proposed_by_participant_id: int | None


class EmbargoOut(Schema):
    state: str
    in_force: bool
    ends_at: UtcInstant | None
    started_at: UtcInstant | None
    attention: str = Field(description="Why the coordinator should act on the embargo, in words.")
    attention_code: str = Field(description="The same as a code: fix_ready, fix_deployed, attacks.")
    open_proposals: list[ProposalOut]


class ScheduleOut(Schema):
    day_zero: date | None
    day_zero_at: UtcInstant | None
    details_sent_at: UtcInstant | None
    target_publication_at: UtcInstant | None
    nondisclosure_lifted_at: UtcInstant | None
    planned_talk_title: str
    planned_talk_venue: str
    planned_talk_date: date | None
    talk_without_details: bool
    warnings: list[str]


class DecisionOut(Schema):
    id: int
    kind: str
    table: str
    inputs: dict[str, str]
    outcome: str
    vector: str
    note: str
    decided_at: UtcInstant


class CaseSummaryOut(Schema):
    id: int
    reference: str
    title: str
    title_ja: str
    title_en: str
    phase: str
    priority: str
    em_state: str
    pxa: str
    day_zero: date | None
    target_publication_at: UtcInstant | None
    revision: int
    created_at: UtcInstant
    updated_at: UtcInstant


class CaseOut(CaseSummaryOut):
    view: DeskView  # the reception desk's is without vendors
    summary: str
    origin: str
    scope: str
    coordinator_org_id: int | None
    reception_org_id: int | None
    handed_off_at: UtcInstant | None
    published_at: UtcInstant | None
    closed_at: UtcInstant | None
    closure_reason: str
    closure_note: str
    schedule: ScheduleOut
    participants: list[ParticipantOut]
    vulnerabilities: list[VulnerabilityOut]
    products: list[ProductOut]
    vendor_statuses: list[VendorStatusOut]
    embargo: EmbargoOut
    decisions: list[DecisionOut]


class TimelineEntryOut(Schema):
    at: UtcInstant
    kind: str
    text: str
    actor: str | None
    participants: list[ParticipantRef]
    note: str


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseSummaryOut]


def case_summary(case: Case) -> dict[str, Any]:
    fields = CaseSummaryOut.model_fields
    return {
        **{name: getattr(case, name) for name in fields if name != "title"},
        "id": case.pk,
        "title": case.title(),
    }


def _participant(participant: Participant) -> ParticipantOut:
    return ParticipantOut.model_validate(participant, from_attributes=True).model_copy(
        update={"name": participant.display_name()}
    )


def _participants(case: Case, view: DeskView) -> list[Participant]:
    participants = case.participants.current().select_related("organisation", "user")
    if view == "reception":
        participants = participants.exclude(role__in=HIDDEN_FROM_RECEPTION)
    return list(participants.order_by("role", "id"))


def _schedule(case: Case) -> ScheduleOut:
    return ScheduleOut(
        day_zero=case.day_zero,
        day_zero_at=case.day_zero_at,
        details_sent_at=case.details_sent_at,
        target_publication_at=case.target_publication_at,
        nondisclosure_lifted_at=case.nondisclosure_lifted_at,
        planned_talk_title=case.planned_talk_title,
        planned_talk_venue=case.planned_talk_venue,
        planned_talk_date=case.planned_talk_date,
        talk_without_details=case.talk_without_details,
        warnings=[str(w) for w in schedule_warnings(case)],
    )


def _embargo(case: Case) -> EmbargoOut:
    current = case.embargoes.filter(ended_at__isnull=True).first()
    proposals = case.embargo_proposals.filter(status=ProposalStatus.OPEN).order_by("created_at")
    return EmbargoOut(
        state=case.em_state,
        in_force=case.embargo_in_force,
        ends_at=current.ends_at if current else None,
        started_at=current.started_at if current else None,
        attention=case.get_embargo_attention_display() if case.embargo_attention else "",
        attention_code=case.embargo_attention,
        open_proposals=[
            ProposalOut(
                id=p.pk,
                ends_at=p.ends_at,
                is_revision=p.is_revision,
                note=p.note,
                proposed_at=p.created_at,
                proposed_by_participant_id=p.proposed_by_participant_id,
            )
            for p in proposals
        ],
    )


def _latest_decisions(case: Case) -> list[DecisionOut]:
    """The latest decision of each kind (one query per kind)."""
    latest = []
    for kind in DecisionKind.values:
        decision: Decision | None = (
            case.decisions.filter(kind=kind).order_by("-decided_at", "-id").first()
        )
        if decision is not None:
            latest.append(DecisionOut.model_validate(decision, from_attributes=True))
    return latest


def case_detail(case: Case, view: DeskView = "coordination") -> CaseOut:
    """Everything the desk sees of one case, in the active language."""
    vendors_visible = view != "reception"
    statuses = case.vendor_statuses.order_by("vendor_id", "vulnerability_id", "product_id")
    return CaseOut(
        **case_summary(case),
        view=view,
        summary=case.summary,
        origin=case.origin,
        scope=case.scope,
        coordinator_org_id=case.coordinator_org_id,
        reception_org_id=case.reception_org_id,
        handed_off_at=case.handed_off_at,
        published_at=case.published_at,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        closure_note=case.closure_note,
        schedule=_schedule(case),
        participants=[_participant(p) for p in _participants(case, view)],
        vulnerabilities=[
            VulnerabilityOut.model_validate(v, from_attributes=True)
            for v in case.vulnerabilities.order_by("number")
        ],
        products=[
            ProductOut.model_validate(p, from_attributes=True)
            for p in (case.products.order_by("vendor_id", "name") if vendors_visible else [])
        ],
        vendor_statuses=[
            VendorStatusOut.model_validate(s, from_attributes=True)
            for s in (statuses if vendors_visible else [])
        ],
        embargo=_embargo(case),
        decisions=_latest_decisions(case),
    )


def _entry(entry: Entry) -> TimelineEntryOut:
    return TimelineEntryOut(
        at=entry.at,
        kind=entry.kind,
        text=str(entry.text),
        actor=str(entry.actor) if entry.actor is not None else None,
        participants=[
            ParticipantRef(id=p.pk, role=p.role, name=p.display_name()) for p in entry.participants
        ],
        note=entry.note,
    )


def case_timeline(case: Case, limit: int = 100) -> list[TimelineEntryOut]:
    """The newest ``limit`` timeline entries, newest first (the coordination side's)."""
    return [_entry(e) for e in build_timeline(case, limit=limit)]


# --- Input: one schema per action; instants must carry their zone ---------------------


class ActionIn(Input):
    revision: int | None = Field(
        None,
        ge=1,
        description="The case revision the caller read; a stale one is refused with 409.",
    )


class CaseFilters(Input):
    phase: Phase | None = None
    priority: Priority | None = None
    q: str = Field(
        "",
        max_length=200,
        description="Part of the reference or a title, or a DID number (e.g. DID#00000001).",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class TimelineQuery(Input):
    limit: int = Field(100, ge=1, le=500)


class CaseCreateIn(Input):
    coordinator_org_id: int | None = Field(
        None, description="Default: the one coordinator organisation the caller coordinates in."
    )
    reception_org_id: int | None = None
    origin: CaseOrigin = CaseOrigin.MANUAL
    title_ja: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    summary: str = ""
    scope: Scope = Scope.WIDE
    finder_name: str = Field("", max_length=200)
    finder_email: str = Field("", max_length=254)
    planned_talk_title: str = Field("", max_length=300)
    planned_talk_venue: str = Field("", max_length=300)
    planned_talk_date: date | None = None


class CaseUpdateIn(ActionIn):
    """Only the fields sent change."""

    title_ja: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    summary: str = ""
    scope: Scope = Scope.WIDE
    planned_talk_title: str = Field("", max_length=300)
    planned_talk_venue: str = Field("", max_length=300)
    planned_talk_date: date | None = None
    talk_without_details: bool = Field(
        False, description="The finder agreed to present without details before publication."
    )


class ParticipantsAddIn(ActionIn):
    role: ParticipantRole
    organisation_ids: list[int] = Field(default_factory=list, max_length=5000)
    name: str = Field("", max_length=200, description="A person or body without an account.")
    email: str = Field("", max_length=254)


class NoteIn(ActionIn):
    note: str = ""


class ContactAttemptIn(ActionIn):
    channel: ContactChannel
    address: str = Field(max_length=300)
    attempted_at: AwareDatetime | None = Field(None, description="Default: now.")
    outcome: ContactOutcome = ContactOutcome.SENT
    details_included: bool = False
    note: str = ""


class RmChangeIn(ActionIn):
    event: RmEvent
    note: str = ""


class VulnerabilityIn(ActionIn):
    title_ja: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    description_ja: str = ""
    description_en: str = ""
    cwe_id: str = Field("", max_length=16, examples=["CWE-79"])
    cvss_v3_vector: str = Field("", max_length=200)
    cvss_v4_vector: str = Field("", max_length=300)


class VulnerabilityUpdateIn(VulnerabilityIn):
    """Only the fields sent change."""


class ProductIn(ActionIn):
    vendor_id: int = Field(description="The vendor participant.")
    name: str = Field(max_length=200)
    versions: str = Field("", max_length=300)
    cpe: str = Field("", max_length=300)
    purl: str = Field("", max_length=300)


class VendorStatusIn(ActionIn):
    vendor_id: int = Field(description="The vendor participant.")
    vulnerability_id: int
    product_id: int | None = Field(None, description="Default: all of the vendor's products.")
    status: VexStatus
    justification: VexJustification | None = Field(None, description="Needed for not_affected.")
    reason: str = Field("", description="Needed for disputed.")
    statement_ja: str = ""
    statement_en: str = ""
    fixed_in: str = Field("", max_length=200)
    expected_version: int | None = Field(
        None, ge=0, description="The status version the caller read (0: none yet)."
    )


class ApproveStatusIn(ActionIn):
    expected_version: int | None = Field(None, ge=1, description="The version being approved.")


class EmbargoProposeIn(ActionIn):
    ends_at: AwareDatetime
    note: str = ""
    participant_id: int | None = Field(None, description="Proposed on behalf of a participant.")


class EmbargoTerminateIn(ActionIn):
    reason: EmbargoEndReason = EmbargoEndReason.COORDINATOR
    note: str = ""


class EmbargoInviteIn(ActionIn):
    participant_ids: list[int] = Field(min_length=1, max_length=5000)
    deadline: AwareDatetime | None = Field(None, description="Default: the configured hours.")


class EmbargoAnswerIn(ActionIn):
    answer: EmbargoAnswer
    note: str = Field(
        "",
        max_length=2000,
        description="How and when the answer came (required: the coordinator speaks for "
        "the participant).",
    )


class CaseEventIn(ActionIn):
    event: CaseEventCode
    participant_id: int | None = Field(None, description="The vendor, for V, F and D.")
    occurred_at: AwareDatetime | None = Field(None, description="Default: now.")
    source: str = Field("", max_length=300)
    evidence: str = ""


class ScheduleIn(ActionIn):
    new_target: AwareDatetime
    reason: ScheduleChangeReason
    note: str = ""


class TriageIn(ActionIn):
    report_public: ssvc.ReportPublic
    supplier_contacted: ssvc.SupplierContacted
    report_credibility: ssvc.ReportCredibility
    supplier_cardinality: ssvc.SupplierCardinality
    supplier_engagement: ssvc.SupplierEngagement
    utility: ssvc.Utility
    public_safety_impact: ssvc.PublicSafetyImpact
    note: str = ""


class PublishDecisionIn(ActionIn):
    supplier_involvement: ssvc.SupplierInvolvement
    exploitation: ssvc.Exploitation
    public_value_added: ssvc.PublicValueAdded
    note: str = ""


class PhaseIn(ActionIn):
    event: PhaseEvent
    note: str = ""


class CloseIn(ActionIn):
    reason: ClosureReason
    note: str = ""
    override: bool = Field(
        False, description="Close although an embargo is in force (with a note)."
    )


class ActionResult(Schema):
    case: CaseOut
    created_ids: list[int] = Field(
        default_factory=list, description="The rows this action created, if any."
    )
    warnings: list[str] = Field(default_factory=list)
