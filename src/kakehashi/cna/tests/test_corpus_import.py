"""``kakehashi cna import``: files, cvelistV5 directories and zips into the corpus;
incremental and resumable; bad input refused per file while the rest goes in."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from kakehashi.cna import importer
from kakehashi.cna.corpus import corpus_fields, search
from kakehashi.cna.models import CorpusRecord, CveId

from .cve_records import (
    jpcert_style,
    library_record,
    rejected_record,
    schema_example,
    write_cvelist,
)

pytestmark = pytest.mark.django_db


def _import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("cna", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("cna", "import", *args, stdout=io.StringIO(), stderr=err)
    return raised.value, err.getvalue()


def _many(count: int, start: int = 1000) -> list[dict]:
    return [jpcert_style(f"CVE-2025-{n}") for n in range(start, start + count)]


def test_corpus_fields_of_a_bilingual_record():
    fields = corpus_fields(jpcert_style())
    assert fields["cve_id"] == "CVE-2022-41993"
    assert fields["state"] == "PUBLISHED"
    assert fields["assigner_short_name"] == "jpcert"
    assert fields["date_published"].isoformat() == "2022-11-14T00:00:00+00:00"
    assert fields["description_en"].startswith("Cross-site scripting vulnerability")
    assert "ルーター管理ツール" in fields["description_ja"]
    assert fields["vendors"] == ["Sample Electric Co., Ltd."]
    assert fields["cpes"] == ["cpe:2.3:a:sample_electric:router_manager:*:*:*:*:*:*:*:*"]
    assert "sample router manager" in fields["search_text"]


def test_corpus_fields_of_the_schema_example_and_a_package():
    fields = corpus_fields(schema_example())
    assert fields["vendors"] == ["Example.org"]
    assert fields["products"] == ["Example Enterprise", "example_enterprise"]
    assert fields["description_ja"] == ""  # en and eo only
    assert corpus_fields(library_record())["purls"] == ["pkg:npm/fast-merge"]
    rejected = corpus_fields(rejected_record())
    assert rejected["state"] == "REJECTED"
    assert rejected["description_en"].startswith("This candidate was withdrawn")


def test_odd_optional_fields_are_read_as_absent():
    record = library_record()
    cna = record["containers"]["cna"]
    cna.update(affected=5, title=["not", "text"], descriptions={"lang": "en"})
    record["cveMetadata"].update(datePublished="yesterday", dateUpdated=20240101)
    fields = corpus_fields(record)
    assert (fields["vendors"], fields["title"], fields["description_en"]) == ([], "", "")
    assert (fields["date_published"], fields["date_updated"]) == (None, None)
    cna["affected"] = [{"vendor": "V", "product": "P", "cpes": "cpe:2.3:a:v:p", "packageURL": 3}]
    fields = corpus_fields(record)
    assert (fields["vendors"], fields["cpes"], fields["purls"]) == (["V"], [], [])


def test_a_directory_is_imported_then_skipped_then_updated(tmp_path):
    records = [*_many(5), library_record(), rejected_record()]
    write_cvelist(tmp_path, records)
    out, err = _import(str(tmp_path))
    assert "7 records read" in out and "7 new" in out and "0 refused" in out
    assert "/s)" in err  # the progress line: count, rate, errors
    assert CorpusRecord.objects.count() == 7
    out, _err = _import(str(tmp_path))
    assert "0 new, 0 updated, 7 unchanged (skipped)" in out
    changed = library_record()
    changed["containers"]["cna"]["title"] = "Prototype pollution in fast-merge (revised)"
    write_cvelist(tmp_path, [changed])
    out, _err = _import(str(tmp_path))
    assert "0 new, 1 updated, 6 unchanged" in out
    row = CorpusRecord.objects.get(cve_id="CVE-2024-31337")
    assert row.title.endswith("(revised)")
    assert row.updated_at > row.imported_at
    # The search index follows the update (the trigram table's triggers on SQLite).
    assert [r.cve_id for r in search("fast-merge revised")] == ["CVE-2024-31337"]
    assert search("fast-merge") == [row]


def test_a_zip_of_the_layout_and_a_file_with_a_list(tmp_path):
    archive = tmp_path / "cvelistV5-main.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for record in _many(3):
            cve_id = record["cveMetadata"]["cveId"]
            zipped.writestr(f"cvelistV5-main/cves/2025/1xxx/{cve_id}.json", json.dumps(record))
        zipped.writestr("cvelistV5-main/cves/deltaLog.json", "[]")
    out, _err = _import(str(archive))
    assert "3 records read" in out and "3 new" in out
    listed = tmp_path / "records.json"
    listed.write_text(json.dumps([library_record(), rejected_record()]))
    out, _err = _import(str(listed))
    assert "2 new" in out
    single = tmp_path / "one.json"
    single.write_text(json.dumps(jpcert_style()))
    _import(str(single))
    assert CorpusRecord.objects.count() == 6


def test_bad_input_is_refused_per_file_and_the_rest_imported(tmp_path):
    write_cvelist(tmp_path, _many(2))
    folder = tmp_path / "cves" / "2025" / "1xxx"
    (folder / "CVE-2025-1900.json").write_text('{"dataType": "CVE_RECORD", ')
    old = jpcert_style("CVE-2025-1901")
    old["dataVersion"] = "4.0"
    (folder / "CVE-2025-1901.json").write_text(json.dumps(old))
    missing = jpcert_style("CVE-2025-1902")
    del missing["containers"]["cna"]
    (folder / "CVE-2025-1902.json").write_text(json.dumps(missing))
    no_state = jpcert_style("CVE-2025-1903")
    del no_state["cveMetadata"]["state"]
    (folder / "CVE-2025-1903.json").write_text(json.dumps(no_state))
    wrong_type = jpcert_style("CVE-2025-1904")
    wrong_type["dataType"] = "CVE_RECORD_LIST"
    (folder / "CVE-2025-1904.json").write_text(json.dumps(wrong_type))
    error, err = _refused(str(tmp_path))
    assert error.returncode == 2
    assert "5 records were refused" in str(error)
    assert "CVE-2025-1900.json: Malformed JSON" in err
    assert "CVE-2025-1901.json: dataVersion “4.0” is not 5.x" in err
    assert "CVE-2025-1902.json: containers.cna is missing." in err
    assert "CVE-2025-1903.json: cveMetadata.state is missing" in err
    assert "CVE-2025-1904.json: dataType is not CVE_RECORD." in err
    assert sorted(CorpusRecord.objects.values_list("cve_id", flat=True)) == [
        "CVE-2025-1000",
        "CVE-2025-1001",
    ]


def test_a_bad_record_in_a_list_is_named_by_its_index(tmp_path):
    listed = tmp_path / "records.json"
    listed.write_text(json.dumps([library_record(), {"dataType": "CVE_RECORD"}, "text"]))
    _error, err = _refused(str(listed))
    assert "records.json[1]: dataVersion “” is not 5.x" in err
    assert "records.json[2]: Not a CVE record" in err
    assert CorpusRecord.objects.count() == 1


def test_validate_runs_the_schema(tmp_path):
    broken = library_record("CVE-2024-31338")
    broken["containers"]["cna"]["references"] = []  # the schema needs one reference
    write_cvelist(tmp_path, [library_record(), broken])
    out, _err = _import(str(tmp_path))  # without --validate only required fields count
    assert "2 new" in out
    CorpusRecord.objects.all().delete()
    _error, err = _refused(str(tmp_path), "--validate")
    assert "CVE-2024-31338.json: containers/cna/references" in err
    assert list(CorpusRecord.objects.values_list("cve_id", flat=True)) == ["CVE-2024-31337"]


def test_a_missing_path_and_a_bad_batch_size_are_refused(tmp_path):
    error, _err = _refused(str(tmp_path / "nowhere"))
    assert "neither a file nor a directory" in str(error)
    error, _err = _refused(str(tmp_path), "--batch-size", "0")
    assert "batch size" in str(error)
    assert not CorpusRecord.objects.exists()


def test_a_crash_leaves_whole_batches_and_the_next_run_resumes(tmp_path, monkeypatch):
    write_cvelist(tmp_path, _many(7))
    real = CorpusRecord.objects.bulk_create
    calls = []

    def crash_on_third_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(CorpusRecord.objects, "bulk_create", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        importer.Importer(tmp_path, batch_size=3).run()
    assert CorpusRecord.objects.count() == 6  # two whole batches of three
    monkeypatch.setattr(CorpusRecord.objects, "bulk_create", real)
    progress = importer.Importer(tmp_path, batch_size=3).run()
    assert (progress.created, progress.unchanged) == (1, 6)
    assert CorpusRecord.objects.count() == 7


def test_a_plain_import_manages_nothing(tmp_path):
    write_cvelist(tmp_path, [jpcert_style()])
    _import(str(tmp_path))
    assert not CveId.objects.exists()
