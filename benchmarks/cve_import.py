"""The CVE corpus: import speed and the known-vulnerability search over it.

Issue #8: import 300,000 CVE records at ≥ 1,000 records/s on this 2-core machine and
report the ratio to the raw rate (``json.loads`` and a bare ``executemany`` of the same
rows) measured in the same run; then the known-vulnerability search over the corpus
plus all cases, p95 under 100 ms.

The records are synthetic but shaped like real ones (formats.md §1.3–1.4): English and
(for most) Japanese descriptions, one to three affected products with CPEs or package
URLs, CVSS metrics, CWE problem types, references; 4-space indented files in the
cvelistV5 layout under ``var/bench-cve/`` (generated once, reused). The benchmark
migrates a throw-away SQLite database, then runs itself in child processes: ``--raw``,
``--import`` (``kakehashi cna import``, in-process) and ``--search``.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.harness import BenchmarkError, Options, Outcome, setup_django
from benchmarks.server import PROJECT_DIR, prepare, server_environment

NAME = "cve_import"
RECORDS = int(os.environ.get("BENCH_CVE_RECORDS", "300000"))
GOAL_RATE = 1_000.0
GOAL_P95_MS = 100.0
CASES = 10_000
ROUNDS = 5
DATA_DIR = PROJECT_DIR / "var" / "bench-cve"


def run(options: Options) -> Outcome:
    source = generate(DATA_DIR, RECORDS)
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-cve-") as var:
        env = server_environment(Path(var))
        env["PYTHONPATH"] = str(PROJECT_DIR / "src")  # this checkout, not an installed copy
        prepare(env, Path(var) / "prepare.log")
        data: dict[str, Any] = {"records": RECORDS, "source": str(source)}
        for step in ("--raw", "--import", "--search"):
            command = [sys.executable, "-m", "benchmarks.cve_import", step, str(source)]
            done = subprocess.run(
                command,
                cwd=PROJECT_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=7200,
                check=False,
            )
            if done.returncode != 0:
                raise BenchmarkError(f"cve_import {step} failed:\n{done.stderr[-3000:]}")
            data.update(json.loads(done.stdout.strip().splitlines()[-1]))
    imported, raw, search = data["import"], data["raw"], data["search"]
    data["ratio_to_raw"] = round(imported["records_per_s"] / raw["records_per_s"], 3)
    data["goal"] = {
        "records_per_s_at_least": GOAL_RATE,
        "search_p95_ms_below": GOAL_P95_MS,
        "met": imported["records_per_s"] >= GOAL_RATE and search["p95_ms"] < GOAL_P95_MS,
    }
    summary = [
        f"import of {RECORDS:,} records: {imported['records_per_s']:,.0f} records/s "
        f"in {imported['seconds']:.0f} s (goal ≥ {GOAL_RATE:,.0f}); raw parse + executemany "
        f"{raw['records_per_s']:,.0f} records/s; ratio {data['ratio_to_raw']:.2f}",
        f"second run (nothing changed): {data['reimport']['records_per_s']:,.0f} records/s, "
        f"{data['reimport']['unchanged']:,} skipped",
        f"known-vulnerability search over {search['corpus']:,} CVE records and "
        f"{search['cases']:,} cases: p50 {search['p50_ms']:.1f} ms, "
        f"p95 {search['p95_ms']:.1f} ms (goal < {GOAL_P95_MS:.0f} ms)",
        f"of which the corpus provider: p95 {data['corpus_provider']['p95_ms']:.1f} ms; "
        f"corpus page search: p95 {data['corpus_search']['p95_ms']:.1f} ms",
    ]
    return Outcome(data=data, summary=summary)


# --- synthetic records ------------------------------------------------------------------

_VENDORS = [
    ("Sample Electric Co., Ltd.", "サンプル電機株式会社", "sample_electric"),
    ("Nihon Soft Inc.", "日本ソフト株式会社", "nihon_soft"),
    ("Kaede Systems", "カエデシステムズ", "kaede_systems"),
    ("Fuji Network Corporation", "富士ネットワーク株式会社", "fuji_network"),
    ("Example Corp", "Example Corp", "example"),
    ("Tsubame Labs", "ツバメラボ", "tsubame_labs"),
]
_PRODUCTS = [
    ("Router Manager", "ルーター管理ツール"),
    ("Form Printer", "帳票出力システム"),
    ("Attendance Cloud", "勤怠管理クラウド"),
    ("Web Mail", "ウェブメール"),
    ("Network Camera", "ネットワークカメラ"),
    ("Groupware", "グループウェア"),
    ("Document Viewer", "文書ビューアー"),
    ("Wireless LAN Router", "無線LANルーター"),
    ("CMS", "コンテンツ管理システム"),
    ("POS Terminal", "POS端末"),
]
_ECOSYSTEMS = ["npm", "pypi", "maven/org.example", "gem", "golang/github.com/example"]
_FLAWS = [
    (
        "CWE-79",
        "Cross-site scripting",
        "クロスサイトスクリプティング",
        "inject an arbitrary script",
    ),
    ("CWE-89", "SQL injection", "SQL インジェクション", "execute arbitrary SQL commands"),
    ("CWE-22", "Path traversal", "パストラバーサル", "read arbitrary files"),
    (
        "CWE-78",
        "OS command injection",
        "OS コマンドインジェクション",
        "execute arbitrary OS commands",
    ),
    (
        "CWE-352",
        "Cross-site request forgery",
        "クロスサイトリクエストフォージェリ",
        "change settings",
    ),
    ("CWE-787", "Out-of-bounds write", "境界外書き込み", "execute arbitrary code"),
    ("CWE-287", "Improper authentication", "不適切な認証", "bypass authentication"),
    ("CWE-798", "Use of hard-coded credentials", "ハードコードされた認証情報の使用", "log in"),
]
_VECTORS = [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "MEDIUM"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL"),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 6.5, "MEDIUM"),
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, "HIGH"),
]


def _cve_id(n: int) -> tuple[str, int, int]:
    year = 2016 + n % 10
    number = 1000 + n // 10
    return f"CVE-{year}-{number}", year, number


def _affected(rng: random.Random, vendor: tuple[str, str, str]) -> list[dict[str, Any]]:
    entries = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        product_en, _product_ja = rng.choice(_PRODUCTS)
        name = f"{product_en} {rng.randint(1, 400)}"
        entry: dict[str, Any] = {"vendor": vendor[0], "product": name}
        if rng.random() < 0.3:
            slug = name.lower().replace(" ", "-")
            entry["packageURL"] = f"pkg:{rng.choice(_ECOSYSTEMS)}/{slug}"
        else:
            slug = name.lower().replace(" ", "_")
            entry["cpes"] = [f"cpe:2.3:a:{vendor[2]}:{slug}:*:*:*:*:*:*:*:*"]
        fixed = f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        entry["versions"] = [
            {"version": "0", "lessThan": fixed, "status": "affected", "versionType": "semver"}
        ]
        entry["defaultStatus"] = "unaffected"
        entries.append(entry)
    return entries


def synthetic_record(n: int, rng: random.Random) -> dict[str, Any]:
    cve_id, year, _number = _cve_id(n)
    vendor = rng.choice(_VENDORS)
    affected = _affected(rng, vendor)
    product = affected[0]["product"]
    product_ja = dict(_PRODUCTS).get(product.rsplit(" ", 1)[0], product)
    cwe, flaw_en, flaw_ja, impact = rng.choice(_FLAWS)
    vector, score, severity = rng.choice(_VECTORS)
    descriptions = [
        {
            "lang": "en",
            "value": f"{flaw_en} in {vendor[0]} {product} versions prior to "
            f"{affected[0]['versions'][0]['lessThan']} allows a remote attacker to {impact} "
            "via a crafted request.",
        }
    ]
    if rng.random() < 0.7:
        descriptions.append(
            {
                "lang": "ja",
                "value": f"{vendor[1]} が提供する{product_ja}には、{flaw_ja}の脆弱性が存在します。"
                "細工されたリクエストを処理することで、遠隔の第三者に悪用される可能性があります。",
            }
        )
    org = "6b43fcb4-7cbb-4cfd-b1f8-95b7c7cb9e84"
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00.000Z"
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": org,
            "assignerShortName": "jpcert",
            "state": "PUBLISHED",
            "dateReserved": date,
            "datePublished": date,
            "dateUpdated": date,
        },
        "containers": {
            "cna": {
                "providerMetadata": {"orgId": org, "shortName": "jpcert", "dateUpdated": date},
                "title": f"{flaw_en} in {product}",
                "descriptions": descriptions,
                "affected": affected,
                "problemTypes": [
                    {
                        "descriptions": [
                            {
                                "lang": "en",
                                "type": "CWE",
                                "cweId": cwe,
                                "description": f"{cwe} {flaw_en}",
                            }
                        ]
                    }
                ],
                "metrics": [
                    {
                        "format": "CVSS",
                        "scenarios": [{"lang": "en", "value": "GENERAL"}],
                        "cvssV3_1": {
                            "version": "3.1",
                            "vectorString": vector,
                            "baseScore": score,
                            "baseSeverity": severity,
                        },
                    }
                ],
                "references": [
                    {"url": f"https://jvn.jp/en/jp/JVN{n:08d}/", "tags": ["third-party-advisory"]},
                    {"url": f"https://jvn.jp/jp/JVN{n:08d}/", "tags": ["third-party-advisory"]},
                    {
                        "url": f"https://www.{vendor[2]}.example/security/{n}",
                        "tags": ["vendor-advisory"],
                    },
                ],
                "x_generator": {"engine": "Vulnogram 0.2.0"},
            }
        },
    }


def generate(root: Path, count: int) -> Path:
    """The records in the cvelistV5 layout under ``root`` (kept between runs)."""
    marker = root / f"generated-{count}.txt"
    if marker.exists():
        return root
    rng = random.Random(8)  # noqa: S311 - benchmark data
    for n in range(count):
        record = synthetic_record(n, rng)
        cve_id, year, number = _cve_id(n)
        folder = root / "cves" / str(year) / f"{number // 1000}xxx"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{cve_id}.json").write_text(
            json.dumps(record, indent=4, ensure_ascii=False), encoding="utf-8"
        )
    marker.write_text(f"{count}\n")
    return root


# --- the child processes ------------------------------------------------------------------


def raw(source: Path) -> dict[str, Any]:
    """json.loads and a bare executemany of the same rows into a plain table."""
    setup_django()
    from django.conf import settings

    from kakehashi.cna.importer import documents

    database = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=NORMAL")
    database.execute(
        "CREATE TABLE bench_raw (cve_id TEXT UNIQUE, state TEXT, title TEXT, "
        "descriptions TEXT, affected TEXT)"
    )
    started = time.perf_counter()
    count, batch = 0, []
    for _name, data in documents(source):
        record = json.loads(data)
        cna = record["containers"]["cna"]
        batch.append(
            (
                record["cveMetadata"]["cveId"],
                record["cveMetadata"]["state"],
                cna.get("title", ""),
                json.dumps(cna["descriptions"], ensure_ascii=False),
                json.dumps(cna["affected"], ensure_ascii=False),
            )
        )
        count += 1
        if len(batch) == 1000:
            database.executemany("INSERT INTO bench_raw VALUES (?, ?, ?, ?, ?)", batch)
            database.commit()
            batch = []
    database.executemany("INSERT INTO bench_raw VALUES (?, ?, ?, ?, ?)", batch)
    database.commit()
    seconds = time.perf_counter() - started
    database.execute("DROP TABLE bench_raw")
    database.commit()
    return {
        "raw": {
            "records": count,
            "seconds": round(seconds, 1),
            "records_per_s": round(count / seconds, 1),
        }
    }


def _import(source: Path) -> dict[str, Any]:
    import io

    from django.core.management import call_command

    started = time.perf_counter()
    out = io.StringIO()
    call_command("cna", "import", str(source), stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "summary": out.getvalue().strip()}


def do_import(source: Path) -> dict[str, Any]:
    setup_django()
    from kakehashi.cna.models import CorpusRecord

    first = _import(source)
    count = CorpusRecord.objects.count()
    first["records_per_s"] = round(count / first["seconds"], 1)
    second = _import(source)
    second["records_per_s"] = round(count / second["seconds"], 1)
    second["unchanged"] = count if f"{count} unchanged" in second["summary"] else 0
    return {"import": {"records": count, **first}, "reimport": second}


def _seed_cases() -> Any:
    from kakehashi.accounts.models import Organisation
    from kakehashi.cases.models import Case, CaseProduct, Participant, Vulnerability

    coordination = Organisation.objects.create(kind="coordinator", slug="bench-coord", name_en="C")
    reception = Organisation.objects.create(kind="reception", slug="bench-rec", name_en="R")
    vendor = Organisation.objects.create(kind="vendor", slug="bench-vendor", name_en="V")
    rng = random.Random(5)  # noqa: S311 - benchmark data
    cases = Case.objects.bulk_create(
        Case(
            reference=f"BG-{n:06d}",
            title_en=f"{rng.choice(_FLAWS)[1]} in {rng.choice(_PRODUCTS)[0]} {n}",
            title_ja=f"{rng.choice(_PRODUCTS)[1]}における脆弱性 {n}",
            coordinator_org=coordination,
            reception_org=reception,
            phase="published" if n % 3 else "contacting",
        )
        for n in range(CASES)
    )
    participants = Participant.objects.bulk_create(
        Participant(case=c, role="vendor", organisation=vendor, rm_state="R") for c in cases
    )
    CaseProduct.objects.bulk_create(
        CaseProduct(case=c, vendor=p, name=f"{rng.choice(_PRODUCTS)[1]} {n}")
        for n, (c, p) in enumerate(zip(cases, participants, strict=True))
    )
    Vulnerability.objects.bulk_create(
        Vulnerability(case=c, number=1, title_en=c.title_en, title_ja=c.title_ja) for c in cases
    )
    return reception


def _queries() -> list[str]:
    from kakehashi.cna.models import CorpusRecord

    some = list(CorpusRecord.objects.order_by("?").values_list("cve_id", flat=True)[:5])
    return [
        "ルーター管理ツール",
        "帳票出力システム",
        "勤怠管理クラウド",
        "無線LANルーター",
        "ネットワークカメラ 境界外書き込み",
        "cross-site scripting",
        "SQL injection Form Printer",
        "hard-coded credentials",
        "Router Manager 123",
        "cpe:2.3:a:sample_electric:",
        "cpe:2.3:a:kaede_systems:web_mail_",
        "pkg:npm/",
        "pkg:pypi/groupware",
        "Tsubame Labs",
        *some,
    ]


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples.sort()
    return {
        "samples": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def search(source: Path) -> dict[str, Any]:
    setup_django()
    from kakehashi.cases.models import Case
    from kakehashi.cna import corpus
    from kakehashi.cna.models import CorpusRecord
    from kakehashi.intake.known import find_similar, terms_for
    from kakehashi.intake.models import Report

    reception = _seed_cases()
    report = Report(reception_org=reception)  # the clerk's report (only its desk matters)
    queries = _queries()
    for query in queries:  # warm the caches once
        find_similar(report, query)
    known, provider, page, per_query = [], [], [], {}
    for _round in range(ROUNDS):
        for query in queries:
            started = time.perf_counter()
            find_similar(report, query)
            known.append((time.perf_counter() - started) * 1000)
            per_query[query] = max(per_query.get(query, 0.0), known[-1])
            started = time.perf_counter()
            corpus.known_vulnerabilities(report, terms_for(report, query))
            provider.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            corpus.search(query, 50)
            page.append((time.perf_counter() - started) * 1000)
    return {
        "search": {
            "corpus": CorpusRecord.objects.count(),
            "cases": Case.objects.count(),
            "queries": len(queries),
            "rounds": ROUNDS,
            **_percentiles(known),
            "slowest_ms_by_query": {q: round(ms, 1) for q, ms in per_query.items()},
        },
        "corpus_provider": _percentiles(provider),
        "corpus_search": _percentiles(page),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("--raw", "--import", "--search"):
        step = {"--raw": raw, "--import": do_import, "--search": search}[sys.argv[1]]
        print(json.dumps(step(Path(sys.argv[2]))))
    else:
        from benchmarks.harness import Options as _Options

        print("\n".join(run(_Options()).summary))
