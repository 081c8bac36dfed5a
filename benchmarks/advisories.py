"""Advisories at scale: the public page and the Atom feed against the minimal view, and
the job time of one publication, with 10,000 published advisories.

Issue #7: with 10,000 published advisories, an advisory page and the feeds served from
cache at ≥ 0.8 x the requests/s of a minimal view (``/healthz``) under the same server;
publishing one advisory (all formats) under 1 s of job time. (Regenerating every export
for all 10,000 under 60 s is timed with ``kakehashi export`` over the same database.)

A child process seeds the throw-away SQLite database before the server starts: one
advisory published through the real actions (a case with two vendors, approved
statuses, a scored vulnerability), whose frozen content is then copied into 9,999 more
published advisories by bulk insert; then it publishes one more real advisory and
times the job — ``publish_if_due`` plus rendering every format that exists for the new
revision (the page in both languages, the Atom feed in both languages, OSV). The server
(4 sync gunicorn workers, local-memory cache per worker) then serves the page and the
feed from its cache; the URLs are measured in alternating order over several rounds,
medians reported, as the HTTP benchmark does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks import load
from benchmarks.harness import BenchmarkError, Options, Outcome, median, setup_django
from benchmarks.http_bench import fetch, measure
from benchmarks.server import PROJECT_DIR, Server, running_server

NAME = "advisories"
GOAL_RATIO = 0.8
GOAL_PUBLISH_S = 1.0
GOAL_EXPORT_S = 60.0
ADVISORIES = 10_000
WORKERS = 4
PUBLISH_SAMPLES = 5


def run(options: Options) -> Outcome:
    tool = load.select_tool(options.tool)
    seeded: dict[str, Any] = {}
    seeded_env: dict[str, str] = {}

    def seed(env: dict[str, str]) -> None:
        seeded_env.update(env)
        command = [sys.executable, "-m", "benchmarks.advisories", "--seed"]
        done = subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if done.returncode != 0:
            raise BenchmarkError(f"advisories benchmark seed failed:\n{done.stderr[-3000:]}")
        seeded.update(json.loads(done.stdout.strip().splitlines()[-1]))

    with running_server(workers=WORKERS, seed=seed) as server:
        targets = {
            "healthz": "/healthz",
            "page": f"/ja/advisories/{seeded['slug']}/",
            "feed": "/ja/feeds/advisories.atom",
        }
        checks = _preflight(server, targets, seeded["slug"])
        runs = _rounds(tool, server, targets, options)
        command = list(server.command)
        export_all = _export_all(seeded_env)  # the database lives as long as the server
    figures = _medians(runs, targets)
    healthz = figures["healthz"]["requests_per_s"]
    ratio = {name: round(figures[name]["requests_per_s"] / healthz, 3) for name in ("page", "feed")}
    per_round = _per_round(runs)
    publish = seeded["publish"]
    data: dict[str, Any] = {
        "tool": {
            "name": tool.name,
            "version": tool.version(),
            "connections": options.connections,
            "warmup_s": options.warmup_s,
            "duration_s": options.duration_s,
            "rounds": options.rounds,
        },
        "server": {"command": command, "workers": WORKERS},
        "advisories_in_database": seeded["advisories"],
        "seed_seconds": seeded["seed_seconds"],
        "targets": targets,
        "preflight": checks,
        "runs": runs,
        "median": figures,
        "ratio_to_healthz": ratio,
        "ratio_per_round": per_round,
        "publish": publish,
        "export_all": export_all,
        "goal": {
            "ratio_at_least": GOAL_RATIO,
            "publish_s_below": GOAL_PUBLISH_S,
            "export_all_s_below": GOAL_EXPORT_S,
            "met": min(ratio.values()) >= GOAL_RATIO
            and publish["max_s"] < GOAL_PUBLISH_S
            and export_all["seconds"] < GOAL_EXPORT_S,
        },
    }
    summary = [
        f"{NAME}: {seeded['advisories']} published advisories; {tool.name}, "
        f"{options.rounds} rounds x {options.duration_s:g} s, {options.connections} connections",
        *(
            f"  {path:<32} {figures[name]['requests_per_s']:8.1f} req/s (median)"
            f"  p50 {figures[name]['p50_ms']:.2f} ms  p99 {figures[name]['p99_ms']:.2f} ms"
            for name, path in targets.items()
        ),
        f"  page : healthz = {ratio['page']:.2f} (per round "
        f"{', '.join(f'{r:.2f}' for r in per_round['page'])}), feed : healthz = "
        f"{ratio['feed']:.2f} (per round {', '.join(f'{r:.2f}' for r in per_round['feed'])}); "
        f"goal ≥ {GOAL_RATIO:.2f}",
        f"  publication job (publish_if_due + page, feed, OSV): median {publish['median_s']:.3f} s,"
        f" max {publish['max_s']:.3f} s over {publish['samples']} (goal < {GOAL_PUBLISH_S:g} s)",
        f"  regenerating every export (`kakehashi export`): {export_all['seconds']:.1f} s for "
        f"{export_all['files']} files (goal < {GOAL_EXPORT_S:g} s)",
        f"  goal {'met' if data['goal']['met'] else 'NOT met'}",
    ]
    return Outcome(data=data, summary=summary)


def _export_all(env: dict[str, str]) -> dict[str, Any]:
    """Time ``kakehashi export`` over the seeded database (every format, every advisory)."""
    with tempfile.TemporaryDirectory(prefix="kakehashi-export-") as directory:
        out = Path(directory) / "site"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "kakehashi", "export", "--out", str(out)],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise BenchmarkError(f"kakehashi export failed:\n{done.stderr[-3000:]}")
        files = sum(1 for path in out.rglob("*") if path.is_file())
    return {"seconds": round(seconds, 2), "files": files, "report": done.stdout[-2000:]}


def _preflight(server: Server, targets: dict[str, str], slug: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, path in targets.items():
        for _ in range(2):  # the second answer comes from the cache
            status, headers, body = fetch(server, path)
            if status != 200:
                raise BenchmarkError(f"GET {path} answered {status}, expected 200")
        facts[name] = {"bytes": len(body), "content_type": headers.get("Content-Type")}
    _status, _headers, feed = fetch(server, targets["feed"])
    facts["feed_has_the_advisory"] = slug.encode() in feed
    return facts


def _rounds(
    tool: load.LoadTool, server: Server, targets: dict[str, str], options: Options
) -> list[dict[str, Any]]:
    for path in targets.values():
        measure(tool, server, path, options.warmup_s, options)
    runs = []
    for round_number in range(1, options.rounds + 1):
        names = list(targets) if round_number % 2 else list(reversed(targets))
        for name in names:
            result = measure(tool, server, targets[name], options.duration_s, options)
            runs.append({"round": round_number, "target": name, **result.as_dict()})
            print(
                f"  round {round_number} {targets[name]:<32} {result.requests_per_s:8.1f} req/s",
                flush=True,
            )
    return runs


def _per_round(runs: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Each round's ratio to /healthz: their spread tells how far to trust the medians."""
    ratios: dict[str, list[float]] = {"page": [], "feed": []}
    for number in sorted({run["round"] for run in runs}):
        rate = {run["target"]: run["requests_per_s"] for run in runs if run["round"] == number}
        for name, values in ratios.items():
            values.append(round(rate[name] / rate["healthz"], 3))
    return ratios


def _medians(runs: list[dict[str, Any]], targets: dict[str, str]) -> dict[str, dict[str, float]]:
    figures = {}
    for name in targets:
        mine = [run for run in runs if run["target"] == name]
        figures[name] = {
            "requests_per_s": round(median([run["requests_per_s"] for run in mine]), 1),
            "p50_ms": round(median([run["latency_ms"]["p50"] for run in mine]), 3),
            "p99_ms": round(median([run["latency_ms"]["p99"] for run in mine]), 3),
        }
    return figures


# --- the child process: seed, and time publications ----------------------------------


def _published_case(coordinator: Any, org: dict[str, Any], number: int) -> Any:
    """A case with two vendors (fixed, not affected) and an approved, scheduled advisory."""
    from kakehashi.advisories import actions
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.models import Case

    def fresh(case: Any) -> Any:
        return Case.objects.get(pk=case.pk)

    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=org["coordination"],
        reception_org=org["reception"],
        origin="report",
        title_en=f"Stored XSS in Example CMS {number}",
        title_ja=f"Example CMS {number} における格納型クロスサイトスクリプティング",
    )
    fixed, unaffected = case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[org["vendor-a"], org["vendor-b"]]
    )
    case_actions.add_product(
        fresh(case),
        fixed,
        actor=coordinator,
        name="Example CMS",
        versions="3.2.0 and earlier",
        purl="pkg:pypi/example-cms",
    )
    vulnerability = case_actions.add_vulnerability(
        fresh(case),
        actor=coordinator,
        title_en="Stored XSS in the comment form",
        title_ja="コメント欄における格納型クロスサイトスクリプティング",
        description_en="The comment form does not escape its input.",
        description_ja="コメント欄の入力がエスケープされません。",
        cwe_id="CWE-79",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    )
    for vendor, status in ((fixed, "fixed"), (unaffected, "not_affected")):
        recorded = case_actions.record_vendor_status(
            fresh(case),
            vendor,
            vulnerability,
            actor=coordinator,
            status=status,
            fixed_in="3.2.1" if status == "fixed" else "",
            justification="component_not_present" if status == "not_affected" else "",
            statement_en="Statement",
            statement_ja="声明",
        )
        case_actions.approve_vendor_status(fresh(case), recorded, actor=coordinator)
    advisory = actions.start_advisory(fresh(case), actor=coordinator)
    for text in advisory.texts.all():
        actions.approve_text(advisory, text.language, actor=coordinator, version=text.version)
    advisory.refresh_from_db()
    return advisory


def _publish_job(advisory_pk: int) -> float:
    """The publication job's time: ``publish_if_due`` and every format that exists,
    rendered from the new revision (pages and feeds in both languages, OSV)."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import timezone, translation

    from kakehashi.advisories.actions import publish_if_due
    from kakehashi.advisories.exports import current_revisions
    from kakehashi.advisories.exports.osv import osv_document
    from kakehashi.advisories.models import Advisory
    from kakehashi.advisories.presentation import page_context
    from kakehashi.advisories.views.public import atom_document
    from kakehashi.core.public import clear_public_cache

    factory = RequestFactory()
    started = time.perf_counter()
    revision = publish_if_due(advisory_pk, now=timezone.now() + timedelta(days=400))
    if revision is None:
        raise RuntimeError("the advisory was not published")
    clear_public_cache()  # what on_commit does after the job's transaction
    advisory = Advisory.objects.get(pk=advisory_pk)
    for language in ("ja", "en"):
        with translation.override(language):
            request = factory.get(f"/{language}/advisories/{advisory.slug}/")
            context = page_context(advisory, revision.content, language)
            render_to_string("advisories/advisory.html", context, request=request)
            atom_document(current_revisions(50), language, f"/{language}/feeds/advisories.atom")
    osv_document(revision.content, None)  # (CSAF and VULDEF were built and validated by the job)
    return time.perf_counter() - started


def seed() -> dict[str, Any]:
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from kakehashi.accounts.models import Membership, Organisation, User
    from kakehashi.advisories.actions import publish_if_due
    from kakehashi.advisories.models import Advisory, AdvisoryRevision

    started = time.perf_counter()
    org = {
        slug: Organisation.objects.create(kind=kind, slug=slug, name_en=name, mfa_required=False)
        for slug, kind, name in (
            ("coordination", "coordinator", "Coordination"),
            ("reception", "reception", "Reception"),
            ("vendor-a", "vendor", "Vendor A"),
            ("vendor-b", "vendor", "Vendor B"),
        )
    }
    coordinator = User.objects.create_user("bench-coordinator", password="x", language="en")  # noqa: S106 - throw-away benchmark user
    Membership.objects.create(
        user=coordinator, organisation=org["coordination"], role="coordinator"
    )

    model = _published_case(coordinator, org, 0)
    publish_if_due(model.pk, now=timezone.now() + timedelta(days=400))
    model.refresh_from_db()
    content = model.current_revision.content
    revision_model = model.current_revision
    now = timezone.now()
    batch = 2_000
    with transaction.atomic():
        for start in range(1, ADVISORIES, batch):
            numbers = range(start, min(start + batch, ADVISORIES))
            advisories = Advisory.objects.bulk_create(
                [
                    Advisory(
                        coordinator_org=org["coordination"],
                        advisory_id=f"JVN#{n:08d}",
                        slug=f"JVN{n:08d}",
                        kind=model.kind,
                        state="published",
                        published_at=now - timedelta(hours=n),
                        updated_at=now - timedelta(hours=n),
                    )
                    for n in numbers
                ]
            )
            revisions = AdvisoryRevision.objects.bulk_create(
                [
                    AdvisoryRevision(
                        advisory=advisory,
                        number=1,
                        published_at=advisory.published_at,
                        content={**content, "id": advisory.advisory_id, "slug": advisory.slug},
                        search_text=revision_model.search_text,
                        severity=revision_model.severity,
                        cwe_ids=revision_model.cwe_ids,
                    )
                    for advisory in advisories
                ]
            )
            for advisory, revision in zip(advisories, revisions, strict=True):
                advisory.current_revision = revision
            Advisory.objects.bulk_update(advisories, ["current_revision"])
    seed_seconds = time.perf_counter() - started
    samples = sorted(
        _publish_job(_published_case(coordinator, org, n).pk) for n in range(1, PUBLISH_SAMPLES + 1)
    )
    return {
        "advisories": Advisory.objects.published().count(),
        "slug": model.slug,
        "seed_seconds": round(seed_seconds, 1),
        "publish": {
            "samples": len(samples),
            "median_s": round(median(samples), 4),
            "max_s": round(samples[-1], 4),
            "all_s": [round(s, 4) for s in samples],
            "formats": ["page ja", "page en", "atom ja", "atom en", "osv"],
        },
    }


if __name__ == "__main__":
    if "--seed" in sys.argv:
        print(json.dumps(seed()))
    else:
        from benchmarks.harness import Options as _Options

        print("\n".join(run(_Options()).summary))
