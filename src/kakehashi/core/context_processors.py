from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def _language_links(request: HttpRequest) -> list[tuple[str, str]]:
    """Links to this page in the other languages: swap the /ja/ or /en/ prefix."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        prefix = f"/{current}/"
        target = f"/{code}/" + path[len(prefix) :] if path.startswith(prefix) else f"/{code}/"
        links.append((code, target))
    return links


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.KAKEHASHI_SITE_NAME, "language_links": _language_links(request)}
