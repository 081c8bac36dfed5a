"""The coordinator's case page for a large multi-vendor case, in a large database.

Issue #3: a case with 1,000 vendor participants and 20 vulnerabilities, in a database
with 100,000 cases: case page p95 under 150 ms, and a constant number of SQL queries
whatever the number of vendors.

The benchmark migrates a throw-away SQLite database (as the HTTP benchmark does), then
runs itself twice in child processes with those settings: the first seeds the data
(bulk inserts for the 100,000 background cases; the real actions for the big case, so
its rows are what the product writes); the second, a fresh process like a server
worker, requests the page in-process through Django's test client, logged in as the
case's coordinator — the full middleware stack, no network.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.harness import (
    Options,
    Outcome,
    child_steps,
    in_process_queries,
    in_process_timings,
    setup_django,
)
from benchmarks.server import prepare, server_environment

NAME = "case_page"
GOAL_P95_MS = 150.0
BACKGROUND_CASES = 100_000
VENDORS = 1_000
VULNERABILITIES = 20
REQUESTS = 60


def run(options: Options) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as var:
        env = server_environment(Path(var))
        prepare(env, Path(var) / "prepare.log")
        data = child_steps("benchmarks.case_page", env)
    page = data["case_page"]
    data["goal"] = {
        "p95_ms_below": GOAL_P95_MS,
        "met": page["p95_ms"] < GOAL_P95_MS and data["queries"]["constant"],
    }
    summary = [
        f"case page, {VENDORS} vendors × {VULNERABILITIES} vulnerabilities, "
        f"{data['cases_in_database']} cases: p50 {page['p50_ms']:.1f} ms, "
        f"p95 {page['p95_ms']:.1f} ms (goal < {GOAL_P95_MS:.0f} ms)",
        f"queries: {data['queries']['big_case']} for the big case, "
        f"{data['queries']['small_case']} for a 1-vendor case "
        f"({'constant' if data['queries']['constant'] else 'NOT constant'})",
        f"case list: p95 {data['case_list']['p95_ms']:.1f} ms",
    ]
    return Outcome(data=data, summary=summary)


# --- the child process: seed and measure ---------------------------------------------


def _seed_background(coordination: Any, vendor: Any) -> None:
    from kakehashi.cases.models import Case, Participant

    phases = [
        "identifying_vendors",
        "contacting",
        "verifying",
        "schedule_agreed",
        "published",
        "closed",
    ]
    rng = random.Random(3)  # noqa: S311 - benchmark data
    now = _now()
    batch = 5_000
    for start in range(0, BACKGROUND_CASES, batch):
        cases = [
            Case(
                reference=f"BG-{n:06d}",
                title_en=f"Background case {n}",
                title_ja=f"背景の案件 {n}",
                coordinator_org=coordination,
                phase=rng.choice(phases),
                priority_rank=rng.randint(0, 2),
                target_publication_at=now + timedelta(days=rng.randint(-200, 200)),
            )
            for n in range(start, start + batch)
        ]
        Case.objects.bulk_create(cases)
        Participant.objects.bulk_create(
            [
                Participant(case=c, role="coordinator", organisation=coordination, rm_state="A")
                for c in cases
            ]
            + [
                Participant(case=c, role="vendor", organisation=vendor, rm_state="R", vfd="Vfd")
                for c in cases
            ]
        )


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _big_case(coordinator: Any, coordination: Any, reception: Any, vendors: list[Any]) -> Any:
    from kakehashi.cases import actions
    from kakehashi.cases.models import Case, VendorStatus, VendorStatusHistory

    case = actions.create_case(
        actor=coordinator,
        coordinator_org=coordination,
        reception_org=reception,
        origin="report",
        title_en="Library flaw shipped by a thousand vendors",
        title_ja="千の製品開発者が同梱するライブラリの脆弱性",
    )
    participants = actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=vendors
    )
    vulnerabilities = [
        actions.add_vulnerability(
            case,
            actor=coordinator,
            title_en=f"Flaw {n}",
            title_ja=f"脆弱性 {n}",
            cwe_id="CWE-787",
            cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )
        for n in range(1, VULNERABILITIES + 1)
    ]
    for index, participant in enumerate(participants):
        actions.record_contact_attempt(
            Case.objects.get(pk=case.pk),
            participant,
            actor=coordinator,
            channel="email",
            address=f"psirt@vendor{index}.test",
            details_included=True,
            outcome="acknowledged" if index % 3 else "sent",
        )
    case = Case.objects.get(pk=case.pk)
    proposal = actions.propose_embargo(case, actor=coordinator, ends_at=_now() + timedelta(days=40))
    actions.accept_embargo(Case.objects.get(pk=case.pk), proposal, actor=coordinator)
    actions.invite_to_embargo(Case.objects.get(pk=case.pk), participants, actor=coordinator)
    statuses = ["affected", "fixed", "under_investigation", "unknown"]
    rows = [
        VendorStatus(
            case=case,
            vendor=p,
            vulnerability=v,
            status=statuses[(i + j) % 4],
            updated_by=coordinator,
        )
        for i, p in enumerate(participants)
        for j, v in enumerate(vulnerabilities)
    ]
    VendorStatus.objects.bulk_create(rows, batch_size=5_000)
    VendorStatusHistory.objects.bulk_create(
        [
            VendorStatusHistory(vendor_status=s, version=1, status=s.status, updated_by=coordinator)
            for s in VendorStatus.objects.filter(case=case)
        ],
        batch_size=5_000,
    )
    return Case.objects.get(pk=case.pk)


def seed() -> dict[str, Any]:
    setup_django()
    from kakehashi.accounts.models import Membership, Organisation, User
    from kakehashi.cases import actions

    seed_started = time.perf_counter()
    coordination = Organisation.objects.create(
        kind="coordinator", slug="bench-coord", name_en="Coordination", mfa_required=False
    )
    reception = Organisation.objects.create(kind="reception", slug="bench-rec", name_en="Reception")
    vendors = Organisation.objects.bulk_create(
        [
            Organisation(
                kind="vendor",
                slug=f"bench-vendor-{n}",
                name_en=f"Vendor {n:04d}",
                name_ja=f"製品開発者 {n:04d}",
            )
            for n in range(VENDORS)
        ]
    )
    coordinator = User.objects.create_user("bench-coordinator", password="x", language="en")  # noqa: S106 - throw-away benchmark user
    Membership.objects.create(user=coordinator, organisation=coordination, role="coordinator")
    _seed_background(coordination, vendors[0])
    big = _big_case(coordinator, coordination, reception, vendors)
    small = actions.create_case(
        actor=coordinator,
        coordinator_org=coordination,
        reception_org=reception,
        origin="report",
        title_en="Small case",
    )
    (vendor,) = actions.add_participants(
        small, actor=coordinator, role="vendor", organisations=[vendors[1]]
    )
    actions.add_vulnerability(
        small,
        actor=coordinator,
        title_en="Flaw",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    actions.record_contact_attempt(
        small,
        vendor,
        actor=coordinator,
        channel="email",
        address="psirt@vendor1.test",
        details_included=True,
        outcome="acknowledged",
    )
    proposal = actions.propose_embargo(
        small, actor=coordinator, ends_at=_now() + timedelta(days=40)
    )
    actions.accept_embargo(small, proposal, actor=coordinator)
    actions.record_vendor_status(
        small, vendor, small.vulnerabilities.get(), actor=coordinator, status="affected"
    )
    return {
        "seed_seconds": round(time.perf_counter() - seed_started, 1),
        "big_case_id": big.pk,
        "small_case_id": small.pk,
    }


def measure() -> dict[str, Any]:
    setup_django()
    import gc

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kakehashi.accounts.models import User
    from kakehashi.cases.models import Case

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    big = Case.objects.get(title_en="Library flaw shipped by a thousand vendors")
    small = Case.objects.get(title_en="Small case")
    client = Client()
    client.force_login(User.objects.get(username="bench-coordinator"))
    big_path, small_path = f"/en/cases/{big.pk}/", f"/en/cases/{small.pk}/"
    client.get(small_path)  # the first request after login also writes the session
    gc.collect()
    queries_big, queries_small = (
        in_process_queries(client, big_path),
        in_process_queries(client, small_path),
    )
    return {
        "cases_in_database": Case.objects.count(),
        "vendors": VENDORS,
        "vulnerabilities": VULNERABILITIES,
        "database": settings.DATABASES["default"]["ENGINE"],
        "case_page": in_process_timings(client, big_path, REQUESTS),
        "small_case_page": in_process_timings(client, small_path, REQUESTS),
        "case_list": in_process_timings(client, "/en/cases/", REQUESTS),
        "queries": {
            "big_case": queries_big,
            "small_case": queries_small,
            "constant": queries_big == queries_small,
        },
    }


if __name__ == "__main__":
    if "--seed" in sys.argv:
        print(json.dumps(seed()))
    elif "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        from benchmarks.harness import Options as _Options

        print("\n".join(run(_Options()).summary))
