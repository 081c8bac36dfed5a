"""Machine-readable exports at stable, language-free URLs, read from published
revisions only: OSV per advisory and the list of all of them, the JVNRSS feed and
VULDEF per advisory."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from ..access import public_advisory
from ..exports import FEED_SIZE, current_revisions
from ..exports.jvn import jvnrss_document, vuldef_document
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


# --- JVN: the JVNRSS feed and a VULDEF document per advisory, in Japanese (the default)
# or English; a language waived for an advisory falls back to the other one.


def _xml(document: bytes) -> HttpResponse:
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _vuldef(slug: str, language: str) -> HttpResponse:
    advisory = public_advisory(slug)
    assert advisory.current_revision is not None
    revision = advisory.current_revision
    revision.advisory = advisory  # the document reads the withdrawal from it
    return _xml(vuldef_document(revision, language))


@require_GET
def vuldef_ja(request: HttpRequest, slug: str) -> HttpResponse:
    return _vuldef(slug, "ja")


@require_GET
def vuldef_en(request: HttpRequest, slug: str) -> HttpResponse:
    return _vuldef(slug, "en")


def _jvnrss(language: str) -> HttpResponse:
    return _xml(jvnrss_document(current_revisions(FEED_SIZE), language))


@require_GET
def jvnrss_ja(request: HttpRequest) -> HttpResponse:
    return _jvnrss("ja")


@require_GET
def jvnrss_en(request: HttpRequest) -> HttpResponse:
    return _jvnrss("en")
