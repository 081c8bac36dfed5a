"""API: the disclosure log, with the same access and actions as its pages (STYLE point 8).

The case's coordination side reads the log; its coordinators record disclosures and
decide vendors' requests; a vendor member reads and makes its own organisation's
requests. Anything else is 404. Refusals are mapped in ``kakehashi.api.urls``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Refusal

from . import actions
from .access import access_disclosure, case_disclosures, vendor_disclosures
from .models import Disclosure
from .schemas import DecisionIn, DisclosureIn, DisclosureOut, UserNoticeIn, disclosure_out

router = Router(tags=["disclosures"])

READ = {200: list[DisclosureOut], 401: Error, 403: Refusal, 404: Error}
REFUSED = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 422: Refusal}


def _loaded(pk: int) -> Disclosure:
    return Disclosure.objects.prefetch_related("recipients").get(pk=pk)


@router.get("/cases/{case_id}", response=READ, summary="A case's disclosure log (desk)")
def case_log(request: HttpRequest, case_id: int) -> list[DisclosureOut]:
    require_scope(request, "read")
    _case, rows = case_disclosures(request.user, case_id)
    return [disclosure_out(row) for row in rows.prefetch_related("recipients")]


@router.post(
    "/cases/{case_id}",
    response={201: DisclosureOut, **REFUSED},
    summary="Record a disclosure before publication (coordinator)",
)
def record(request: HttpRequest, case_id: int, body: DisclosureIn) -> Status[DisclosureOut]:
    require_scope(request, "write")
    case, _rows = case_disclosures(request.user, case_id, need="coordinate")
    fields = body.model_dump(exclude={"revision", "recipients", "kind"})
    disclosure = actions.record_disclosure(
        case,
        actor=request.user,
        kind=body.kind.value,
        recipients=[actions.RecipientInput(**r.model_dump()) for r in body.recipients],
        revision=body.revision,
        **fields,
    )
    return Status(201, disclosure_out(_loaded(disclosure.pk)))


@router.post(
    "/{disclosure_id}/decision",
    response={200: DisclosureOut, **REFUSED},
    summary="Approve or refuse a vendor's request (coordinator)",
)
def decide(request: HttpRequest, disclosure_id: int, body: DecisionIn) -> DisclosureOut:
    require_scope(request, "write")
    disclosure = access_disclosure(request.user, disclosure_id, need="coordinate")
    actions.decide_user_notice(
        disclosure,
        actor=request.user,
        approve=body.approve,
        note=body.note,
        revision=body.revision,
    )
    return disclosure_out(_loaded(disclosure.pk))


@router.get("/portal/cases/{case_id}", response=READ, summary="My organisation's requests (vendor)")
def own_requests(request: HttpRequest, case_id: int) -> list[DisclosureOut]:
    require_scope(request, "read")
    _participation, rows = vendor_disclosures(request.user, case_id)
    return [disclosure_out(row, with_recipients=False) for row in rows]


@router.post(
    "/portal/cases/{case_id}",
    response={201: DisclosureOut, **REFUSED},
    summary="Ask to notify our users before the public date (vendor)",
)
def ask(request: HttpRequest, case_id: int, body: UserNoticeIn) -> Status[DisclosureOut]:
    require_scope(request, "write")
    participation, _rows = vendor_disclosures(request.user, case_id)
    disclosure = actions.request_user_notice(participation, actor=request.user, **body.model_dump())
    return Status(201, disclosure_out(disclosure, with_recipients=False))
