"""What CI and Docker users pay: one non-interactive call, a 10,000-key bulk
load, and peak memory per key, each against the least work the same job must
do (bench/reference.py: check every line as we do, lock, merge, write
atomically)."""

from __future__ import annotations

import functools
import json
import statistics
from collections.abc import Callable
from pathlib import Path

from common import (
    BENCH,
    OURS,
    PY,
    Homes,
    Result,
    base_env,
    key_file,
    ms,
    normalised,
    paired,
    per_pair,
    run_rss,
    run_timed,
    seeded_template,
    simple_template,
    verdict,
)

CALL_TARGET = 1.15  # × `python -c "import yaml, pluggy"`
BULK_TARGET = 1.5  # × bench/reference.py
MEMORY_TARGET = 2048  # bytes per key


def ours_cmd(keys: Path) -> list[str]:
    return [OURS, "pool", "--non-interactive", "--provider", "openrouter", "--key-file", str(keys), "--yes"]


def reference_cmd(home: Path, keys: Path, *flags: str) -> list[str]:
    return [PY, str(BENCH / "reference.py"), *flags, str(home), "openrouter", str(keys)]


def bench_one_call(root: Path, pairs: int, cg_runs: int = 1) -> list[Result]:
    """Adding one key to a fresh home vs `import yaml, pluggy` (the target's unit)
    and vs the floor program doing the same job (bench/reference.py). Judged by
    instructions (callgrind: the same count whatever else the machine does), the
    wall times beside them; by wall time only where valgrind cannot run."""
    import callgrind

    homes = Homes(root, simple_template(root, "call-template"))
    env = base_env(root, "call")
    keys = key_file(root / "call-key.txt", 1, labels=False)

    def ours() -> float:
        return run_timed(ours_cmd(keys), {**env, "HERMES_HOME": str(homes.fresh())})

    def unit() -> float:
        return run_timed([PY, "-c", "import yaml, pluggy"], {**env, "HERMES_HOME": str(homes.fresh())})

    def floor() -> float:
        return run_timed(reference_cmd(homes.fresh(), keys), env)

    runs: dict[str, list[float]] = {"ours": [], "unit": [], "floor": []}
    sides = {"ours": ours, "unit": unit, "floor": floor}
    for i in range(pairs + 1):  # rounds of three, the first unrecorded (bytecode caches, page cache)
        for name, side in sides.items():
            t = side()
            if i:
                runs[name].append(t)
    wall_unit = statistics.median(per_pair(runs["ours"], runs["unit"], lambda x, y: x / y))
    wall_floor = statistics.median(per_pair(runs["ours"], runs["floor"], lambda x, y: x / y))
    why = callgrind.unavailable() if cg_runs else "no callgrind run asked for"
    if why is None:
        found = callgrind.counts({
            "ours": lambda: (ours_cmd(keys), {**env, "HERMES_HOME": str(homes.fresh())}),
            "unit": lambda: ([PY, "-c", "import yaml, pluggy"], env),
            "floor": lambda: (reference_cmd(homes.fresh(), keys), env),
        }, cg_runs)
        med = {name: statistics.median(values) for name, values in found.items()}
        to_unit, to_floor = med["ours"] / med["unit"], med["ours"] / med["floor"]
        ours = f"{callgrind.median_of(found['ours'])} instr; {ms(runs['ours'])}"
        floor = f"bench/reference.py: {callgrind.median_of(found['floor'])} = {med['floor'] / med['unit']:.2f}× the unit"
        unit = f"{callgrind.median_of(found['unit'])}"
        how = f"instructions (callgrind, {cg_runs} run(s) each); wall time {wall_unit:.2f}× the unit (supporting)"
    else:
        to_unit, to_floor = wall_unit, wall_floor
        ours, unit = ms(runs["ours"]), ms(runs["unit"])
        floor = f"bench/reference.py: {ms(runs['floor'])}"
        how = f"wall time ({why})"
    return [Result(
        "One non-interactive call adding 1 key", ours=ours, floor=floor,
        ratio=f"{to_unit:.2f}× the unit; {to_floor:.2f}× the floor",
        target=f"≤ {CALL_TARGET}× the unit, `import yaml, pluggy`: {unit}",
        verdict=verdict(to_unit <= CALL_TARGET),
        method=(f"`hermes-setup-pools pool --non-interactive --provider openrouter --key-file F --yes` (1 key) into a "
                f"fresh home holding only config.yaml; the unit: `python -c \"import yaml, pluggy\"` in the same venv "
                "(which also reads every .pth); the floor: bench/reference.py with the same key file on a fresh home; "
                f"judged by {how}; {pairs} timed rounds (ours, unit, floor) after a warm-up round"),
        values={"ratio": to_unit, "to_floor": to_floor, "ms": statistics.median(runs["ours"]) * 1e3})]


def bench_bulk(root: Path, pairs: int, n: int = 10_000, bare: bool = False) -> list[Result]:
    """``n`` keys into an auth.json holding 1,000 entries across 20 pools, vs
    bench/reference.py (the floor: every line checked as we do); with ``bare``,
    also vs the reference without checks (supporting)."""
    homes = Homes(root, seeded_template(root))
    env = base_env(root, "bulk")
    keys = key_file(root / f"bulk-{n}.txt", n)
    # Same input, one run each: the files must match but for ids and updated_at.
    mine, ref = homes.fresh(), homes.fresh()
    run_timed(ours_cmd(keys), {**env, "HERMES_HOME": str(mine)})
    run_timed(reference_cmd(ref, keys), env)
    a_bytes, r_bytes = (mine / "auth.json").read_bytes(), (ref / "auth.json").read_bytes()
    added = len(json.loads(a_bytes)["credential_pool"]["openrouter"]) - 50
    same = normalised(a_bytes) == normalised(r_bytes) and added == n
    modes = {oct((h / "auth.json").stat().st_mode & 0o777) for h in (mine, ref)}

    def ours() -> float:
        return run_timed(ours_cmd(keys), {**env, "HERMES_HOME": str(homes.fresh())})

    def reference(*flags: str) -> Callable[[], float]:
        return lambda: run_timed(reference_cmd(homes.fresh(), keys, *flags), env)

    a, b = paired(ours, reference(), pairs)
    ratio = statistics.median(per_pair(a, b, lambda x, y: x / y))
    identical = "byte-identical but for ids and updated_at" if same else "OUTPUTS DIFFER"
    out = [Result(
        f"{n:,} keys into auth.json with 1,000 entries / 20 pools", ours=ms(a),
        floor=f"bench/reference.py: {ms(b)}", ratio=f"{ratio:.2f}× ({identical}; mode {', '.join(sorted(modes))})",
        target=f"≤ {BULK_TARGET}× the floor, byte-identical", verdict=verdict(ratio <= BULK_TARGET and same),
        method=(f"our command (key file of {n:,} `label key` lines) vs bench/reference.py (checks every line and label "
                "as we do, then reads and parses auth.json, fingerprints the pool and the new keys, appends entries in "
                "Hermes' format, json.dumps(indent=2) + newline, temp file + fsync + rename under Hermes' flock) in the "
                f"same venv, each on a fresh copy of the seeded home; {pairs} pairs after a warm-up pair; ratio = median "
                "of the per-pair ratios; outputs compared byte for byte with entry ids and updated_at blanked"),
        values={"ratio": ratio, "ms": statistics.median(a) * 1e3})]
    if bare:
        c, d = paired(ours, reference("--no-checks"), pairs)
        out.append(Result("… against the reference without its checks (`--no-checks`)", ours=ms(c),
                          floor=f"bench/reference.py --no-checks: {ms(d)}",
                          ratio=f"{statistics.median(per_pair(c, d, lambda x, y: x / y)):.2f}×", target="(supporting)",
                          method="the same, against the reference of earlier rounds (no line checks)"))
    return out


def bench_memory(root: Path, samples: int, n: int = 100_000) -> list[Result]:
    """(peak RSS(n keys) − peak RSS(1 key)) ÷ n, ours and the reference's."""
    homes = Homes(root, seeded_template(root / "mem"))
    env = base_env(root, "mem")
    one, many = key_file(root / "mem-1.txt", 1), key_file(root / "mem-n.txt", n)

    def ours(keys: Path) -> float:
        return run_rss(ours_cmd(keys), {**env, "HERMES_HOME": str(homes.fresh())})[1]

    def reference(keys: Path) -> float:
        return run_rss(reference_cmd(homes.fresh(), keys), env)[1]

    per_key: dict[str, list[float]] = {}
    peaks: dict[str, tuple[list[float], list[float]]] = {}
    for name, side in (("ours", ours), ("reference", reference)):
        big, small = paired(functools.partial(side, many), functools.partial(side, one), samples, warmup=False)
        per_key[name] = per_pair(big, small, lambda x, y: (x - y) / n)
        peaks[name] = (big, small)
    med = statistics.median(per_key["ours"])
    ref = statistics.median(per_key["reference"])

    def mib(values: list[float]) -> str:
        return f"{statistics.median(values) / 2**20:,.1f} MiB"

    return [Result(
        f"Peak memory per key at {n:,} keys", ours=f"{med:,.0f} B/key (peak {mib(peaks['ours'][0])}; "
        f"{mib(peaks['ours'][1])} for 1 key)",
        floor=f"bench/reference.py: {ref:,.0f} B/key (peak {mib(peaks['reference'][0])})",
        ratio=f"{med / ref:.2f}× the floor", target=f"≤ {MEMORY_TARGET / 1024:g} KB/key",
        verdict=verdict(med <= MEMORY_TARGET),
        method=(f"peak RSS of the whole process adding {n:,} labelled keys vs 1 key into fresh copies of the seeded "
                f"home (1,000 entries / 20 pools); {samples} pair(s); (peak({n:,}) − peak(1)) ÷ {n:,}, median. Each "
                "run is started by a small launcher (`python -I -S`, forks and execs it, reads its ru_maxrss from "
                "wait4), since Linux starts a spawned process's peak at its parent's: measured from the benchmark "
                "itself, the 1-key run inherited the benchmark's peak and the figure came out too low"),
        values={"bytes": med, "reference": ref})]
