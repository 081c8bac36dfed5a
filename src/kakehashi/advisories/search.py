"""The public advisory search: folded text of a revision in both languages, matched
as substrings (Japanese has no word boundaries), with filters.

Every word of the query must occur (AND). A trigram index makes substring search fast,
as for the CVE corpus (``cna.corpus``): on SQLite an FTS5 ``trigram`` table over
``search_text`` (a quoted phrase matches as a substring), on PostgreSQL a pg_trgm GIN
index used by ``LIKE '%…%'`` (migration ``0004_revision_search_index``). Trigrams need
three characters, so shorter words (two-character Japanese words such as 認証) are
checked against the text directly, after the index has narrowed the rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

TRIGRAM = 3  # the shortest needle the trigram index can find
MAX_WORDS = 8
FTS_TABLE = "advisories_advisoryrevision_fts"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def query_words(text: str) -> list[str]:
    """The folded words of a query, each once, at most ``MAX_WORDS``."""
    return list(dict.fromkeys(fold(text).split()))[:MAX_WORDS]


def matching(revisions: QuerySet[Any], needles: Iterable[str]) -> QuerySet[Any]:
    """``revisions`` whose search text contains every needle (folded substrings)."""
    needles = [n for n in dict.fromkeys(needles) if n]
    long = [n for n in needles if len(n) >= TRIGRAM]
    rest = needles
    if connection.vendor == "sqlite" and long:
        # Each needle an FTS5 phrase; quotes doubled, so the query language stays inert.
        expression = " AND ".join('"{}"'.format(n.replace('"', '""')) for n in long)
        revisions = revisions.filter(
            pk__in=RawSQL(  # noqa: S611 (a constant statement; the needles are a parameter)
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                [expression],
            )
        )
        rest = [n for n in needles if len(n) < TRIGRAM]
    for needle in rest:
        # PostgreSQL: LIKE '%…%' uses the pg_trgm index.
        revisions = revisions.filter(search_text__contains=needle)
    return revisions


def fold_content(content: dict[str, Any]) -> str:
    """Everything a reader may search for in one published revision."""
    parts: list[str] = [content.get("id", ""), content.get("slug", "")]
    for text in content.get("texts", {}).values():
        parts += [str(v) for v in text.values()]
    for product in content.get("products", []):
        parts += [
            product["vendor_ja"],
            product["vendor_en"],
            product["name"],
            product["cpe"],
            product["purl"],
        ]
    for vulnerability in content.get("vulnerabilities", []):
        parts += [
            vulnerability["cwe_id"],
            vulnerability["cve_id"],
            vulnerability["title_ja"],
            vulnerability["title_en"],
        ]
    return fold("\n".join(p for p in parts if p))


SEVERITY_ORDER = ("None", "Low", "Medium", "High", "Critical")


def highest_severity(content: dict[str, Any]) -> str:
    """The highest CVSS severity among the revision's vulnerabilities (v3.1, else v4.0)."""
    found = []
    for vulnerability in content.get("vulnerabilities", []):
        score = vulnerability.get("cvss_v3") or vulnerability.get("cvss_v4")
        if score:
            found.append(str(score["severity"]).capitalize())
    ranked = [s for s in SEVERITY_ORDER if s in found]
    return ranked[-1] if ranked else ""


def cwe_list(content: dict[str, Any]) -> str:
    ids = sorted({v["cwe_id"] for v in content.get("vulnerabilities", []) if v.get("cwe_id")})
    return f" {' '.join(ids)} " if ids else ""
