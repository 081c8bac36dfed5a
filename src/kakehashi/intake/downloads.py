"""Serving an attachment so that nothing in it can run in our origin.

A proof of concept is often an HTML page or a script. It is always sent as
``application/octet-stream`` (never the type detected from its bytes) with
``Content-Disposition: attachment``, ``nosniff`` and a sandboxing CSP, so no browser
renders it inline; ``no-store`` keeps it out of shared and browser caches. The finder's
file name (Japanese included) survives in ``filename*`` (RFC 5987/6266), with an ASCII
``filename`` for clients that ignore it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse

from kakehashi.core.storage import open_private

from .files import clean_filename
from .models import ReportAttachment

# RFC 5987 attr-char, minus what ``quote`` never escapes anyway.
_ATTR_CHARS = "!#$&+-.^_`|~"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
FALLBACK_STEM = "attachment"

DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "no-store",
}


def ascii_filename(name: str) -> str:
    """A conservative ASCII stand-in: letters, digits, ``.``, ``_`` and ``-`` only."""
    stem, ext = os.path.splitext(name)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_ASCII.sub("_", stem).strip("._")
    ext = _UNSAFE_ASCII.sub("", ext.encode("ascii", "ignore").decode("ascii"))
    ext = f".{ext.lstrip('.')}" if ext.strip(".") else ""
    return f"{stem or FALLBACK_STEM}{ext}"


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` for any stored name."""
    name = clean_filename(filename)  # again: the stored name may predate today's rules
    encoded = quote(name, safe=_ATTR_CHARS)
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{encoded}"


def attachment_response(attachment: ReportAttachment) -> FileResponse:
    handle = open_private(attachment.storage_key)
    response = FileResponse(handle, content_type="application/octet-stream")
    # FileResponse names the file after the storage key (inline): replace all of it.
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    for header, value in DOWNLOAD_HEADERS.items():
        response.headers[header] = value
    return response
