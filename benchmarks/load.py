"""Bounded HTTP load generators: wrk when installed, else a small threaded Python client.

Every run is bounded twice, by duration and by a request cap, and stops by itself. Only
``http://127.0.0.1`` URLs are accepted: benchmarks never send traffic anywhere else.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).resolve().with_name("wrk_report.lua")
WRK_CANDIDATES = ("/usr/bin/wrk",)
DEFAULT_MAX_REQUESTS = 500_000
_JSON_MARKER = "BENCH_JSON "


class LoadError(RuntimeError):
    """The load generator failed, or the server answered with errors."""


@dataclass(frozen=True)
class LoadSpec:
    url: str
    duration_s: float
    connections: int
    threads: int = 1
    max_requests: int = DEFAULT_MAX_REQUESTS


@dataclass
class LoadResult:
    url: str
    duration_s: float
    requests: int
    latency_ms: dict[str, float]
    errors: dict[str, int] = field(default_factory=dict)
    max_requests: int = DEFAULT_MAX_REQUESTS

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def capped(self) -> bool:
        """The request cap, not the duration, ended the run (wrk then still waits the
        duration out, so requests_per_s understates the rate)."""
        return self.requests >= self.max_requests

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "duration_s": round(self.duration_s, 3),
            "requests": self.requests,
            "requests_per_s": round(self.requests_per_s, 1),
            "latency_ms": self.latency_ms,
            "errors": self.errors,
        }


class LoadTool(Protocol):
    name: str

    def version(self) -> str: ...

    def run(self, spec: LoadSpec) -> LoadResult: ...


def require_loopback(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise ValueError(f"benchmarks only target http://127.0.0.1, not {url!r}")


def find_wrk() -> str | None:
    for candidate in WRK_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("wrk")


def select_tool(preference: str = "auto") -> LoadTool:
    """``wrk`` or ``python`` by name; ``auto`` takes wrk when installed."""
    if preference not in {"auto", "wrk", "python"}:
        raise ValueError(f"unknown load tool {preference!r}: use auto, wrk or python")
    wrk = find_wrk() if preference != "python" else None
    if wrk:
        return WrkTool(wrk)
    if preference == "wrk":
        raise LoadError("wrk was asked for but is not installed (apt-get install wrk)")
    return PythonTool()


class WrkTool:
    name = "wrk"

    def __init__(self, path: str) -> None:
        self.path = path

    def version(self) -> str:
        # ``wrk -v`` prints its version and usage, then exits 1.
        done = subprocess.run(
            [self.path, "-v"], capture_output=True, text=True, timeout=10, check=False
        )
        lines = (done.stdout or done.stderr).splitlines()
        return lines[0].strip() if lines else "unknown"

    def run(self, spec: LoadSpec) -> LoadResult:
        require_loopback(spec.url)
        per_thread_cap = max(1, spec.max_requests // spec.threads)
        seconds = max(1, round(spec.duration_s))
        command = [
            self.path,
            f"-t{spec.threads}",
            f"-c{spec.connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(WRK_SCRIPT),
            spec.url,
            "--",
            str(per_thread_cap),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 30, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise LoadError(f"wrk did not finish within {seconds + 30} s") from exc
        if done.returncode != 0:
            raise LoadError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
        return parse_wrk_report(spec, done.stdout)


def parse_wrk_report(spec: LoadSpec, stdout: str) -> LoadResult:
    for line in stdout.splitlines():
        if line.startswith(_JSON_MARKER):
            try:
                report = json.loads(line.removeprefix(_JSON_MARKER))
            except json.JSONDecodeError as exc:
                raise LoadError(f"unreadable wrk summary: {line!r}") from exc
            break
    else:
        raise LoadError(f"wrk printed no summary:\n{stdout}")
    try:
        latency = report["latency_us"]
        return LoadResult(
            url=spec.url,
            duration_s=report["duration_us"] / 1e6,
            requests=report["requests"],
            latency_ms={key: round(value / 1000, 3) for key, value in latency.items()},
            errors=report["errors"],
            max_requests=spec.max_requests,
        )
    except (KeyError, TypeError) as exc:
        raise LoadError(f"unexpected wrk summary: {report!r}") from exc


class PythonTool:
    """Threads with ``http.client``; the client shares the CPUs with the server."""

    name = "python"

    def version(self) -> str:
        return "benchmarks.load.PythonTool (threads + http.client)"

    def run(self, spec: LoadSpec) -> LoadResult:
        require_loopback(spec.url)
        parts = urlsplit(spec.url)
        client = _Client(parts.hostname or "", parts.port or 80, parts.path or "/", spec)
        return client.run()


class _Client:
    def __init__(self, host: str, port: int, path: str, spec: LoadSpec) -> None:
        self.host, self.port, self.path, self.spec = host, port, path, spec
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.started = 0
        self.latencies: list[float] = []
        self.errors = {"connect": 0, "read": 0, "status": 0}

    def _take(self) -> bool:
        """Claim one request from the cap; False once it is spent."""
        with self.lock:
            if self.started >= self.spec.max_requests:
                return False
            self.started += 1
            return True

    def _count_error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1

    def _loop(self, deadline: float) -> None:
        connection: http.client.HTTPConnection | None = None
        mine: list[float] = []
        while not self.stop.is_set() and time.monotonic() < deadline and self._take():
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
                connection.request("GET", self.path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._count_error("connect" if isinstance(exc, ConnectionRefusedError) else "read")
                if connection is not None:
                    connection.close()
                connection = None
                continue
            mine.append(time.perf_counter() - began)
            if response.status >= 400:
                self._count_error("status")
            if response.will_close:  # gunicorn's sync workers close after each response
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with self.lock:
            self.latencies.extend(mine)

    def run(self) -> LoadResult:
        began = time.monotonic()
        deadline = began + self.spec.duration_s
        workers = [
            threading.Thread(target=self._loop, args=(deadline,), daemon=True)
            for _ in range(self.spec.connections)
        ]
        try:
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=max(0.0, deadline - time.monotonic()) + 10)
        finally:
            self.stop.set()
        elapsed = time.monotonic() - began
        return LoadResult(
            url=f"http://{self.host}:{self.port}{self.path}",
            duration_s=elapsed,
            requests=len(self.latencies),
            latency_ms=latency_summary(self.latencies),
            errors=dict(self.errors),
            max_requests=self.spec.max_requests,
        )


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50/p90/p99 (nearest rank), mean and max, in milliseconds."""
    if not seconds:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0}
    ordered = sorted(seconds)

    def rank(percent: float) -> float:
        index = max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered)) - 1))
        return round(ordered[index] * 1000, 3)

    return {
        "p50": rank(50),
        "p90": rank(90),
        "p99": rank(99),
        "mean": round(sum(ordered) / len(ordered) * 1000, 3),
        "max": round(ordered[-1] * 1000, 3),
    }
