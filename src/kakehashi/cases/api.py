"""API: the coordinator desk's cases — the same reads as the case page and the same
actions as its forms (STYLE point 8).

Every endpoint fetches its case through ``cases.access`` (a case the caller may not
see is 404, like one that does not exist) and calls one action. Refusals are
``WorkflowError``s, mapped to 409 / 403 / 422 in ``kakehashi.api.urls``. Actions need
a token with the ``write`` scope and the coordinator's rights on the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Refusal
from kakehashi.core.workflow import ConcurrentChange, InvalidInput

from . import actions
from .access import (
    access_case,
    access_coordinating_organisation,
    coordinating_organisations,
    desk_side,
)
from .choices import DecisionKind
from .models import Case, Participant
from .queries import filter_cases
from .schemas import (
    ActionIn,
    ActionResult,
    ApproveStatusIn,
    CaseCreateIn,
    CaseEventIn,
    CaseFilters,
    CaseOut,
    CasePage,
    CaseSummaryOut,
    CaseUpdateIn,
    CloseIn,
    ContactAttemptIn,
    DeskView,
    EmbargoAnswerIn,
    EmbargoInviteIn,
    EmbargoProposeIn,
    EmbargoTerminateIn,
    NoteIn,
    ParticipantsAddIn,
    PhaseIn,
    ProductIn,
    PublishDecisionIn,
    RmChangeIn,
    ScheduleIn,
    TimelineEntryOut,
    TimelineQuery,
    TriageIn,
    VendorStatusIn,
    VulnerabilityIn,
    VulnerabilityUpdateIn,
    case_detail,
    case_summary,
    case_timeline,
)

router = Router(tags=["cases"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
REFUSED = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 422: Refusal}
ACTION = {200: ActionResult, **REFUSED}
CREATED = {201: ActionResult, **REFUSED}


# --- Helpers: access, lookups inside the case, the answer ------------------------------


def _readable(request: HttpRequest, case_id: int) -> tuple[Case, DeskView]:
    require_scope(request, "read")
    case = access_case(request.user, case_id, need="view")
    return case, "reception" if desk_side(request.user, case) == "reception" else "coordination"


def _coordinated(request: HttpRequest, case_id: int) -> Case:
    require_scope(request, "write")
    return access_case(request.user, case_id, need="coordinate")


def _participant(case: Case, participant_id: int) -> Participant:
    """A participant named in the path: 404 when it is not in the case."""
    found = case.participants.select_related("organisation").filter(pk=participant_id).first()
    if found is None:
        raise Http404
    return found


def _named_participant(case: Case, participant_id: int) -> Participant:
    """A participant named in the body: 422 when it is not in the case."""
    found = case.participants.select_related("organisation").filter(pk=participant_id).first()
    if found is None:
        raise InvalidInput(
            _("There is no participant %(id)d in this case.") % {"id": participant_id}
        )
    return found


def _expect_revision(case: Case, revision: int | None) -> None:
    """For the few actions that take no revision of their own: refuse a stale one
    before acting (a check, not a claim; their state changes are still guarded)."""
    if revision is not None and revision != case.revision:
        raise ConcurrentChange


def _done(case: Case, created: Iterable[Any] = (), warnings: Iterable[str] = ()) -> ActionResult:
    fresh = Case.objects.get(pk=case.pk)
    return ActionResult(
        case=case_detail(fresh),
        created_ids=[row.pk for row in created],
        warnings=[str(w) for w in warnings],
    )


def _changes(body: ActionIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"revision"})


# --- Reads ---------------------------------------------------------------------------


@router.get("", response={200: CasePage, **READ}, summary="Cases on the caller's desk")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> CasePage:
    require_scope(request, "read")
    wanted = {"phase": filters.phase, "priority": filters.priority, "q": filters.q.strip()}
    cases = filter_cases(request.user, wanted)  # the desk list's own query and order
    page = cases.order_by(*cases.query.order_by, "-pk")
    items = page[filters.offset : filters.offset + filters.limit]
    return CasePage(
        count=cases.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[CaseSummaryOut(**case_summary(c)) for c in items],
    )


@router.get("/{case_id}", response={200: CaseOut, **READ}, summary="One case")
def get_case(request: HttpRequest, case_id: int) -> CaseOut:
    case, view = _readable(request, case_id)
    return case_detail(case, view)


@router.get(
    "/{case_id}/timeline",
    response={200: list[TimelineEntryOut], **READ},
    summary="The case's timeline, newest first",
)
def get_timeline(
    request: HttpRequest, case_id: int, query: Query[TimelineQuery]
) -> list[TimelineEntryOut]:
    require_scope(request, "read")
    case = access_case(request.user, case_id, need="details")
    return case_timeline(case, limit=query.limit)


# --- The case ------------------------------------------------------------------------


@router.post(
    "",
    response=CREATED,
    summary="Open a case by hand",
)
def create_case(request: HttpRequest, body: CaseCreateIn) -> Status[ActionResult]:
    require_scope(request, "write")
    user = request.user
    if body.coordinator_org_id is None and len(coordinating_organisations(user)) > 1:
        raise InvalidInput(_("Choose the coordinator organisation."))
    coordinator_org = access_coordinating_organisation(user, body.coordinator_org_id)
    reception_org = None
    if body.reception_org_id is not None:
        reception_org = Organisation.objects.filter(
            pk=body.reception_org_id, kind=OrganisationKind.RECEPTION
        ).first()
        if reception_org is None:
            raise InvalidInput(_("There is no such reception desk."))
    details = body.model_dump(
        include={"summary", "planned_talk_title", "planned_talk_venue", "planned_talk_date"}
    )
    case = actions.create_case(
        actor=user,
        coordinator_org=coordinator_org,
        reception_org=reception_org,
        origin=body.origin.value,
        title_ja=body.title_ja,
        title_en=body.title_en,
        scope=body.scope.value,
        finder_name=body.finder_name,
        finder_email=body.finder_email,
        **details,
    )
    return Status(201, _done(case))


@router.patch("/{case_id}", response=ACTION, summary="Edit titles, summary, scope, planned talk")
def update_case(request: HttpRequest, case_id: int, body: CaseUpdateIn) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.update_case(case, actor=request.user, revision=body.revision, **_changes(body))
    return _done(case)


@router.post("/{case_id}/phase", response=ACTION, summary="Advance the coordination phase")
def advance_phase(request: HttpRequest, case_id: int, body: PhaseIn) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.advance_phase(
        case, body.event, actor=request.user, note=body.note, revision=body.revision
    )
    return _done(case)


@router.post("/{case_id}/close", response=ACTION, summary="Close the case")
def close_case(request: HttpRequest, case_id: int, body: CloseIn) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.close_case(
        case,
        actor=request.user,
        reason=body.reason.value,
        note=body.note,
        override=body.override,
        revision=body.revision,
    )
    return _done(case)


@router.post("/{case_id}/reopen", response=ACTION, summary="Reopen a closed case")
def reopen_case(request: HttpRequest, case_id: int, body: NoteIn) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.reopen_case(case, actor=request.user, note=body.note, revision=body.revision)
    return _done(case)


@router.post(
    "/{case_id}/schedule",
    response=ACTION,
    summary="Move the target publication (answers with warnings)",
)
def change_schedule(request: HttpRequest, case_id: int, body: ScheduleIn) -> ActionResult:
    case = _coordinated(request, case_id)
    change, warnings = actions.change_schedule(
        case,
        actor=request.user,
        new_target=body.new_target,
        reason=body.reason.value,
        note=body.note,
        revision=body.revision,
    )
    return _done(case, [change], warnings)


@router.post("/{case_id}/events", response=ACTION, summary="Record a case-state event")
def record_case_event(request: HttpRequest, case_id: int, body: CaseEventIn) -> ActionResult:
    case = _coordinated(request, case_id)
    participant = None
    if body.participant_id is not None:
        participant = _named_participant(case, body.participant_id)
    event = actions.record_case_event(
        case,
        body.event,
        actor=request.user,
        participant=participant,
        occurred_at=body.occurred_at,
        source=body.source,
        evidence=body.evidence,
        revision=body.revision,
    )
    return _done(case, [event])


@router.post("/{case_id}/decisions/triage", response=ACTION, summary="SSVC coordinator triage")
def record_triage(request: HttpRequest, case_id: int, body: TriageIn) -> ActionResult:
    return _decide(request, case_id, DecisionKind.TRIAGE, body)


@router.post(
    "/{case_id}/decisions/publish", response=ACTION, summary="SSVC coordinator publication"
)
def record_publish_decision(
    request: HttpRequest, case_id: int, body: PublishDecisionIn
) -> ActionResult:
    return _decide(request, case_id, DecisionKind.PUBLISH, body)


def _decide(
    request: HttpRequest, case_id: int, kind: str, body: TriageIn | PublishDecisionIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    inputs = {k: str(v) for k, v in body.model_dump(exclude={"revision", "note"}).items()}
    decision = actions.record_decision(
        case, actor=request.user, kind=kind, inputs=inputs, note=body.note, revision=body.revision
    )
    return _done(case, [decision])


# --- Participants ----------------------------------------------------------------------


@router.post("/{case_id}/participants", response=ACTION, summary="Add participants in one role")
def add_participants(request: HttpRequest, case_id: int, body: ParticipantsAddIn) -> ActionResult:
    case = _coordinated(request, case_id)
    wanted = set(body.organisation_ids)
    organisations = list(Organisation.objects.visible_to(request.user).filter(pk__in=wanted))
    if len(organisations) != len(wanted):
        raise InvalidInput(_("One of the organisations does not exist."))
    added = actions.add_participants(
        case,
        actor=request.user,
        role=body.role.value,
        organisations=organisations,
        name=body.name,
        email=body.email,
        revision=body.revision,
    )
    return _done(case, added)


@router.post(
    "/{case_id}/participants/{participant_id}/remove",
    response=ACTION,
    summary="Take a participant out of the case",
)
def remove_participant(
    request: HttpRequest, case_id: int, participant_id: int, body: NoteIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    participant = _participant(case, participant_id)
    actions.remove_participant(
        case, participant, actor=request.user, note=body.note, revision=body.revision
    )
    return _done(case)


@router.post(
    "/{case_id}/participants/{participant_id}/contact-attempts",
    response=ACTION,
    summary="Record an attempt to reach a participant",
)
def record_contact_attempt(
    request: HttpRequest, case_id: int, participant_id: int, body: ContactAttemptIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    attempt = actions.record_contact_attempt(
        case,
        _participant(case, participant_id),
        actor=request.user,
        channel=body.channel.value,
        address=body.address,
        attempted_at=body.attempted_at,
        outcome=body.outcome.value,
        details_included=body.details_included,
        note=body.note,
        revision=body.revision,
    )
    return _done(case, [attempt])


@router.post(
    "/{case_id}/participants/{participant_id}/rm",
    response=ACTION,
    summary="Move a participant's report management",
)
def change_rm(
    request: HttpRequest, case_id: int, participant_id: int, body: RmChangeIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    participant = _participant(case, participant_id)
    _expect_revision(case, body.revision)
    actions.change_rm(case, participant, body.event, actor=request.user, note=body.note)
    return _done(case)


@router.post(
    "/{case_id}/participants/{participant_id}/embargo-answer",
    response=ACTION,
    summary="Answer the embargo for a participant (the coordinator on its behalf)",
)
def answer_embargo(
    request: HttpRequest, case_id: int, participant_id: int, body: EmbargoAnswerIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    participant = _participant(case, participant_id)
    _expect_revision(case, body.revision)
    response = actions.answer_embargo(
        case, participant, actor=request.user, answer=body.answer.value, note=body.note
    )
    return _done(case, [response])


# --- Vulnerabilities, products, vendor statuses ----------------------------------------


@router.post("/{case_id}/vulnerabilities", response=ACTION, summary="Add a vulnerability")
def add_vulnerability(request: HttpRequest, case_id: int, body: VulnerabilityIn) -> ActionResult:
    case = _coordinated(request, case_id)
    vulnerability = actions.add_vulnerability(
        case, actor=request.user, revision=body.revision, **body.model_dump(exclude={"revision"})
    )
    return _done(case, [vulnerability])


@router.patch(
    "/{case_id}/vulnerabilities/{vulnerability_id}",
    response=ACTION,
    summary="Edit a vulnerability",
)
def update_vulnerability(
    request: HttpRequest, case_id: int, vulnerability_id: int, body: VulnerabilityUpdateIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    vulnerability = case.vulnerabilities.filter(pk=vulnerability_id).first()
    if vulnerability is None:
        raise Http404
    vulnerability.case = case
    actions.update_vulnerability(
        vulnerability, actor=request.user, revision=body.revision, **_changes(body)
    )
    return _done(case)


@router.post("/{case_id}/products", response=ACTION, summary="Add a vendor's product")
def add_product(request: HttpRequest, case_id: int, body: ProductIn) -> ActionResult:
    case = _coordinated(request, case_id)
    product = actions.add_product(
        case,
        _named_participant(case, body.vendor_id),
        actor=request.user,
        name=body.name,
        versions=body.versions,
        cpe=body.cpe,
        purl=body.purl,
        revision=body.revision,
    )
    return _done(case, [product])


@router.post("/{case_id}/vendor-statuses", response=ACTION, summary="Record a vendor status")
def record_vendor_status(request: HttpRequest, case_id: int, body: VendorStatusIn) -> ActionResult:
    case = _coordinated(request, case_id)
    vendor = _named_participant(case, body.vendor_id)
    vulnerability = case.vulnerabilities.filter(pk=body.vulnerability_id).first()
    if vulnerability is None:
        raise InvalidInput(_("This vulnerability is not in the case."))
    product = None
    if body.product_id is not None:
        product = case.products.filter(pk=body.product_id).first()
        if product is None:
            raise InvalidInput(_("This product is not in the case."))
    _expect_revision(case, body.revision)
    status = actions.record_vendor_status(
        case,
        vendor,
        vulnerability,
        actor=request.user,
        status=body.status.value,
        product=product,
        justification=body.justification.value if body.justification else "",
        reason=body.reason,
        statement_ja=body.statement_ja,
        statement_en=body.statement_en,
        fixed_in=body.fixed_in,
        expected_version=body.expected_version,
    )
    return _done(case, [status])


@router.post(
    "/{case_id}/vendor-statuses/{status_id}/approve",
    response=ACTION,
    summary="Approve a vendor status version for publication",
)
def approve_vendor_status(
    request: HttpRequest, case_id: int, status_id: int, body: ApproveStatusIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    status = case.vendor_statuses.filter(pk=status_id).first()
    if status is None:
        raise Http404
    _expect_revision(case, body.revision)
    actions.approve_vendor_status(
        case, status, actor=request.user, expected_version=body.expected_version
    )
    return _done(case)


# --- The embargo ---------------------------------------------------------------------


@router.post("/{case_id}/embargo/proposals", response=ACTION, summary="Propose embargo terms")
def propose_embargo(request: HttpRequest, case_id: int, body: EmbargoProposeIn) -> ActionResult:
    case = _coordinated(request, case_id)
    participant = None
    if body.participant_id is not None:
        participant = _named_participant(case, body.participant_id)
    proposal = actions.propose_embargo(
        case,
        actor=request.user,
        ends_at=body.ends_at,
        note=body.note,
        participant=participant,
        revision=body.revision,
    )
    return _done(case, [proposal])


def _proposal(case: Case, proposal_id: int) -> Any:
    proposal = case.embargo_proposals.filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal


@router.post(
    "/{case_id}/embargo/proposals/{proposal_id}/accept",
    response=ACTION,
    summary="Accept a proposal: its terms come into force",
)
def accept_embargo(
    request: HttpRequest, case_id: int, proposal_id: int, body: ActionIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    embargo = actions.accept_embargo(
        case, _proposal(case, proposal_id), actor=request.user, revision=body.revision
    )
    return _done(case, [embargo])


@router.post(
    "/{case_id}/embargo/proposals/{proposal_id}/reject",
    response=ACTION,
    summary="Reject a proposal",
)
def reject_embargo(
    request: HttpRequest, case_id: int, proposal_id: int, body: NoteIn
) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.reject_embargo(
        case,
        _proposal(case, proposal_id),
        actor=request.user,
        note=body.note,
        revision=body.revision,
    )
    return _done(case)


@router.post("/{case_id}/embargo/terminate", response=ACTION, summary="End the embargo now")
def terminate_embargo(request: HttpRequest, case_id: int, body: EmbargoTerminateIn) -> ActionResult:
    case = _coordinated(request, case_id)
    actions.terminate_embargo(
        case, actor=request.user, reason=body.reason.value, note=body.note, revision=body.revision
    )
    return _done(case)


@router.post(
    "/{case_id}/embargo/invitations",
    response=ACTION,
    summary="Invite participants to consent to the embargo",
)
def invite_to_embargo(request: HttpRequest, case_id: int, body: EmbargoInviteIn) -> ActionResult:
    case = _coordinated(request, case_id)
    wanted = set(body.participant_ids)
    participants = list(case.participants.filter(pk__in=wanted))
    if len(participants) != len(wanted):
        raise InvalidInput(_("One of the participants is not in this case."))
    invited = actions.invite_to_embargo(
        case, participants, actor=request.user, deadline=body.deadline, revision=body.revision
    )
    return _done(case, invited)
