"""Reading a raw e-mail: its envelope, the reply tokens it is addressed to, its text and
files. No database, no cryptography (``analysis`` decides, ``core.pgp_mime`` decrypts).

Nothing here trusts the message: header values are only ever kept as text, an HTML-only
body is reduced to its text, and every part that has a file name, or is not the body,
is an attachment (never rendered).
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.html import strip_tags

from kakehashi.core.pgp_mime import Attachment

# The headers that may carry the reply address (Delivered-To: a Bcc or an alias).
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
TOKEN_CHARS = r"[A-Za-z0-9_-]{20,64}"  # noqa: S105 - a pattern, not a secret
# An attribution line that introduces the quoted earlier message in common clients.
_ATTRIBUTION = re.compile(r"^(.*\bwrote:|.*のメッセージ[:：]?|.*書きました[:：]?)$")
_ORIGINAL = re.compile(
    r"^-{2,}\s*(Original Message|元のメッセージ|Forwarded message)\s*-{2,}\s*$", re.I
)


@dataclass(frozen=True)
class Envelope:
    message_id: str
    sender: str  # the single From address, lower-cased; "" if none or several
    recipients: tuple[str, ...]
    subject: str
    date: str


@dataclass
class Content:
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _header(message: Message, name: str) -> str:
    try:
        return " ".join(str(value) for value in message.get_all(name, []))
    except (ValueError, IndexError, TypeError, AttributeError):
        return ""  # a header the parser cannot decode is treated as absent


def envelope(message: Message) -> Envelope:
    senders = getaddresses([_header(message, "From")])
    sender = senders[0][1].strip().lower() if len(senders) == 1 and "@" in senders[0][1] else ""
    recipients = tuple(
        address.strip()
        for name in RECIPIENT_HEADERS
        for _display, address in getaddresses([_header(message, name)])
        if address
    )
    return Envelope(
        message_id=_header(message, "Message-ID").strip()[:998],
        sender=sender[:320],
        recipients=recipients,
        subject=_header(message, "Subject")[:500],
        date=_header(message, "Date")[:100],
    )


def reply_tokens(recipients: tuple[str, ...]) -> set[str]:
    """The thread tokens in the addresses that fit ``KAKEHASHI_REPLY_ADDRESS_TEMPLATE``."""
    template = settings.KAKEHASHI_REPLY_ADDRESS_TEMPLATE
    if not template or "{token}" not in template:
        return set()
    before, after = template.split("{token}", 1)
    pattern = re.compile(re.escape(before) + f"({TOKEN_CHARS})" + re.escape(after), re.IGNORECASE)
    found = set()
    for address in recipients:
        match = pattern.fullmatch(parseaddr(address)[1] or address)
        if match:
            found.add(match.group(1))
    return found


def content(entity: Message, *, skip_signatures: bool = True) -> Content:
    """The text body (plain text preferred, else HTML reduced to text) and every file."""
    result = Content()
    body = entity.get_body(("plain", "html")) if isinstance(entity, EmailMessage) else None
    if body is not None:
        result.text = _text_of(body)
    for leaf in entity.walk():
        if leaf.is_multipart() or leaf is body:
            continue
        kind = leaf.get_content_type()
        if skip_signatures and kind in ("application/pgp-signature", "application/pgp-encrypted"):
            continue
        if (
            leaf.get_filename()
            or leaf.get_content_disposition() == "attachment"
            or (not kind.startswith("text/"))
        ):
            payload = leaf.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            result.attachments.append(Attachment(leaf.get_filename() or "", kind, data))
    return result


def _text_of(part: Message) -> str:
    try:
        text = str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        text = html.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
    return text.replace("\r\n", "\n").replace("\x00", "")


def strip_quoted(text: str) -> str:
    """The reply without the earlier message quoted below it.

    Only a trailing block is cut: lines that start with ``>`` (and blank lines among them)
    at the end, with the attribution line just above them ("On … wrote:", "… のメッセージ:")
    or everything below an "-----Original Message-----" line. Quotes inside the reply,
    answered point by point, stay. The full text is kept with the received e-mail.
    """
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if _ORIGINAL.match(line.strip()):
            lines = lines[:index]
            break
    end = len(lines)
    while end > 0 and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end < len(lines) and any(line.startswith(">") for line in lines[end:]):
        if end > 0 and _ATTRIBUTION.match(lines[end - 1].strip()):
            end -= 1
        lines = lines[:end]
    stripped = "\n".join(lines).strip()
    return stripped or text.strip()
