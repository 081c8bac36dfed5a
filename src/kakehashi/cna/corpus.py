"""The CVE corpus: what an imported CVE record contributes, and the search over it.

A record becomes one :class:`~kakehashi.cna.models.CorpusRecord` (:func:`corpus_fields`).
Its ``search_text`` is every searchable field — CVE ID, title, English and Japanese
descriptions, vendors, products, CPEs, package URLs — folded like the rest of the
platform's searches (NFKC, case-folded, whitespace collapsed), one field per line.

Search is substring search, because Japanese has no word boundaries and identifiers
(CPEs, purls) are searched by prefix: every word of the query must occur in the text.
A trigram index makes that fast: on SQLite an FTS5 ``trigram`` table (a quoted phrase
matches as a substring), on PostgreSQL a pg_trgm GIN index used by ``LIKE '%…%'``.
Trigrams need three characters, so shorter words are checked by a plain scan, which
stops at the limit. Candidates come newest-imported first and are then ranked with the
known-vulnerability check's own scoring (``kakehashi.intake.known.score``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kakehashi.intake import known
from kakehashi.vendors.identifiers import fold

from .choices import IdState
from .models import CVE_ID_PATTERN, CorpusRecord

CVE_WORD = re.compile(r"^cve-\d{4}-\d{4,19}$")
STATES = ("PUBLISHED", "REJECTED")
TRIGRAM = 3  # the shortest word the trigram index can find
MAX_WORDS = 8
MAX_LIMIT = 200


class RecordError(ValueError):
    """A record that cannot go into the corpus; the message says why (translated)."""


def _text(value: Any, limit: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _instant(value: Any) -> datetime | None:
    """An RFC 3339 timestamp of the record (time zone optional: UTC then)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _description(items: Any, language: str) -> str:
    """The first description in ``language`` (``en`` also matches ``en-US`` …)."""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        lang = _text(item.get("lang")).lower()
        if lang == language or lang.startswith((f"{language}-", f"{language}_")):
            return _text(item.get("value"))
    return ""


def _unique(values: Iterable[Any], limit: int) -> list[str]:
    return list(
        dict.fromkeys(v.strip()[:limit] for v in values if isinstance(v, str) and v.strip())
    )


def affected_identifiers(container: dict[str, Any]) -> dict[str, list[str]]:
    """Vendors, products, CPEs and package URLs named in a container's ``affected``."""
    listed = container.get("affected")
    entries = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    purls = [e.get("packageURL") for e in entries]
    # Before 5.2 a package was a collection URL and a name; keep it as a searchable name.
    packages = [e.get("packageName") for e in entries]
    cpes = [c for e in entries if isinstance(e.get("cpes"), list) for c in e["cpes"]]
    return {
        "vendors": _unique((e.get("vendor") for e in entries), 512),
        "products": _unique([*(e.get("product") for e in entries), *packages], 2048),
        "cpes": _unique(cpes, 2048),
        "purls": _unique(purls, 2048),
    }


def required_parts(record: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(cveMetadata, containers.cna)`` of a CVE JSON 5 record, or ``RecordError``."""
    if not isinstance(record, dict):
        raise RecordError(_("Not a CVE record: a JSON object is expected."))
    if record.get("dataType") != "CVE_RECORD":
        raise RecordError(_("dataType is not CVE_RECORD."))
    version = str(record.get("dataVersion", ""))
    if not re.fullmatch(r"5(\.\d+)*", version):
        raise RecordError(
            _("dataVersion “%(version)s” is not 5.x: only CVE JSON 5 records are read.")
            % {"version": version}
        )
    metadata = record.get("cveMetadata")
    if not isinstance(metadata, dict):
        raise RecordError(_("cveMetadata is missing."))
    cve_id = metadata.get("cveId")
    if not isinstance(cve_id, str) or not re.fullmatch(CVE_ID_PATTERN, cve_id):
        raise RecordError(_("cveMetadata.cveId is missing or not a CVE ID."))
    if metadata.get("state") not in STATES:
        raise RecordError(_("cveMetadata.state is missing or neither PUBLISHED nor REJECTED."))
    containers = record.get("containers")
    cna = containers.get("cna") if isinstance(containers, dict) else None
    if not isinstance(cna, dict):
        raise RecordError(_("containers.cna is missing."))
    return metadata, cna


def corpus_fields(record: Any) -> dict[str, Any]:
    """The corpus row of a CVE JSON 5 record (without its digest), or ``RecordError``."""
    metadata, cna = required_parts(record)
    state = metadata["state"]
    descriptions = cna.get("rejectedReasons") if state == "REJECTED" else cna.get("descriptions")
    identifiers = affected_identifiers(cna)
    fields: dict[str, Any] = {
        "cve_id": metadata["cveId"],
        "state": state,
        "assigner_short_name": _text(metadata.get("assignerShortName"), 32),
        "assigner_org_id": _text(metadata.get("assignerOrgId"), 36),
        "date_published": _instant(metadata.get("datePublished")),
        "date_updated": _instant(metadata.get("dateUpdated")),
        "title": _text(cna.get("title"), 512),
        "description_en": _description(descriptions, "en"),
        "description_ja": _description(descriptions, "ja"),
        **identifiers,
    }
    fields["search_text"] = search_text(fields)
    return fields


def search_text(fields: dict[str, Any]) -> str:
    parts = [
        fields["cve_id"],
        fields["title"],
        fields["description_en"],
        fields["description_ja"],
        *fields["vendors"],
        *fields["products"],
        *fields["cpes"],
        *fields["purls"],
    ]
    return "\n".join(fold(p) for p in parts if p)


# --- search -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    cve_ids: tuple[str, ...]
    words: tuple[str, ...]  # folded; each must occur in the text

    @property
    def empty(self) -> bool:
        return not (self.cve_ids or self.words)


def parse_query(text: str) -> Query:
    words = fold(text or "").split()
    cve_ids = tuple(dict.fromkeys(w.upper() for w in words if CVE_WORD.match(w)))
    rest = tuple(dict.fromkeys(w for w in words if not CVE_WORD.match(w)))
    return Query(cve_ids=cve_ids[:MAX_WORDS], words=rest[:MAX_WORDS])


def matching_ids(needles: Iterable[str], limit: int) -> list[int]:
    """IDs of up to ``limit`` records whose text contains every needle, newest first."""
    needles = [n for n in dict.fromkeys(needles) if n]
    if not needles or limit <= 0:
        return []
    long = [n for n in needles if len(n) >= TRIGRAM]
    if connection.vendor == "sqlite" and long:
        return _sqlite_trigram_ids(long, [n for n in needles if len(n) < TRIGRAM], limit)
    rows = CorpusRecord.objects.all()
    for needle in needles:
        # PostgreSQL: LIKE '%…%' uses the pg_trgm index; short needles scan to the limit.
        rows = rows.filter(search_text__contains=needle)
    return list(rows.order_by("-id").values_list("id", flat=True)[:limit])


def _sqlite_trigram_ids(long: list[str], short: list[str], limit: int) -> list[int]:
    # Each needle as an FTS5 phrase: with the trigram tokenizer a phrase matches as
    # a substring. Quotes inside are doubled, so the query language stays inert.
    expression = " AND ".join('"{}"'.format(n.replace('"', '""')) for n in long)
    sql = "SELECT f.rowid FROM cna_corpusrecord_fts f"
    params: list[Any] = []
    if short:
        sql += " JOIN cna_corpusrecord c ON c.id = f.rowid"
    sql += " WHERE cna_corpusrecord_fts MATCH %s"
    params.append(expression)
    for needle in short:
        sql += " AND instr(c.search_text, %s) > 0"
        params.append(needle)
    sql += " ORDER BY f.rowid DESC LIMIT %s"
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _candidates(cve_ids: Iterable[str], needles: list[str], limit: int) -> list[CorpusRecord]:
    exact = list(CorpusRecord.objects.filter(cve_id__in=list(cve_ids)))
    ids = matching_ids(needles, limit) if needles else []
    seen = {r.pk for r in exact}
    more = CorpusRecord.objects.in_bulk([i for i in ids if i not in seen])
    return [*exact, *(more[i] for i in ids if i in more)]


def record_score(terms: known.Terms, record: CorpusRecord) -> tuple[int, tuple[str, ...]]:
    return known.score(
        terms,
        products=record.products,
        vendors=record.vendors,
        texts=[
            record.title,
            record.description_en,
            record.description_ja,
            *record.cpes,
            *record.purls,
        ],
        cve_ids=[record.cve_id],
    )


def search(query: str, limit: int = 20) -> list[CorpusRecord]:
    """Records matching ``query`` — CVE IDs exactly, every other word as a substring of
    the folded text (vendor, product, CPE, purl, title, English or Japanese
    description) — best first."""
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = parse_query(query)
    if parsed.empty:
        return []
    found = _candidates(parsed.cve_ids, list(parsed.words), limit)
    terms = known.Terms(cve_ids=parsed.cve_ids, words=parsed.words)
    ranked = sorted(
        found,
        key=lambda r: (-record_score(terms, r)[0], -(r.date_published or _EPOCH).timestamp()),
    )
    return ranked[:limit]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def corpus_url(cve_id: str) -> str:
    return f"{reverse('cna:corpus')}?{urlencode({'q': cve_id})}"


def known_vulnerabilities(report: Any, terms: known.Terms) -> list[known.Match]:
    """The known-vulnerability check's provider: public CVE records of the corpus that
    name the report's product or CVE IDs, or the clerk's words. The corpus holds only
    published and rejected records, so nothing here is embargoed."""
    if terms.words:
        needles = [w for w in terms.words if " " not in w]
    else:
        needles = [terms.product] if terms.product else []
        needles = needles or ([terms.vendor] if terms.vendor else [])
    matches = []
    for record in _candidates(terms.cve_ids, needles, known.PER_PROVIDER):
        points, reasons = record_score(terms, record)
        matches.append(
            known.Match(
                source="cve",
                key=record.cve_id,
                title=record.title or record.description[:200],
                score=points,
                reasons=reasons,
                status=str(IdState(record.state).label),
                url=corpus_url(record.cve_id),
            )
        )
    return matches
