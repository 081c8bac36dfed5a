"""PGP/MIME (RFC 3156) for outbound mail, and OpenPGP in inbound mail.

Outbound: :func:`pgp_mime_encrypted` and :func:`pgp_mime_signed` turn a Django
``EmailMessage`` (text body and attachments) into a :class:`PgpMimeMessage`, a Django
message too, so it is sent like any other (``.send()``, any ``MAILERS`` backend). Only the
body is protected: the envelope headers, the subject included, stay outside and readable.
(Protected headers, which would copy the subject inside, are not implemented.)

Inbound: :func:`parse_incoming` finds PGP/MIME encrypted parts, inline ``BEGIN PGP
MESSAGE`` blocks and encrypted attachments (``*.pgp``, ``*.gpg``, ``*.asc``) in a raw
message, and decrypts them. All cryptography is :mod:`kakehashi.core.pgp`'s.
"""

from __future__ import annotations

import email
import email.policy
import mimetypes
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.message import MIMEPart
from email.policy import Policy
from typing import Literal

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from . import pgp

# What is signed or encrypted: 7-bit transfer encodings only (RFC 3156 §3, so no relay can
# re-encode it) in canonical CRLF form.
_ENTITY = email.policy.default.clone(cte_type="7bit", linesep="\r\n")
# Signed content travels byte for byte: its headers are never refolded.
_VERBATIM = _ENTITY.clone(max_line_length=0)
_INLINE_BLOCK = re.compile(rb"-----BEGIN PGP MESSAGE-----\r?\n.*?-----END PGP MESSAGE-----", re.S)
_ENCRYPTED_NAME = re.compile(r"\.(pgp|gpg|asc)$", re.IGNORECASE)


class PgpMimeMessage(EmailMessage):
    """A Django message whose body is a prebuilt MIME entity; Django writes the headers.

    Django 6.1 builds the stdlib message in :meth:`message` (every backend calls it), so
    the body is swapped there and everything else (addresses, Date, Message-ID, extra
    headers, ``send(using=...)``) is Django's own.
    """

    def __init__(self, source: EmailMessage, body: MIMEPart) -> None:
        headers = {
            name: value
            for name, value in source.extra_headers.items()
            if not name.lower().startswith("content-") and name.lower() != "mime-version"
        }
        super().__init__(
            subject=source.subject,
            from_email=source.from_email,
            to=source.to,
            cc=source.cc,
            bcc=source.bcc,
            reply_to=source.reply_to,
            headers=headers,
        )
        self.mime_body = body

    def message(self, *, policy: Policy | None = email.policy.default) -> MimeMessage:
        msg = super().message(policy=policy)  # an empty text/plain body, and the headers
        del msg["Content-Type"]
        del msg["Content-Transfer-Encoding"]
        msg["Content-Type"] = self.mime_body["Content-Type"]
        msg.set_payload(self.mime_body.get_payload())
        return msg


def pgp_mime_encrypted(
    message: EmailMessage,
    recipient_keys: Sequence[str],
    sign_with: pgp.PlatformKey | None = None,
) -> PgpMimeMessage:
    """``message`` with its body and attachments encrypted (and signed, if ``sign_with``).

    Signing and encryption are one OpenPGP message (RFC 3156 §6.2).
    """
    entity = _entity(message).as_bytes(policy=_ENTITY)
    armored = pgp.encrypt(entity, recipient_keys, sign_with=sign_with)
    control = _leaf(b"Version: 1\r\n", "pgp-encrypted", "PGP/MIME version identification")
    data = _leaf(armored.encode("ascii"), "octet-stream", "OpenPGP encrypted message")
    data.add_header("Content-Disposition", "inline", filename="encrypted.asc")
    body = _multipart("encrypted", [control, data], protocol="application/pgp-encrypted")
    return PgpMimeMessage(message, body)


def pgp_mime_signed(message: EmailMessage, sign_with: pgp.PlatformKey) -> PgpMimeMessage:
    """``message`` with its body and attachments signed, readable without OpenPGP."""
    # Serialise, parse and serialise again: a parsed part is written back exactly as it
    # was read, so the bytes signed here are the bytes any backend sends.
    signed = email.message_from_bytes(_entity(message).as_bytes(policy=_ENTITY), policy=_VERBATIM)
    signature = pgp.sign_detached(signed.as_bytes(policy=_VERBATIM), sign_with)
    signature_part = _leaf(signature.encode("ascii"), "pgp-signature", "OpenPGP digital signature")
    signature_part.add_header("Content-Disposition", "attachment", filename="signature.asc")
    body = _multipart(
        "signed",
        [signed, signature_part],
        micalg="pgp-sha256",
        protocol="application/pgp-signature",
    )
    return PgpMimeMessage(message, body)


def verify_pgp_mime_signed(raw: bytes, public_key: str) -> bool:
    """Whether ``raw`` (a message or entity) is multipart/signed, validly by ``public_key``."""
    parts = _split_signed(raw)
    return parts is not None and pgp.verify_detached(parts[0], parts[1], public_key)


def _entity(message: EmailMessage) -> MimeMessage:
    """The MIME entity of ``message``'s body and attachments, without envelope headers."""
    entity = message.message(policy=_ENTITY)
    for name in {name.lower() for name in entity}:
        if not name.startswith("content-"):
            del entity[name]
    return entity


def _leaf(data: bytes, subtype: str, description: str) -> MIMEPart:
    part = MIMEPart(policy=_ENTITY)
    part.set_content(data, maintype="application", subtype=subtype, cte="7bit")
    part["Content-Description"] = description
    return part


def _multipart(subtype: str, parts: list[MIMEPart], **params: str) -> MIMEPart:
    container = MIMEPart(policy=_ENTITY)
    container["Content-Type"] = f"multipart/{subtype}"
    for name, value in params.items():
        container.set_param(name, value)
    # "=_" cannot occur in base64 or quoted-printable text, so no part can contain it.
    container.set_param("boundary", f"=_kakehashi_{secrets.token_hex(12)}")
    container.set_payload(list(parts))
    return container


def _split_signed(raw: bytes) -> tuple[bytes, bytes] | None:
    """The exact signed bytes (canonical CRLF) and the signature of a multipart/signed."""
    canonical = re.sub(rb"\r?\n", b"\r\n", raw)
    message = email.message_from_bytes(canonical, policy=email.policy.default)
    boundary = message.get_boundary()
    children = list(message.iter_parts())
    if message.get_content_type() != "multipart/signed" or not boundary or len(children) != 2:
        return None
    delimiter = b"--" + re.escape(boundary.encode("ascii"))
    headers_end = canonical.find(b"\r\n\r\n")
    match = re.compile(
        rb"(?:^|\r\n)" + delimiter + rb"[ \t]*\r\n(.*?)\r\n" + delimiter, re.S
    ).search(canonical, headers_end)
    if headers_end < 0 or match is None:
        return None
    return match.group(1), _decoded(children[1])


# -- inbound ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class DecryptedPart:
    """One decrypted thing found in an inbound message."""

    kind: Literal["pgp/mime", "inline", "attachment"]
    entity: MIMEPart  # the plaintext MIME entity (inline text is made into one)
    text: str  # its text/plain body, "" if none
    attachments: tuple[Attachment, ...]
    signed_by: str | None
    signature_valid: bool  # signed by one of the ``senders`` keys given


def parse_incoming(
    raw: bytes, key: pgp.PlatformKey, *, senders: Sequence[str] = ()
) -> list[DecryptedPart]:
    """Every encrypted part of the raw message ``raw``, decrypted with ``key``, in order.

    ``senders`` are public keys whose signatures count as valid. A part not encrypted to
    ``key``, or damaged, raises the :class:`~kakehashi.core.pgp.PgpError` that says so.
    """
    found: list[DecryptedPart] = []
    _collect(email.message_from_bytes(raw, policy=email.policy.default), key, senders, found)
    return found


def _collect(
    part: MIMEPart, key: pgp.PlatformKey, senders: Sequence[str], found: list[DecryptedPart]
) -> None:
    if part.get_content_type() == "multipart/encrypted":
        if str(part.get_param("protocol", failobj="")).lower() == "application/pgp-encrypted":
            found.append(_pgp_mime(part, key, senders))
        return
    if part.is_multipart():
        for child in part.iter_parts():
            _collect(child, key, senders, found)
        return
    payload = _decoded(part)
    filename = part.get_filename() or ""
    if part.get_content_type() == "text/plain" and not part.is_attachment():
        for block in _INLINE_BLOCK.findall(payload):
            decrypted = pgp.decrypt(block, key, senders=senders)
            entity = MimeMessage()
            entity.set_content(decrypted.data.decode("utf-8", errors="replace"))
            found.append(_found("inline", entity, decrypted))
    elif _ENCRYPTED_NAME.search(filename) and _is_openpgp(payload):
        decrypted = pgp.decrypt(payload, key, senders=senders)
        name = _ENCRYPTED_NAME.sub("", filename) or "attachment"
        maintype, subtype = _guess_type(name).split("/", 1)
        entity = MimeMessage()
        entity.set_content(decrypted.data, maintype, subtype, filename=name)
        found.append(_found("attachment", entity, decrypted))


def _pgp_mime(part: MIMEPart, key: pgp.PlatformKey, senders: Sequence[str]) -> DecryptedPart:
    children = list(part.iter_parts())
    if len(children) != 2 or children[1].get_content_type() != "application/octet-stream":
        raise pgp.MalformedMessageError(
            _("This PGP/MIME message is malformed: its encrypted part is missing.")
        )
    decrypted = pgp.decrypt(_decoded(children[1]), key, senders=senders)
    entity = email.message_from_bytes(decrypted.data, policy=email.policy.default)
    signed = _split_signed(decrypted.data)
    if signed is None:
        return _found("pgp/mime", entity, decrypted)
    # Signed, then encrypted (RFC 3156 §6.1): the signature is in the plaintext.
    signer = next((k for k in senders if pgp.verify_detached(*signed, k)), None)
    inner = email.message_from_bytes(signed[0], policy=email.policy.default)
    fingerprint = pgp.inspect_public_key(signer).fingerprint if signer else None
    return _found("pgp/mime", inner, pgp.Decrypted(decrypted.data, fingerprint, bool(signer)))


def _found(
    kind: Literal["pgp/mime", "inline", "attachment"], entity: MIMEPart, result: pgp.Decrypted
) -> DecryptedPart:
    body = entity.get_body(("plain",))
    text = body.get_content() if body is not None and not body.is_attachment() else ""
    # Text travels in canonical form (CRLF, RFC 3156 §5); callers get Python's newlines.
    text = text.replace("\r\n", "\n")
    attachments = tuple(
        Attachment(leaf.get_filename() or "", leaf.get_content_type(), _decoded(leaf))
        for leaf in entity.walk()
        if not leaf.is_multipart() and (leaf.is_attachment() or leaf.get_filename())
    )
    return DecryptedPart(kind, entity, text, attachments, result.signed_by, result.signature_valid)


def _decoded(part: MIMEPart) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _is_openpgp(payload: bytes) -> bool:
    # Armour, or a binary packet (the first octet of every OpenPGP packet has bit 7 set).
    return payload.lstrip().startswith(b"-----BEGIN PGP MESSAGE-----") or (
        bool(payload) and payload[0] & 0x80 == 0x80
    )


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
