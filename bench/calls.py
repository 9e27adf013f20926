"""What CI and Docker users pay: one non-interactive call, a 10,000-key bulk
load against the least work that load must do (bench/reference.py), and peak
memory per key."""

from __future__ import annotations

import functools
import json
import statistics
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

CALL_TARGET = 1.3  # × `python -c "import yaml, pluggy"`
BULK_TARGET = 1.5  # × bench/reference.py
MEMORY_TARGET = 2048  # bytes per key


def ours_cmd(keys: Path) -> list[str]:
    return [OURS, "pool", "--non-interactive", "--provider", "openrouter", "--key-file", str(keys), "--yes"]


def reference_cmd(home: Path, keys: Path) -> list[str]:
    return [PY, str(BENCH / "reference.py"), str(home), "openrouter", str(keys)]


def bench_one_call(root: Path, pairs: int) -> list[Result]:
    """Adding one key to a fresh home vs the floor any CI call pays."""
    homes = Homes(root, simple_template(root, "call-template"))
    env = base_env(root, "call")
    keys = key_file(root / "call-key.txt", 1, labels=False)

    def ours() -> float:
        return run_timed(ours_cmd(keys), {**env, "HERMES_HOME": str(homes.fresh())})

    def floor() -> float:
        return run_timed([PY, "-c", "import yaml, pluggy"], {**env, "HERMES_HOME": str(homes.fresh())})

    a, b = paired(ours, floor, pairs)
    ratio = statistics.median(per_pair(a, b, lambda x, y: x / y))
    return [Result("One non-interactive call adding 1 key", ms(a), f"`python -c \"import yaml, pluggy\"`: {ms(b)}",
                   f"{ratio:.2f}×", f"≤ {CALL_TARGET}×", verdict(ratio <= CALL_TARGET),
                   f"`hermes-setup-pools pool --non-interactive --provider openrouter --key-file F --yes` (1 key) into a "
                   f"fresh home holding only config.yaml, vs `{PY} -c \"import yaml, pluggy\"` in the same venv; "
                   f"{pairs} pairs (ours, control …) after a warm-up pair; ratio = median of the per-pair ratios")]


def bench_bulk(root: Path, pairs: int, n: int = 10_000) -> list[Result]:
    """``n`` keys into an auth.json holding 1,000 entries across 20 pools, vs bench/reference.py."""
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

    def reference() -> float:
        return run_timed(reference_cmd(homes.fresh(), keys), env)

    a, b = paired(ours, reference, pairs)
    ratio = statistics.median(per_pair(a, b, lambda x, y: x / y))
    identical = "byte-identical but for ids and updated_at" if same else "OUTPUTS DIFFER"
    return [Result(f"{n:,} keys into auth.json with 1,000 entries / 20 pools", ms(a), f"bench/reference.py: {ms(b)}",
                   f"{ratio:.2f}× ({identical}; mode {', '.join(sorted(modes))})", f"≤ {BULK_TARGET}×, byte-identical",
                   verdict(ratio <= BULK_TARGET and same),
                   f"our command (key file of {n:,} `label key` lines) vs bench/reference.py (read, parse, fingerprint "
                   "the pool and the new keys, append entries in Hermes' format, json.dumps(indent=2) + newline, temp "
                   "file + fsync + rename under Hermes' flock) in the same venv, each on a fresh copy of the seeded "
                   f"home; {pairs} pairs after a warm-up pair; ratio = median of the per-pair ratios; outputs compared "
                   "byte for byte with entry ids and updated_at blanked")]


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
    out = []
    med = statistics.median(per_key["ours"])

    def mib(values: list[float]) -> str:
        return f"{statistics.median(values) / 2**20:,.1f} MiB"

    out.append(Result(
        f"Peak memory per key at {n:,} keys", f"{med:,.0f} B/key ({med / 1024:.2f} KB; peak {mib(peaks['ours'][0])} vs "
        f"{mib(peaks['ours'][1])} for 1 key)",
        f"bench/reference.py: {statistics.median(per_key['reference']):,.0f} B/key (peak {mib(peaks['reference'][0])})",
        f"{med / statistics.median(per_key['reference']):.2f}× the reference", f"≤ {MEMORY_TARGET / 1024:g} KB/key",
        verdict(med <= MEMORY_TARGET),
        f"peak RSS of the whole process (wait4 ru_maxrss) adding {n:,} labelled keys vs 1 key into fresh copies of the "
        f"seeded home (1,000 entries / 20 pools); {samples} pair(s); (peak({n:,}) − peak(1)) ÷ {n:,}, median"))
    return out
