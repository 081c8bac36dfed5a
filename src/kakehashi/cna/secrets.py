"""Encryption of stored secrets (the CVE Services API key) with Fernet.

The key is ``KAKEHASHI_SECRETS_KEY`` when set (a Fernet key, or any passphrase), else
derived from ``SECRET_KEY``; either way through HKDF, so the stored secret is useless
without the server's configuration. Rotating ``SECRET_KEY`` without setting
``KAKEHASHI_SECRETS_KEY`` makes stored secrets unreadable: set them again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted under another key."""


def _fernet() -> Fernet:
    material = (settings.KAKEHASHI_SECRETS_KEY or settings.SECRET_KEY).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"kakehashi stored secrets"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> bytes:
    return _fernet().encrypt(plaintext.encode())


def decrypt(token: bytes) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken as error:
        raise SecretUnreadable from error
