"""What every benchmark shares: running a command and timing it, pairing two
measurements, the result row, environments and fixtures."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PY = sys.executable
OURS = str(BIN / "hermes-setup-pools")
HERMES = BIN / "hermes"
PTH = ROOT / "hooks" / "hermes_setup_pools_autohook.pth"
KEY_PREFIX = "sk-or-v1-"
POOLS = ["openrouter", "anthropic", "openai-api", "gemini", "deepseek", "xai", "zai", "kimi-coding", "minimax",
         "alibaba", "copilot", "huggingface", "nvidia", "stepfun", "arcee", "gmi", "lmstudio", "kilocode", "xiaomi",
         "ollama-cloud"]


# -- results ------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the report: a judged figure (``target`` set) or a supporting one."""

    figure: str
    ours: str
    control: str = "—"
    ratio: str = "—"
    target: str = ""
    verdict: str = ""  # met / MISSED / not judged: … / skipped: …
    method: str = ""
    notes: list[str] = field(default_factory=list)

    def row(self) -> str:
        return f"| {self.figure} | {self.ours} | {self.control} | {self.ratio} | {self.target or '—'} | {self.verdict or '—'} |"


def skipped(figure: str, target: str, reason: str, method: str = "") -> Result:
    return Result(figure, "—", target=target, verdict=f"skipped: {reason}", method=method)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def spread(values: list[float], scale: float = 1.0, unit: str = "ms", digits: int = 1) -> str:
    """``median unit (min–max, n=N)``."""
    med, lo, hi = (v * scale for v in (statistics.median(values), min(values), max(values)))
    return f"{med:,.{digits}f} {unit} ({lo:,.{digits}f}–{hi:,.{digits}f}, n={len(values)})"


def ms(values: list[float], digits: int = 1) -> str:
    return spread(values, 1000.0, "ms", digits)


def per_pair(a: list[float], b: list[float], op: Callable[[float, float], float]) -> list[float]:
    return [op(x, y) for x, y in zip(a, b, strict=True)]


# -- running ------------------------------------------------------------------------------


def run_timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    """Wall time (s) of one run; a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])}… failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return elapsed


def output(cmd: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])}… failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return proc.stdout


def run_rss(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak RSS (bytes) of one run, via wait4 on that child only."""
    devnull = os.open(os.devnull, os.O_RDWR)
    start = time.perf_counter()
    try:
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                                             (os.POSIX_SPAWN_DUP2, devnull, 1)])
    finally:
        os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:5])}… failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def paired(a: Callable[[], float], b: Callable[[], float], pairs: int, warmup: bool = True) -> tuple[list[float], list[float]]:
    """A, B, A, B …: ``pairs`` measurements of each, interleaved so drift and
    load from other work hit both sides alike. Each callable prepares its own
    fresh state and returns only what it measured. One unrecorded warm-up pair
    fills the page cache and writes the bytecode caches first."""
    if warmup:
        a(), b()
    xs: list[float] = []
    ys: list[float] = []
    for _ in range(pairs):
        xs.append(a())
        ys.append(b())
    return xs, ys


# -- environments and fixtures --------------------------------------------------------------


def base_env(root: Path, name: str) -> dict[str, str]:
    """The caller's environment without provider keys or Hermes settings, with
    its own HOME (so nothing touches ~/.hermes)."""
    env = {k: v for k, v in os.environ.items()
           if not k.endswith(("_API_KEY", "_TOKEN")) and not k.startswith(("HERMES", "PYTHON"))}
    home = root / f"{name}-home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), HERMES_HOME=str(root / f"{name}-hermes"), LANG="C.UTF-8")
    return env


def fake_key(i: int, tag: str = "b") -> str:
    return f"{KEY_PREFIX}{tag}{i:012d}{'0' * 52}"[:73]


def key_file(path: Path, n: int, *, tag: str = "b", labels: bool = True) -> Path:
    path.write_text("".join((f"k{i} " if labels else "") + fake_key(i, tag) + "\n" for i in range(n)))
    return path


class Homes:
    """Fresh copies of a template Hermes home, one per sample."""

    def __init__(self, root: Path, template: Path) -> None:
        self.root, self.template = root, template

    def fresh(self) -> Path:
        target = Path(tempfile.mkdtemp(prefix=f"{self.template.name}-", dir=self.root))
        shutil.copytree(self.template, target, symlinks=True, dirs_exist_ok=True)
        return target


def seeded_template(root: Path, entries: int = 1000, pools: int = 20) -> Path:
    """A Hermes home whose auth.json holds ``entries`` entries across ``pools``
    pools, written as Hermes writes it; config.yaml selects openrouter."""
    import json

    home = root / "seeded"
    home.mkdir(parents=True)
    per_pool = entries // pools
    pool_data = {
        name: [{"id": f"{p:02x}{i:04x}", "label": f"seed-{i}", "auth_type": "api_key", "priority": i,
                "source": "manual", "access_token": fake_key(p * 10000 + i, "s"), "last_status": None,
                "last_status_at": None, "last_error_code": None, "last_error_reason": None,
                "last_error_message": None, "last_error_reset_at": None, "base_url": "https://example.invalid/v1",
                "request_count": i} for i in range(per_pool)]
        for p, name in enumerate(POOLS[:pools])
    }
    data = {"version": 1, "providers": {}, "credential_pool": pool_data, "updated_at": "2026-01-01T00:00:00+00:00"}
    (home / "auth.json").write_text(json.dumps(data, indent=2) + "\n")
    (home / "auth.json").chmod(0o600)
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n  default: x/y\n")
    return home


def simple_template(root: Path, name: str) -> Path:
    home = root / name
    home.mkdir(parents=True)
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    return home


_VOLATILE = re.compile(rb'("id": |"updated_at": )"[^"]*"')


def normalised(data: bytes) -> bytes:
    """auth.json bytes with entry ids and ``updated_at`` blanked (they are random / the time)."""
    return _VOLATILE.sub(rb'\1"-"', data)
