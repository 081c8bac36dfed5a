"""``kakehashi serve``: the web server, one job worker and the scheduler, together.

The embedded deployment (``make run``): gunicorn with sync workers serves WSGI,
``db_worker`` runs background jobs and ``crontask`` enqueues periodic ones. If any
child exits, the others are stopped, so a supervisor sees one failure, not a half-up
service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve HTTP with gunicorn and run the job worker and scheduler beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4"))
        )
        parser.add_argument("--no-worker", action="store_true")
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        commands = [
            [
                python,
                "-m",
                "gunicorn",
                "kakehashi.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["web_workers"]),
                "--worker-class",
                "sync",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
        ]
        if not options["no_worker"]:
            commands.append(
                [python, "-m", "kakehashi", "db_worker", "--queue-name", "*", "--interval", "1"]
            )
        if not options["no_scheduler"]:
            commands.append([python, "-m", "kakehashi", "crontask"])
        children = [subprocess.Popen(cmd) for cmd in commands]  # noqa: S603 - our own argv

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
