"""Machine-readable exports at stable, language-free URLs, read from published
revisions only: OSV per advisory and the list of all of them."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from ..access import public_advisory
from ..exports.osv import osv_document
from ..models import Advisory, AdvisoryRevision

CACHE_SECONDS = 300


def _osv(advisory: Advisory, revision: AdvisoryRevision) -> dict[str, Any] | None:
    key = f"osv:{revision.pk}:{advisory.withdrawn_at.isoformat() if advisory.withdrawn_at else ''}"
    document = cache.get(key)
    if document is None:
        document = osv_document(revision.content, advisory.withdrawn_at) or {}
        cache.set(key, document, CACHE_SECONDS)
    return document or None


def _json(data: Any) -> JsonResponse:
    response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@require_GET
def osv_one(request: HttpRequest, slug: str) -> JsonResponse:
    advisory = public_advisory(slug)
    assert advisory.current_revision is not None
    document = _osv(advisory, advisory.current_revision)
    if document is None:
        raise Http404
    return _json(document)


@require_GET
def osv_all(request: HttpRequest) -> JsonResponse:
    revisions = (
        AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
        .select_related("advisory")
        .order_by("advisory__published_at", "pk")
    )
    documents = [d for r in revisions if (d := _osv(r.advisory, r)) is not None]
    return _json(documents)
