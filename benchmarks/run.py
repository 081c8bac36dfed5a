"""Run Kakehashi's benchmarks: every registered one, or those named on the command line.

    .venv/bin/python benchmarks/run.py                 # all (what ``make bench`` does)
    .venv/bin/python benchmarks/run.py http --rounds 1 --tool python
    .venv/bin/python benchmarks/run.py --list

Results go to ``benchmarks/results/``. The exit status is 1 when a benchmark could not
run (server did not start, load generator or server errors), not when a goal is missed:
that is recorded in the results file.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

if not __package__:
    # Run as a script: import ``benchmarks`` as a package from the repository root, and
    # take benchmarks/ itself off the path so none of its modules can shadow the stdlib.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks import (
    advisories,
    case_page,
    cve_import,
    harness,
    http_bench,
    load,
    messaging,
    vendor_notify,
)
from benchmarks.server import PROJECT_DIR, ServerError

Benchmark = Callable[[harness.Options], harness.Outcome]

# Add a benchmark: a module with NAME and run(options) -> Outcome, then one line here.
BENCHMARKS: dict[str, Benchmark] = {
    http_bench.NAME: http_bench.run,
    case_page.NAME: case_page.run,
    vendor_notify.NAME: vendor_notify.run,
    cve_import.NAME: cve_import.run,
    advisories.NAME: advisories.run,
    messaging.NAME: messaging.run,
}


def parse_options(argv: list[str]) -> tuple[list[str], harness.Options, bool]:
    defaults = harness.Options()
    parser = argparse.ArgumentParser(description="Run Kakehashi's benchmarks.")
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--tool",
        choices=["auto", "wrk", "python"],
        default=os.environ.get("BENCH_TOOL", defaults.tool),
        help="load generator (default: wrk when installed, else python; env BENCH_TOOL)",
    )
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", defaults.rounds))
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=float(os.environ.get("BENCH_DURATION", defaults.duration_s)),
        help="seconds per measured run (env BENCH_DURATION)",
    )
    parser.add_argument(
        "--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", defaults.warmup_s))
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=int(os.environ.get("BENCH_CONNECTIONS", defaults.connections)),
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if not (1 <= args.rounds <= 20 and 1 <= args.duration <= 120 and 1 <= args.connections <= 256):
        parser.error("keep --rounds in 1..20, --duration in 1..120 s, --connections in 1..256")
    options = harness.Options(
        tool=args.tool,
        rounds=args.rounds,
        duration_s=args.duration,
        warmup_s=max(1.0, args.warmup),
        connections=args.connections,
    )
    return args.names or list(BENCHMARKS), options, args.list


def run_one(name: str, options: harness.Options) -> bool:
    """Run one benchmark, save and print its results; False if it could not run."""
    started = harness.utc_now()
    machine = harness.machine_info()
    print(f"{name}: running on {machine['nproc']} CPUs, load average {machine['load_average']}")
    try:
        outcome = BENCHMARKS[name](options)
    except (harness.BenchmarkError, ServerError, load.LoadError, ValueError) as exc:
        print(f"{name}: FAILED: {exc}", file=sys.stderr)
        return False
    data = {
        "benchmark": name,
        "started_at": harness.iso(started),
        "finished_at": harness.iso(harness.utc_now()),
        "machine": machine,
        **outcome.data,
    }
    path = harness.save_results(name, data, started)
    for line in outcome.summary:
        print(line)
    print(f"  results: {path.relative_to(PROJECT_DIR)}")
    return True


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so every ``finally`` stops its server."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def main(argv: list[str]) -> int:
    names, options, list_only = parse_options(argv)
    if list_only:
        for name in BENCHMARKS:
            print(name)
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        results = [run_one(name, options) for name in names]
    except KeyboardInterrupt as exc:
        print("interrupted; servers stopped", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
