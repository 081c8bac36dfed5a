"""``cna import --own``: this CNA's records become managed records, and ``cna export``
prints the container that would be published — the imported one, key for key."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kakehashi.cna import actions
from kakehashi.cna.models import CorpusRecord, CveId, CveRecord
from kakehashi.core.audit import AuditEvent

from .conftest import ORG
from .cve_records import (
    jpcert_style,
    library_record,
    rejected_record,
    schema_example,
    wrap_container,
    write_cvelist,
)

pytestmark = pytest.mark.django_db
OUR_ORG_ID = "6a1c3f0e-2b7d-4c59-9e8a-3f4b5c6d7e8f"  # conftest's KAKEHASHI_CNA_ORG_ID


def _ours() -> list[dict]:
    identity = {"org_id": OUR_ORG_ID, "short_name": ORG}
    advanced = schema_example("cnaContainer-advanced-example.json")["cnaContainer"]
    basic = schema_example("cnaContainer-basic-example.json")["cnaContainer"]
    rejected = schema_example("cnaContainer-rejected-example.json")["cnaContainer"]
    return [
        jpcert_style("CVE-2026-3001", **identity),
        rejected_record("CVE-2026-3002", **identity),
        wrap_container(advanced, "CVE-2026-3003", OUR_ORG_ID, ORG),
        wrap_container(basic, "CVE-2026-3004", OUR_ORG_ID, ORG),
        wrap_container(rejected, "CVE-2026-3005", OUR_ORG_ID, ORG),
    ]


def _import(*args: str) -> str:
    out = io.StringIO()
    call_command("cna", "import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _export(cve_id: str) -> dict:
    out = io.StringIO()
    call_command("cna", "export", cve_id, stdout=out)
    return json.loads(out.getvalue())


def _without_server_fields(container: dict) -> dict:
    copy = json.loads(json.dumps(container))
    copy["providerMetadata"].pop("dateUpdated", None)
    return copy


def test_own_records_round_trip_through_export(tmp_path, officer):
    records = _ours()
    write_cvelist(tmp_path, [*records, library_record()])
    out = _import(str(tmp_path), "--own", "--user", "cna")
    assert "6 new" in out and "5 records of this CNA are now managed" in out
    for record in records:
        cve_id = record["cveMetadata"]["cveId"]
        exported = _export(cve_id)
        assert exported == _without_server_fields(record["containers"]["cna"]), cve_id
    assert not CveId.objects.filter(cve_id="CVE-2024-31337").exists()  # another CNA's


def test_managed_records_keep_state_source_and_sync_state(tmp_path, officer):
    write_cvelist(tmp_path, _ours())
    _import(str(tmp_path), "--own", "--user", "cna")
    published = CveRecord.objects.select_related("cve").get(cve__cve_id="CVE-2026-3001")
    assert (published.cve.state, published.cve.source) == ("PUBLISHED", "import")
    assert published.sync_state == "published"
    assert published.cve.vulnerability is None
    assert "ルーター管理ツール" in published.description_ja
    rejected = CveRecord.objects.select_related("cve").get(cve__cve_id="CVE-2026-3002")
    assert (rejected.cve.state, rejected.sync_state) == ("REJECTED", "rejected")
    assert rejected.reject_reason.startswith("This candidate was withdrawn")
    assert AuditEvent.objects.filter(action="cna.record_imported").count() == 5


def test_a_second_own_run_changes_nothing_and_takes_over_a_plain_import(tmp_path, officer):
    write_cvelist(tmp_path, _ours())
    _import(str(tmp_path))  # the corpus only
    assert not CveRecord.objects.exists()
    out = _import(str(tmp_path), "--own", "--user", "cna")
    assert "5 unchanged" in out and "5 records of this CNA are now managed" in out
    versions = dict(CveRecord.objects.values_list("cve__cve_id", "version"))
    out = _import(str(tmp_path), "--own", "--user", "cna")
    assert "0 records of this CNA are now managed" in out
    assert dict(CveRecord.objects.values_list("cve__cve_id", "version")) == versions


def test_own_needs_a_cna_officer(tmp_path, world):
    write_cvelist(tmp_path, _ours())
    with pytest.raises(CommandError, match="--own needs --user"):
        _import(str(tmp_path), "--own")
    with pytest.raises(CommandError, match="Only a CNA officer"):
        _import(str(tmp_path), "--own", "--user", "coordinator")
    assert not CorpusRecord.objects.exists()
    assert not CveId.objects.exists()


def test_an_id_held_by_a_vulnerability_is_not_overwritten(tmp_path, officer, vulnerability):
    year = timezone.localdate().year
    actions.add_ids_by_hand(officer, [f"CVE-{year}-3001"])
    held = actions.assign_id(officer, vulnerability)
    record = jpcert_style(f"CVE-{year}-3001", org_id=OUR_ORG_ID, short_name=ORG)
    write_cvelist(tmp_path, [record])
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "cna",
            "import",
            str(tmp_path),
            "--own",
            "--user",
            "cna",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 2
    assert "is assigned to a vulnerability of a case here" in err.getvalue()
    held.refresh_from_db()
    assert held.container is None and held.sync_state == "draft"
    assert CorpusRecord.objects.filter(cve_id=f"CVE-{year}-3001").exists()  # still searchable
