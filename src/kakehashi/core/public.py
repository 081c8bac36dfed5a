"""Public pages: rendered once per language and served from the cache to anonymous visitors.

Public pages carry no form and no per-visitor data, so one rendering serves every
anonymous visitor. Signed-in visitors see their own header and are never cached.
Publication clears the cache (``clear_public_cache``) so a new advisory appears at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

PUBLIC_CACHE_SECONDS = 300
_VERSION_KEY = "public-pages:version"


# The version is read from the shared cache at most once per VERSION_MEMO_SECONDS per
# process: a cached page then costs one cache read, not two. Another process's
# publication reaches this one within that second; this process's own, at once.
VERSION_MEMO_SECONDS = 1.0
_memo: dict[str, float] = {}


def _version() -> int:
    now = time.monotonic()
    if now - _memo.get("at", -VERSION_MEMO_SECONDS) < VERSION_MEMO_SECONDS:
        return int(_memo["version"])
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, 1, timeout=None)
        version = cache.get(_VERSION_KEY, 1)
    _memo.update(version=int(version), at=now)
    return int(version)


def clear_public_cache() -> None:
    """Invalidate every cached public page (bump the version in their keys)."""
    try:
        version = cache.incr(_VERSION_KEY)
    except ValueError:
        version = 2
        cache.set(_VERSION_KEY, version, timeout=None)
    _memo.update(version=int(version), at=time.monotonic())


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
