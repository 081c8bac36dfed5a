"""Adding 1,000 vendors to a case and notifying them (issue #5, "Speed").

Goals: the request that adds 1,000 vendors and the request that notifies them each
return in under a second; every message (half of them PGP/MIME encrypted, all signed)
has reached a loopback SMTP server within 60 seconds.

Like the case page benchmark, it migrates a throw-away SQLite database and runs itself
in child processes: ``--seed`` registers the vendors (a handful of OpenPGP keys made
once and shared by half of them) and opens the case; ``--measure`` starts an aiosmtpd
server on an ephemeral loopback port, makes both requests through Django's test client
as the case's coordinator (full middleware stack, no network), then starts
``kakehashi db_worker`` processes pointed at that server and waits for the mail.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.harness import Options, Outcome, child_steps, setup_django
from benchmarks.server import (
    LOOPBACK,
    PROJECT_DIR,
    free_port,
    kakehashi_command,
    prepare,
    server_environment,
)

NAME = "vendor_notify"
VENDORS = 1_000
KEYS = 5  # distinct vendor keys, shared by the half of the vendors that have one
GOAL_REQUEST_S = 1.0
GOAL_DELIVERY_S = 60.0
DELIVERY_TIMEOUT_S = 300.0
PASSPHRASE = "benchmark platform key"  # noqa: S105 - throw-away key in a temp dir


def workers() -> int:
    """Mail jobs are mostly GnuPG processes: a few more workers than CPUs keep them busy."""
    return int(os.environ.get("BENCH_NOTIFY_WORKERS", str(2 * len(os.sched_getaffinity(0)) + 2)))


def run(options: Options) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as var:
        env = server_environment(Path(var))
        # This checkout's code, also in the ``kakehashi`` commands the workers run.
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PROJECT_DIR / "src"), env.get("PYTHONPATH", "")])
        )
        env["KAKEHASHI_PGP_SECRET_KEY_FILE"] = str(Path(var) / "platform.asc")
        env["KAKEHASHI_PGP_PASSPHRASE"] = PASSPHRASE
        prepare(env, Path(var) / "prepare.log")
        data = child_steps("benchmarks.vendor_notify", env, timeout=1800)
    add, notify, delivery = data["add_request"], data["notify_request"], data["delivery"]
    data["goal"] = {
        "request_seconds_below": GOAL_REQUEST_S,
        "delivery_seconds_below": GOAL_DELIVERY_S,
        "met": add["seconds"] < GOAL_REQUEST_S
        and notify["seconds"] < GOAL_REQUEST_S
        and delivery["received"] == VENDORS
        and delivery["seconds"] < GOAL_DELIVERY_S,
    }
    summary = [
        f"add {VENDORS} vendors in one request: {add['seconds']:.3f} s; "
        f"notify them in one request: {notify['seconds']:.3f} s (goal < {GOAL_REQUEST_S:.0f} s)",
        f"{delivery['received']}/{VENDORS} messages ({delivery['encrypted']} encrypted) at the "
        f"loopback SMTP server in {delivery['seconds']:.1f} s with {delivery['workers']} "
        f"workers (goal < {GOAL_DELIVERY_S:.0f} s)",
    ]
    return Outcome(data=data, summary=summary)


# --- the child processes ----------------------------------------------------------------------


def seed() -> dict[str, Any]:
    setup_django()
    from kakehashi.accounts.models import Membership, Organisation, User
    from kakehashi.cases import actions
    from kakehashi.core import pgp
    from kakehashi.vendors.models import ContactPoint, VendorKey, VendorProfile

    started = time.perf_counter()
    platform = pgp.generate_key("Kakehashi bench", "desk@bench.test", PASSPHRASE)
    Path(os.environ["KAKEHASHI_PGP_SECRET_KEY_FILE"]).write_text(platform.secret_armor)
    keys = [pgp.generate_key(f"Vendor key {n}", f"psirt{n}@keys.test", "x") for n in range(KEYS)]
    coordination = Organisation.objects.create(
        kind="coordinator", slug="bench-coord", name_en="Coordination", mfa_required=False
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind="vendor",
            slug=f"bench-vendor-{n}",
            name_en=f"Vendor {n:04d}",
            name_ja=f"製品開発者 {n:04d}",
        )
        for n in range(VENDORS)
    )
    profiles = VendorProfile.objects.bulk_create(
        VendorProfile(organisation=o, preferred_language="ja" if n % 2 else "en")
        for n, o in enumerate(organisations)
    )
    ContactPoint.objects.bulk_create(
        ContactPoint(profile=p, kind="email", value=f"psirt@vendor{n}.test", email_role="to")
        for n, p in enumerate(profiles)
    )
    VendorKey.objects.bulk_create(
        VendorKey(
            profile=p,
            armored=keys[n % KEYS].public_armor,
            fingerprint=keys[n % KEYS].info.fingerprint,
            expires_at=keys[n % KEYS].info.expires,
            can_encrypt=True,
        )
        for n, p in enumerate(profiles)
        if n % 2 == 0
    )
    coordinator = User.objects.create_user("bench-coordinator", password="x", language="en")  # noqa: S106 - throw-away benchmark user
    Membership.objects.create(user=coordinator, organisation=coordination, role="coordinator")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=coordination,
        title_en="Library flaw shipped by a thousand vendors",
        title_ja="千の製品開発者が同梱するライブラリの脆弱性",
    )
    actions.add_vulnerability(
        case,
        actor=coordinator,
        title_en="Heap overflow in the parser",
        description_en="A crafted file overflows a heap buffer.",
        cwe_id="CWE-787",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    return {"seed_seconds": round(time.perf_counter() - started, 1), "case_id": case.pk}


class _Inbox:
    def __init__(self) -> None:
        self.received = 0
        self.encrypted = 0
        self.last_at = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
            self.encrypted += b"multipart/encrypted" in envelope.original_content
            self.last_at = time.perf_counter()
        return "250 Message accepted for delivery"


def _post(client: Any, path: str, data: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = client.post(path, data)
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"POST {path} answered {response.status_code}")
    return seconds


def measure() -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    port = free_port()
    os.environ["EMAIL_HOST"] = LOOPBACK
    os.environ["EMAIL_PORT"] = str(port)
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kakehashi.accounts.models import Organisation, User
    from kakehashi.cases.models import Case

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    inbox = _Inbox()
    controller = Controller(inbox, hostname=LOOPBACK, port=port)
    controller.start()
    try:
        case = Case.objects.get(title_en="Library flaw shipped by a thousand vendors")
        client = Client()
        client.force_login(User.objects.get(username="bench-coordinator"))
        client.get(f"/en/cases/{case.pk}/")  # the first request after login writes the session
        vendor_ids = list(Organisation.objects.filter(kind="vendor").values_list("pk", flat=True))
        add_seconds = _post(
            client,
            f"/en/vendors/cases/{case.pk}/add/",
            {"vendors-revision": case.revision, "vendors-organisations": vendor_ids},
        )
        case.refresh_from_db()
        notify_seconds = _post(
            client,
            f"/en/vendors/cases/{case.pk}/notify/",
            {"notify-revision": case.revision, "notify-scope": "all"},
        )
        delivery = _deliver(inbox)
    finally:
        controller.stop()
    from kakehashi.cases.models import ContactAttempt
    from kakehashi.vendors.models import VendorNotice

    # What the product recorded: one contact attempt and one sent notice per vendor.
    delivery["contact_attempts"] = ContactAttempt.objects.filter(case=case).count()
    delivery["notices_sent"] = VendorNotice.objects.filter(case=case, state="sent").count()
    return {
        "vendors": VENDORS,
        "vendors_with_keys": VENDORS // 2,
        "database": settings.DATABASES["default"]["ENGINE"],
        "add_request": {"seconds": round(add_seconds, 3)},
        "notify_request": {"seconds": round(notify_seconds, 3)},
        "delivery": delivery,
    }


def _deliver(inbox: _Inbox) -> dict[str, Any]:
    """Start the workers, wait for every message (or the timeout), stop the workers."""
    count = workers()
    command = [*kakehashi_command(), "db_worker", "--queue-name", "*", "--interval", "0.2"]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [*command, "--worker-id", f"bench-{n}", "--no-startup-delay"],
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for n in range(count)
    ]
    try:
        while inbox.received < VENDORS and time.perf_counter() - started < DELIVERY_TIMEOUT_S:
            time.sleep(0.1)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    return {
        "workers": count,
        "received": inbox.received,
        "encrypted": inbox.encrypted,
        "seconds": round((inbox.last_at or time.perf_counter()) - started, 1),
    }


if __name__ == "__main__":
    if "--seed" in sys.argv:
        print(json.dumps(seed()))
    elif "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        print("\n".join(run(Options()).summary))
