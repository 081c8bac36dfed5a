"""OpenPGP: the one module that runs GnuPG (through python-gnupg). Nothing else does.

Every operation gets a fresh, throw-away GnuPG home: it imports only the keys that one
operation needs, and afterwards its gpg-agent is killed and the directory removed. There
is no shared keyring, so no key can linger, no trust decision can leak from one operation
to the next, and workers never contend for a lock.

Trust is pinned, not assumed: a recipient's key is validated (:func:`validate_recipient_key`)
before use, exactly that key is imported, and exactly its fingerprint is given an explicit
owner trust in the throw-away keyring. We never pass ``always_trust``, which would accept
any key that happened to be in the keyring.

The platform's own key (:func:`platform_key`) is read lazily from the files named by the
settings ``KAKEHASHI_PGP_SECRET_KEY_FILE`` and ``KAKEHASHI_PGP_PASSPHRASE`` (or its
``_FILE``). When none is configured, :func:`platform_key` answers None and callers decide.
PGP/MIME (RFC 3156) lives beside this module, in :mod:`kakehashi.core.pgp_mime`.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gnupg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

TEMP_PREFIX = "kakehashi-gpg-"  # tests look for leftovers by this prefix
MAX_KEY_BYTES = 1 << 20
# Iterated-and-salted S2K octet counts. A key file we hand out is protected with the
# OpenPGP maximum; inside a throw-away keyring, which is deleted within the operation,
# re-protecting an imported key buys nothing, so it costs as little as possible.
KEY_FILE_S2K_COUNT = 65_011_712
THROWAWAY_S2K_COUNT = 65_536
MIN_FINITE_FIELD_BITS = 2048
# OpenPGP public-key algorithm ids (RFC 4880 §9.1) whose strength is their modulus size.
_FINITE_FIELD = {"1": "RSA", "2": "RSA", "3": "RSA", "16": "ElGamal", "17": "DSA", "20": "ElGamal"}
_FINGERPRINT = re.compile(r"[0-9A-F]{40}|[0-9A-F]{64}")
_UNUSABLE = {"r", "e", "i", "n", "d"}  # revoked, expired, invalid, not valid, disabled
_GEN_PARAMS: dict[str, dict[str, Any]] = {
    "ed25519": {
        "key_type": "EDDSA",
        "key_curve": "ed25519",
        "subkey_type": "ECDH",
        "subkey_curve": "cv25519",
    },
    "rsa3072": {
        "key_type": "RSA",
        "key_length": 3072,
        "subkey_type": "RSA",
        "subkey_length": 3072,
    },
}

ALGORITHMS = tuple(_GEN_PARAMS)  # what generate_key() makes


class PgpError(Exception):
    """An OpenPGP operation refused or failed. ``str()`` is a translated sentence."""


class InvalidKeyError(PgpError):
    """The key cannot be used (the subclass says why)."""


class NotAKeyError(InvalidKeyError):
    pass


class MultipleKeysError(InvalidKeyError):
    pass


class SecretKeyError(InvalidKeyError):
    pass


class ExpiredKeyError(InvalidKeyError):
    pass


class RevokedKeyError(InvalidKeyError):
    pass


class NoEncryptionKeyError(InvalidKeyError):
    pass


class WeakKeyError(InvalidKeyError):
    pass


class DecryptionError(PgpError):
    pass


class MalformedMessageError(DecryptionError):
    pass


class NotEncryptedToUsError(DecryptionError):
    pass


class BadPassphraseError(PgpError):
    pass


@dataclass(frozen=True, slots=True)
class KeyInfo:
    fingerprint: str
    user_ids: tuple[str, ...]
    created: datetime
    expires: datetime | None
    can_encrypt: bool  # a usable (not revoked, not expired, not weak) key can encrypt
    can_sign: bool
    algorithm: str  # "RSA", "ed25519", ...
    bits: int
    revoked: bool = False
    expired: bool = False


@dataclass(frozen=True, slots=True)
class PlatformKey:
    """The operator's secret key. Its armour and passphrase never appear in a repr."""

    secret_armor: str = field(repr=False)
    passphrase: str = field(repr=False)
    info: KeyInfo

    @property
    def fingerprint(self) -> str:
        return self.info.fingerprint

    @classmethod
    def from_armor(cls, secret_armor: str, passphrase: str) -> PlatformKey:
        return cls(secret_armor, passphrase, _inspect(secret_armor, None, secret=True))


@dataclass(frozen=True, slots=True)
class Decrypted:
    data: bytes
    signed_by: str | None  # fingerprint the signature claims, whether or not it verified
    signature_valid: bool  # a good signature by one of the given sender keys


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    info: KeyInfo
    secret_armor: str = field(repr=False)
    public_armor: str
    revocation: str = field(repr=False)  # gpg's revocation certificate, colon-guarded


# -- keys --------------------------------------------------------------------------------


def inspect_public_key(armored: str, now: datetime | None = None) -> KeyInfo:
    """What an ASCII-armoured public key block holds, judged at ``now``.

    Refuses what is not exactly one public key: not a key (or damaged armour), several
    keys, or a secret key. Expiry and revocation are reported, not refused.
    """
    return _inspect(armored, now, secret=False)


def validate_recipient_key(armored: str, now: datetime | None = None) -> KeyInfo:
    """The key, if mail may be encrypted to it; else an :class:`InvalidKeyError`."""
    info = inspect_public_key(armored, now)
    if info.revoked:
        raise RevokedKeyError(_("This key has been revoked by its owner."))
    if info.expired:
        raise ExpiredKeyError(_("This key has expired. Ask its owner for an extended key."))
    if info.algorithm in _FINITE_FIELD.values() and info.bits < MIN_FINITE_FIELD_BITS:
        raise WeakKeyError(
            _("This key is too weak (%(algorithm)s %(bits)d bits; at least %(min)d needed).")
            % {"algorithm": info.algorithm, "bits": info.bits, "min": MIN_FINITE_FIELD_BITS}
        )
    if not info.can_encrypt:
        raise NoEncryptionKeyError(
            _("This key has no valid encryption subkey: it can only sign. Add one and resend it.")
        )
    return info


def _inspect(armored: str, now: datetime | None, *, secret: bool) -> KeyInfo:
    if len(armored.encode()) > MAX_KEY_BYTES:
        raise NotAKeyError(_("This key block is too large."))
    if not secret and "PRIVATE KEY BLOCK" in armored:
        raise SecretKeyError(_secret_refusal())
    with _keyring() as gpg:
        # A dry-run import lists the keys without importing them anywhere.
        keys = list(gpg.scan_keys_mem(armored))
    if not keys:
        raise NotAKeyError(_("This is not an OpenPGP public key, or its armour is damaged."))
    if len(keys) > 1:
        raise MultipleKeysError(
            _("This block holds %(count)d keys. Send exactly one public key.")
            % {"count": len(keys)}
        )
    (key,) = keys
    if not secret and key["type"] != "pub":
        raise SecretKeyError(_secret_refusal())
    if secret and key["type"] != "sec":
        raise NotAKeyError(_("This is not an OpenPGP secret key."))
    return _key_info(key, now or timezone.now())


def _secret_refusal() -> str:
    return _(
        "This is a SECRET key. It was refused and not stored. Send the public key only;"
        " if the secret key was shared anywhere, consider it compromised."
    )


def _key_info(key: dict[str, Any], now: datetime) -> KeyInfo:
    revoked = key["trust"] == "r"
    expires = _timestamp(key["expires"])
    expired = expires is not None and expires <= now
    usable: list[dict[str, Any]] = [key] if not (revoked or expired) else []
    for sub in (key.get("subkey_info") or {}).values():
        sub_expires = _timestamp(sub["expires"])
        sub_expired = sub_expires is not None and sub_expires <= now  # judged at now, not today
        if usable and sub["trust"] not in _UNUSABLE - {"e"} and not sub_expired:
            usable.append(sub)
    strong = [k for k in usable if _strong(k)]
    return KeyInfo(
        fingerprint=key["fingerprint"],
        user_ids=tuple(key["uids"]),
        created=_timestamp(key["date"]) or now,
        expires=expires,
        can_encrypt=any("e" in k["cap"] for k in strong),
        can_sign=any("s" in k["cap"] for k in strong),
        algorithm=_algorithm(key),
        bits=int(key["length"] or 0),
        revoked=revoked,
        expired=expired,
    )


def _timestamp(value: str) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _strong(key: dict[str, Any]) -> bool:
    if key["algo"] not in _FINITE_FIELD:
        return True  # elliptic curves: gpg accepts only sound ones
    return int(key["length"] or 0) >= MIN_FINITE_FIELD_BITS


def _algorithm(key: dict[str, Any]) -> str:
    return _FINITE_FIELD.get(key["algo"]) or key.get("curve") or f"algorithm {key['algo']}"


def generate_key(
    name: str, email: str, passphrase: str, *, algorithm: str = "ed25519", expires: str = "2y"
) -> GeneratedKey:
    """A new key pair: ``ed25519`` (signing, with a cv25519 encryption subkey) or ``rsa3072``.

    ``expires`` is gpg's syntax: ``0`` (never), ``2y``, ``180d``, ``2030-01-01``.
    """
    params = _GEN_PARAMS[algorithm]
    for value in (name, email, passphrase, expires):
        # These become lines of gpg's parameter file: a newline would add parameters.
        if any(ord(char) < 32 for char in value):
            raise ValueError("Control characters are not allowed in key parameters.")
    with _keyring(s2k_count=KEY_FILE_S2K_COUNT) as gpg:
        spec = gpg.gen_key_input(
            name_real=name,
            name_email=email,
            passphrase=passphrase,
            expire_date=expires,
            key_usage="sign",
            subkey_usage="encrypt",
            **params,
        )
        result = gpg.gen_key(spec)
        fingerprint = str(result.fingerprint or "")
        if not fingerprint:
            raise PgpError(_("GnuPG could not generate the key."))
        secret = gpg.export_keys(fingerprint, secret=True, passphrase=passphrase)
        public = gpg.export_keys(fingerprint)
        revocation = Path(gpg.gnupghome, "openpgp-revocs.d", f"{fingerprint}.rev").read_text()
    return GeneratedKey(_inspect(public, None, secret=False), secret, public, revocation)


# -- encryption and signatures --------------------------------------------------------------


def encrypt(
    plaintext: bytes, recipient_keys: Sequence[str], sign_with: PlatformKey | None = None
) -> str:
    """ASCII-armoured ciphertext for every recipient key, signed when ``sign_with`` is given.

    Each key is validated again now (keys expire and get revoked after they were stored).
    """
    if not recipient_keys:
        raise ValueError("encrypt() needs at least one recipient key.")
    infos = [validate_recipient_key(armored) for armored in recipient_keys]
    with _keyring() as gpg:
        fingerprints = [
            _import_pinned(gpg, k, i) for k, i in zip(recipient_keys, infos, strict=True)
        ]
        options: dict[str, Any] = {}
        if sign_with is not None:
            _import_secret(gpg, sign_with)
            options = {"sign": sign_with.fingerprint, "passphrase": sign_with.passphrase}
        # Recipients by full fingerprint: never a user ID that some other key could match.
        result = gpg.encrypt(plaintext, fingerprints, armor=True, **options)
        if not result.ok:
            _raise_if_bad_passphrase(result)
            raise PgpError(_("GnuPG could not encrypt the message."))
    return bytes(result.data).decode("ascii")


def decrypt(
    armored_or_binary: bytes, key: PlatformKey, *, senders: Sequence[str] = ()
) -> Decrypted:
    """Decrypt with ``key``. A signature is valid only if made by one of ``senders``' keys
    (or by ``key`` itself): those are the only keys in the keyring."""
    with _keyring() as gpg:
        _import_secret(gpg, key)
        for armored in senders:
            _import_pinned(gpg, armored, inspect_public_key(armored))
        result = gpg.decrypt(armored_or_binary, passphrase=key.passphrase)
        statuses = _statuses(result)
    if not result.ok:
        if not statuses & {"ENC_TO", "BEGIN_DECRYPTION"}:
            raise MalformedMessageError(
                _("This is not an OpenPGP encrypted message, or it is damaged.")
            )
        _raise_if_bad_passphrase(result)
        if "NO_SECKEY" in statuses:
            raise NotEncryptedToUsError(
                _("This message is not encrypted to the platform key (%(fingerprint)s).")
                % {"fingerprint": key.fingerprint}
            )
        raise MalformedMessageError(_("The message could not be decrypted; it is damaged."))
    signer = result.pubkey_fingerprint or result.fingerprint
    return Decrypted(
        data=bytes(result.data),
        signed_by=str(signer) if signer and _FINGERPRINT.fullmatch(str(signer)) else None,
        signature_valid=bool(result.valid),
    )


def sign_detached(data: bytes, key: PlatformKey) -> str:
    """An ASCII-armoured detached signature over exactly ``data``, with SHA-256."""
    with _keyring() as gpg:
        _import_secret(gpg, key)
        result = gpg.sign(
            data,
            keyid=key.fingerprint,
            passphrase=key.passphrase,
            detach=True,
            clearsign=False,
            # PGP/MIME announces the hash (micalg=pgp-sha256): it must not be left to gpg.
            extra_args=["--digest-algo", "SHA256"],
        )
        if not result or result.hash_algo != "8":
            _raise_if_bad_passphrase(result)
            raise PgpError(_("GnuPG could not sign the message."))
    return bytes(result.data).decode("ascii")


def verify_detached(data: bytes, signature: str | bytes, public_key: str) -> bool:
    """Whether ``signature`` is a good signature over ``data`` by ``public_key``."""
    info = inspect_public_key(public_key)
    with _keyring() as gpg:
        _import_pinned(gpg, public_key, info)
        signature_file = Path(gpg.gnupghome, "signature.asc")
        signature_file.write_bytes(signature.encode() if isinstance(signature, str) else signature)
        result = gpg.verify_data(str(signature_file), data)
    return bool(result.valid) and info.fingerprint in {
        result.pubkey_fingerprint,
        result.fingerprint,
    }


def _import_pinned(gpg: gnupg.GPG, armored: str, info: KeyInfo) -> str:
    """Import exactly one validated public key and trust exactly its fingerprint."""
    result = gpg.import_keys(armored)
    if set(result.fingerprints) != {info.fingerprint}:
        raise PgpError(_("The key could not be imported."))
    # The keyring is fresh and holds only keys this operation chose, so owner trust on this
    # one fingerprint (never "--trust-model always") is exactly the decision already made
    # by validating it. Under the "direct" trust model (see _OPTIONS) that makes it valid.
    gpg.trust_keys([info.fingerprint], "TRUST_FULLY")
    return info.fingerprint


def _import_secret(gpg: gnupg.GPG, key: PlatformKey) -> None:
    result = gpg.import_keys(key.secret_armor, passphrase=key.passphrase)
    if key.fingerprint not in result.fingerprints:
        raise PgpError(_("The platform key could not be imported."))
    gpg.trust_keys([key.fingerprint], "TRUST_ULTIMATE")


def _statuses(result: Any) -> set[str]:
    return {
        line.split()[1]
        for line in (result.stderr or "").splitlines()
        if line.startswith("[GNUPG:] ") and len(line.split()) > 1
    }


def _raise_if_bad_passphrase(result: Any) -> None:
    for line in (result.stderr or "").splitlines():
        words = line.split()
        # "[GNUPG:] ERROR pkdecrypt_failed 67108875": the low 16 bits are GPG_ERR_BAD_PASSPHRASE.
        bad = words[1:2] == ["BAD_PASSPHRASE"] or (
            words[1:2] in (["ERROR"], ["FAILURE"])
            and words[-1].isdigit()
            and int(words[-1]) & 0xFFFF == 11
        )
        if words[:1] == ["[GNUPG:]"] and bad:
            raise BadPassphraseError(_("The passphrase of the platform key is wrong."))


# -- the platform key -----------------------------------------------------------------------


def platform_key() -> PlatformKey | None:
    """The configured platform key, read on first use; None when none is configured."""
    path = settings.KAKEHASHI_PGP_SECRET_KEY_FILE
    if not path:
        return None
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as error:
        raise ImproperlyConfigured(f"KAKEHASHI_PGP_SECRET_KEY_FILE: {error}") from error
    return _load_platform_key(str(path), mtime, settings.KAKEHASHI_PGP_PASSPHRASE)


@functools.lru_cache(maxsize=2)
def _load_platform_key(path: str, mtime_ns: int, passphrase: str) -> PlatformKey:
    # Keyed on the file's mtime: a rotated key file is picked up without a restart.
    try:
        return PlatformKey.from_armor(Path(path).read_text(encoding="ascii"), passphrase)
    except (PgpError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"KAKEHASHI_PGP_SECRET_KEY_FILE {path}: {error}") from error


def public_key_armor(key: PlatformKey | None = None) -> str | None:
    """The public half of ``key`` (default: the platform key) to publish; None without one."""
    key = key or platform_key()
    return None if key is None else _export_public(key.secret_armor, key.fingerprint)


@functools.lru_cache(maxsize=4)
def _export_public(secret_armor: str, fingerprint: str) -> str:
    with _keyring() as gpg:
        gpg.import_keys(secret_armor)
        return str(gpg.export_keys(fingerprint))


# -- the throw-away keyring -----------------------------------------------------------------

# Loopback: the passphrase comes on a pipe, never in a pinentry window. "direct": a key's
# validity is the owner trust we set on its fingerprint, no web of trust. No network, ever.
_OPTIONS = ["--pinentry-mode", "loopback", "--trust-model", "direct"]
_OFFLINE = ["--no-auto-key-retrieve", "--no-auto-key-locate"]


@contextmanager
def _keyring(s2k_count: int = THROWAWAY_S2K_COUNT) -> Iterator[gnupg.GPG]:
    home = tempfile.mkdtemp(prefix=TEMP_PREFIX)
    try:
        # The agent's protection of keys it holds: a fixed count, never its calibration
        # (which can run to seconds on a VM whose CPU clock it misjudges).
        Path(home, "gpg-agent.conf").write_text(f"s2k-count {s2k_count}\n")
        yield gnupg.GPG(
            gpgbinary=settings.KAKEHASHI_GPG_BINARY,
            gnupghome=home,
            options=[*_OPTIONS, *_OFFLINE],
            encoding="utf-8",
        )
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


def _stop_agent(home: str) -> None:
    """Stop the gpg-agent a secret-key operation started, and its socket directory."""
    binary = Path(settings.KAKEHASHI_GPG_BINARY)
    gpgconf = str(binary.with_name("gpgconf")) if binary.parent != Path() else "gpgconf"
    for command in (["--kill", "all"], ["--remove-socketdir"]):
        subprocess.run(  # noqa: S603 - our own argv, no shell
            [gpgconf, "--homedir", home, *command], capture_output=True, timeout=30, check=False
        )
