#!/usr/bin/env python3
"""Benchmarks for hermes-setup-pools that cannot flatter it.

Every ratio is taken pair by pair (ours, control, ours, control …; the median
of the per-pair ratios), each sample on a fresh HERMES_HOME; start-up costs
are also counted in instructions (callgrind), which other work on the machine
cannot disturb. Prints one table (figure, ours, control or peer, ratio,
target, verdict) and how each figure was taken. Targets are reported, never
asserted.

    python bench/run.py            # full run (about 6 minutes on 2 cores)
    python bench/run.py --quick    # CI smoke check: fewer samples, smaller sizes (about a minute)

Run it from the environment the package is installed in; ``pip install -e
'.[test]'`` also installs hermes-agent 0.19.0 and pexpect, which the Hermes
figures need (without them those figures are printed as skipped).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import callgrind
from calls import bench_bulk, bench_memory, bench_one_call
from checks import bench_key_check
from common import Result
from peers import bench_interactive, bench_vs_hermes
from startup import bench_arming, bench_startup_hook


@dataclass(frozen=True)
class Plan:
    """How many samples each figure takes."""

    startup_pairs: int
    startup_cg: int
    floors: bool
    arm_rounds: int
    arm_cg: int
    call_pairs: int
    bulk_pairs: int
    bulk_keys: int
    memory_pairs: int
    memory_keys: int
    vs_samples: int
    vs_keys: int
    probes: int
    pty_runs: int
    check_samples: int


FULL = Plan(startup_pairs=100, startup_cg=3, floors=True, arm_rounds=20, arm_cg=3, call_pairs=20, bulk_pairs=10,
            bulk_keys=10_000, memory_pairs=3, memory_keys=100_000, vs_samples=5, vs_keys=50, probes=10, pty_runs=10,
            check_samples=5)
QUICK = Plan(startup_pairs=20, startup_cg=1, floors=False, arm_rounds=5, arm_cg=0, call_pairs=10, bulk_pairs=5,
             bulk_keys=10_000, memory_pairs=1, memory_keys=100_000, vs_samples=3, vs_keys=5, probes=5, pty_runs=3,
             check_samples=2)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from importlib.metadata import version

        hermes = version("hermes-agent")
    except Exception:
        hermes = "not installed"
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{load}, "
            f"Python {platform.python_version()}, hermes-agent {hermes}")


def report(results: list[Result], quick: bool, elapsed: float) -> None:
    print(f"hermes-setup-pools benchmarks ({'quick' if quick else 'full'}, {elapsed:.0f} s) — {machine()}")
    if quick:
        print("--quick: fewer samples, 5 keys instead of 50 against `hermes auth add` (not judged), "
              "no callgrind run of the arming figure, no .pth floors; the full run judges every target")
    print()
    print("| figure | ours | control or peer | ratio | target | verdict |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print()
    print("How each figure was taken:")
    for result in results:
        if result.method:
            print(f"- {result.figure}: {result.method}.")
    print()
    print("Targets (reported, not asserted):")
    for result in results:
        if result.target and result.target != "(supporting)":
            print(f"- {result.figure} — target {result.target}: {result.verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke check: fewer samples and sizes (used by .ci/run)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    why = callgrind.unavailable()
    if why:
        print(f"note: instruction counts are skipped: {why}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="hsp-bench-"))
    start = time.perf_counter()
    results: list[Result] = []
    steps: list[tuple[str, Callable[[], list[Result]]]] = [
        ("start-up hook", lambda: bench_startup_hook(root, plan.startup_pairs, plan.startup_cg, plan.floors)),
        ("arming", lambda: bench_arming(root, plan.arm_rounds, plan.arm_cg)),
        ("one call", lambda: bench_one_call(root, plan.call_pairs)),
        ("bulk", lambda: bench_bulk(root, plan.bulk_pairs, plan.bulk_keys)),
        ("memory", lambda: bench_memory(root, plan.memory_pairs, plan.memory_keys)),
        ("hermes auth add", lambda: bench_vs_hermes(root, plan.vs_samples, plan.vs_keys)),
        ("interactive", lambda: bench_interactive(root, plan.probes, plan.pty_runs)),
        ("key check", lambda: bench_key_check(root, plan.check_samples)),
    ]
    failed = []
    try:
        for name, step in steps:
            t = time.perf_counter()
            try:
                results.extend(step())
            except Exception as exc:  # report the rest, then fail the run
                failed.append(name)
                results.append(Result(name, "—", verdict=f"FAILED: {type(exc).__name__}: {str(exc)[-300:]}"))
            print(f"  {name}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report(results, args.quick, time.perf_counter() - start)
    if failed:
        print(f"benchmarks that could not run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
