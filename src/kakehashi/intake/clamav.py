"""An optional ClamAV check over clamd's INSTREAM protocol (a UNIX or TCP socket).

``KAKEHASHI_CLAMAV_SOCKET`` is a socket path or ``host:port``; empty means no scan.
The verdict is recorded, never enforced: a flagged file is quarantined (downloads
warn) but kept, because real proofs of concept trigger scanners.
"""

from __future__ import annotations

import socket
import struct

from django.conf import settings

from kakehashi.core.storage import open_private

from .choices import ScanLabel

CHUNK = 64 * 1024


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(address)
        return sock
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)))


def scan_stored(key: str) -> tuple[str, str, bool]:
    """(label, scanner's words, quarantined) for a stored file."""
    address = settings.KAKEHASHI_CLAMAV_SOCKET
    if not address:
        return ScanLabel.NOT_SCANNED, "", False
    try:
        with _connect(address) as sock, open_private(key) as handle:
            sock.settimeout(settings.KAKEHASHI_CLAMAV_TIMEOUT)
            sock.sendall(b"zINSTREAM\0")
            while chunk := handle.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
    except (OSError, ValueError) as error:
        return ScanLabel.ERROR, str(error)[:200], False
    text = answer.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("OK"):
        return ScanLabel.CLEAN, "", False
    if text.endswith("FOUND"):
        return ScanLabel.FLAGGED, text.split(":", 1)[-1].strip()[:200], True
    return ScanLabel.ERROR, text[:200], False
