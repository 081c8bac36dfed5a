"""Where inbound mail is read from: an IMAP mailbox, a Maildir, or one message on stdin.
The one module that speaks IMAP (``imaplib``).

A message is marked as read only after ``actions.ingest`` returned, i.e. after its row
committed: a crash in between leaves it unmarked, and the next run ingests the same
bytes again, which finds the existing row (nothing is filed twice). Marking: with
``KAKEHASHI_IMAP_DONE_FOLDER`` the message is moved there (MOVE, or COPY + delete);
otherwise it gets the keyword ``$KakehashiIngested`` (and ``\\Seen``), and later runs
search only messages without it.
"""

from __future__ import annotations

import imaplib
import ipaddress
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .actions import Ingested, ingest

KEYWORD = "$KakehashiIngested"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class FetchError(Exception):
    """The mailbox could not be read (connection, log-in, folder); nothing was changed."""


@dataclass
class Tally:
    filed: int = 0
    triage: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, result: Ingested) -> None:
        if not result.new:
            self.already += 1
        elif result.mail.state == "filed":
            self.filed += 1
        else:
            self.triage += 1


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _connect() -> imaplib.IMAP4:
    host, port = settings.KAKEHASHI_IMAP_HOST, settings.KAKEHASHI_IMAP_PORT
    security = settings.KAKEHASHI_IMAP_SECURITY
    timeout = settings.KAKEHASHI_IMAP_TIMEOUT
    if not host:
        raise ImproperlyConfigured("KAKEHASHI_IMAP_HOST is not set.")
    if security == "plain" and not is_loopback(host):
        # A password and the mail in clear over a network: never.
        raise ImproperlyConfigured("KAKEHASHI_IMAP_SECURITY=plain is allowed for loopback only.")
    context = ssl.create_default_context()
    if security == "tls":
        return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
    connection = imaplib.IMAP4(host, port, timeout=timeout)
    if security == "starttls":
        connection.starttls(ssl_context=context)
    return connection


@contextmanager
def _mailbox() -> Iterator[imaplib.IMAP4]:
    try:
        connection = _connect()
    except (OSError, imaplib.IMAP4.error) as error:
        raise FetchError(f"IMAP connection to {settings.KAKEHASHI_IMAP_HOST}: {error}") from error
    try:
        try:
            connection.login(settings.KAKEHASHI_IMAP_USER, settings.KAKEHASHI_IMAP_PASSWORD)
            status, data = connection.select(_quoted(settings.KAKEHASHI_IMAP_FOLDER))
        except imaplib.IMAP4.error as error:
            raise FetchError(f"IMAP log-in or folder: {error}") from error
        if status != "OK":
            raise FetchError(f"IMAP folder {settings.KAKEHASHI_IMAP_FOLDER}: {data!r}")
        yield connection
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            connection.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uids(connection: imaplib.IMAP4) -> list[bytes]:
    if settings.KAKEHASHI_IMAP_DONE_FOLDER:
        status, data = connection.uid("SEARCH", None, "ALL")  # type: ignore[arg-type]
    else:
        status, data = connection.uid("SEARCH", None, "UNKEYWORD", KEYWORD)  # type: ignore[arg-type]
    if status != "OK" or not data or not data[0]:
        return []
    return list(data[0].split())[: settings.KAKEHASHI_IMAP_BATCH]


def _raw(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    for item in data or []:
        if status == "OK" and isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None


def _mark(connection: imaplib.IMAP4, uid: bytes) -> None:
    done = settings.KAKEHASHI_IMAP_DONE_FOLDER
    if not done:
        connection.uid("STORE", uid.decode(), "+FLAGS", f"({KEYWORD} \\Seen)")
        return
    if b"MOVE" in _capabilities(connection):
        connection.uid("MOVE", uid.decode(), _quoted(done))
        return
    status, _data = connection.uid("COPY", uid.decode(), _quoted(done))
    if status == "OK":
        connection.uid("STORE", uid.decode(), "+FLAGS", "(\\Deleted)")
        connection.expunge()


def _capabilities(connection: imaplib.IMAP4) -> set[bytes]:
    return {c.encode() if isinstance(c, str) else c for c in connection.capabilities}


def fetch(on_error: Callable[[str], None] | None = None) -> Tally:
    """Read the configured IMAP folder once (at most ``KAKEHASHI_IMAP_BATCH`` messages)."""
    tally = Tally()
    source = f"imap:{settings.KAKEHASHI_IMAP_FOLDER}"
    with _mailbox() as connection:
        for uid in _uids(connection):
            raw = _raw(connection, uid)
            if raw is None:
                tally.errors.append(f"uid {uid.decode()}: could not be fetched")
                continue
            tally.add(ingest(raw, source=source))
            _mark(connection, uid)
    return tally


def ingest_maildir(directory: Path, *, include_seen: bool = False) -> Tally:
    """Every message of a Maildir not yet seen; each is then marked seen: renamed into
    ``cur/`` with the ``S`` flag (the bytes are never rewritten)."""
    if not (directory / "cur").is_dir() or not (directory / "new").is_dir():
        raise FetchError(f"{directory} is not a Maildir (no cur/ and new/)")
    tally = Tally()
    for path in sorted([*(directory / "new").iterdir(), *(directory / "cur").iterdir()]):
        if path.name.startswith(".") or not path.is_file():
            continue
        base, _sep, info = path.name.partition(":2,")
        if "S" in info and not include_seen:
            continue
        tally.add(ingest(path.read_bytes(), source=f"maildir:{directory.name}"))
        flags = "".join(sorted(set(info) | {"S"}))
        path.rename(directory / "cur" / f"{base}:2,{flags}")
    return tally


def ingest_bytes(raw: bytes) -> Tally:
    tally = Tally()
    tally.add(ingest(raw, source="stdin"))
    return tally


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def looks_like_mail(raw: bytes) -> bool:
    """A first sanity check for standard input: a header block, then a blank line."""
    head = _HEADER_END.split(raw[:65536], maxsplit=1)[0]
    return bool(raw.strip()) and b":" in head.split(b"\n", 1)[0]
