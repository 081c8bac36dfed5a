"""Private storage: the same round trip on the filesystem and on a real S3 server.

The S3 backend is configured by ``settings.s3_storage_options()`` itself, from the same
environment variables as production, and talks HTTP to moto's S3 server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from kakehashi import settings as kakehashi_settings
from kakehashi.core import storage as private
from kakehashi.core.storage import delete_private, open_private, private_exists, save_private

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, monkeypatch, tmp_path, s3_endpoint):
    """STORAGES["default"] as production builds it for a MinIO-style endpoint, new bucket."""
    secret = tmp_path / "s3-secret"
    secret.write_text("test-secret-key\n", encoding="utf-8")
    monkeypatch.setenv("KAKEHASHI_S3_BUCKET", f"kakehashi-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("KAKEHASHI_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("KAKEHASHI_S3_ACCESS_KEY", "test-access-key")
    monkeypatch.setenv("KAKEHASHI_S3_SECRET_KEY_FILE", str(secret))
    monkeypatch.setenv("KAKEHASHI_S3_REGION", "ap-northeast-1")
    default = kakehashi_settings.s3_storage_options()
    assert default is not None

    before = storages["default"]  # the filesystem backend, now cached by the handler
    settings.STORAGES = {**settings.STORAGES, "default": default}
    backend = storages["default"]
    # The setting_changed signal reset the handler's cache: a new backend, of the new class.
    assert backend is not before
    assert type(backend).__name__ == "S3Storage"
    client = backend.connection.meta.client  # django-storages' boto3 client: no SDK import here
    client.create_bucket(
        Bucket=backend.bucket_name,
        CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"},
    )
    return backend


@pytest.fixture(params=["filesystem", "s3"])
def backend(request):
    """Each round-trip test runs on both backends."""
    if request.param == "s3":
        return request.getfixturevalue("s3")
    return storages["default"]  # conftest: a FileSystemStorage under tmp_path


def test_round_trip(backend):
    stored = save_private(PDF)

    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size == len(PDF)
    assert private_exists(stored.key)
    with open_private(stored.key) as handle:
        assert handle.read() == PDF

    delete_private(stored.key)
    assert not private_exists(stored.key)
    delete_private(stored.key)  # already gone: not an error
    with pytest.raises(FileNotFoundError):
        open_private(stored.key).read()


def test_file_objects_are_read_from_the_start_and_left_open(backend):
    source = io.BytesIO(b"header" + PDF)
    source.seek(6)
    stored = save_private(source)

    assert not source.closed
    assert stored.sha256 == hashlib.sha256(b"header" + PDF).hexdigest()
    with open_private(stored.key) as handle:
        assert handle.read() == b"header" + PDF


@pytest.mark.parametrize(
    "name", ["脆弱性報告書（最終版）.pdf", "../../etc/passwd", "report.html", "ｶﾀｶﾅ name.txt"]
)
def test_keys_are_random_and_owe_nothing_to_the_file_name(backend, name):
    first = save_private(SimpleUploadedFile(name, PDF, content_type="text/html"))
    second = save_private(SimpleUploadedFile(name, PDF, content_type="text/html"))

    assert first.key != second.key
    assert first.sha256 == second.sha256 == hashlib.sha256(PDF).hexdigest()
    for key in (first.key, second.key):
        assert private._KEY.fullmatch(key)
        assert len(key) == 43  # secrets.token_urlsafe(32), nothing appended
        assert "." not in key and "/" not in key


def test_a_temporary_upload_is_copied_and_hashed_not_moved(backend):
    upload = TemporaryUploadedFile("報告.bin", "application/octet-stream", len(PDF), None)
    upload.write(PDF)
    upload.flush()

    stored = save_private(upload)

    assert Path(upload.temporary_file_path()).exists()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    with open_private(stored.key) as handle:
        assert handle.read() == PDF
    upload.close()


def test_the_same_key_twice_never_overwrites(backend, monkeypatch):
    # Chance never repeats a key; force it to, and the storage must pick another name.
    monkeypatch.setattr(private.secrets, "token_urlsafe", lambda nbytes: "k" * 43)
    first = save_private(b"first")
    second = save_private(b"second")

    assert first.key == "k" * 43
    assert second.key != first.key
    with open_private(first.key) as handle:
        assert handle.read() == b"first"
    with open_private(second.key) as handle:
        assert handle.read() == b"second"


@pytest.mark.parametrize("key", ["", "../settings.py", "a/b", "x" * 42, "é" * 43, "k" * 65])
def test_a_key_is_never_a_path(key):
    for call in (open_private, delete_private, private_exists):
        with pytest.raises(ValueError, match="Not a private storage key"):
            call(key)


def test_files_land_under_the_private_directory(tmp_path):
    stored = save_private(PDF)
    assert (tmp_path / "private" / stored.key).read_bytes() == PDF


class _ReReadingStorage(InMemoryStorage):
    """Reads half, skips ahead, then reads everything again: the hash must not care."""

    def _save(self, name, content):
        content.seek(0)
        content.read(100)
        content.seek(500)
        content.read(10)
        return super()._save(name, content)


class _SkippingStorage(InMemoryStorage):
    """Stores only the tail: the hash still covers the whole source (what the caller gave)."""

    def _save(self, name, content):
        content.seek(len(PDF) // 2)
        return super()._save(name, ContentFile(content.read()))


@pytest.mark.parametrize("storage_class", [_ReReadingStorage, _SkippingStorage])
def test_the_hash_covers_every_byte_once_whatever_the_storage_reads(storage_class, monkeypatch):
    monkeypatch.setattr(private, "_storage", storage_class)
    stored = save_private(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size == len(PDF)


def _get(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_s3_objects_are_private(s3, s3_endpoint):
    stored = save_private(PDF)
    client = s3.connection.meta.client
    bucket = s3.bucket_name

    grants = client.get_object_acl(Bucket=bucket, Key=stored.key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert grants[0]["Grantee"]["Type"] == "CanonicalUser"  # the owner, nobody else
    head = client.head_object(Bucket=bucket, Key=stored.key)
    assert head["ContentType"] == "application/octet-stream"

    # Anonymous reads are refused; only a signed, expiring URL reads the object.
    assert _get(f"{s3_endpoint}/{bucket}/{stored.key}")[0] == 403
    signed = s3.url(stored.key)
    assert "Signature=" in signed or "X-Amz-Signature=" in signed
    assert _get(signed) == (200, PDF)

    # The server does enforce ACLs: a public-read object is readable without a signature.
    client.put_object(Bucket=bucket, Key="public-control", Body=b"x", ACL="public-read")
    assert _get(f"{s3_endpoint}/{bucket}/public-control") == (200, b"x")


def test_s3_settings_read_the_environment_and_file_variants(monkeypatch, tmp_path):
    monkeypatch.delenv("KAKEHASHI_S3_BUCKET", raising=False)
    monkeypatch.delenv("KAKEHASHI_S3_BUCKET_FILE", raising=False)
    assert kakehashi_settings.s3_storage_options() is None

    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("KAKEHASHI_S3_BUCKET", "kakehashi-private")
    monkeypatch.setenv("KAKEHASHI_S3_SECRET_KEY", "ignored")
    monkeypatch.setenv("KAKEHASHI_S3_SECRET_KEY_FILE", str(secret))
    monkeypatch.delenv("KAKEHASHI_S3_ACCESS_KEY", raising=False)
    monkeypatch.delenv("KAKEHASHI_S3_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("KAKEHASHI_S3_REGION", raising=False)
    default = kakehashi_settings.s3_storage_options()

    assert default is not None
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"] == {
        "bucket_name": "kakehashi-private",
        "endpoint_url": None,  # AWS itself
        "access_key": "",
        "secret_key": "from-a-file",
        "region_name": None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
