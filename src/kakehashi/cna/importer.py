"""``kakehashi cna import``: CVE JSON 5 records into the corpus.

Sources: a JSON file (one record or a list), a directory in the cvelistV5 layout
(``cves/<year>/<NNN>xxx/CVE-….json``), or a zip of one. Records are read in a stable
order and written in batches, each in one transaction: a crash leaves whole batches,
and a second run skips every record whose digest (SHA-256 of its canonical JSON) is
already stored, so an interrupted import resumes and a later one is incremental.

A record that cannot be read — malformed JSON, another schema version, a required
field missing, or with ``validate`` a schema error — is reported with its file and
skipped; the import goes on. With ``own_actor`` set, records whose assigner is this
CNA also become managed records (``actions.import_own_record``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core.workflow import WorkflowError

from . import actions
from .checks import PUBLISHED_SCHEMA, REJECTED_SCHEMA, schema_problems
from .corpus import RecordError, corpus_fields
from .models import CorpusRecord, CveRecord

BATCH_SIZE = 1000
_UPDATED_FIELDS = [
    "state",
    "assigner_short_name",
    "assigner_org_id",
    "date_published",
    "date_updated",
    "title",
    "description_en",
    "description_ja",
    "vendors",
    "products",
    "cpes",
    "purls",
    "digest",
    "search_text",
    "updated_at",
]


class SourceError(Exception):
    """The path itself cannot be read (missing, not JSON, zip or directory)."""


@dataclass
class Refusal:
    source: str  # the file (and index in a list) the record came from
    message: str


@dataclass
class Progress:
    started: float = field(default_factory=time.monotonic)
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    own: int = 0
    refused: list[Refusal] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.read / self.elapsed

    def refuse(self, source: str, message: str) -> None:
        self.refused.append(Refusal(source, message))


# --- reading the sources ------------------------------------------------------------


def _is_record_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith("CVE-") and base.endswith(".json")


def documents(path: Path) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of every JSON document under ``path``, in a stable order."""
    if path.is_dir():
        yield from _directory(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if _is_record_name(n))
            for name in names:
                yield name, archive.read(name)
    elif path.is_file():
        yield path.name, path.read_bytes()
    else:
        raise SourceError(_("%(path)s is neither a file nor a directory.") % {"path": path})


def _directory(root: Path) -> Iterator[tuple[str, bytes]]:
    start = root / "cves" if (root / "cves").is_dir() else root
    stack = [str(start)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name, reverse=True)
        for entry in listed:
            if entry.is_dir():
                stack.append(entry.path)
        for entry in reversed(listed):
            if entry.is_file() and _is_record_name(entry.name):
                with open(entry.path, "rb") as handle:
                    yield os.path.relpath(entry.path, root), handle.read()


def records(path: Path, progress: Progress) -> Iterator[tuple[str, Any]]:
    """``(source, record)`` of every record; unreadable documents are refused."""
    for name, data in documents(path):
        try:
            parsed = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            progress.read += 1
            progress.refuse(name, _("Malformed JSON: %(error)s") % {"error": error})
            continue
        if isinstance(parsed, list):
            for index, item in enumerate(parsed):
                yield f"{name}[{index}]", item
        else:
            yield name, parsed


# --- importing ----------------------------------------------------------------------


def digest(record: Any) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def is_own(record: dict[str, Any]) -> bool:
    metadata = record["cveMetadata"]
    org_id = str(metadata.get("assignerOrgId") or "").lower()
    short_name = str(metadata.get("assignerShortName") or "").lower()
    ours_id = (settings.KAKEHASHI_CNA_ORG_ID or "").lower()
    ours_name = (settings.KAKEHASHI_CNA_SHORT_NAME or "").lower()
    return bool((ours_id and org_id == ours_id) or (ours_name and short_name == ours_name))


@dataclass
class Importer:
    path: Path
    validate: bool = False
    own_actor: Any = None  # the CNA officer taking own records under management
    batch_size: int = BATCH_SIZE
    report: Callable[[Progress], None] | None = None  # called after every batch
    progress: Progress = field(default_factory=Progress)

    def run(self) -> Progress:
        batch: dict[str, tuple[str, Any, dict[str, Any]]] = {}
        for source, record in records(self.path, self.progress):
            self.progress.read += 1
            fields = self._fields(source, record)
            if fields is None:
                continue
            fields["digest"] = digest(record)
            batch[fields["cve_id"]] = (source, record, fields)  # a later copy wins
            if len(batch) >= self.batch_size:
                self._write(batch)
                batch = {}
        if batch:
            self._write(batch)
        return self.progress

    def _fields(self, source: str, record: Any) -> dict[str, Any] | None:
        try:
            fields = corpus_fields(record)
        except RecordError as error:
            self.progress.refuse(source, str(error))
            return None
        if self.validate:
            # The CNA container against its schema (published or rejected): the
            # bundled record schema's oneOf would report the wrong branch's errors.
            schema = REJECTED_SCHEMA if fields["state"] == "REJECTED" else PUBLISHED_SCHEMA
            problems = schema_problems(record["containers"]["cna"], schema)
            if problems:
                first = problems[0]
                self.progress.refuse(source, f"containers/cna/{first.field}: {first.message}")
                return None
        return fields

    def _write(self, batch: dict[str, tuple[str, Any, dict[str, Any]]]) -> None:
        stored = dict(
            CorpusRecord.objects.filter(cve_id__in=list(batch)).values_list("cve_id", "digest")
        )
        now = timezone.now()
        rows = []
        for cve_id, (_source, _record, fields) in batch.items():
            if stored.get(cve_id) == fields["digest"]:
                self.progress.unchanged += 1
                continue
            rows.append(CorpusRecord(**fields, imported_at=now, updated_at=now))
        with transaction.atomic():
            if rows:
                CorpusRecord.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["cve_id"],
                    update_fields=_UPDATED_FIELDS,
                )
            if self.own_actor is not None:
                self._own(list(batch.values()))
        self.progress.created += sum(1 for row in rows if row.cve_id not in stored)
        self.progress.updated += sum(1 for row in rows if row.cve_id in stored)
        if self.report is not None:
            self.report(self.progress)

    def _own(self, items: list[tuple[str, Any, dict[str, Any]]]) -> None:
        """Own records not yet managed as they are now (unchanged ones included, so a
        later ``--own`` run takes over records a plain import already read)."""
        own = [item for item in items if is_own(item[1])]
        managed = dict(
            CveRecord.objects.filter(cve__cve_id__in=[f["cve_id"] for _s, _r, f in own])
            .filter(cve__vulnerability__isnull=True)
            .values_list("cve__cve_id", "container")
        )
        for source, record, fields in own:
            if managed.get(fields["cve_id"]) == record["containers"]["cna"]:
                continue
            try:
                actions.import_own_record(
                    self.own_actor, fields["cve_id"], fields["state"], record["containers"]["cna"]
                )
            except WorkflowError as error:
                self.progress.refuse(source, str(error))
            else:
                self.progress.own += 1
