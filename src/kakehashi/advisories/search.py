"""The public advisory search: folded text of a revision in both languages, matched
as substrings (Japanese has no word boundaries), with filters."""

from __future__ import annotations

import unicodedata
from typing import Any


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


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
