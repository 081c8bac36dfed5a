"""Private files (attachments, later exports): the one way the product stores bytes.

Nothing else touches ``default_storage``, a backend class or an object-store SDK. The
backend is ``STORAGES["default"]``: a directory under ``<var>/private/`` by default, an
S3 bucket when ``KAKEHASHI_S3_BUCKET`` is set (:func:`kakehashi.settings.s3_storage_options`,
through django-storages). Tests need no fake here: the filesystem backend in a temporary
directory is the fake, and the S3 path is tested against an S3 server on loopback.

Keys are random and carry nothing of the uploader's file name. The name is data, kept by
the caller in the database beside the key. So user input never reaches a path (no
traversal, no Unicode normalisation differing between a disk and a bucket), a bucket
listing or an access log, and no backend guesses a Content-Type from its extension.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from typing import IO, Any, cast

from django.core.files import File
from django.core.files.storage import Storage, storages

# 32 random bytes make 43 URL-safe characters. A storage that finds a name taken (which
# chance never makes happen) appends "_" and 7 characters, hence the upper bound.
_KEY = re.compile(r"[A-Za-z0-9_-]{43,64}")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str  # where the bytes are: keep it, never show it
    sha256: str  # hex digest of exactly the bytes written
    size: int  # bytes


def save_private(content: bytes | IO[bytes]) -> StoredFile:
    """Store ``content`` (bytes, or a seekable binary file such as an upload) under a new key.

    The file is read from its start; the caller still owns (and closes) it.
    """
    source: IO[bytes] = io.BytesIO(content) if isinstance(content, bytes) else content
    reader = _HashingReader(source)
    # Wrapping hides an upload's temporary_file_path(), so FileSystemStorage copies through
    # the reader (and the hash) instead of moving the temporary file into place.
    key = _storage().save(secrets.token_urlsafe(32), File(cast(IO[bytes], reader)))
    sha256, size = reader.finish()
    return StoredFile(key=key, sha256=sha256, size=size)


def open_private(key: str) -> File[Any]:
    """The stored file, opened for binary reading. FileNotFoundError if there is none."""
    return _storage().open(_checked(key), "rb")


def delete_private(key: str) -> None:
    """Delete the stored file; deleting one that is already gone is not an error."""
    _storage().delete(_checked(key))


def private_exists(key: str) -> bool:
    return _storage().exists(_checked(key))


def _storage() -> Storage:
    # Looked up on every call, not kept: the handler is rebuilt when STORAGES changes.
    return storages["default"]


def _checked(key: str) -> str:
    # Keys come from our database, but a key is never allowed to be a path.
    if not _KEY.fullmatch(key):
        raise ValueError(f"Not a private storage key: {key!r}")
    return key


class _HashingReader(io.BufferedIOBase):
    """Reads through to ``raw`` and hashes each byte the first time the storage reads it.

    Storages read front to back, but S3 seeks first and a retry may read again, so only
    the contiguous prefix already seen is hashed, and :meth:`finish` reads the rest of
    ``raw`` if a storage skipped any.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._sha = hashlib.sha256()
        self._hashed = 0  # raw[0:_hashed] has been hashed
        raw.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._raw.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def read(self, size: int | None = -1) -> bytes:
        start = self._raw.tell()
        data = self._raw.read(-1 if size is None else size)
        end = start + len(data)
        if start <= self._hashed < end:
            self._sha.update(memoryview(data)[self._hashed - start :])
            self._hashed = end
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def finish(self) -> tuple[str, int]:
        """The SHA-256 (hex) and size of the whole of ``raw``."""
        self._raw.seek(self._hashed)
        while self.read(_CHUNK):
            pass
        return self._sha.hexdigest(), self._hashed
