"""Realistic CVE JSON 5 records for the corpus tests, shaped like formats.md §1.3–1.4:
a JPCERT/CC-style record (English and Japanese descriptions, a prose version, a JVN
reference, a text problem type, an ADP container), an open-source library with a
package URL and semver ranges, a rejected record, and the cve-schema examples
(``data/``, CVE Terms of Use, see ``data/NOTICE``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
JPCERT_ORG = "6b43fcb4-7cbb-4cfd-b1f8-95b7c7cb9e84"


def jpcert_style(
    cve_id: str = "CVE-2022-41993",
    *,
    org_id: str = JPCERT_ORG,
    short_name: str = "jpcert",
) -> dict[str, Any]:
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": org_id,
            "assignerShortName": short_name,
            "state": "PUBLISHED",
            "dateReserved": "2022-10-04T00:00:00.000Z",
            "datePublished": "2022-11-14T00:00:00.000Z",
            "dateUpdated": "2022-11-15T08:12:45.000Z",
        },
        "containers": {
            "cna": {
                "providerMetadata": {
                    "orgId": org_id,
                    "shortName": short_name,
                    "dateUpdated": "2022-11-14T00:00:00.000Z",
                },
                "title": "Cross-site scripting in Sample Router Manager",
                "descriptions": [
                    {
                        "lang": "en",
                        "value": "Cross-site scripting vulnerability in Sample Router Manager"
                        " v6 R4 and earlier allows a remote unauthenticated attacker to inject"
                        " an arbitrary script.",
                    },
                    {
                        "lang": "ja",
                        "value": "サンプル電機株式会社が提供するルーター管理ツール v6 R4 およびそれ以前"
                        "には、クロスサイトスクリプティングの脆弱性が存在します。",
                    },
                ],
                "affected": [
                    {
                        "vendor": "Sample Electric Co., Ltd.",
                        "product": "Sample Router Manager",
                        "cpes": ["cpe:2.3:a:sample_electric:router_manager:*:*:*:*:*:*:*:*"],
                        "versions": [{"version": "v6 R4 and earlier", "status": "affected"}],
                        "defaultStatus": "unknown",
                    }
                ],
                "problemTypes": [
                    {
                        "descriptions": [
                            {"lang": "en", "type": "text", "description": "Cross-site scripting"}
                        ]
                    }
                ],
                "references": [
                    {"url": "https://jvn.jp/en/jp/JVN96321933/index.html"},
                    {"url": "https://jvn.jp/jp/JVN96321933/index.html"},
                    {"url": "https://www.sample-electric.example/security/2022-11.html"},
                ],
                "metrics": [
                    {
                        "format": "CVSS",
                        "scenarios": [{"lang": "en", "value": "GENERAL"}],
                        "cvssV3_1": {
                            "version": "3.1",
                            "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
                            "baseScore": 6.1,
                            "baseSeverity": "MEDIUM",
                        },
                    }
                ],
                "x_generator": {"engine": "Vulnogram 0.1.0-dev"},
            },
            "adp": [
                {
                    "providerMetadata": {
                        "orgId": "af854a3a-2127-422b-91ae-364da2661108",
                        "shortName": "CVE",
                        "dateUpdated": "2024-08-03T12:40:15.000Z",
                    },
                    "title": "CVE Program Container",
                    "references": [
                        {
                            "url": "https://jvn.jp/en/jp/JVN96321933/index.html",
                            "tags": ["x_transferred"],
                        }
                    ],
                }
            ],
        },
    }


def library_record(cve_id: str = "CVE-2024-31337") -> dict[str, Any]:
    record = jpcert_style(
        cve_id, org_id="3c1d8aa1-5a33-4b5c-9c4a-2f1e8a6b7c90", short_name="GitHub_M"
    )
    cna = record["containers"]["cna"]
    cna["title"] = "Prototype pollution in fast-merge"
    cna["descriptions"] = [
        {
            "lang": "en",
            "value": "fast-merge before 4.17.21 merges nested objects without checking keys,"
            " which allows prototype pollution.",
        }
    ]
    cna["affected"] = [
        {
            "vendor": "fastmerge",
            "product": "fast-merge",
            "packageURL": "pkg:npm/fast-merge",
            "versions": [
                {
                    "version": "0",
                    "lessThan": "4.17.21",
                    "status": "affected",
                    "versionType": "semver",
                }
            ],
            "defaultStatus": "unaffected",
        }
    ]
    cna["problemTypes"] = [
        {
            "descriptions": [
                {
                    "lang": "en",
                    "type": "CWE",
                    "cweId": "CWE-1321",
                    "description": "CWE-1321: Improperly Controlled Modification of Object"
                    " Prototype Attributes",
                }
            ]
        }
    ]
    cna["references"] = [
        {"url": "https://github.com/fastmerge/fast-merge/security/advisories/GHSA-1"}
    ]
    del record["containers"]["adp"]
    return record


def rejected_record(cve_id: str = "CVE-2023-20001", **identity: str) -> dict[str, Any]:
    record = jpcert_style(cve_id, **identity)
    record["cveMetadata"]["state"] = "REJECTED"
    record["cveMetadata"]["dateRejected"] = "2023-05-01T00:00:00.000Z"
    provider = record["containers"]["cna"]["providerMetadata"]
    record["containers"] = {
        "cna": {
            "providerMetadata": provider,
            "rejectedReasons": [
                {"lang": "en", "value": "This candidate was withdrawn by its CNA. It was not used."}
            ],
        }
    }
    return record


def schema_example(name: str = "full-record-advanced-example.json") -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def wrap_container(
    container: dict[str, Any], cve_id: str, org_id: str, short_name: str
) -> dict[str, Any]:
    """A full record around one of the cve-schema container examples."""
    cna = copy.deepcopy(container)
    cna["providerMetadata"] = {"orgId": org_id, "shortName": short_name}
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": org_id,
            "assignerShortName": short_name,
            "state": "REJECTED" if "rejectedReasons" in cna else "PUBLISHED",
        },
        "containers": {"cna": cna},
    }


def write_cvelist(root: Path, records: list[dict[str, Any]]) -> Path:
    """Records in the cvelistV5 layout: cves/<year>/<NNN>xxx/CVE-….json."""
    for record in records:
        cve_id = record["cveMetadata"]["cveId"]
        _cve, year, number = cve_id.split("-")
        folder = root / "cves" / year / f"{int(number) // 1000}xxx"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{cve_id}.json").write_text(json.dumps(record, indent=4, ensure_ascii=False))
    (root / "deltaLog.json").write_text("[]")
    return root
