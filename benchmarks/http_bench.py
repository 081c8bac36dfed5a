"""Public home page against the minimal view, on the production server.

Anonymous visitors get the home page (``/ja/``) from a per-language cache
(``core/public.py``), so it should cost little more than ``/healthz``, which crosses the
same middleware and renders nothing. Goal: home page requests/s ≥ 0.8 x healthz's.

The two URLs are measured in alternating order over several rounds because the machine
is noisy; medians are reported.
"""

from __future__ import annotations

import http.client
from typing import Any

from benchmarks import load
from benchmarks.harness import BenchmarkError, Options, Outcome, median
from benchmarks.server import Server, running_server

NAME = "http"
GOAL_RATIO = 0.8
WORKERS = 4
TARGETS = {"home": "/ja/", "healthz": "/healthz"}


def fetch(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def preflight(server: Server) -> dict[str, Any]:
    """Each target answers 200 (twice, so the home page is also served from its cache)."""
    facts: dict[str, Any] = {}
    for name, path in TARGETS.items():
        for _ in range(2):
            status, headers, body = fetch(server, path)
            if status != 200:
                raise BenchmarkError(f"GET {path} answered {status}, expected 200")
        facts[name] = {"bytes": len(body), "content_type": headers.get("Content-Type")}
    _status, _headers, home = fetch(server, TARGETS["home"])
    # Without compiled catalogs (make messages) /ja/ renders in English: same cost, but say so.
    facts["home_translated"] = "脆弱性" in home.decode("utf-8", errors="replace")
    return facts


def measure(
    tool: load.LoadTool, server: Server, path: str, seconds: float, options: Options
) -> load.LoadResult:
    spec = load.LoadSpec(url=server.url(path), duration_s=seconds, connections=options.connections)
    result = tool.run(spec)
    if result.error_count or result.requests == 0:
        raise BenchmarkError(f"{path}: {result.requests} requests, errors {result.errors}")
    if result.capped:
        raise BenchmarkError(f"{path}: hit the cap of {result.max_requests} requests")
    return result


def run_rounds(tool: load.LoadTool, server: Server, options: Options) -> list[dict[str, Any]]:
    for path in TARGETS.values():
        measure(tool, server, path, options.warmup_s, options)
    runs = []
    for round_number in range(1, options.rounds + 1):
        names = list(TARGETS) if round_number % 2 else list(reversed(TARGETS))
        for name in names:
            result = measure(tool, server, TARGETS[name], options.duration_s, options)
            runs.append({"round": round_number, "target": name, **result.as_dict()})
            print(
                f"  round {round_number} {TARGETS[name]:<9} {result.requests_per_s:8.1f} req/s"
                f"  p50 {result.latency_ms['p50']:.2f} ms  p99 {result.latency_ms['p99']:.2f} ms",
                flush=True,
            )
    return runs


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    figures = {}
    for name in TARGETS:
        mine = [run for run in runs if run["target"] == name]
        figures[name] = {
            "requests_per_s": round(median([run["requests_per_s"] for run in mine]), 1),
            "p50_ms": round(median([run["latency_ms"]["p50"] for run in mine]), 3),
            "p99_ms": round(median([run["latency_ms"]["p99"] for run in mine]), 3),
        }
    return figures


def ratios(runs: list[dict[str, Any]], figures: dict[str, dict[str, float]]) -> dict[str, Any]:
    per_round = []
    for round_number in sorted({run["round"] for run in runs}):
        rate = {
            run["target"]: run["requests_per_s"] for run in runs if run["round"] == round_number
        }
        per_round.append(round(rate["home"] / rate["healthz"], 3))
    value = figures["home"]["requests_per_s"] / figures["healthz"]["requests_per_s"]
    return {
        "home_over_healthz": round(value, 3),
        "per_round": per_round,
        "goal": GOAL_RATIO,
        "goal_met": value >= GOAL_RATIO,
    }


def summary_lines(data: dict[str, Any]) -> list[str]:
    lines = [
        f"{NAME}: {data['tool']['name']}, {data['tool']['rounds']} rounds x "
        f"{data['tool']['duration_s']:g} s, {data['tool']['connections']} connections, "
        f"{WORKERS} sync gunicorn workers"
    ]
    for name, path in TARGETS.items():
        figure = data["median"][name]
        lines.append(
            f"  {path:<9} {figure['requests_per_s']:8.1f} req/s (median)"
            f"  p50 {figure['p50_ms']:.2f} ms  p99 {figure['p99_ms']:.2f} ms"
        )
    ratio = data["ratio"]
    verdict = "met" if ratio["goal_met"] else "NOT met"
    lines.append(
        f"  ratio /ja/ : /healthz = {ratio['home_over_healthz']:.2f} "
        f"(per round {', '.join(f'{r:.2f}' for r in ratio['per_round'])}; "
        f"goal ≥ {GOAL_RATIO:.2f}: {verdict})"
    )
    return lines


def run(options: Options) -> Outcome:
    tool = load.select_tool(options.tool)
    with running_server(workers=WORKERS) as server:
        checks = preflight(server)
        runs = run_rounds(tool, server, options)
        command = list(server.command)
        settings = server.settings
    figures = medians(runs)
    data: dict[str, Any] = {
        "tool": {
            "name": tool.name,
            "version": tool.version(),
            "threads": 1,
            "connections": options.connections,
            "warmup_s": options.warmup_s,
            "duration_s": options.duration_s,
            "rounds": options.rounds,
            "max_requests_per_run": load.DEFAULT_MAX_REQUESTS,
        },
        "server": {"command": command, "workers": WORKERS, "settings": settings},
        "targets": TARGETS,
        "preflight": checks,
        "runs": runs,
        "median": figures,
        "ratio": ratios(runs, figures),
    }
    return Outcome(data=data, summary=summary_lines(data))
