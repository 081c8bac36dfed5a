"""API: the CNA — the ID pool, assignment and records (STYLE point 8).

The same reads and actions as the CNA officer's screens, through ``cna.access`` (a
record the caller may not open is 404, like one that does not exist) and
``cna.actions``. Reads need the ``read`` scope, actions ``write``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Input, Refusal, UtcInstant
from kakehashi.core.workflow import ConcurrentChange

from . import actions, corpus
from .access import (
    access_cve_id,
    access_record,
    access_vulnerability,
    require_cna_officer,
    require_desk_staff,
)
from .checks import ERROR, check_record
from .models import CveId, CveRecord
from .records import build_container

router = Router(tags=["cve"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
ACTION = {401: Error, 403: Refusal, 404: Error, 409: Refusal, 422: Refusal}


class CveIdOut(Schema):
    cve_id: str
    year: int
    state: str = Field(description="RESERVED, PUBLISHED or REJECTED (at CVE Services)")
    source: str = Field(description="service or manual")
    vulnerability_id: int | None
    case_reference: str | None
    reserved_at: UtcInstant
    assigned_at: UtcInstant | None


class PoolFilter(Input):
    state: str | None = Field(None, pattern="^(RESERVED|PUBLISHED|REJECTED)$")
    free: bool | None = Field(None, description="Only IDs that no vulnerability holds.")


class ReserveIn(Input):
    amount: int = Field(ge=1, le=actions.MAX_RESERVATION)
    year: int | None = None
    sequential: bool = True


class ReserveOut(Schema):
    ids: list[CveIdOut]
    partial: bool
    remaining_quota: int | None


class AddIdsIn(Input):
    ids: list[str] = Field(min_length=1, max_length=1000)


class AssignIn(Input):
    vulnerability_id: int


class ReferenceIn(Input):
    url: str = Field(max_length=2048)
    tags: list[str] = []
    name: str = Field("", max_length=512)


class RecordIn(Input):
    version: int = Field(description="The version the edit is based on.")
    description_en: str = Field(max_length=4096)
    description_ja: str = Field("", max_length=4096)
    references: list[ReferenceIn] = []
    cna_tags: list[str] = []


class VersionIn(Input):
    version: int


class RejectIn(Input):
    version: int
    reason: str = Field(min_length=1, max_length=4096, description="In English.")


class ProblemOut(Schema):
    field: str
    message: str
    severity: str = Field(description="error (blocks publication) or warning")


class RecordOut(Schema):
    cve_id: str
    vulnerability_id: int | None
    case_reference: str | None
    version: int
    synced_version: int
    sync_state: str
    last_error: str
    published_at: UtcInstant | None
    synced_at: UtcInstant | None
    description_en: str
    description_ja: str
    references: list[dict[str, Any]]
    cna_tags: list[str]
    container: dict[str, Any] | None = Field(
        description="The CNA container as it would be sent now (or the rejection sent)."
    )
    problems: list[ProblemOut]
    publishable: bool


def _cve_id(row: CveId) -> CveIdOut:
    vulnerability = row.vulnerability
    return CveIdOut(
        cve_id=row.cve_id,
        year=row.year,
        state=row.state,
        source=row.source,
        vulnerability_id=vulnerability.pk if vulnerability else None,
        case_reference=vulnerability.case.reference if vulnerability else None,
        reserved_at=row.reserved_at,
        assigned_at=row.assigned_at,
    )


def _record(record: CveRecord) -> RecordOut:
    vulnerability = record.cve.vulnerability
    rejected = record.sync_state in ("rejected", "reject_pending")
    container = record.container if rejected else build_container(record)
    problems = (
        []
        if rejected or vulnerability is None
        else check_record(container or {}, vulnerability.case)
    )
    return RecordOut(
        cve_id=record.cve.cve_id,
        vulnerability_id=vulnerability.pk if vulnerability else None,
        case_reference=vulnerability.case.reference if vulnerability else None,
        version=record.version,
        synced_version=record.synced_version,
        sync_state=record.sync_state,
        last_error=record.last_error,
        published_at=record.published_at,
        synced_at=record.synced_at,
        description_en=record.description_en,
        description_ja=record.description_ja,
        references=list(record.references),
        cna_tags=list(record.cna_tags),
        container=container,
        problems=[
            ProblemOut(field=p.field, message=p.message, severity=p.severity) for p in problems
        ],
        publishable=not rejected and not any(p.severity == ERROR for p in problems),
    )


@router.get("/ids", response={200: list[CveIdOut], **READ}, summary="The ID pool")
def list_ids(request: HttpRequest, filters: Query[PoolFilter]) -> list[CveIdOut]:
    require_scope(request, "read")
    require_cna_officer(request.user)
    rows = CveId.objects.select_related("vulnerability__case")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.free is not None:
        rows = rows.filter(vulnerability__isnull=filters.free)
    return [_cve_id(row) for row in rows]


@router.post("/ids/reserve", response={200: ReserveOut, **ACTION}, summary="Reserve IDs")
def reserve(request: HttpRequest, body: ReserveIn) -> ReserveOut:
    require_scope(request, "write")
    require_cna_officer(request.user)
    _rows, reservation = actions.reserve_ids(
        request.user, body.amount, body.year, sequential=body.sequential
    )
    fresh = CveId.objects.filter(cve_id__in=reservation.cve_ids).select_related("vulnerability")
    return ReserveOut(
        ids=[_cve_id(row) for row in fresh],
        partial=reservation.partial,
        remaining_quota=reservation.remaining_quota,
    )


@router.post("/ids", response={201: list[CveIdOut], **ACTION}, summary="Add IDs by hand")
def add_ids(request: HttpRequest, body: AddIdsIn) -> Status:
    require_scope(request, "write")
    require_cna_officer(request.user)
    rows = actions.add_ids_by_hand(request.user, body.ids)
    return Status(201, [_cve_id(row) for row in rows])


@router.post("/ids/{cve_id}/release", response={200: CveIdOut, **ACTION}, summary="Release")
def release(request: HttpRequest, cve_id: str) -> CveIdOut:
    require_scope(request, "write")
    return _cve_id(actions.release_id(request.user, access_cve_id(request.user, cve_id)))


@router.post("/assign", response={201: RecordOut, **ACTION}, summary="Assign an ID")
def assign(request: HttpRequest, body: AssignIn) -> Status:
    require_scope(request, "write")
    vulnerability = access_vulnerability(request.user, body.vulnerability_id)
    return Status(201, _record(actions.assign_id(request.user, vulnerability)))


@router.get("/records/{cve_id}", response={200: RecordOut, **READ}, summary="A record")
def get_record(request: HttpRequest, cve_id: str) -> RecordOut:
    require_scope(request, "read")
    return _record(access_record(request.user, cve_id))


@router.put("/records/{cve_id}", response={200: RecordOut, **ACTION}, summary="Edit a record")
def edit_record(request: HttpRequest, cve_id: str, body: RecordIn) -> RecordOut:
    require_scope(request, "write")
    record = access_record(request.user, cve_id)
    return _record(
        actions.edit_record(
            request.user,
            record,
            description_en=body.description_en,
            description_ja=body.description_ja,
            references=[r.model_dump() for r in body.references],
            cna_tags=body.cna_tags,
            expected_version=body.version,
        )
    )


@router.post("/records/{cve_id}/publish", response={200: RecordOut, **ACTION}, summary="Publish")
def publish(request: HttpRequest, cve_id: str, body: VersionIn) -> RecordOut:
    require_scope(request, "write")
    record = access_record(request.user, cve_id)
    if body.version != record.version:
        raise ConcurrentChange
    return _record(actions.publish_record(request.user, record))


@router.post("/records/{cve_id}/reject", response={200: RecordOut, **ACTION}, summary="Reject")
def reject(request: HttpRequest, cve_id: str, body: RejectIn) -> RecordOut:
    require_scope(request, "write")
    record = access_record(request.user, cve_id)
    if body.version != record.version:
        raise ConcurrentChange
    return _record(actions.reject_record(request.user, record, body.reason))


# --- the CVE corpus -------------------------------------------------------------------


class CorpusQuery(Input):
    q: str = Field(
        min_length=1,
        max_length=200,
        description="CVE IDs and words; every word must occur (substring, either language).",
    )
    limit: int = Field(20, ge=1, le=corpus.MAX_LIMIT)


class CorpusRecordOut(Schema):
    cve_id: str
    state: str = Field(description="PUBLISHED or REJECTED")
    assigner_short_name: str
    assigner_org_id: str
    date_published: UtcInstant | None
    date_updated: UtcInstant | None
    title: str
    description_en: str
    description_ja: str
    vendors: list[str]
    products: list[str]
    cpes: list[str]
    purls: list[str]


@router.get(
    "/corpus",
    response={200: list[CorpusRecordOut], **READ},
    summary="Search the CVE corpus",
)
def search_corpus(request: HttpRequest, filters: Query[CorpusQuery]) -> list[CorpusRecordOut]:
    """Imported CVE records matching ``q``, best first (desk staff)."""
    require_scope(request, "read")
    require_desk_staff(request.user)
    return [
        CorpusRecordOut(
            cve_id=r.cve_id,
            state=r.state,
            assigner_short_name=r.assigner_short_name,
            assigner_org_id=r.assigner_org_id,
            date_published=r.date_published,
            date_updated=r.date_updated,
            title=r.title,
            description_en=r.description_en,
            description_ja=r.description_ja,
            vendors=r.vendors,
            products=r.products,
            cpes=r.cpes,
            purls=r.purls,
        )
        for r in corpus.search(filters.q, filters.limit)
    ]
