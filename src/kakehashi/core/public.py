"""Public pages: rendered once per language and served from the cache to anonymous visitors.

Public pages carry no form and no per-visitor data, so one rendering serves every
anonymous visitor. Signed-in visitors see their own header and are never cached.
Publication clears the cache (``clear_public_cache``) so a new advisory appears at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

PUBLIC_CACHE_SECONDS = 300
_VERSION_KEY = "public-pages:version"


def _version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, 1, timeout=None)
        version = cache.get(_VERSION_KEY, 1)
    return int(version)


def clear_public_cache() -> None:
    """Invalidate every cached public page (bump the version in their keys)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, timeout=None)


def _page_key(request: HttpRequest) -> str:
    return f"public-page:{_version()}:{get_language()}:{request.get_full_path()}"


def _cacheable(request: HttpRequest) -> bool:
    return not request.user.is_authenticated and request.method == "GET"


def cached_public_page(request: HttpRequest) -> HttpResponse | None:
    """The cached rendering of this public page, if there is one: lets a view answer
    before it reads anything (a page cached under the current version was public at
    that version, and every publication or withdrawal bumps the version)."""
    if not _cacheable(request):
        return None
    body = cache.get(_page_key(request))
    return None if body is None else HttpResponse(body)


def render_public_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """``context`` may be a function, called only when the page is not cached."""
    if not _cacheable(request):
        return render(request, template, context() if callable(context) else context)
    key = _page_key(request)
    body = cache.get(key)
    if body is None:
        response = render(request, template, context() if callable(context) else context)
        cache.set(key, response.content, PUBLIC_CACHE_SECONDS)
        return response
    return HttpResponse(body)


def public_cache_version() -> int:
    """The current version of the public cache, for public responses cached outside
    :func:`render_public_page` (feeds): put it in their keys so publication clears them."""
    return _version()
