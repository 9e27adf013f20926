"""Whole-process instruction counts with ``valgrind --tool=callgrind``.

Deterministic where wall time is not: with ``PYTHONHASHSEED=0`` two runs of
the same command give the same count to within a few thousand instructions,
whatever else the machine is doing. Every instruction the process executes
is counted, from the dynamic loader to interpreter shutdown, so both passes
Python makes over each ``.pth`` file in a virtual environment are included.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def unavailable() -> str | None:
    """Why instructions cannot be counted here, or ``None`` when they can."""
    if shutil.which("valgrind") is None:
        return "valgrind is not installed (apt-get install valgrind)"
    probe = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"valgrind does not run here: {probe.stderr.strip()[-200:]}"
    return None


def instructions(cmd: list[str], env: dict[str, str]) -> int:
    """Instructions executed by ``cmd`` (the callgrind ``summary``)."""
    fd, out = tempfile.mkstemp(prefix="callgrind.", suffix=".out")
    os.close(fd)
    try:
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
                              env={**env, "PYTHONHASHSEED": "0"}, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"callgrind run of {' '.join(cmd[:4])}… failed: {proc.stderr.strip()[-800:]}")
        for line in Path(out).read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
        raise RuntimeError(f"no summary line in {out}")
    finally:
        os.unlink(out)


Job = Callable[[], tuple[list[str], dict[str, str]]]


def counts(jobs: dict[str, Job], runs: int) -> dict[str, list[int]]:
    """``runs`` counts of each named job (a callable giving the command and its
    environment, called once per run, so each run can have a fresh home), run
    in parallel on every core: instruction counts do not depend on load."""
    names = [name for name in jobs for _ in range(runs)]
    prepared = [jobs[name]() for name in names]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = list(pool.map(lambda job: instructions(*job), prepared))
    out: dict[str, list[int]] = {name: [] for name in jobs}
    for name, n in zip(names, found, strict=True):
        out[name].append(n)
    return out


def median_of(values: list[int]) -> str:
    """``36.13 M`` for one run, ``36.13 M (±4.1 k, 3 runs)`` for several."""
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} (±{fmt((max(values) - min(values)) / 2)}, {len(values)} runs)"


def fmt(n: float) -> str:
    """Instructions, human-sized: ``35.56 M``."""
    return f"{n / 1e6:,.2f} M" if abs(n) >= 1e6 else f"{n / 1e3:,.1f} k"
