"""API: the vendor portal for a PSIRT's automation (STYLE point 8).

Every endpoint fetches the caller's participation through
``cases.access.access_participation`` — another vendor's case, or a case the
individually-registered caller may not see, is 404 exactly like a missing one — and
reads what the portal page reads (``portal.queries``) or calls one action of
``cases.actions``. Reads need the ``read`` scope, actions the ``write`` scope.
Refusals are ``WorkflowError``s, mapped to 409 / 403 / 422 in ``kakehashi.api.urls``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import AwareDatetime

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Input, Refusal, UtcInstant
from kakehashi.cases import actions
from kakehashi.cases.access import access_participation, vendor_participations
from kakehashi.cases.choices import (
    EmbargoAnswer,
    ResponseStatus,
    VerificationResult,
    VexJustification,
    VexStatus,
)
from kakehashi.cases.models import CaseProduct, Participant, Vulnerability
from kakehashi.core.workflow import InvalidInput

from .queries import PortalCase, portal_case

router = Router(tags=["vendor portal"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
ACTION = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 422: Refusal}


# --- Schemas ---------------------------------------------------------------------------


class PortalCaseSummaryOut(Schema):
    case_id: int
    reference: str
    title: str
    organisation: str = Field(description="The organisation the caller takes part for.")
    target_publication_at: UtcInstant | None
    acknowledged_at: UtcInstant | None


class VulnerabilityOut(Schema):
    id: int
    number: int
    title_ja: str
    title_en: str
    description_ja: str = Field(description="Markdown, untrusted: render it sanitised.")
    description_en: str = Field(description="Markdown, untrusted: render it sanitised.")
    cwe_id: str
    cvss_v3_vector: str
    cvss_v3_score: float | None
    cvss_v4_vector: str
    cvss_v4_score: float | None
    cve_id: str


class ProductOut(Schema):
    id: int
    name: str
    versions: str
    cpe: str
    purl: str


class StatusOut(Schema):
    id: int
    vulnerability_id: int
    product_id: int | None
    status: str
    justification: str
    reason: str
    statement_ja: str
    statement_en: str
    fixed_in: str
    version: int
    approved: bool = Field(description="Approved by the coordinator for publication.")


class SharedStatusOut(Schema):
    vendor: str
    vulnerability_number: int
    product: str
    status: str
    approved: bool


class ResponseOut(Schema):
    version: int = Field(description="Send it back as expected_version to change the answer.")
    tracking_id: str
    shares_statuses: bool
    verification: str
    verification_note: str
    response_status: str
    workaround_ja: str
    workaround_en: str
    fix_ja: str
    fix_en: str
    fixed_versions: str


class ScheduleOut(Schema):
    time_zone: str = Field(description="The vendor's time zone (its registry entry's).")
    target_publication_at: UtcInstant | None
    embargo_ends_at: UtcInstant | None = Field(description="The embargo in force, if any.")
    proposed_embargo_ends_at: UtcInstant | None
    embargo_state: str
    my_embargo_consent: str
    answer_embargo_by: UtcInstant | None
    publish_before: date | None = Field(
        None,
        description=(
            "The report asks for publication before this day (a calendar day, as given): "
            "plan the fix for it. Only until publication; why the report asks it is not "
            "shared."
        ),
    )
    publish_before_lifted: bool = Field(
        False,
        description="That day no longer binds the publication: the target publication stands.",
    )


class ScheduleRequestOut(Schema):
    id: int
    requested_target: UtcInstant
    reason: str
    status: str
    decision_note: str


class PortalCaseOut(PortalCaseSummaryOut):
    tracking_id: str
    vulnerabilities: list[VulnerabilityOut]
    products: list[ProductOut]
    statuses: list[StatusOut]
    shared_statuses: list[SharedStatusOut] = Field(
        description="Other vendors' statuses, for those that chose to share them."
    )
    response: ResponseOut | None
    schedule: ScheduleOut
    schedule_requests: list[ScheduleRequestOut]


class Done(Schema):
    """The row the action wrote, and its new version where it has one."""

    id: int | None = None
    version: int | None = None


class StatusIn(Input):
    vulnerability_id: int
    product_id: int | None = Field(None, description="Default: all of your products.")
    status: VexStatus
    justification: VexJustification | None = Field(None, description="Needed for not_affected.")
    reason: str = Field("", max_length=5000, description="Needed for disputed.")
    statement_ja: str = Field("", max_length=5000)
    statement_en: str = Field("", max_length=5000)
    fixed_in: str = Field("", max_length=200)
    expected_version: int | None = Field(
        None, ge=0, description="The status version the caller read (0: none yet)."
    )


class EmbargoAnswerIn(Input):
    answer: EmbargoAnswer
    note: str = Field("", max_length=5000)


class VerificationIn(Input):
    result: VerificationResult
    note: str = Field("", description="Needed unless confirmed.")
    expected_version: int | None = Field(None, ge=0)


class CountermeasureIn(Input):
    response_status: ResponseStatus
    workaround_ja: str = ""
    workaround_en: str = ""
    fix_ja: str = ""
    fix_en: str = ""
    fixed_versions: str = ""
    expected_version: int | None = Field(None, ge=0)


class TrackingIn(Input):
    tracking_id: str
    expected_version: int | None = Field(None, ge=0)


class ScheduleRequestIn(Input):
    requested_target: AwareDatetime
    reason: str


class ReferralIn(Input):
    vendor_name: str
    product: str = ""
    note: str = ""


# --- Reads ---------------------------------------------------------------------------


def _summary(participation: Participant) -> dict[str, Any]:
    case = participation.case
    organisation = participation.organisation
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "title": case.title(),
        "organisation": organisation.display_name() if organisation else "",
        "target_publication_at": case.target_publication_at,
        "acknowledged_at": participation.acknowledged_at,
    }


def _detail(view: PortalCase) -> PortalCaseOut:
    participation, case, response = view.participation, view.case, view.response
    return PortalCaseOut(
        **_summary(participation),
        tracking_id=response.tracking_id if response else "",
        vulnerabilities=[_vulnerability(row.vulnerability) for row in view.vulnerabilities],
        products=[
            ProductOut(id=p.pk, name=p.name, versions=p.versions, cpe=p.cpe, purl=p.purl)
            for p in view.products
        ],
        statuses=[
            StatusOut(
                id=s.pk,
                vulnerability_id=s.vulnerability_id,
                product_id=s.product_id,
                status=s.status,
                justification=s.justification,
                reason=s.reason,
                statement_ja=s.statement_ja,
                statement_en=s.statement_en,
                fixed_in=s.fixed_in,
                version=s.version,
                approved=s.is_approved,
            )
            for s in view.statuses
        ],
        shared_statuses=[
            SharedStatusOut(
                vendor=s.vendor_name,
                vulnerability_number=s.vulnerability_number,
                product=s.product,
                status=s.status,
                approved=s.approved,
            )
            for s in view.shared
        ],
        response=ResponseOut.model_validate(response, from_attributes=True) if response else None,
        schedule=ScheduleOut(
            time_zone=view.zone,
            target_publication_at=case.target_publication_at,
            embargo_ends_at=view.embargo.at if view.embargo else None,
            proposed_embargo_ends_at=view.proposal.at if view.proposal else None,
            embargo_state=case.em_state,
            my_embargo_consent=participation.pec_state,
            answer_embargo_by=participation.pec_deadline,
            publish_before=view.talk.on if view.talk else None,
            publish_before_lifted=bool(view.talk and view.talk.without_details),
        ),
        schedule_requests=[
            ScheduleRequestOut(
                id=r.pk,
                requested_target=r.requested_target,
                reason=r.reason,
                status=r.status,
                decision_note=r.decision_note,
            )
            for r in view.requests
        ],
    )


def _vulnerability(v: Vulnerability) -> VulnerabilityOut:
    return VulnerabilityOut(
        id=v.pk,
        number=v.number,
        title_ja=v.title_ja,
        title_en=v.title_en,
        description_ja=v.description_ja,
        description_en=v.description_en,
        cwe_id=v.cwe_id,
        cvss_v3_vector=v.cvss_v3_vector,
        cvss_v3_score=float(v.cvss_v3_score) if v.cvss_v3_score is not None else None,
        cvss_v4_vector=v.cvss_v4_vector,
        cvss_v4_score=float(v.cvss_v4_score) if v.cvss_v4_score is not None else None,
        cve_id=v.cve_id,
    )


@router.get("/cases", response={200: list[PortalCaseSummaryOut], **READ}, summary="My cases")
def list_my_cases(request: HttpRequest) -> list[PortalCaseSummaryOut]:
    require_scope(request, "read")
    return [PortalCaseSummaryOut(**_summary(p)) for p in vendor_participations(request.user)]


@router.get("/cases/{case_id}", response={200: PortalCaseOut, **READ}, summary="One of my cases")
def get_my_case(request: HttpRequest, case_id: int) -> PortalCaseOut:
    require_scope(request, "read")
    participation = access_participation(request.user, case_id)
    return _detail(portal_case(participation, request.user))


# --- Actions -------------------------------------------------------------------------


def _acting(request: HttpRequest, case_id: int) -> Participant:
    require_scope(request, "write")
    participation: Participant = access_participation(request.user, case_id)
    return participation


@router.post("/cases/{case_id}/acknowledge", response={200: Done, **ACTION}, summary="Acknowledge")
def acknowledge(request: HttpRequest, case_id: int) -> Done:
    participation = _acting(request, case_id)
    attempt = actions.acknowledge_notice(participation.case, participation, actor=request.user)
    return Done(id=attempt.pk)


@router.post(
    "/cases/{case_id}/statuses",
    response={200: Done, **ACTION},
    summary="Set a status and statement (awaits the coordinator's approval)",
)
def post_status(request: HttpRequest, case_id: int, body: StatusIn) -> Done:
    participation = _acting(request, case_id)
    case = participation.case
    vulnerability = Vulnerability.objects.filter(case=case, pk=body.vulnerability_id).first()
    if vulnerability is None:
        raise InvalidInput(
            _("There is no vulnerability %(id)d in this case.") % {"id": body.vulnerability_id}
        )
    product = None
    if body.product_id is not None:
        product = CaseProduct.objects.filter(vendor=participation, pk=body.product_id).first()
        if product is None:
            raise InvalidInput(
                _("There is no product %(id)d of yours in this case.") % {"id": body.product_id}
            )
    status = actions.record_vendor_status(
        case,
        participation,
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
    return Done(id=status.pk, version=status.version)


@router.post(
    "/cases/{case_id}/embargo-answer", response={200: Done, **ACTION}, summary="Answer the embargo"
)
def answer_embargo(request: HttpRequest, case_id: int, body: EmbargoAnswerIn) -> Done:
    participation = _acting(request, case_id)
    answer = actions.answer_embargo(
        participation.case,
        participation,
        actor=request.user,
        answer=body.answer.value,
        note=body.note,
    )
    return Done(id=answer.pk)


@router.post(
    "/cases/{case_id}/verification",
    response={200: Done, **ACTION},
    summary="Report the verification result",
)
def post_verification(request: HttpRequest, case_id: int, body: VerificationIn) -> Done:
    participation = _acting(request, case_id)
    response = actions.report_verification(
        participation.case,
        participation,
        actor=request.user,
        result=body.result.value,
        note=body.note,
        expected_version=body.expected_version,
    )
    return Done(id=response.pk, version=response.version)


@router.post(
    "/cases/{case_id}/countermeasure",
    response={200: Done, **ACTION},
    summary="Give the countermeasure and response status",
)
def post_countermeasure(request: HttpRequest, case_id: int, body: CountermeasureIn) -> Done:
    participation = _acting(request, case_id)
    response = actions.record_countermeasure(
        participation.case,
        participation,
        actor=request.user,
        **body.model_dump(exclude={"response_status", "expected_version"}),
        response_status=body.response_status.value,
        expected_version=body.expected_version,
    )
    return Done(id=response.pk, version=response.version)


@router.post(
    "/cases/{case_id}/tracking-id", response={200: Done, **ACTION}, summary="Name my tracking ID"
)
def post_tracking_id(request: HttpRequest, case_id: int, body: TrackingIn) -> Done:
    participation = _acting(request, case_id)
    response = actions.set_tracking_id(
        participation.case,
        participation,
        actor=request.user,
        tracking_id=body.tracking_id,
        expected_version=body.expected_version,
    )
    return Done(id=response.pk, version=response.version)


@router.post(
    "/cases/{case_id}/schedule-requests",
    response={200: Done, **ACTION},
    summary="Ask for another publication date",
)
def post_schedule_request(request: HttpRequest, case_id: int, body: ScheduleRequestIn) -> Done:
    participation = _acting(request, case_id)
    schedule_request = actions.request_schedule_change(
        participation.case,
        participation,
        actor=request.user,
        requested_target=body.requested_target,
        reason=body.reason,
    )
    return Done(id=schedule_request.pk)


@router.post(
    "/cases/{case_id}/referrals",
    response={200: Done, **ACTION},
    summary="Tell the coordinator the flaw is in another vendor's product",
)
def post_referral(request: HttpRequest, case_id: int, body: ReferralIn) -> Done:
    participation = _acting(request, case_id)
    referral = actions.refer_to_other_vendor(
        participation.case,
        participation,
        actor=request.user,
        vendor_name=body.vendor_name,
        product=body.product,
        note=body.note,
    )
    return Done(id=referral.pk)
