"""API: advisories (STYLE point 8).

Published advisories are public data: listed and read from their current revision,
with the same search and filters as the site. A draft is read only by the
coordination side of its case, through ``advisories.access``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kakehashi.api.auth import require_scope
from kakehashi.api.schemas import Error, Input, Refusal, UtcInstant

from .access import access_draft, public_advisory
from .content import publication_problems
from .models import AdvisoryRevision
from .search import matching, query_words

router = Router(tags=["advisories"])

READ = {401: Error, 403: Refusal, 404: Error, 422: Refusal}
PAGE_SIZE = 100


class AdvisoryFilter(Input):
    q: str = Field(
        "",
        max_length=200,
        description="Words or IDs, in Japanese or English; every word must occur.",
    )
    kind: str = Field("", pattern="^(|partnership|international|alert)$")
    cwe: str = Field("", pattern=r"^((CWE-)?\d{1,5})?$")
    severity: str = Field("", pattern="^(|Low|Medium|High|Critical)$")
    year: int | None = Field(None, ge=1990, le=2999)
    offset: int = Field(0, ge=0)


class AdvisorySummaryOut(Schema):
    id: str
    slug: str
    title_ja: str
    title_en: str
    severity: str
    critical: bool
    withdrawn: bool
    revision: int
    published_at: UtcInstant
    updated_at: UtcInstant


class AdvisoryOut(AdvisorySummaryOut):
    content: dict[str, Any] = Field(description="The revision as published: texts, vendors, CVSS.")


class DraftOut(Schema):
    id: str
    state: str
    scheduled_for: UtcInstant | None
    texts: dict[str, dict[str, Any]]
    problems: list[str]


def _summary(revision: AdvisoryRevision) -> dict[str, Any]:
    content = revision.content
    texts = content["texts"]
    return {
        "id": content["id"],
        "slug": content["slug"],
        "title_ja": texts.get("ja", {}).get("title", ""),
        "title_en": texts.get("en", {}).get("title", ""),
        "severity": revision.severity,
        "critical": content["critical"],
        "withdrawn": revision.advisory.state == "withdrawn",
        "revision": revision.number,
        "published_at": revision.advisory.published_at,
        "updated_at": revision.published_at,
    }


@router.get("", response={200: list[AdvisorySummaryOut], **READ}, summary="Published advisories")
def list_advisories(request: HttpRequest, filters: Query[AdvisoryFilter]) -> list[dict[str, Any]]:
    require_scope(request, "read")
    revisions = (
        AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
        .select_related("advisory")
        .order_by("-advisory__published_at", "-pk")
    )
    if filters.q:
        revisions = matching(revisions, query_words(filters.q))
    if filters.kind:
        revisions = revisions.filter(advisory__kind=filters.kind)
    if filters.cwe:
        revisions = revisions.filter(
            cwe_ids__contains=f" CWE-{filters.cwe.upper().removeprefix('CWE-')} "
        )
    if filters.severity:
        revisions = revisions.filter(severity=filters.severity)
    if filters.year:
        revisions = revisions.filter(advisory__published_at__year=filters.year)
    page = revisions[filters.offset : filters.offset + PAGE_SIZE]
    return [_summary(revision) for revision in page]


@router.get("/{slug}", response={200: AdvisoryOut, **READ}, summary="One published advisory")
def get_advisory(request: HttpRequest, slug: str) -> dict[str, Any]:
    require_scope(request, "read")
    advisory = public_advisory(slug)
    revision = advisory.current_revision
    assert revision is not None  # public_advisory returns only published advisories
    return {**_summary(revision), "content": revision.content}


@router.get("/drafts/{advisory_id}", response={200: DraftOut, **READ}, summary="A draft")
def get_draft(request: HttpRequest, advisory_id: int) -> dict[str, Any]:
    require_scope(request, "read")
    advisory = access_draft(request.user, advisory_id)
    return {
        "id": advisory.advisory_id,
        "state": advisory.state,
        "scheduled_for": advisory.scheduled_for,
        "texts": {
            text.language: {
                "version": text.version,
                "approved": text.approved,
                **{f: getattr(text, f) for f in ("title", "overview", "description", "solution")},
            }
            for text in advisory.texts.all()
        },
        "problems": publication_problems(advisory),
    }
