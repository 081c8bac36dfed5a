"""Machine translation behind one interface (STYLE point 14).

Nothing ships offline and no model is ever downloaded: an engine is an HTTP service
the operator runs. The one engine here speaks LibreTranslate's published API
(``POST <url>/translate`` with ``q``, ``source``, ``target``, ``format`` and
``api_key``; the answer is ``{"translatedText": …}`` or ``{"error": …}``). It is
configured by ``KAKEHASHI_MT_URL`` and ``KAKEHASHI_MT_API_KEY`` and is off while the
URL is empty (the default). Its output is always marked machine-translated on the
task until a person reviews it (``actions``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_RESPONSE_BYTES = 5_000_000


class EngineError(Exception):
    """The engine could not translate; ``str()`` is translated, ``retryable`` says
    whether trying again later may help (time-outs, overload, server errors)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class TranslationEngine(Protocol):
    name: str

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """One translation per text, in order."""
        ...


class LibreTranslate:
    name = "LibreTranslate"

    def __init__(self, url: str, api_key: str = "", timeout: float = 20) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("KAKEHASHI_MT_URL must be an http(s) URL")
        self.endpoint = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        body: dict[str, object] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = self._post(body)
        translated = answer.get("translatedText")
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if (
            not isinstance(translated, list)
            or len(translated) != len(texts)
            or not all(isinstance(t, str) for t in translated)
        ):
            raise EngineError(
                _("The translation service gave an answer in an unexpected form."),
                retryable=False,
            )
        return translated

    def _post(self, body: dict[str, object]) -> dict[str, object]:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.endpoint,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._refusal(error) from error
        except TimeoutError as error:
            raise EngineError(
                _("The translation service did not answer in time."), retryable=True
            ) from error
        except (urllib.error.URLError, OSError) as error:
            raise EngineError(
                _("The translation service cannot be reached."), retryable=True
            ) from error
        if len(raw) > MAX_RESPONSE_BYTES:
            raise EngineError(_("The translation service's answer is too large."), retryable=False)
        try:
            answer = json.loads(raw)
        except ValueError as error:
            raise EngineError(
                _("The translation service gave an answer in an unexpected form."),
                retryable=False,
            ) from error
        if not isinstance(answer, dict):
            raise EngineError(
                _("The translation service gave an answer in an unexpected form."),
                retryable=False,
            )
        return answer

    def _refusal(self, error: urllib.error.HTTPError) -> EngineError:
        detail = ""
        try:
            payload = json.loads(error.read(10_000) or b"{}")
            if isinstance(payload, dict):
                detail = str(payload.get("error", ""))[:200]
        except ValueError:
            pass
        retryable = error.code == 429 or error.code >= 500
        return EngineError(
            _("The translation service refused (HTTP %(status)d): %(detail)s")
            % {"status": error.code, "detail": detail or error.reason},
            retryable=retryable,
        )


def configured_engine() -> TranslationEngine | None:
    """The operator's engine, or ``None`` when machine translation is off."""
    url = settings.KAKEHASHI_MT_URL
    if not url:
        return None
    return LibreTranslate(
        url, api_key=settings.KAKEHASHI_MT_API_KEY, timeout=settings.KAKEHASHI_MT_TIMEOUT
    )
