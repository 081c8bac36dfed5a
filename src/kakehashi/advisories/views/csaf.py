"""CSAF 2.0 at language-free URLs: one document per advisory, and the provider tree
under /.well-known/csaf/ (see exports/csaf_tree.py). Public, read from published
revisions only."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from kakehashi.core import pgp

from ..access import public_advisory
from ..exports import csaf_tree

CACHE_SECONDS = csaf_tree.CACHE_SECONDS


def _response(body: bytes | str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # machine-readable, public
    return response


def _json(data: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _response(body, "application/json")


@require_GET
def document(request: HttpRequest, slug: str, language: str = "") -> HttpResponse:
    """The canonical document (csaf.json) or the one in a language (csaf-ja.json)."""
    found = csaf_tree.advisory_document(public_advisory(slug), language)
    if found is None:
        raise Http404
    return _response(found.body, "application/json")


@require_GET
def provider_metadata(request: HttpRequest) -> HttpResponse:
    return _json(csaf_tree.provider_metadata(csaf_tree.documents()))


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return _json(csaf_tree.rolie_feed(csaf_tree.documents()))


@require_GET
def index_txt(request: HttpRequest) -> HttpResponse:
    return _response(csaf_tree.index_txt(csaf_tree.documents()), "text/plain; charset=utf-8")


@require_GET
def changes_csv(request: HttpRequest) -> HttpResponse:
    return _response(csaf_tree.changes_csv(csaf_tree.documents()), "text/csv; charset=utf-8")


@require_GET
def tree_file(request: HttpRequest, year: str, name: str) -> HttpResponse:
    """<file>.json, <file>.json.sha512 and <file>.json.asc of one document."""
    base, suffix = name, ""
    for ending in (".sha512", ".asc"):
        if name.endswith(ending):
            base, suffix = name.removesuffix(ending), ending
    found = csaf_tree.find(year, base)
    if found is None:
        raise Http404
    if suffix == ".sha512":
        return _response(csaf_tree.sha512_file(found), "text/plain; charset=utf-8")
    if suffix == ".asc":
        armored = csaf_tree.signature(found)
        if armored is None:
            raise Http404
        return _response(armored, "application/pgp-signature")
    return _response(found.body, "application/json")


@require_GET
def public_key(request: HttpRequest, fingerprint: str) -> HttpResponse:
    key = pgp.platform_key()
    if key is None or key.fingerprint != fingerprint.upper():
        raise Http404
    armored = pgp.public_key_armor(key)
    if armored is None:
        raise Http404
    return _response(armored, "application/pgp-keys")


def _listing(title: str, names: list[str]) -> HttpResponse:
    """A plain directory listing (CSAF 2.0 §7.1.14)."""
    items = format_html_join("\n", '<li><a href="{0}">{0}</a></li>', ((n,) for n in names))
    body = format_html(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{0}</title></head>'
        "<body><h1>{0}</h1><ul>\n{1}\n</ul></body></html>\n",
        title,
        items,
    )
    return _response(body, "text/html; charset=utf-8")


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    years = sorted({d.year for d in csaf_tree.documents()})
    return _listing(request.path, ["index.txt", "changes.csv", *(f"{y}/" for y in years)])


@require_GET
def year_directory(request: HttpRequest, year: str) -> HttpResponse:
    entries = [d for d in csaf_tree.documents() if d.year == year]
    if not entries:
        raise Http404
    signed = pgp.platform_key() is not None
    names = []
    for entry in entries:
        names += [entry.name, f"{entry.name}.sha512"] + ([f"{entry.name}.asc"] if signed else [])
    return _listing(request.path, names)
