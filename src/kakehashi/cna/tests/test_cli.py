"""``kakehashi cna``: reserve, add, pool, export and credentials from the shell."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kakehashi.cna import actions
from kakehashi.cna.models import ServiceCredential

from .conftest import KEY, USER

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("cna", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_reserve_and_list_the_pool(fake, officer):
    out = _run("reserve", "2", "--user", "cna")
    assert len(out.split()) == 2
    pool = _run("pool")
    assert pool.count("RESERVED") == 2
    assert "Quota 100, reserved 2, available 98" in _run("quota")


def test_refusals_are_command_errors(fake, officer):
    with pytest.raises(CommandError, match="Only a CNA officer"):
        _run("reserve", "1", "--user", "coordinator")
    with pytest.raises(CommandError, match="No user"):
        _run("add", "CVE-2026-1234", "--user", "nobody")


def test_export_prints_the_container(officer, vulnerability, pool):
    record = actions.assign_id(officer, vulnerability)
    document = json.loads(_run("export", record.cve.cve_id))
    assert document["affected"][0]["product"] == "Example CMS"
    with pytest.raises(CommandError, match="No record"):
        _run("export", "CVE-2026-999999")


def test_credentials_are_read_from_standard_input_and_never_printed(fake, monkeypatch, settings):
    settings.KAKEHASHI_CVE_SERVICES_USER = ""
    settings.KAKEHASHI_CVE_SERVICES_KEY = ""
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "\n"))
    out = _run("credentials", "--api-user", USER)
    assert KEY not in out
    assert ServiceCredential.objects.get().username == USER
    assert "available 100" in _run("quota")
