"""OpenPGP with real GnuPG: keys, encryption, signatures, PGP/MIME over real SMTP.

The test keys are made once per session by the ``gpg`` command line in a directory from
``tmp_path_factory``, the way a vendor or a finder makes theirs; their agent protects them
with a low S2K count so that each secret-key operation stays fast.
"""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import gnupg
import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from kakehashi.core import pgp
from kakehashi.core.pgp_mime import (
    parse_incoming,
    pgp_mime_encrypted,
    pgp_mime_signed,
    verify_pgp_mime_signed,
)

PASSPHRASE = "correct horse battery staple"
SUBJECT = "【脆弱性】KH-2026-0001 のご連絡"
BODY = "ベンダー各位\n\n脆弱性の詳細を添付します。\nFrom the coordination desk.\n"
BINARY = bytes(range(256)) * 40 + b"\x00\r\n\x1a"


@dataclass(frozen=True)
class GpgKey:
    fingerprint: str
    public: str
    secret: str

    def secret_key(self, passphrase: str = PASSPHRASE) -> pgp.PlatformKey:
        return pgp.PlatformKey.from_armor(self.secret, passphrase)


def _gpg(home: Path, *args: str, data: bytes | None = None) -> bytes:
    command = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback"]
    return subprocess.run(
        [*command, "--passphrase", PASSPHRASE, *args], input=data, capture_output=True, check=True
    ).stdout


def _fresh_home(root: Path) -> Path:
    home = Path(tempfile.mkdtemp(prefix="gpg-", dir=root))
    (home / "gpg-agent.conf").write_text("s2k-count 65536\n")  # fast to unprotect
    return home


def _stop(home: Path) -> None:
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


def _make_key(home: Path, uid: str, algo: str, usage: str, expire: str, *extra: str) -> GpgKey:
    _gpg(home, *extra, "--quick-gen-key", uid, algo, usage, expire)
    listing = _gpg(home, "--with-colons", "--list-keys", uid).decode()
    fingerprint = re.search(r"^fpr:+([0-9A-F]{40}):", listing, re.M)[1]  # type: ignore[index]
    if algo.startswith("rsa"):
        _gpg(home, "--quick-add-key", fingerprint, algo, "encr", expire)
    return _export(home, fingerprint)


def _export(home: Path, fingerprint: str) -> GpgKey:
    public = _gpg(home, "--armor", "--export", fingerprint).decode()
    secret = _gpg(home, "--armor", "--export-secret-keys", fingerprint).decode()
    return GpgKey(fingerprint, public, secret)


@pytest.fixture(autouse=True)
def _english():
    """Refusal messages are matched in English; their Japanese is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GpgKey]]:
    root = tmp_path_factory.mktemp("pgp")
    home = _fresh_home(root)
    try:
        made = {
            "platform": _make_key(
                home, "Kakehashi <security@kakehashi.test>", "future-default", "default", "2y"
            ),
            "vendor_rsa": _make_key(home, "Vendor A <psirt@a.test>", "rsa3072", "sign", "0"),
            "vendor_ed": _make_key(
                home, "ベンダー B 製品セキュリティ <psirt@b.test>", "future-default", "default", "0"
            ),
            "signing_only": _make_key(home, "Signer <sign@c.test>", "ed25519", "sign", "0"),
            "weak": _make_key(home, "Old <old@d.test>", "rsa1024", "sign", "0"),
            "expiring": _make_key(home, "Soon <soon@e.test>", "future-default", "default", "30d"),
            "expired": _make_key(
                home,
                "Past <past@f.test>",
                "future-default",
                "default",
                "1y",
                "--faked-system-time",
                "20200101T000000",
            ),
        }
        revoked = _make_key(home, "Gone <gone@g.test>", "future-default", "default", "0")
        certificate = (home / "openpgp-revocs.d" / f"{revoked.fingerprint}.rev").read_bytes()
        _gpg(home, "--import", data=certificate.replace(b":-----BEGIN", b"-----BEGIN"))
        made["revoked"] = _export(home, revoked.fingerprint)
        for name, key in made.items():
            (root / f"{name}.asc").write_text(key.public)
        yield made
    finally:
        _stop(home)


def _cli_decrypt(key: GpgKey, ciphertext: bytes, root: Path, signer: GpgKey | None = None) -> bytes:
    """What the recipient's own gpg makes of it (it fails on a signature it cannot check)."""
    home = _fresh_home(root)
    try:
        _gpg(home, "--import", data=key.secret.encode())
        if signer:
            _gpg(home, "--import", data=signer.public.encode())
        return _gpg(home, "--decrypt", data=ciphertext)
    finally:
        _stop(home)


def _cli_encrypt(key: GpgKey, plaintext: bytes, root: Path, *args: str) -> bytes:
    """A message as a finder's gpg makes it (binary unless ``--armor``)."""
    home = _fresh_home(root)
    try:
        _gpg(home, "--import", data=key.public.encode())
        return _gpg(
            home,
            "--trust-model",
            "always",
            "--encrypt",
            "-r",
            key.fingerprint,
            *args,
            data=plaintext,
        )
    finally:
        _stop(home)


def _message(**kwargs) -> EmailMessage:
    message = EmailMessage(
        subject=SUBJECT,
        body=BODY,
        from_email="Kakehashi <security@kakehashi.test>",
        to=["psirt@b.test"],
        headers={"Auto-Submitted": "auto-generated"},
        **kwargs,
    )
    message.attach("poc.bin", BINARY, "application/octet-stream")
    message.attach("再現手順.txt", "手順 1: 起動する\n", "text/plain")
    return message


class _Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[_Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


# -- keys ---------------------------------------------------------------------------------


def test_inspect_reads_what_the_key_holds(keys):
    info = pgp.inspect_public_key(keys["vendor_ed"].public)

    assert info.fingerprint == keys["vendor_ed"].fingerprint
    assert info.user_ids == ("ベンダー B 製品セキュリティ <psirt@b.test>",)
    assert info.algorithm == "ed25519"
    assert info.can_encrypt
    assert info.can_sign
    assert info.expires is None
    assert not info.revoked
    assert not info.expired
    assert info.created <= timezone.now()


@pytest.mark.parametrize(
    ("name", "algorithm", "bits"), [("vendor_rsa", "RSA", 3072), ("vendor_ed", "ed25519", 255)]
)
def test_validate_accepts_a_sound_key(keys, name, algorithm, bits):
    info = pgp.validate_recipient_key(keys[name].public)

    assert (info.fingerprint, info.algorithm, info.bits) == (
        keys[name].fingerprint,
        algorithm,
        bits,
    )


def test_expiry_is_judged_at_the_given_moment(keys):
    public = keys["platform"].public
    later = timezone.now() + timedelta(days=3 * 365)

    assert not pgp.inspect_public_key(public).expired
    assert pgp.inspect_public_key(public, now=later).expired
    assert not pgp.inspect_public_key(public, now=later).can_encrypt
    with pytest.raises(pgp.ExpiredKeyError):
        pgp.validate_recipient_key(public, now=later)


def _damaged(armored: str) -> str:
    lines = armored.splitlines()
    lines[3] = lines[3][:10] + ("A" if lines[3][10] != "A" else "B") + lines[3][11:]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda k: "", pgp.NotAKeyError, "not an OpenPGP public key"),
        (lambda k: "my key is on the keyserver", pgp.NotAKeyError, "not an OpenPGP public key"),
        (lambda k: _damaged(k["vendor_ed"].public), pgp.NotAKeyError, "armour is damaged"),
        (lambda k: k["vendor_ed"].public + k["vendor_rsa"].public, pgp.MultipleKeysError, "2 keys"),
        (lambda k: k["vendor_ed"].secret, pgp.SecretKeyError, "SECRET key"),
        (lambda k: k["expired"].public, pgp.ExpiredKeyError, "expired"),
        (lambda k: k["revoked"].public, pgp.RevokedKeyError, "revoked"),
        (lambda k: k["signing_only"].public, pgp.NoEncryptionKeyError, "can only sign"),
        (lambda k: k["weak"].public, pgp.WeakKeyError, "RSA 1024 bits"),
    ],
    ids=[
        "empty",
        "prose",
        "damaged-armour",
        "two-keys",
        "secret-key",
        "expired",
        "revoked",
        "signing-only",
        "rsa-1024",
    ],
)
def test_validate_refuses_with_a_clear_reason(keys, make, error, words):
    with pytest.raises(error, match=words) as caught:
        pgp.validate_recipient_key(make(keys))

    assert isinstance(caught.value, pgp.InvalidKeyError)


def test_a_secret_key_is_refused_even_without_its_armour_header(keys):
    secret = keys["vendor_ed"].secret.replace("PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK")

    with pytest.raises(pgp.SecretKeyError):
        pgp.inspect_public_key(secret)


# -- encryption and signatures ----------------------------------------------------------------


def test_round_trip_japanese_text_and_binary_signed_by_the_platform(keys):
    platform = keys["platform"].secret_key()
    plaintext = BODY.encode() + BINARY

    armored = pgp.encrypt(plaintext, [keys["vendor_ed"].public], sign_with=platform)
    verified = pgp.decrypt(
        armored.encode(), keys["vendor_ed"].secret_key(), senders=[keys["platform"].public]
    )
    unverified = pgp.decrypt(armored.encode(), keys["vendor_ed"].secret_key())

    assert armored.startswith("-----BEGIN PGP MESSAGE-----")
    assert verified == pgp.Decrypted(plaintext, keys["platform"].fingerprint, True)
    assert unverified.data == plaintext
    assert unverified.signed_by == keys["platform"].fingerprint
    assert not unverified.signature_valid


def test_every_recipient_can_decrypt_and_the_recipients_own_gpg_agrees(keys, tmp_path):
    recipients = [keys["vendor_rsa"], keys["vendor_ed"]]

    armored = pgp.encrypt(BODY.encode(), [key.public for key in recipients]).encode()

    for key in recipients:
        assert pgp.decrypt(armored, key.secret_key()).data == BODY.encode()
        assert _cli_decrypt(key, armored, tmp_path) == BODY.encode()


def test_a_message_from_a_finders_gpg_is_decrypted_armoured_or_binary(keys, tmp_path):
    platform = keys["platform"].secret_key()
    for args in [(), ("--armor",)]:
        ciphertext = _cli_encrypt(keys["platform"], "報告です".encode(), tmp_path, *args)
        decrypted = pgp.decrypt(ciphertext, platform)
        assert decrypted == pgp.Decrypted("報告です".encode(), None, False)


def test_trust_is_pinned_per_fingerprint_not_assumed(keys, monkeypatch):
    # Without the owner trust set on the validated key's fingerprint, gpg itself refuses:
    # nothing else (no "always trust") makes a key usable.
    monkeypatch.setattr(gnupg.GPG, "trust_keys", lambda self, fingerprints, level: None)

    with pytest.raises(pgp.PgpError, match="could not encrypt"):
        pgp.encrypt(b"secret", [keys["vendor_ed"].public])


def test_encrypting_to_an_invalid_key_is_refused(keys):
    with pytest.raises(pgp.RevokedKeyError):
        pgp.encrypt(b"secret", [keys["vendor_ed"].public, keys["revoked"].public])


def test_decrypting_with_the_wrong_key_says_it_is_not_ours(keys):
    armored = pgp.encrypt(b"for vendor B", [keys["vendor_ed"].public]).encode()

    with pytest.raises(pgp.NotEncryptedToUsError, match=keys["platform"].fingerprint):
        pgp.decrypt(armored, keys["platform"].secret_key())


def test_a_wrong_passphrase_says_so(keys):
    armored = pgp.encrypt(b"for vendor B", [keys["vendor_ed"].public]).encode()
    wrong = keys["vendor_ed"].secret_key("not the passphrase")

    with pytest.raises(pgp.BadPassphraseError):
        pgp.decrypt(armored, wrong)
    with pytest.raises(pgp.BadPassphraseError):
        pgp.sign_detached(b"data", wrong)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "signature-not-message"])
def test_malformed_input_is_refused_clearly(keys, damage):
    platform = keys["platform"].secret_key()
    armored = pgp.encrypt(b"x" * 500, [keys["platform"].public])
    data = {
        "garbage": b"this is not OpenPGP at all",
        "truncated": "\n".join(armored.splitlines()[:4]).encode(),
        "signature-not-message": pgp.sign_detached(b"data", platform).encode(),
    }[damage]

    with pytest.raises(pgp.MalformedMessageError, match="damaged"):
        pgp.decrypt(data, platform)


def test_detached_signature_verifies_only_the_signed_bytes_and_signer(keys, tmp_path):
    platform = keys["platform"].secret_key()
    data = "署名する本文\r\n".encode()

    signature = pgp.sign_detached(data, platform)

    assert signature.startswith("-----BEGIN PGP SIGNATURE-----")
    assert pgp.verify_detached(data, signature, keys["platform"].public)
    assert not pgp.verify_detached(data + b" ", signature, keys["platform"].public)
    assert not pgp.verify_detached(data, signature, keys["vendor_ed"].public)
    assert not pgp.verify_detached(data, "not a signature", keys["platform"].public)
    packets = subprocess.run(
        ["gpg", "--list-packets"], input=signature.encode(), capture_output=True, check=False
    ).stdout.decode()
    assert "digest algo 8" in packets  # SHA-256, as micalg=pgp-sha256 announces


# -- PGP/MIME -------------------------------------------------------------------------------


def test_encrypted_and_signed_pgp_mime_crosses_smtp_and_decrypts(keys, smtp, tmp_path):
    message = pgp_mime_encrypted(
        _message(), [keys["vendor_ed"].public], sign_with=keys["platform"].secret_key()
    )

    assert message.send() == 1

    (envelope,) = smtp.envelopes
    raw = envelope.original_content
    received = email.message_from_bytes(raw, policy=email.policy.default)
    control, data = received.iter_parts()
    assert envelope.rcpt_tos == ["psirt@b.test"]
    assert received["Subject"] == SUBJECT  # outside, readable
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/encrypted"
    assert received.get_param("protocol") == "application/pgp-encrypted"
    assert control.get_content_type() == "application/pgp-encrypted"
    assert control.get_content().strip() == b"Version: 1"
    assert data.get_content_type() == "application/octet-stream"
    assert "脆弱性の詳細".encode() not in raw
    assert b"poc.bin" not in raw

    (found,) = parse_incoming(
        raw, keys["vendor_ed"].secret_key(), senders=[keys["platform"].public]
    )
    assert found.kind == "pgp/mime"
    assert found.text == BODY
    assert (found.signed_by, found.signature_valid) == (keys["platform"].fingerprint, True)
    assert [(a.filename, a.content_type, a.data) for a in found.attachments] == [
        ("poc.bin", "application/octet-stream", BINARY),
        ("再現手順.txt", "text/plain", "手順 1: 起動する\r\n".encode()),  # canonical CRLF
    ]

    entity = _cli_decrypt(keys["vendor_ed"], data.get_content(), tmp_path, keys["platform"])
    by_gpg = email.message_from_bytes(entity, policy=email.policy.default)
    assert by_gpg.get_body(("plain",)).get_content() == BODY.replace("\n", "\r\n")


def test_signed_pgp_mime_crosses_smtp_and_verifies_byte_for_byte(keys, smtp, tmp_path):
    pgp_mime_signed(_message(), keys["platform"].secret_key()).send()

    raw = smtp.envelopes[0].original_content
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received.get_content_type() == "multipart/signed"
    assert received.get_param("micalg") == "pgp-sha256"
    assert received.get_param("protocol") == "application/pgp-signature"
    body = received.get_body(("plain",)).get_content()
    assert body.replace("\r\n", "\n") == BODY  # readable without OpenPGP
    assert verify_pgp_mime_signed(raw, keys["platform"].public)
    assert verify_pgp_mime_signed(raw.replace(b"\r\n", b"\n"), keys["platform"].public)
    assert not verify_pgp_mime_signed(raw, keys["vendor_ed"].public)
    tampered = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/html", 1)
    assert not verify_pgp_mime_signed(tampered, keys["platform"].public)

    # And gpg itself, on the first part cut out of the wire bytes by its boundary.
    boundary = received.get_boundary().encode()
    signed = raw.split(b"--" + boundary + b"\r\n")[1].rsplit(b"\r\n", 1)[0]
    (tmp_path / "sig.asc").write_bytes(received.get_payload()[1].get_content())
    (tmp_path / "signed").write_bytes(signed)
    home = _fresh_home(tmp_path)
    try:
        _gpg(home, "--import", data=keys["platform"].public.encode())
        _gpg(home, "--verify", str(tmp_path / "sig.asc"), str(tmp_path / "signed"))
    finally:
        _stop(home)


def test_sign_then_encrypt_is_unwrapped_and_its_signature_checked(keys):
    signed = pgp_mime_signed(_message(), keys["platform"].secret_key())
    raw = pgp_mime_encrypted(signed, [keys["vendor_ed"].public]).message().as_bytes()

    (found,) = parse_incoming(
        raw,
        keys["vendor_ed"].secret_key(),
        senders=[keys["vendor_rsa"].public, keys["platform"].public],
    )
    (unknown,) = parse_incoming(raw, keys["vendor_ed"].secret_key())

    assert found.text == BODY
    assert (found.signed_by, found.signature_valid) == (keys["platform"].fingerprint, True)
    assert [a.filename for a in found.attachments] == ["poc.bin", "再現手順.txt"]
    assert not unknown.signature_valid


def test_the_locmem_outbox_keeps_pgp_mime_messages_whole(keys, mailoutbox):
    pgp_mime_encrypted(_message(), [keys["vendor_rsa"].public]).send()

    (sent,) = mailoutbox
    assert sent.subject == SUBJECT
    assert sent.message().get_content_type() == "multipart/encrypted"


def test_inline_blocks_and_encrypted_attachments_are_found(keys, tmp_path):
    platform = keys["platform"]
    inline = pgp.encrypt("受付様\n詳細は以下の通りです。".encode(), [platform.public])
    report = _cli_encrypt(platform, b"%PDF-1.7 report", tmp_path)
    mail = email.message.EmailMessage(policy=email.policy.default)
    mail["Subject"] = "報告"
    mail.set_content(f"Hello,\n\n{inline}\n\n-- \nfinder\n")
    mail.add_attachment(report, "application", "octet-stream", filename="report.pdf.gpg")
    mail.add_attachment(platform.public.encode(), "application", "pgp-keys", filename="key.asc")

    text, attachment = parse_incoming(mail.as_bytes(), platform.secret_key())

    assert (text.kind, text.text) == ("inline", "受付様\n詳細は以下の通りです。\n")
    assert attachment.kind == "attachment"
    assert [(a.filename, a.content_type, a.data) for a in attachment.attachments] == [
        ("report.pdf", "application/pdf", b"%PDF-1.7 report")
    ]


def test_plain_mail_has_nothing_to_decrypt_and_foreign_mail_says_why(keys):
    plain = _message().message().as_bytes()
    foreign = pgp_mime_encrypted(_message(), [keys["vendor_rsa"].public]).message().as_bytes()

    assert parse_incoming(plain, keys["platform"].secret_key()) == []
    with pytest.raises(pgp.NotEncryptedToUsError):
        parse_incoming(foreign, keys["platform"].secret_key())


# -- the platform key and the command ----------------------------------------------------------


def _configure(settings, tmp_path: Path, key: GpgKey, passphrase: str = PASSPHRASE) -> None:
    path = tmp_path / f"{key.fingerprint}.asc"  # a new file per key, whatever the mtime
    path.write_text(key.secret)
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = passphrase


def test_no_platform_key_unless_configured(settings):
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = ""

    assert pgp.platform_key() is None
    assert pgp.public_key_armor() is None


def test_the_platform_key_is_read_from_its_file_and_published_public_only(keys, settings, tmp_path):
    _configure(settings, tmp_path, keys["platform"])

    key = pgp.platform_key()
    published = pgp.public_key_armor()

    assert key is not None
    assert key.fingerprint == keys["platform"].fingerprint
    assert PASSPHRASE not in repr(key)
    assert published is not None
    assert pgp.inspect_public_key(published).fingerprint == key.fingerprint


def test_a_missing_key_file_is_a_configuration_error(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(tmp_path / "absent.asc")

    with pytest.raises(ImproperlyConfigured, match=r"absent\.asc"):
        pgp.platform_key()


def test_generate_writes_private_files_and_prints_the_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(pgp, "KEY_FILE_S2K_COUNT", 65_536)  # the real count is slow here
    out = StringIO()

    call_command(
        "pgp",
        "generate",
        "--email",
        "security@kakehashi.test",
        "--out",
        str(tmp_path / "k"),
        stdout=out,
    )

    files = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "k").iterdir()}
    passphrase = (tmp_path / "k" / "passphrase").read_text().strip()
    key = pgp.PlatformKey.from_armor((tmp_path / "k" / "secret-key.asc").read_text(), passphrase)
    public = pgp.validate_recipient_key((tmp_path / "k" / "public-key.asc").read_text())
    assert files == {
        "secret-key.asc": 0o600,
        "passphrase": 0o600,
        "revocation.asc": 0o600,
        "public-key.asc": 0o644,
    }
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o700
    assert len(passphrase) >= 40
    assert key.fingerprint == public.fingerprint
    assert key.info.user_ids == ("Kakehashi <security@kakehashi.test>",)
    assert key.info.algorithm == "ed25519"
    assert pgp.verify_detached(
        b"x", pgp.sign_detached(b"x", key), (tmp_path / "k" / "public-key.asc").read_text()
    )
    assert f"fingerprint {key.fingerprint}" in out.getvalue()
    assert f"KAKEHASHI_PGP_SECRET_KEY_FILE={tmp_path / 'k' / 'secret-key.asc'}" in out.getvalue()
    assert f"KAKEHASHI_PGP_PASSPHRASE_FILE={tmp_path / 'k' / 'passphrase'}" in out.getvalue()
    with pytest.raises(CommandError, match="Refusing to overwrite"):
        call_command("pgp", "generate", "--email", "x@kakehashi.test", "--out", str(tmp_path / "k"))


def test_show_prints_the_key_and_warns_before_it_expires(keys, settings, tmp_path):
    out, err = StringIO(), StringIO()
    _configure(settings, tmp_path, keys["platform"])
    call_command("pgp", "show", stdout=out, stderr=err)
    assert f"fingerprint {keys['platform'].fingerprint}" in out.getvalue()
    assert "passphrase  ok" in out.getvalue()
    assert "WARNING" not in err.getvalue()

    _configure(settings, tmp_path, keys["expiring"])
    call_command("pgp", "show", stdout=out, stderr=err)
    assert re.search(r"expires in (29|30) days", err.getvalue())


@pytest.mark.parametrize(
    "case",
    [
        (None, PASSPHRASE, "No platform key"),
        ("platform", "wrong", "passphrase"),
        ("expired", PASSPHRASE, "expired"),
    ],
    ids=["none", "wrong-passphrase", "expired"],
)
def test_show_fails_without_a_usable_key(keys, settings, tmp_path, case):
    key, passphrase, message = case
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = ""
    if key:
        _configure(settings, tmp_path, keys[key], passphrase)

    with pytest.raises(CommandError, match=message):
        call_command("pgp", "show", stdout=StringIO())


# -- hygiene --------------------------------------------------------------------------------


def _our_agents() -> set[str]:
    found = subprocess.run(
        ["pgrep", "-f", f"gpg-agent.*{tempfile.gettempdir()}/{pgp.TEMP_PREFIX}"],
        capture_output=True,
        check=False,
    )
    return set(found.stdout.decode().split())


def test_no_agent_and_no_temporary_file_is_left_behind(keys, monkeypatch):
    # A temporary directory of this test's own: other test processes (xdist workers) and
    # other programs use the system's at the same time. Short, unlike pytest's tmp_path:
    # gpg-agent's socket lives in it, and a socket path has at most 107 bytes.
    own = tempfile.mkdtemp(prefix="kh-")
    monkeypatch.setattr(tempfile, "tempdir", own)
    leftovers = f"{tempfile.gettempdir()}/{pgp.TEMP_PREFIX}*"
    stray = f"{tempfile.gettempdir()}/pygpg-*"  # python-gnupg's own temporary files
    before = (_our_agents(), set(glob.glob(leftovers)), set(glob.glob(stray)))

    platform = keys["platform"].secret_key()
    armored = pgp.encrypt(BODY.encode(), [keys["vendor_ed"].public], sign_with=platform)
    pgp.decrypt(armored.encode(), keys["vendor_ed"].secret_key(), senders=[keys["platform"].public])
    pgp.verify_detached(b"x", pgp.sign_detached(b"x", platform), keys["platform"].public)
    pgp.public_key_armor(platform)

    deadline = time.monotonic() + 5
    while _our_agents() - before[0] and time.monotonic() < deadline:
        time.sleep(0.05)  # a killed agent takes a moment to exit
    assert _our_agents() - before[0] == set()
    assert set(glob.glob(leftovers)) - before[1] == set()
    assert set(glob.glob(stray)) - before[2] == set()
    assert not [p for p in os.listdir(tempfile.gettempdir()) if p.startswith(pgp.TEMP_PREFIX)]
    os.rmdir(own)  # empty: nothing was left in it
