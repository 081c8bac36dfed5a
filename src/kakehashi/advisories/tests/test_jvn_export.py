"""``kakehashi export``: the machine-readable files of every published advisory, for
static hosting, written atomically; nothing of a draft or a scheduled advisory."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from kakehashi.advisories import actions, exports
from kakehashi.advisories.models import Advisory
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import Case

from .conftest import MARKER_EN, MARKER_JA, approve_both, later, reload

pytestmark = pytest.mark.django_db


def _export(out: Path, **options) -> str:
    stdout = StringIO()
    call_command("export", out=str(out), stdout=stdout, **options)
    return stdout.getvalue()


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _publish_with_package(case: Case, advisory: Advisory, coordinator, world) -> Advisory:
    vendor_a = case.participants.get(organisation=world.organisations["vendor-a"])
    case_actions.add_product(
        reload(case), vendor_a, actor=coordinator, name="example-cms", purl="pkg:pypi/example-cms"
    )
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    return Advisory.objects.get(pk=advisory.pk)


def test_every_file_as_the_site_serves_it(case, advisory, coordinator, world, tmp_path):
    published = _publish_with_package(case, advisory, coordinator, world)
    out = tmp_path / "site"
    report = _export(out)
    files = _files(out)
    slug = published.slug
    csaf = {path for path in files if path.startswith(".well-known/csaf/") or "/csaf" in path}
    assert set(files) - csaf == {
        f"advisories/{slug}/osv.json",
        "advisories/osv.json",
        f"advisories/{slug}/vuldef.xml",
        f"advisories/{slug}/vuldef.en.xml",
        "feeds/jvnrss.xml",
        "feeds/jvnrss.en.xml",
        "ja/feeds/advisories.atom",
        "en/feeds/advisories.atom",
    }
    client = Client()
    for path in (
        f"advisories/{slug}/vuldef.xml",
        f"advisories/{slug}/vuldef.en.xml",
        "feeds/jvnrss.xml",
        "feeds/jvnrss.en.xml",
        "ja/feeds/advisories.atom",
        "en/feeds/advisories.atom",
    ):
        assert files[path] == client.get(f"/{path}").content, path
    for path in (f"advisories/{slug}/osv.json", "advisories/osv.json"):
        assert json.loads(files[path]) == client.get(f"/{path}").json(), path
    # The CSAF documents and the provider tree, byte for byte as served.
    assert {
        f"advisories/{slug}/csaf.json",
        ".well-known/csaf/provider-metadata.json",
        ".well-known/csaf/clear/index.txt",
        ".well-known/csaf/clear/changes.csv",
    } <= csaf
    assert sum(path.endswith(".json.sha512") for path in csaf) == 2  # the en and ja documents
    for path in csaf:
        assert files[path] == client.get(f"/{path}").content, path
    assert "osv: 1 file" in report
    assert "vuldef: 2 files" in report
    assert "1 published advisory exported to" in report
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging left behind


def test_a_non_empty_directory_needs_force(advisory, coordinator, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(CommandError, match="not empty; use --force"):
        _export(out)
    assert _files(out) == {"old.txt": b"old"}  # nothing changed
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    _export(out, force=True)
    files = _files(out)
    assert "old.txt" not in files
    assert "feeds/jvnrss.xml" in files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_an_empty_directory_and_a_file_in_the_way(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "0 published advisories exported" in _export(empty)
    assert "feeds/jvnrss.xml" in _files(empty)
    in_the_way = tmp_path / "file"
    in_the_way.write_text("x")
    with pytest.raises(CommandError, match="not a directory"):
        _export(in_the_way)
    assert in_the_way.read_text() == "x"


def test_nothing_embargoed_before_the_instant(case, advisory, coordinator, world, tmp_path):
    Case.objects.filter(pk=case.pk).update(target_publication_at=later(24 * 10))
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    assert Advisory.objects.get(pk=advisory.pk).state == "scheduled"
    _export(tmp_path / "before")
    before = _files(tmp_path / "before")
    assert not any(advisory.slug in path for path in before)
    for data in before.values():
        assert MARKER_EN.encode() not in data
        assert MARKER_JA.encode() not in data
    actions.publish_if_due(advisory.pk, now=later(24 * 10 + 1))
    _export(tmp_path / "after")
    after = _files(tmp_path / "after")
    assert f"advisories/{advisory.slug}/vuldef.xml" in after
    assert MARKER_JA.encode() in after["feeds/jvnrss.xml"]
    assert MARKER_EN.encode() in after["en/feeds/advisories.atom"]


def test_a_format_plugs_in_with_one_line(advisory, coordinator, tmp_path, monkeypatch):
    def text(revision):
        yield f"advisories/{revision.advisory.slug}/extra.txt", revision.content["id"].encode()

    monkeypatch.setitem(exports.EXPORTS, "extra", exports.per_revision(text))
    approve_both(Advisory.objects.get(pk=advisory.pk), coordinator)
    actions.publish_if_due(advisory.pk, now=timezone.now() + timedelta(days=400))
    report = _export(tmp_path / "site")
    assert (tmp_path / "site" / "advisories" / advisory.slug / "extra.txt").read_bytes() == (
        advisory.advisory_id.encode()
    )
    assert "extra: 1 file" in report


def test_an_unsafe_path_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(exports.EXPORTS, "evil", lambda revisions: [("../escape.txt", b"x")])
    with pytest.raises(CommandError, match="unsafe path"):
        _export(tmp_path / "site")
    assert list(tmp_path.iterdir()) == []
