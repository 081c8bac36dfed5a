"""CSAF 2.0 (OASIS, ``csaf_security_advisory`` profile) for published advisory revisions.

Built as plain dicts from the frozen revision content only: the same revision always
gives the same document, and nothing of a draft can reach it. The ``csaf`` package's
producer writes CSAF 2.1, so it is not used here; the test suite validates the output
with its CSAF 2.0 validator (schema and mandatory tests).

CSAF has one ``document.lang``, so a revision gives one document per language. The
English one is canonical and carries the advisory ID as ``tracking.id`` (scanners and
aggregators read English); the Japanese one is a document of its own with the ID
"<advisory ID>-ja", and each refers to the other. Neither is marked a translation
(``source_lang``): the coordinator writes and approves both texts. When a language
was waived, the remaining one is canonical.

Product tree: vendor → product name → affected versions (the case product's version
text, a ``product_version_range``) and the fixed versions vendors gave in approved
statuses (``product_version``). A vendor with a status but no product listed gets one
"all products" entry so its statement has something to refer to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .osv import advisory_url

CSAF_VERSION = "2.0"
TLP_LABEL = "WHITE"  # CSAF 2.0 knows TLP 1.0 labels only: WHITE is TLP 2.0's CLEAR.
TLP_URL = "https://www.first.org/tlp/"

# Words that make a version a range (CSAF 2.0 mandatory test 6.1.31).
_RANGE_WORDS = re.compile(
    r"[<>=]|\b(after|all|before|earlier|later|prior|versions?|and|or|以前|以降|全)\b", re.I
)
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")

# CVSS v3 abbreviations → FIRST JSON schema property names and values.
_CVSS3_PROPERTIES = {
    "AV": (
        "attackVector",
        {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"},
    ),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "I": ("integrityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "A": ("availabilityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
}

# Vendor status → CSAF product status list. "unknown" (the vendor has not said) is
# honestly "under investigation" from the reader's side; a disputed report is
# stated as not affected, with the vendor's statement as the impact note.
_PRODUCT_STATUS = {
    "affected": "known_affected",
    "fixed": "known_affected",  # the listed versions; the fixed versions go to "fixed"
    "not_affected": "known_not_affected",
    "disputed": "known_not_affected",
    "under_investigation": "under_investigation",
    "unknown": "under_investigation",
}


def document_languages(content: dict[str, Any]) -> list[str]:
    """The revision's document languages, the canonical one first: English, unless
    the English text was waived."""
    return [language for language in ("en", "ja") if language in content["texts"]]


def tracking_id(content: dict[str, Any], language: str) -> str:
    """The canonical document carries the advisory ID; the other language's document
    needs an ID of its own (CSAF 2.0 §3.2.1.12.6: one ID, one document)."""
    if language == document_languages(content)[0]:
        return str(content["id"])
    return f"{content['id']}-{language}"


def file_name(tracking_id: str) -> str:
    """CSAF 2.0 §5.1: lower case, every other run of characters becomes "_"."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


def utc(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def publisher() -> dict[str, str]:
    return {
        "category": settings.KAKEHASHI_CSAF_PUBLISHER_CATEGORY,
        "name": settings.KAKEHASHI_CSAF_PUBLISHER_NAME,
        "namespace": settings.KAKEHASHI_CSAF_PUBLISHER_NAMESPACE,
    }


@dataclass
class _Product:
    product_id: str
    vendor: str  # in the document's language
    vendor_en: str  # the key of the vendor's statuses
    name: str
    versions: str = ""
    cpe: str = ""
    purl: str = ""
    # fixed version → product ID of that version
    fixed: dict[str, str] = field(default_factory=dict)


@dataclass
class _Tree:
    products: list[_Product] = field(default_factory=list)

    def next_id(self) -> str:
        count = len(self.products) + sum(len(p.fixed) for p in self.products)
        return f"CSAFPID-{count + 1:04d}"


def csaf_document(
    content: dict[str, Any], language: str, urls: dict[str, str]
) -> dict[str, Any] | None:
    """The CSAF document of a revision in ``language`` (``urls``: the URL of the
    document in each language); None when it names no vulnerability or no product
    (a ``csaf_security_advisory`` needs both)."""
    with translation.override(language):
        tree = _collect_products(content, language)
        if not content["vulnerabilities"] or not tree.products:
            return None
        text = content["texts"][language]
        vulnerabilities = [
            _vulnerability(content, v, tree, text, language) for v in content["vulnerabilities"]
        ]
        document = _document(content, text, language, urls)
        if not all(_conclusive(v) for v in vulnerabilities):
            # The security advisory profile needs a conclusive status for every
            # vulnerability; until vendors give one, the document is a plain CSAF one.
            document["category"] = "csaf_base"
        return {
            "document": document,
            "product_tree": _product_tree(tree),
            "vulnerabilities": vulnerabilities,
        }


def _conclusive(vulnerability: dict[str, Any]) -> bool:
    return any(key != "under_investigation" for key in vulnerability["product_status"])


# --- document --------------------------------------------------------------------------


def _document(
    content: dict[str, Any], text: dict[str, str], language: str, urls: dict[str, str]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": CSAF_VERSION,
        "lang": language,
        "title": text["title"] or content["id"],
        "publisher": publisher(),
        "distribution": {"tlp": {"label": TLP_LABEL, "url": TLP_URL}},
        "tracking": _tracking(content, language),
        "references": _references(content, text, language, urls),
    }
    notes = _document_notes(text)
    if notes:
        document["notes"] = notes
    if content["credits"]:
        document["acknowledgements"] = [
            {"names": list(content["credits"]), "summary": _("Reported the vulnerability.")}
        ]
    return document


def _tracking(content: dict[str, Any], language: str) -> dict[str, Any]:
    history = []
    for entry in content["history"]:
        note = entry.get(f"note_{language}") or entry.get("note_en") or entry.get("note_ja")
        if not note:
            note = _("Initial release") if entry["number"] == 1 else _("Revised")
        history.append({"date": utc(entry["at"]), "number": str(entry["number"]), "summary": note})
    return {
        "id": tracking_id(content, language),
        "status": "final",
        "version": str(content["revision"]),
        "initial_release_date": utc(content["published_at"]),
        "current_release_date": utc(content["updated_at"]),
        "revision_history": history,
        "generator": {
            "engine": {"name": settings.KAKEHASHI_SITE_NAME},
            "date": utc(content["updated_at"]),
        },
    }


def _document_notes(text: dict[str, str]) -> list[dict[str, str]]:
    notes = []
    for key, category, title in (
        ("overview", "summary", _("Overview")),
        ("description", "description", _("Description")),
        ("impact", "general", _("Impact")),
        ("solution", "general", _("Solution")),
        ("notes", "other", _("Coordinator's notes")),
    ):
        if text.get(key, "").strip():
            notes.append({"category": category, "title": str(title), "text": text[key]})
    return notes


def _references(
    content: dict[str, Any], text: dict[str, str], language: str, urls: dict[str, str]
) -> list[dict[str, str]]:
    references = [
        {"category": "self", "summary": _("This CSAF document"), "url": urls[language]},
        {
            "category": "external",
            "summary": _("The advisory page"),
            "url": advisory_url(content["slug"], language),
        },
    ]
    other = "ja" if language == "en" else "en"
    if other in urls:
        english = other == "en"
        references += [
            {
                "category": "external",
                "summary": _("This advisory in English (CSAF)")
                if english
                else _("This advisory in Japanese (CSAF)"),
                "url": urls[other],
            },
            {
                "category": "external",
                "summary": _("The advisory page in English")
                if english
                else _("The advisory page in Japanese"),
                "url": advisory_url(content["slug"], other),
            },
        ]
    seen = {r["url"] for r in references}
    # Links in the references section, then those in the vendors' approved statements
    # (their own advisories).
    sources = [(text.get("references", ""), "")]
    for vendor in content["vendors"]:
        name = vendor[f"name_{language}"] or vendor["name_en"]
        sources += [
            (s[f"statement_{language}"] or s["statement_en"], name) for s in vendor["statuses"]
        ]
    for source, vendor_name in sources:
        for found in _URL.findall(source or ""):
            url = found.rstrip(".,;")
            if url in seen:
                continue
            seen.add(url)
            summary = (
                _("Information from %(vendor)s") % {"vendor": vendor_name} if vendor_name else url
            )
            references.append({"category": "external", "summary": summary, "url": url})
    return references


# --- product tree ----------------------------------------------------------------------


def _statuses(content: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Approved statuses keyed by (vendor English name, product name); a status
    without a product covers every product of its vendor (key product "")."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for vendor in content["vendors"]:
        for status in vendor["statuses"]:
            found.setdefault((vendor["name_en"], status["product"]), []).append(status)
    return found


def _own_statuses(
    statuses: dict[tuple[str, str], list[dict[str, Any]]], vendor_en: str, product: str
) -> list[dict[str, Any]]:
    """The statuses for one product: its own for each vulnerability, else the vendor's."""
    own = {s["vulnerability"]: s for s in statuses.get((vendor_en, product), [])}
    for status in statuses.get((vendor_en, ""), []):
        own.setdefault(status["vulnerability"], status)
    return list(own.values())


def _collect_products(content: dict[str, Any], language: str) -> _Tree:
    tree = _Tree()
    statuses = _statuses(content)
    listed = set()
    for product in content["products"]:
        vendor = product[f"vendor_{language}"] or product["vendor_en"]
        entry = _Product(
            tree.next_id(),
            vendor,
            product["vendor_en"],
            product["name"],
            product["versions"],
            product["cpe"],
            product["purl"],
        )
        tree.products.append(entry)
        listed.add(product["vendor_en"])
        for status in _own_statuses(statuses, product["vendor_en"], product["name"]):
            version = status["fixed_in"].strip()
            if status["status"] == "fixed" and version and version not in entry.fixed:
                entry.fixed[version] = tree.next_id()
    for vendor in content["vendors"]:
        if vendor["statuses"] and vendor["name_en"] not in listed:
            name = vendor[f"name_{language}"] or vendor["name_en"]
            tree.products.append(
                _Product(tree.next_id(), name, vendor["name_en"], str(_("All products")))
            )
    return tree


def _product_tree(tree: _Tree) -> dict[str, Any]:
    vendors: dict[str, list[dict[str, Any]]] = {}
    for product in tree.products:
        vendors.setdefault(product.vendor, []).append(_product_branch(product))
    return {
        "branches": [
            {"category": "vendor", "name": vendor, "branches": branches}
            for vendor, branches in vendors.items()
        ]
    }


def _full_product(product_id: str, name: str, product: _Product | None = None) -> dict[str, Any]:
    full: dict[str, Any] = {"product_id": product_id, "name": name}
    helper = {}
    if product is not None and product.cpe.startswith(("cpe:2.3:", "cpe:/")):
        helper["cpe"] = product.cpe
    if product is not None and product.purl.startswith("pkg:"):
        helper["purl"] = product.purl
    if helper:
        full["product_identification_helper"] = helper
    return full


def _product_branch(product: _Product) -> dict[str, Any]:
    base = f"{product.vendor} {product.name}"
    listed = product.versions.strip()
    if not listed and not product.fixed:
        return {
            "category": "product_name",
            "name": product.name,
            "product": _full_product(product.product_id, base, product),
        }
    if not listed:
        listed = _("versions before %(version)s") % {"version": ", ".join(product.fixed)}
    branches = [
        {
            "category": "product_version_range",
            "name": listed,
            "product": _full_product(product.product_id, f"{base} {listed}", product),
        }
    ]
    for version, product_id in product.fixed.items():
        category = "product_version_range" if _RANGE_WORDS.search(version) else "product_version"
        branches.append(
            {
                "category": category,
                "name": version,
                "product": _full_product(product_id, f"{base} {version}"),
            }
        )
    return {"category": "product_name", "name": product.name, "branches": branches}


# --- vulnerabilities -------------------------------------------------------------------


def _vulnerability(
    content: dict[str, Any],
    vulnerability: dict[str, Any],
    tree: _Tree,
    text: dict[str, str],
    language: str,
) -> dict[str, Any]:
    number = vulnerability["number"]
    title = vulnerability[f"title_{language}"] or vulnerability["title_en"] or text["title"]
    found = _Findings()
    for product, status in _product_statuses(content, tree, number):
        _place(product, status, language, found)
    result: dict[str, Any] = {"title": title}
    if vulnerability["cve_id"]:
        result["cve"] = vulnerability["cve_id"]
    if vulnerability["cwe_id"].startswith("CWE-") and vulnerability["cwe_name"]:
        result["cwe"] = {"id": vulnerability["cwe_id"], "name": vulnerability["cwe_name"]}
    notes = [{"category": "summary", "title": str(_("Vulnerability")), "text": title}]
    if len(content["vulnerabilities"]) == 1 and text.get("description", "").strip():
        notes.append(
            {"category": "description", "title": str(_("Description")), "text": text["description"]}
        )
    result["notes"] = notes
    result["product_status"] = {key: ids for key, ids in found.status_lists.items() if ids}
    if found.flags:
        result["flags"] = [
            {"label": label, "product_ids": ids} for label, ids in found.flags.items()
        ]
    if found.threats:
        result["threats"] = found.threats
    if found.remediations:
        result["remediations"] = found.remediations
    scores = _scores(vulnerability, found.status_lists.get("known_affected", []))
    if scores:
        result["scores"] = scores
    return result


def _product_statuses(
    content: dict[str, Any], tree: _Tree, number: int
) -> list[tuple[_Product, dict[str, Any] | None]]:
    """Each product with its vendor's approved status on vulnerability ``number``
    (an "all products" entry takes the vendor-wide statuses)."""
    statuses = _statuses(content)
    listed = {(p["vendor_en"], p["name"]) for p in content["products"]}
    found = []
    for product in tree.products:
        name = product.name if (product.vendor_en, product.name) in listed else ""
        own = _own_statuses(statuses, product.vendor_en, name)
        found.append((product, next((s for s in own if s["vulnerability"] == number), None)))
    return found


@dataclass
class _Findings:
    """What one vulnerability's entry says about the products."""

    status_lists: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)  # VEX justification → IDs
    threats: list[dict[str, Any]] = field(default_factory=list)
    remediations: list[dict[str, Any]] = field(default_factory=list)


def _place(
    product: _Product, status: dict[str, Any] | None, language: str, found: _Findings
) -> None:
    """Put one product into the vulnerability's status lists, with its flags, threats
    and remediations. A product whose vendor has not stated anything on this
    vulnerability is under investigation."""
    kind = status["status"] if status else "under_investigation"
    found.status_lists.setdefault(_PRODUCT_STATUS.get(kind, "under_investigation"), []).append(
        product.product_id
    )
    statement = ""
    if status:
        statement = status[f"statement_{language}"] or status["statement_en"] or ""
        if kind == "disputed" and status.get("reason"):  # older revisions have no reason
            reason = _("The vendor disputes the report: %(reason)s") % {"reason": status["reason"]}
            statement = f"{reason}\n\n{statement}" if statement else reason
    if kind in ("not_affected", "disputed"):
        if status and status["justification"]:
            found.flags.setdefault(status["justification"], []).append(product.product_id)
        found.threats.append(
            {
                "category": "impact",
                "details": statement or _("The vendor states that the product is not affected."),
                "product_ids": [product.product_id],
            }
        )
    if kind == "fixed":
        fixed_ids = [product.product_id]
        if status and status["fixed_in"].strip() in product.fixed:
            version = status["fixed_in"].strip()
            found.status_lists.setdefault("fixed", []).append(product.fixed[version])
            details = _("Update to %(version)s.") % {"version": version}
        else:
            details = _("The vendor has released a fix.")
        found.remediations.append(
            {
                "category": "vendor_fix",
                "details": f"{details} {statement}".strip(),
                "product_ids": fixed_ids,
            }
        )


def _scores(vulnerability: dict[str, Any], affected: list[str]) -> list[dict[str, Any]]:
    cvss = vulnerability.get("cvss_v3")
    if not cvss or not affected:
        return []
    version = "3.0" if cvss["vector"].startswith("CVSS:3.0/") else "3.1"
    metrics = dict(part.split(":", 1) for part in cvss["vector"].split("/")[1:])
    data: dict[str, Any] = {
        "version": version,
        "vectorString": cvss["vector"],
        "baseScore": cvss["score"],
        "baseSeverity": cvss["severity"].upper(),
    }
    for key, (name, values) in _CVSS3_PROPERTIES.items():
        if metrics.get(key) in values:
            data[name] = values[metrics[key]]
    return [{"cvss_v3": data, "products": list(affected)}]
