"""The public site: the advisory list with search and filters, each advisory at its
stable URL in both languages, and the Atom feed — all read from published revisions
only, so nothing of a draft can appear here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kakehashi.core.public import (
    PUBLIC_CACHE_SECONDS,
    cached_public_page,
    public_cache_version,
    render_public_page,
)

from ..access import public_advisory
from ..forms import SearchForm
from ..models import AdvisoryRevision
from ..presentation import SEVERITY_LABELS, page_context
from ..search import fold, matching, query_words

PAGE_SIZE = 50
FEED_SIZE = 50


@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    revisions = (
        AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
        .select_related("advisory")
        .order_by("-advisory__published_at", "-pk")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # Every word of the query; the vendor and the product each as one phrase.
        needles = query_words(data["q"])
        needles += [fold(data[key]).strip() for key in ("vendor", "product") if data[key]]
        revisions = matching(revisions, needles)
        if data["kind"]:
            revisions = revisions.filter(advisory__kind=data["kind"])
        if data["cwe"]:
            number = data["cwe"].upper().removeprefix("CWE-")
            revisions = revisions.filter(cwe_ids__contains=f" CWE-{number} ")
        if data["severity"]:
            revisions = revisions.filter(severity=data["severity"])
        if data["year"]:
            revisions = revisions.filter(advisory__published_at__year=data["year"])
    page = Paginator(revisions, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language() or "ja"
    rows = [_row(revision, language) for revision in page]
    return render_public_page(
        request, "advisories/list.html", {"form": form, "page": page, "rows": rows}
    )


def _row(revision: AdvisoryRevision, language: str) -> dict[str, Any]:
    content = revision.content
    texts = content["texts"]
    text = texts.get(language) or next(iter(texts.values()))
    return {
        "id": content["id"],
        "slug": content["slug"],
        "title": text["title"],
        "published_at": revision.advisory.published_at,
        "updated_at": revision.published_at,
        "severity": SEVERITY_LABELS.get(revision.severity, revision.severity),
        "critical": content["critical"],
        "withdrawn": revision.advisory.state == "withdrawn",
    }


@require_GET
def advisory_page(request: HttpRequest, slug: str) -> HttpResponse:
    cached = cached_public_page(request)  # no query, no Markdown on a cache hit
    if cached is not None:
        return cached
    advisory = public_advisory(slug)
    language = get_language() or "ja"
    return render_public_page(
        request,
        "advisories/advisory.html",
        lambda: page_context(advisory, advisory.current_revision.content, language),  # type: ignore[union-attr]
    )


@require_GET
def atom_feed(request: HttpRequest) -> HttpResponse:
    """The feed carries no per-visitor data: one rendering per language serves everyone
    until the next publication (keyed on the public-cache version, like the pages)."""
    language = get_language() or "ja"
    key = f"public-feed:{public_cache_version()}:{language}:{request.path}"
    body = cache.get(key)
    if body is None:
        revisions = (
            AdvisoryRevision.objects.filter(advisory__current_revision=F("pk"))
            .select_related("advisory")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        body = atom_document(list(revisions), language, request.path)
        cache.set(key, body, PUBLIC_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def atom_document(revisions: Sequence[AdvisoryRevision], language: str, path: str) -> bytes:
    """The Atom feed of ``revisions`` (current revisions, newest first) in ``language``;
    ``path`` is the feed's own URL path (also used by ``kakehashi export``)."""
    feed = Atom1Feed(
        title=_("%(site)s advisories") % {"site": settings.KAKEHASHI_SITE_NAME},
        link=settings.SITE_URL + reverse("advisories:list"),
        description=_("Vulnerability advisories, newest first."),
        language=language,
        feed_url=settings.SITE_URL + path,
    )
    for revision in revisions:
        row = _row(revision, language)
        texts = revision.content["texts"]
        text = texts.get(language) or next(iter(texts.values()))
        url = settings.SITE_URL + reverse("advisories:page", kwargs={"slug": row["slug"]})
        feed.add_item(
            title=f"{row['id']}: {row['title']}",
            link=url,
            description=text["overview"],
            unique_id=f"{url}#r{revision.number}",
            updateddate=revision.published_at,
            pubdate=revision.advisory.published_at,
        )
    return feed.writeString("utf-8").encode("utf-8")
