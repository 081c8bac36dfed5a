"""The CNA container of a CVE record, generated from its case (CVE JSON 5.1.1, with
5.2's ``packageURL``), and a description helper for the author.

What goes in: the author's English and Japanese descriptions; one affected entry per
product of the case (vendor, product, CPE, package URL, the versions the vendor gave,
only from statuses the coordinator approved); CWE problem types; CVSS v3.1 and v4.0
metrics built here (the ``cvss`` package's JSON is not schema-valid); references (the
advisory, then the record's own); credits only with the finder's consent; ``datePublic``;
``x_generator``.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.metadata import version
from typing import Any

from cvss import CVSS3, CVSS4
from django.conf import settings
from django.utils import translation

from kakehashi.cases.choices import VexStatus
from kakehashi.cases.models import Case, CaseProduct, VendorStatus, Vulnerability
from kakehashi.core.cwe import cwe_name
from kakehashi.intake.credits import public_credits

from .models import CveRecord
from .versions import affected_versions

GENERATOR = f"Kakehashi {version('kakehashi')}"

# Where each VEX status puts the product's versions in a CVE record.
_VERSION_STATUS: dict[str, str] = {
    VexStatus.AFFECTED: "affected",
    VexStatus.FIXED: "affected",  # the affected versions stay affected; the fix is unaffected
    VexStatus.UNDER_INVESTIGATION: "unknown",
    VexStatus.UNKNOWN: "unknown",
    VexStatus.DISPUTED: "unknown",
    VexStatus.NOT_AFFECTED: "unaffected",
}


def build_container(record: CveRecord) -> dict[str, Any]:
    vulnerability = record.cve.vulnerability
    if vulnerability is None:
        raise ValueError("only an assigned ID has a published container")
    case = vulnerability.case
    container: dict[str, Any] = {
        "providerMetadata": provider_metadata(),
        "title": (vulnerability.title_en or vulnerability.title_ja)[:256],
        "descriptions": _descriptions(record),
        "affected": affected(vulnerability),
        "references": references(record),
    }
    problem_types = _problem_types(vulnerability)
    if problem_types:
        container["problemTypes"] = problem_types
    metrics = _metrics(vulnerability)
    if metrics:
        container["metrics"] = metrics
    credits = _credits(case)
    if credits:
        container["credits"] = credits
    if case.published_at is not None:
        container["datePublic"] = case.published_at.isoformat()
    if record.cna_tags:
        container["tags"] = list(record.cna_tags)
    container["x_generator"] = {"engine": GENERATOR}
    return container


def container_to_publish(record: CveRecord) -> dict[str, Any]:
    """What would be sent for ``record`` now: the container generated from its case or,
    for a record imported without a case (``cna import --own``), the imported container
    under this CNA's provider metadata (``dateUpdated`` is set by CVE Services)."""
    if record.cve.vulnerability is None and record.container is not None:
        container = dict(record.container)
        container["providerMetadata"] = provider_metadata()
        return container
    if record.sync_state in ("rejected", "reject_pending") and record.container is not None:
        return record.container
    return build_container(record)


def rejected_container(record: CveRecord) -> dict[str, Any]:
    return {
        "providerMetadata": provider_metadata(),
        "rejectedReasons": [{"lang": "en", "value": record.reject_reason.strip()}],
    }


def provider_metadata() -> dict[str, str]:
    metadata = {"orgId": settings.KAKEHASHI_CNA_ORG_ID}
    if settings.KAKEHASHI_CNA_SHORT_NAME:
        metadata["shortName"] = settings.KAKEHASHI_CNA_SHORT_NAME
    return metadata


def _descriptions(record: CveRecord) -> list[dict[str, str]]:
    descriptions = []
    for language, text in (("en", record.description_en), ("ja", record.description_ja)):
        if text.strip():
            descriptions.append({"lang": language, "value": text.strip()})
    return descriptions


def affected(vulnerability: Vulnerability) -> list[dict[str, Any]]:
    """One entry per product of the case, with the versions the vendor's approved
    statuses give for this vulnerability."""
    products = list(
        CaseProduct.objects.filter(case_id=vulnerability.case_id).select_related(
            "vendor__organisation"
        )
    )
    statuses: dict[int | None, list[VendorStatus]] = defaultdict(list)
    for status in VendorStatus.objects.filter(
        vulnerability=vulnerability, approved_at__isnull=False
    ):
        statuses[status.product_id if status.product_id else -status.vendor_id].append(status)
    entries = []
    for product in products:
        own = statuses.get(product.pk) or statuses.get(-product.vendor_id) or []
        entries.append(_affected_entry(product, own))
    return entries


def _affected_entry(product: CaseProduct, statuses: list[VendorStatus]) -> dict[str, Any]:
    with translation.override("en"):
        vendor = product.vendor.display_name("en")
    entry: dict[str, Any] = {"vendor": vendor[:512], "product": product.name[:2048]}
    if product.cpe:
        entry["cpes"] = [product.cpe]
    if product.purl:
        entry["packageURL"] = product.purl.split("@", 1)[0]  # 5.2: a purl without version
    status = statuses[0] if statuses else None
    kind = _VERSION_STATUS.get(status.status, "unknown") if status else "unknown"
    if kind == "unaffected":
        entry["defaultStatus"] = "unaffected"
        return entry
    fixed_in = status.fixed_in if status is not None and status.status == VexStatus.FIXED else ""
    versions = affected_versions(product.versions, fixed_in, product.purl, kind)
    if versions:
        entry["versions"] = versions
    # Below a fix, every version is affected and the fix and later are not.
    entry["defaultStatus"] = "unaffected" if fixed_in.strip() else "unknown"
    return entry


def _problem_types(vulnerability: Vulnerability) -> list[dict[str, Any]]:
    if not vulnerability.cwe_id:
        return []
    with translation.override("en"):
        name = cwe_name(vulnerability.cwe_id) or ""
    description = f"{vulnerability.cwe_id} {name}".strip()
    return [
        {
            "descriptions": [
                {
                    "lang": "en",
                    "type": "CWE",
                    "cweId": vulnerability.cwe_id,
                    "description": description,
                }
            ]
        }
    ]


def _metrics(vulnerability: Vulnerability) -> list[dict[str, Any]]:
    metrics: list[dict[str, Any]] = []
    if vulnerability.cvss_v4_vector:
        v4 = CVSS4(vulnerability.cvss_v4_vector)
        metrics.append(
            {
                "format": "CVSS",
                "scenarios": [{"lang": "en", "value": "GENERAL"}],
                "cvssV4_0": {
                    "version": "4.0",
                    "vectorString": vulnerability.cvss_v4_vector,
                    "baseScore": float(v4.base_score),
                    "baseSeverity": str(v4.severity).upper(),
                },
            }
        )
    if vulnerability.cvss_v3_vector:
        v3 = CVSS3(vulnerability.cvss_v3_vector)
        metrics.append(
            {
                "format": "CVSS",
                "scenarios": [{"lang": "en", "value": "GENERAL"}],
                "cvssV3_1": {
                    "version": "3.1",
                    "vectorString": vulnerability.cvss_v3_vector,
                    "baseScore": float(v3.base_score),
                    "baseSeverity": str(v3.severities()[0]).upper(),
                },
            }
        )
    return metrics


def references(record: CveRecord) -> list[dict[str, Any]]:
    """The record's own references (vendor advisories, the advisory pages …), each
    once, in the order given."""
    seen: set[str] = set()
    result: list[dict[str, Any]] = []
    for reference in record.references:
        url = str(reference.get("url", "")).strip()
        if not url or url in seen:
            continue
        seen.add(url)
        item: dict[str, Any] = {"url": url}
        if reference.get("name"):
            item["name"] = str(reference["name"])[:512]
        if reference.get("tags"):
            item["tags"] = list(reference["tags"])
        result.append(item)
    return result


def _credits(case: Case) -> list[dict[str, str]]:
    credits = [{"lang": "en", "value": name, "type": "finder"} for name in public_credits(case)]
    if case.coordinator_org is not None:
        credits.append(
            {"lang": "en", "value": case.coordinator_org.display_name("en"), "type": "coordinator"}
        )
    return credits


# --- the description helper -------------------------------------------------------


def suggest_description(
    vulnerability: Vulnerability,
    language: str,
    *,
    attacker: str = "",
    impact: str = "",
    vector: str = "",
) -> str:
    """A first draft for the author to edit. English follows the CVE program's phrasing
    "[problem type] in [vendor] [product] [versions] allows [attacker] to [impact] via
    [vector]"; Japanese follows JVN's "[vendor] が提供する [product] には、[problem type]
    の脆弱性が存在します". Bracketed parts are left for the author where unknown."""
    product = (
        CaseProduct.objects.filter(case_id=vulnerability.case_id)
        .select_related("vendor__organisation")
        .first()
    )
    problem = cwe_name(vulnerability.cwe_id) if vulnerability.cwe_id else None
    if language.startswith("ja"):
        vendor = product.vendor.display_name("ja") if product else "[製品開発者]"
        name = f"{product.name} {product.versions}".strip() if product else "[製品]"
        kind = problem or vulnerability.title_ja or "[脆弱性の種類]"
        return f"{vendor} が提供する {name} には、{kind}の脆弱性が存在します。"
    vendor = product.vendor.display_name("en") if product else "[vendor]"
    name = f"{product.name} {product.versions}".strip() if product else "[product]"
    kind = problem or vulnerability.title_en or "[problem type]"
    text = (
        f"{kind} in {vendor} {name} allows {attacker or '[attacker]'} "
        f"to {impact or '[impact]'} via {vector or '[vector]'}."
    )
    return " ".join(text.split())
