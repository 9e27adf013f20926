#!/usr/bin/env python3
"""Benchmarks for hermes-setup-pools that cannot flatter it.

Each judged figure is set beside its floor: the smallest program that does
the same job (bench/README.md names them). Every ratio is taken pair by pair
(ours, floor or control, ours, … ; the median of the per-pair ratios), each
sample on a fresh HERMES_HOME; start-up costs are counted in instructions
(callgrind), which other work on the machine cannot disturb. Prints one table
(figure · target · floor · ours · ratio · met) and how each figure was taken.
Targets are reported, never asserted.

    python bench/run.py                  # full run (about 6 minutes on 2 cores)
    python bench/run.py --quick          # CI smoke check: fewer samples, smaller sizes (about a minute)
    python bench/run.py --write-readme   # also put the results into bench/README.md (between its markers)

Run it from the environment the package is installed in; ``pip install -e
'.[test]'`` also installs hermes-agent 0.19.0 and pexpect, which the Hermes
figures need (without them those figures are printed as skipped).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import callgrind
from calls import bench_bulk, bench_memory, bench_one_call
from checks import bench_key_check
from common import HEADER, Result
from peers import bench_interactive, bench_vs_hermes
from startup import bench_arming, bench_startup_hook


@dataclass(frozen=True)
class Plan:
    """How many samples each figure takes."""

    startup_pairs: int
    startup_cg: int
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


FULL = Plan(startup_pairs=100, startup_cg=3, arm_rounds=20, arm_cg=3, call_pairs=20, bulk_pairs=10,
            bulk_keys=10_000, memory_pairs=3, memory_keys=100_000, vs_samples=5, vs_keys=50, probes=10, pty_runs=10,
            check_samples=5)
QUICK = Plan(startup_pairs=20, startup_cg=1, arm_rounds=5, arm_cg=1, call_pairs=10, bulk_pairs=5,
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
    print(f"hermes-setup-pools benchmarks ({'quick' if quick else 'full'}, {elapsed:.0f} s, "
          f"{datetime.date.today().isoformat()}) — {machine()}")
    if quick:
        print()
        print("--quick: fewer samples (instruction counts are exact either way), 5 keys instead of 50 against "
              "`hermes auth add` (not judged), no `--no-checks` reference row; the full run judges every target")
    print()
    print(HEADER)
    for result in results:
        print(result.row())
    print()
    print("The floor column holds the floor program's figure for a judged row, and the control a supporting row is "
          "compared with. How each figure was taken:")
    print()
    for result in results:
        if result.method:
            print(f"- {result.figure}: {result.method}.")


def meaning(results: list[Result]) -> str:
    """The README's "what the figures mean for a user", from this run's figures."""
    got = {r.figure.split(":")[0].split(" (")[0]: r.values for r in results if r.values}
    hook, arm, call = got.get("Start-up hook"), got.get("Arming inside `hermes setup`"), \
        got.get("One non-interactive call adding 1 key")
    bulk = next((v for k, v in got.items() if k.startswith("10,000 keys")), None)
    memory = next((v for k, v in got.items() if k.startswith("Peak memory")), None)
    lines = []
    if hook:
        lines.append(f"- **Every Python process in Hermes' environment** pays for our `.pth`: "
                     f"{hook['added'] / 1e3:,.0f} k instructions, {hook['share']:.2f} % of an empty `python -c pass` "
                     f"(a line that only decides \"not setup\" costs {hook['floor_share']:.2f} %, a line holding "
                     f"`import sys` {hook['import_sys_share']:.2f} %).")
    if arm:
        lines.append(f"- **`hermes setup` starts about {arm['ms']:.2f} ms later** with the package installed and the "
                     f"plugin enabled ({arm['instructions'] / 1e6:.2f} M instructions at this machine's "
                     f"{arm['rate'] / 1e6:.1f} M per ms; the floor program's arming costs {arm['floor_ms']:.2f} ms).")
    if call:
        lines.append(f"- **A CI call adding one key takes about {call['ms']:.0f} ms** here, {call['ratio']:.2f}× a "
                     f"bare `python -c \"import yaml, pluggy\"` and {call['to_floor']:.2f}× the floor program.")
    if bulk:
        lines.append(f"- **10,000 keys into a 1,000-entry auth.json take about {bulk['ms'] / 1e3:.2f} s**, "
                     f"{bulk['ratio']:.2f}× the floor program that checks every line as we do, and write exactly "
                     "the bytes Hermes would.")
    if memory:
        lines.append(f"- **Memory**: {memory['bytes']:,.0f} bytes per key at the peak "
                     f"({memory['bytes'] * 1e5 / 2**20:,.0f} MiB more for 100,000 keys than for one; the floor "
                     f"program needs {memory['reference']:,.0f} bytes per key).")
    return "\n".join(lines)


MARKERS = {
    "results": ("<!-- bench:results:start (written by `python bench/run.py --write-readme`) -->", "<!-- bench:results:end -->"),
    "meaning": ("<!-- bench:meaning:start (written by `python bench/run.py --write-readme`) -->", "<!-- bench:meaning:end -->"),
}


def write_readme(path: Path, blocks: dict[str, str]) -> None:
    """Replace the text between each pair of markers in bench/README.md."""
    text = path.read_text()
    for name, body in blocks.items():
        start, end = MARKERS[name]
        if start not in text or end not in text:
            raise RuntimeError(f"{path} has no {name} markers: {start} … {end}")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{body.rstrip()}\n{end}{tail}"
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke check: fewer samples and sizes (used by .ci/run)")
    parser.add_argument("--write-readme", action="store_true",
                        help="write the results into bench/README.md between its markers")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    why = callgrind.unavailable()
    if why:
        print(f"note: instruction counts are skipped: {why}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="hsp-bench-"))
    start = time.perf_counter()
    results: list[Result] = []
    steps: list[tuple[str, Callable[[], list[Result]]]] = [
        ("start-up hook", lambda: bench_startup_hook(root, plan.startup_pairs, plan.startup_cg)),
        ("arming", lambda: bench_arming(root, plan.arm_rounds, plan.arm_cg)),
        ("one call", lambda: bench_one_call(root, plan.call_pairs, plan.arm_cg or 1)),
        ("bulk", lambda: bench_bulk(root, plan.bulk_pairs, plan.bulk_keys, bare=not args.quick)),
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
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        report(results, args.quick, time.perf_counter() - start)
    print(buffer.getvalue(), end="")
    if args.write_readme:
        write_readme(Path(__file__).resolve().parent / "README.md",
                     {"results": buffer.getvalue(), "meaning": meaning(results)})
        print("bench/README.md: results written", file=sys.stderr)
    if failed:
        print(f"benchmarks that could not run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
