"""``/.well-known/security.txt`` (RFC 9116): where and how to report a vulnerability.

Built per request from the settings, so ``Expires`` is always in the future
(``KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS`` ahead; RFC 9116 advises less than a year).
Contact: the reception's address (``KAKEHASHI_RECEPTION_EMAIL``) when set, then the
report form. Encryption: the platform's public key, when one is configured. Policy:
the disclosure policy in both languages. CSAF: the CSAF provider metadata (CSAF 2.0
§7.1.8, a field CSAF adds to security.txt). Reading the key is the only work; no database.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from . import pgp

logger = logging.getLogger(__name__)


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name)


def _has_key() -> bool:
    try:
        return bool(pgp.public_key_armor())
    except ImproperlyConfigured:
        logger.exception("The platform OpenPGP key is misconfigured")
        return False


def security_txt_lines() -> list[str]:
    expires = timezone.now().astimezone(UTC) + timedelta(
        days=settings.KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS
    )
    lines = []
    if settings.KAKEHASHI_RECEPTION_EMAIL:
        lines.append(f"Contact: mailto:{settings.KAKEHASHI_RECEPTION_EMAIL}")
    lines += [f"Contact: {_url('intake:report_start', lang)}" for lang in ("ja", "en")]
    if _has_key():
        lines.append(f"Encryption: {_url('intake:pgp_key', 'ja')}")
    lines += [f"Policy: {_url('intake:policy', lang)}" for lang in ("ja", "en")]
    lines += [
        "Preferred-Languages: ja, en",
        # CSAF 2.0 §7.1.8: how aggregators and tools find the provider tree.
        f"CSAF: {settings.SITE_URL}{reverse('exports:csaf_provider_metadata')}",
        f"Canonical: {settings.SITE_URL}{reverse('security_txt')}",
        f"Expires: {expires.replace(microsecond=0).strftime('%Y-%m-%dT%H:%M:%SZ')}",
    ]
    return lines


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        "\n".join(security_txt_lines()) + "\n", content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
