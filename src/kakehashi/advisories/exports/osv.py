"""OSV (https://ossf.github.io/osv-schema/) for advisories whose affected products
include an open-source package with a package URL of a known ecosystem.

Built from the frozen revision content only: the same revision always gives the same
document. Ranges come from the vendors' approved statuses for each product: "fixed"
gives introduced 0 → fixed; "affected" and the undecided ones, introduced 0 (every
version); "not affected" leaves the package out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.urls import reverse
from django.utils import translation

SCHEMA_VERSION = "1.7.5"

# purl type → OSV ecosystem (only these have version semantics OSV can express).
ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "maven": "Maven",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "conan": "ConanCenter",
    "cran": "CRAN",
    "hackage": "Hackage",
    "swift": "SwiftURL",
}


def package_of(purl: str) -> tuple[str, str, str] | None:
    """``(ecosystem, name, purl without version)`` for a purl OSV can express."""
    if not purl.startswith("pkg:"):
        return None
    body = purl[4:].split("?", 1)[0].split("#", 1)[0]
    base = body.split("@", 1)[0]
    kind, _, path = base.partition("/")
    ecosystem = ECOSYSTEMS.get(kind.lower())
    if ecosystem is None or not path:
        return None
    parts = [unquote(p) for p in path.split("/") if p]
    if kind.lower() == "maven" and len(parts) == 2:
        name = f"{parts[0]}:{parts[1]}"
    else:
        name = "/".join(parts)
    return ecosystem, name, f"pkg:{base}"


def advisory_url(slug: str, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("advisories:page", kwargs={"slug": slug})


def osv_document(
    content: dict[str, Any], withdrawn_at: datetime | None = None
) -> dict[str, Any] | None:
    """The OSV document of a revision, or None when no product is an OSS package."""
    affected = _affected(content)
    if not affected:
        return None
    texts = content["texts"]
    text = texts.get("en") or next(iter(texts.values()))
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": f"{settings.KAKEHASHI_OSV_ID_PREFIX}{content['slug']}",
        "modified": _utc(content["updated_at"]),
        "published": _utc(content["published_at"]),
        "summary": text["title"][:300],
        "details": "\n\n".join(p for p in (text["overview"], text["description"]) if p),
        "affected": affected,
        "references": [
            {"type": "ADVISORY", "url": advisory_url(content["slug"], language)}
            for language in ("en", "ja")
        ],
        "database_specific": {"advisory_id": content["id"], "revision": content["revision"]},
    }
    if content["cve_ids"]:
        document["aliases"] = list(content["cve_ids"])
    severity = _severity(content)
    if severity:
        document["severity"] = severity
    if withdrawn_at is not None:
        document["withdrawn"] = _utc(withdrawn_at.isoformat())
    if content["credits"]:
        document["credits"] = [{"name": name, "type": "FINDER"} for name in content["credits"]]
    return document


def _utc(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _severity(content: dict[str, Any]) -> list[dict[str, str]]:
    for vulnerability in content["vulnerabilities"]:
        if vulnerability.get("cvss_v3"):
            return [{"type": "CVSS_V3", "score": vulnerability["cvss_v3"]["vector"]}]
    for vulnerability in content["vulnerabilities"]:
        if vulnerability.get("cvss_v4"):
            return [{"type": "CVSS_V4", "score": vulnerability["cvss_v4"]["vector"]}]
    return []


def _statuses_by_product(content: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Approved statuses keyed by (vendor English name, product name); a status
    without a product covers every product of its vendor (key product "")."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for vendor in content["vendors"]:
        for status in vendor["statuses"]:
            found.setdefault((vendor["name_en"], status["product"]), []).append(status)
    return found


def _affected(content: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = _statuses_by_product(content)
    entries = []
    for product in content["products"]:
        package = package_of(product["purl"])
        if package is None:
            continue
        ecosystem, name, purl = package
        own = statuses.get((product["vendor_en"], product["name"])) or statuses.get(
            (product["vendor_en"], ""), []
        )
        if own and all(s["status"] == "not_affected" for s in own):
            continue
        events: list[dict[str, str]] = [{"introduced": "0"}]
        fixed = sorted({s["fixed_in"] for s in own if s["status"] == "fixed" and s["fixed_in"]})
        if fixed:
            events.append({"fixed": fixed[0]})
        entry: dict[str, Any] = {
            "package": {"ecosystem": ecosystem, "name": name, "purl": purl},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
        }
        if product["versions"]:
            entry["database_specific"] = {"affected_versions": product["versions"]}
        entries.append(entry)
    return entries
