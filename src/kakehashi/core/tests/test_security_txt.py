"""/.well-known/security.txt (RFC 9116): the required fields, always unexpired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

import kakehashi


def _fields(body: str) -> list[tuple[str, str]]:
    return [tuple(line.split(": ", 1)) for line in body.splitlines()]  # type: ignore[misc]


def test_security_txt_has_every_field_and_expires_in_the_future(settings, monkeypatch):
    settings.SITE_URL = "https://cvd.example.org"
    settings.KAKEHASHI_RECEPTION_EMAIL = "report@cvd.example.org"
    settings.KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS = 90
    monkeypatch.setattr("kakehashi.core.pgp.public_key_armor", lambda: "-----BEGIN PGP…")
    response = Client().get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.endswith("\n") and "\r" not in body
    fields = _fields(body)
    names = [name for name, _value in fields]
    # RFC 9116: Contact first and at least once; Expires exactly once.
    assert names[0] == "Contact" and names.count("Expires") == 1
    values = dict(fields)
    assert fields[0] == ("Contact", "mailto:report@cvd.example.org")
    assert ("Contact", "https://cvd.example.org/ja/report/") in fields
    assert values["Encryption"] == "https://cvd.example.org/ja/report/pgp-key.asc"
    assert ("Policy", "https://cvd.example.org/en/policy/") in fields
    assert values["Preferred-Languages"] == "ja, en"
    assert values["CSAF"] == "https://cvd.example.org/.well-known/csaf/provider-metadata.json"
    assert values["Canonical"] == "https://cvd.example.org/.well-known/security.txt"
    expires = datetime.strptime(values["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timezone.now() + timedelta(days=89) < expires <= timezone.now() + timedelta(days=90)


def test_without_an_address_or_a_key_the_form_is_the_contact(settings, monkeypatch):
    settings.KAKEHASHI_RECEPTION_EMAIL = ""
    monkeypatch.setattr("kakehashi.core.pgp.public_key_armor", lambda: None)
    fields = _fields(Client().get("/.well-known/security.txt").content.decode())
    assert fields[0][0] == "Contact" and fields[0][1].endswith("/report/")
    assert "Encryption" not in dict(fields)


@pytest.mark.parametrize("days", ["0", "400"])
def test_an_expiry_beyond_a_year_is_refused_at_start(days):
    from kakehashi.core.tests.test_settings import _run

    source = str(Path(kakehashi.__file__).resolve().parents[1])  # this checkout's code
    result = _run(
        "import django; django.setup()",
        KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS=days,
        PYTHONPATH=source,
    )
    assert result.returncode != 0
    assert "KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS" in result.stderr
