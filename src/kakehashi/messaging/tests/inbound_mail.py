"""Helpers for the inbound-mail tests: replies written and encrypted with the gpg
command line (real GnuPG, not our wrapper), as a vendor's mail client would."""

from __future__ import annotations

import subprocess
import tempfile
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.utils import make_msgid
from pathlib import Path

from kakehashi.core.tests.test_pgp import PASSPHRASE, GpgKey


def gpg_encrypt(data: bytes, to: GpgKey, sign_with: GpgKey | None) -> bytes:
    """ASCII-armoured ciphertext for ``to``, signed by ``sign_with``, by the gpg CLI."""
    home = Path(tempfile.mkdtemp(prefix="kakehashi-test-vendor-"))
    (home / "gpg-agent.conf").write_text("s2k-count 65536\n")
    base = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback"]
    base += ["--passphrase", PASSPHRASE]
    try:
        subprocess.run(
            [*base, "--import"], input=to.public.encode(), check=True, capture_output=True
        )
        arguments = ["--trust-model", "always", "--armor", "--encrypt", "-r", to.fingerprint]
        if sign_with is not None:
            subprocess.run(
                [*base, "--import"],
                input=sign_with.secret.encode(),
                check=True,
                capture_output=True,
            )
            arguments += ["--sign", "-u", sign_with.fingerprint]
        return subprocess.run(
            [*base, *arguments], input=data, check=True, capture_output=True
        ).stdout
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
        subprocess.run(["rm", "-rf", str(home)], check=False)


def plain_reply(
    to: str,
    sender: str,
    text: str,
    *,
    subject: str = "Re: case",
    message_id: str | None = None,
    files: dict[str, bytes] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="vendor.test")
    message.set_content(text)
    for name, data in (files or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message


def pgp_mime_reply(
    to: str,
    sender: str,
    text: str,
    *,
    platform: GpgKey,
    signer: GpgKey | None,
    files: dict[str, bytes] | None = None,
    message_id: str | None = None,
) -> bytes:
    """An RFC 3156 encrypted reply whose inner entity holds the text and the files."""
    inner = EmailMessage()
    inner.set_content(text)
    for name, data in (files or {}).items():
        inner.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    for header in ("MIME-Version",):
        del inner[header]
    armored = gpg_encrypt(inner.as_bytes(), platform, signer)
    outer = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
    outer["From"] = sender
    outer["To"] = to
    outer["Subject"] = "..."
    outer["Message-ID"] = message_id or make_msgid(domain="vendor.test")
    control = MIMEApplication(b"Version: 1\n", "pgp-encrypted", _encoder=lambda p: None)
    data = MIMEApplication(armored, "octet-stream", _encoder=lambda p: None)
    outer.attach(control)
    outer.attach(data)
    return outer.as_bytes()


def inline_reply(to: str, sender: str, text: str, *, platform: GpgKey, signer: GpgKey) -> bytes:
    armored = gpg_encrypt(text.encode(), platform, signer).decode()
    return plain_reply(to, sender, armored).as_bytes()
