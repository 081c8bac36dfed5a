"""What every benchmark shares: its options, its outcome, machine facts, the results files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.server import PROJECT_DIR

RESULTS_DIR = Path(__file__).resolve().with_name("results")


class BenchmarkError(RuntimeError):
    """A benchmark could not produce trustworthy figures (as opposed to missing a goal)."""


@dataclass(frozen=True)
class Options:
    """Knobs from the command line (or ``BENCH_*`` variables); each benchmark takes its own."""

    tool: str = "auto"
    rounds: int = 3
    duration_s: float = 10.0
    warmup_s: float = 2.0
    connections: int = 32


@dataclass
class Outcome:
    """A benchmark's figures for the JSON file, and the few lines printed for people."""

    data: dict[str, Any]
    summary: list[str] = field(default_factory=list)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def machine_info() -> dict[str, Any]:
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": _version("django"),
        "gunicorn": _version("gunicorn"),
        "whitenoise": _version("whitenoise"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write through a ``.tmp`` file so a reader never sees half a result."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def save_results(name: str, data: dict[str, Any], started: datetime) -> Path:
    """``results/<name>-<UTC stamp>.json`` plus the same as ``results/latest-<name>.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, data)
    write_json(RESULTS_DIR / f"latest-{name}.json", data)
    return path


def in_process_timings(client: Any, path: str, count: int) -> dict[str, float]:
    """Five warm-up requests (each must answer 200), then ``count`` timed ones through
    Django's test client in this process: p50, p95 and max in milliseconds."""
    for _ in range(5):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "requests": count,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def in_process_queries(client: Any, path: str) -> int:
    """How many SQL queries one GET of ``path`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def setup_django() -> None:
    """In a benchmark's child process: Django configured from the environment given."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
    django.setup()


def child_steps(
    module: str,
    env: dict[str, str],
    steps: tuple[str, ...] = ("--seed", "--measure"),
    *,
    timeout: int = 3600,
) -> dict[str, Any]:
    """Run ``python -m <module> <step>`` for each step in a fresh process with ``env``
    (the server's database and files), and merge the JSON each prints on its last line."""
    data: dict[str, Any] = {}
    for step in steps:
        done = subprocess.run(
            [sys.executable, "-m", module, step],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise BenchmarkError(f"{module} {step} failed:\n{done.stderr[-3000:]}")
        data.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return data
