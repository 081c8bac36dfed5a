"""Report attachments: limits, the type the bytes say, private storage, optional scan.

Files are never trusted: the name is kept only as text (for the download's
``Content-Disposition``), the type comes from the first bytes, and the content sits
in private storage under a random key. A scanner's verdict is a label and a
quarantine flag, not a rejection: real proofs of concept trigger scanners.
"""

from __future__ import annotations

import os
import unicodedata
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from kakehashi.core.storage import save_private
from kakehashi.core.workflow import InvalidInput

# (prefix, MIME type); checked in order. Text is recognised separately.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/vnd.microsoft.portable-executable"),
    (b"-----BEGIN PGP MESSAGE-----", "application/pgp-encrypted"),
    (b"\x00\x00\x00\x18ftypmp4", "video/mp4"),
    (b"\x00\x00\x00\x20ftypisom", "video/mp4"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"\xd4\xc3\xb2\xa1", "application/vnd.tcpdump.pcap"),
    (b"\xa1\xb2\xc3\xd4", "application/vnd.tcpdump.pcap"),
    (b"\x0a\x0d\x0d\x0a", "application/x-pcapng"),
)


def detect_type(head: bytes) -> str:
    """The MIME type the first bytes show; text if they decode as UTF-8 without
    control characters; otherwise ``application/octet-stream``."""
    for prefix, mime in _SIGNATURES:
        if head.startswith(prefix):
            return mime
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return "application/octet-stream"
        text = head[: error.start].decode("utf-8")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n\f" for c in text):
        return "application/octet-stream"
    return "text/plain"


def clean_filename(name: str) -> str:
    """The name as text only: no directories, no control characters, at most 200 chars.
    Japanese names are kept as they are (NFC)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        return _("attachment")
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext[:20])] + ext[:20]


def check_sizes(files: list[Any], already: int = 0, count_already: int = 0) -> None:
    """Refuse empty, too large or too many files before anything is stored."""
    limit = settings.KAKEHASHI_ATTACHMENT_MAX_BYTES
    total_limit = settings.KAKEHASHI_REPORT_MAX_BYTES
    if count_already + len(files) > settings.KAKEHASHI_ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d files per report.") % {"n": settings.KAKEHASHI_ATTACHMENT_MAX_FILES}
        )
    total = already
    for upload in files:
        size = upload.size
        if not size:
            raise InvalidInput(_("“%(name)s” is empty.") % {"name": clean_filename(upload.name)})
        if size > limit:
            raise InvalidInput(
                _("“%(name)s” is larger than %(mb)d MB.")
                % {"name": clean_filename(upload.name), "mb": limit // 1_000_000}
            )
        total += size
    if total > total_limit:
        raise InvalidInput(
            _("The files of one report may not exceed %(mb)d MB together.")
            % {"mb": total_limit // 1_000_000}
        )


def store(upload: IO[bytes] | Any) -> dict[str, Any]:
    """Store one upload privately; return the fields of a ReportAttachment."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    stored = save_private(upload)
    label, detail, quarantined = scan(stored.key)
    return {
        "storage_key": stored.key,
        "sha256": stored.sha256,
        "size": stored.size,
        "filename": clean_filename(getattr(upload, "name", "")),
        "detected_type": detect_type(head),
        "scan_label": label,
        "scan_detail": detail,
        "quarantined": quarantined,
    }


def discard(stored: list[dict[str, Any]]) -> None:
    """Delete files stored for a submission that was then refused or failed."""
    from kakehashi.core.storage import delete_private

    for fields in stored:
        delete_private(fields["storage_key"])


def scan(key: str) -> tuple[str, str, bool]:
    """Ask clamd (``KAKEHASHI_CLAMAV_SOCKET``) about a stored file, if configured."""
    from .clamav import scan_stored

    return scan_stored(key)
