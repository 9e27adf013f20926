#!/usr/bin/env python3
"""Benchmarks for hermes-setup-pools. Prints one table; every figure is the
median of at least 5 runs (with min and max), all measured in this one run so
ratios between them are meaningful. Targets are reported, never asserted.

    python bench/run.py            # full run (a few minutes with Hermes installed)
    python bench/run.py --quick    # smoke check: fewer repetitions, 10 keys vs hermes

Run it from the environment the package is installed in (``pip install -e '.[test]'``
also installs hermes-agent 0.19.0, which the side-by-side figures need).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PTH = ROOT / "hooks" / "hermes_setup_pools_autohook.pth"
KEY_PREFIX = "sk-or-v1-"


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    values: list[float]
    unit: str
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def row(self) -> str:
        scale, unit = (1000.0, "ms") if self.unit == "s" else (1.0, self.unit)
        fmt = (lambda v: f"{v * scale:,.2f}") if unit in ("ms", "µs", "x", "%") else (lambda v: f"{v * scale:,.0f}")
        cells = [fmt(self.median), fmt(min(self.values)), fmt(max(self.values))]
        return f"| {self.name} | {cells[0]} | {cells[1]} | {cells[2]} | {unit} | {self.note} |"


def run_timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, str]:
    """Wall time (s) and standard output of one run; a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return elapsed, proc.stdout


def run_rss(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one run, via wait4 on that child only."""
    start = time.perf_counter()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    finally:
        os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss


def alternate(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, list[float]]:
    """Run each command ``runs`` times, interleaved, so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(run_timed(cmd, env)[0])
    return times


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN")) and not k.startswith("HERMES")}
    env.update(HOME=str(home / "home"), HERMES_HOME=str(home / "hermes"), LANG="C.UTF-8", PYTHONDONTWRITEBYTECODE="")
    (home / "home").mkdir(parents=True, exist_ok=True)
    (home / "hermes").mkdir(parents=True, exist_ok=True)
    return env


def fake_key(i: int, tag: str = "b") -> str:
    return f"{KEY_PREFIX}{tag}{i:012d}{'0' * 40}"[:73]


# -- fixtures -----------------------------------------------------------------------------


def seeded_home(root: Path, entries: int = 1000, pools: int = 20) -> Path:
    """A Hermes home whose auth.json holds ``entries`` entries across ``pools`` pools."""
    home = root / "seed"
    home.mkdir(parents=True)
    per_pool = entries // pools
    names = ["openrouter", "anthropic", "openai-api", "gemini", "deepseek", "xai", "zai", "kimi-coding",
             "minimax", "alibaba", "copilot", "huggingface", "nvidia", "stepfun", "arcee", "gmi",
             "lmstudio", "kilocode", "xiaomi", "ollama-cloud"][:pools]
    pool_data = {}
    for p, name in enumerate(names):
        pool_data[name] = [
            {"id": f"{p:02x}{i:04x}", "label": f"seed-{i}", "auth_type": "api_key", "priority": i,
             "source": "manual", "access_token": fake_key(p * 10000 + i, "s"), "last_status": None,
             "last_status_at": None, "last_error_code": None, "last_error_reason": None,
             "last_error_message": None, "last_error_reset_at": None, "base_url": "https://example.invalid/v1",
             "request_count": i}
            for i in range(per_pool)
        ]
    data = {"version": 1, "providers": {}, "credential_pool": pool_data, "updated_at": "2026-01-01T00:00:00+00:00"}
    (home / "auth.json").write_text(json.dumps(data, indent=2) + "\n")
    (home / "config.yaml").write_text("# bench\nmodel:\n  provider: openrouter\n  default: x/y\n")
    return home


def fresh_copy(template: Path, root: Path, name: str) -> Path:
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(template, target)
    return target


# -- the benchmarks ------------------------------------------------------------------------


def bench_startup(root: Path, runs: int, out: list[Figure]) -> dict[str, float]:
    """Python start-up with and without the .pth, in two otherwise identical bare venvs."""
    plain, hooked = root / "venv-plain", root / "venv-hook"
    for venv in (plain, hooked):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run([str(hooked / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    shutil.copy(PTH, Path(purelib) / PTH.name)
    env = base_env(root / "startup")
    times = alternate({"plain": [str(plain / "bin" / "python"), "-c", "pass"],
                       "hook": [str(hooked / "bin" / "python"), "-c", "pass"]}, env, runs)
    out.append(Figure("`python -c pass`, no startup hook", times["plain"], "s"))
    out.append(Figure("`python -c pass`, startup hook installed", times["hook"], "s"))
    diff = [h - p for h, p in zip(times["hook"], times["plain"], strict=True)]
    out.append(Figure("difference (hook − no hook), paired", diff, "s", "wall clock: lost in run-to-run noise"))

    # The hook's real cost: site processing our .pth file, measured in-process.
    code = (
        "import site, sys, time\n"
        f"d = {str(Path(purelib))!r}; n = 2000\n"
        "sys.argv = ['-c', 'chat']\n"
        "t = time.perf_counter()\n"
        f"for _ in range(n): site.addpackage(d, {PTH.name!r}, set())\n"
        "print((time.perf_counter() - t) / n)\n"
    )
    per_start = [float(subprocess.run([str(hooked / "bin" / "python"), "-c", code], capture_output=True, text=True,
                                      check=True, env=env).stdout) for _ in range(5)]
    out.append(Figure("site reading + running our .pth (argv without `setup`)", [v * 1e6 for v in per_start], "µs",
                      "what every Python start-up pays"))
    share = [v / statistics.median(times["plain"]) * 100 for v in per_start]
    out.append(Figure("… as a share of `python -c pass`", share, "%", "target ≤ 1 %"))

    # Command lines that contain `setup` arm the import hook (imports our small modules).
    dev = {"setup": [sys.executable, "-c", "pass", "setup"], "other": [sys.executable, "-c", "pass", "chat"]}
    armed = alternate(dev, env, runs)
    out.append(Figure("arming for a `… setup …` command line (paired difference)",
                      [a - b for a, b in zip(armed["setup"], armed["other"], strict=True)], "s", "only Hermes setup runs pay this"))
    return {"startup": statistics.median(times["plain"]), "hook_share": statistics.median(share)}


def bench_imports(root: Path, runs: int, out: list[Figure]) -> dict[str, float]:
    env = base_env(root / "imports")
    py = sys.executable
    cmds = {
        "pass": [py, "-c", "pass"],
        "yaml_pluggy": [py, "-c", "import yaml, pluggy"],
        "ours": [py, "-c", "import hermes_setup_pools.cli, hermes_setup_pools.pool.step"],
    }
    times = alternate(cmds, env, runs)
    out.append(Figure("`python -c \"import yaml, pluggy\"`", times["yaml_pluggy"], "s", "the floor a CI call pays"))
    out.append(Figure("import of the non-interactive path (cli + pool step)",
                      [o - p for o, p in zip(times["ours"], times["pass"], strict=True)], "s", "minus `python -c pass`, paired"))
    # Entry-point discovery: scanning the hermes_setup group and loading plugins.
    code = ("import time; from hermes_setup_pools.plugins import build_plugin_manager as b, collect_steps as c, "
            "order_steps as o; t = time.perf_counter(); pm = b(autoload=True); o(c(pm)); print(time.perf_counter() - t)")
    discovery = [float(run_timed([py, "-c", code], env)[1]) for _ in range(runs)]
    out.append(Figure("entry-point discovery + ordering (in-process)", discovery, "s", "`hermes_setup` group"))
    # Does the non-interactive path import questionary / prompt_toolkit?
    home = Path(env["HERMES_HOME"])
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    keyfile = root / "imports-key.txt"
    keyfile.write_text(fake_key(1) + "\n")
    probe = subprocess.run([py, "-X", "importtime", "-m", "hermes_setup_pools", "pool", "--non-interactive",
                            "--key-file", str(keyfile), "--yes"], env=env, capture_output=True, text=True, check=True)
    loaded = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines() if "|" in line}
    heavy = sorted(m for m in loaded if m.split(".")[0] in {"questionary", "prompt_toolkit", "hermes_cli"})
    return {"yaml_pluggy": statistics.median(times["yaml_pluggy"]), "heavy": heavy}


def bench_per_call(root: Path, runs: int, out: list[Figure], floor: float) -> float:
    """What one CI call costs: adding one key, and a re-run that changes nothing."""
    env = base_env(root / "percall")
    template = root / "percall-template"
    template.mkdir()
    (template / "config.yaml").write_text("model:\n  provider: openrouter\n")
    keyfile = root / "percall-key.txt"
    keyfile.write_text(fake_key(7) + "\n")
    cmd = [str(BIN / "hermes-setup-pools"), "pool", "--non-interactive", "--key-file", str(keyfile), "--yes"]
    adds, reruns = [], []
    for _ in range(runs):
        home = fresh_copy(template, root, "percall-home")
        env["HERMES_HOME"] = str(home)
        adds.append(run_timed(cmd, env)[0])
        reruns.append(run_timed(cmd, env)[0])
    out.append(Figure("`pool --non-interactive`: add 1 key", adds, "s"))
    out.append(Figure("`pool --non-interactive`: re-run, nothing to change", reruns, "s"))
    ratio = [a / floor for a in adds]
    out.append(Figure("… add 1 key ÷ `import yaml, pluggy`", ratio, "x", "target ≤ 2×"))
    return statistics.median(ratio)


def bench_bulk(root: Path, runs: int, out: list[Figure]) -> list[float]:
    template = seeded_home(root)
    env = base_env(root / "bulk")
    medians: dict[int, float] = {}
    per_key: list[float] = []
    for n in (1, 100, 1000, 10000):
        keys = f"{n:,} key" + ("s" if n > 1 else "")
        keyfile = root / f"keys-{n}.txt"
        keyfile.write_text("".join(f"k{i} {fake_key(i)}\n" for i in range(n)))
        times, rss = [], []
        for _ in range(runs):
            home = fresh_copy(template, root, "bulk-home")
            env["HERMES_HOME"] = str(home)
            cmd = [str(BIN / "hermes-setup-pools"), "pool", "--non-interactive", "--strategy", "round_robin",
                   "--key-file", str(keyfile), "--yes"]
            elapsed, kib = run_rss(cmd, env)
            times.append(elapsed)
            rss.append(kib / 1024)
        added = len(json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]) - 50
        assert added == n, f"expected {n} new entries, found {added}"
        medians[n] = statistics.median(times)
        out.append(Figure(f"bulk: {keys} into 1,000 entries / 20 pools", times, "s"))
        out.append(Figure(f"bulk: {keys}, peak memory", rss, "MiB"))
        if n > 1:
            per = [(t - medians[1]) / (n - 1) * 1000 for t in times]
            per_key.append(statistics.median(per))
            out.append(Figure(f"bulk: {keys}, time per key beyond the 1-key run", per, "ms",
                              "flat across sizes = linear growth"))
    return [medians[10000], *per_key]


def bench_vs_hermes(root: Path, runs: int, out: list[Figure], keys: int) -> float | None:
    hermes = BIN / "hermes"
    if not hermes.exists():
        out.append(Figure("side by side with `hermes auth add`", [0.0], "s",
                          "skipped: hermes-agent is not installed in this environment (pip install -e '.[test]')"))
        return None
    env = base_env(root / "vs")
    template = root / "vs-template"
    template.mkdir()
    (template / "config.yaml").write_text("model:\n  provider: openrouter\n")
    home = fresh_copy(template, root, "vs-hermes")
    env["HERMES_HOME"] = str(home)
    singles = []
    for i in range(keys):
        singles.append(run_timed([str(hermes), "auth", "add", "openrouter", "--type", "api-key",
                                  "--api-key", fake_key(i, "h"), "--label", f"h{i}"], env)[0])
    listed = json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert len(listed) == keys, f"hermes auth add stored {len(listed)} of {keys}"
    total = sum(singles)
    out.append(Figure(f"`hermes auth add openrouter --api-key …`, one run (of {keys})", singles, "s"))
    out.append(Figure(f"{keys} × `hermes auth add` (sum of the runs above)", [total], "s", "one batch"))
    keyfile = root / "vs-keys.txt"
    keyfile.write_text("".join(f"h{i} {fake_key(i, 'h')}\n" for i in range(keys)))
    ours = []
    for _ in range(runs):
        home = fresh_copy(template, root, "vs-ours")
        env["HERMES_HOME"] = str(home)
        ours.append(run_timed([str(BIN / "hermes-setup-pools"), "pool", "--non-interactive", "--key-file",
                               str(keyfile), "--yes"], env)[0])
    out.append(Figure(f"one `hermes-setup-pools pool --non-interactive`, {keys} keys", ours, "s"))
    ratio = [total / t for t in ours]
    out.append(Figure(f"speed-up for {keys} keys", ratio, "x", "target ≥ 50× (for 50 keys)"))
    return statistics.median(ratio)


def bench_help(root: Path, runs: int, out: list[Figure]) -> None:
    hermes = BIN / "hermes"
    if not hermes.exists():
        out.append(Figure("`hermes setup-pools --help`", [0.0], "s", "skipped: hermes-agent is not installed"))
        return
    env = base_env(root / "help")
    subprocess.run([str(hermes), "plugins", "enable", "setup-pools", "--no-allow-tool-override"], env=env,
                   capture_output=True, check=True)
    times = alternate({"setup": [str(hermes), "setup", "--help"], "pools": [str(hermes), "setup-pools", "--help"]}, env, runs)
    out.append(Figure("`hermes setup --help`", times["setup"], "s"))
    out.append(Figure("`hermes setup-pools --help`", times["pools"], "s",
                      "Hermes loads its plugins for any non-built-in command"))
    out.append(Figure("… difference, paired", [p - s for p, s in zip(times["pools"], times["setup"], strict=True)], "s"))
    code = ("import time; t = time.perf_counter(); import hermes_setup_pools.hermes.plugin as p\n"
            "class Ctx:\n    def register_cli_command(self, **kw): self.kw = kw\n"
            "p.register(Ctx()); print(time.perf_counter() - t)")
    own = [float(run_timed([sys.executable, "-c", code], env)[1]) for _ in range(runs)]
    out.append(Figure("our plugin's import + register(ctx) (in-process)", own, "s", "our share of the difference"))


# -- report ---------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        hermes = version("hermes-agent")
    except Exception:
        hermes = "not installed"
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, hermes-agent {hermes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke check: 5 runs per figure, 10 keys vs hermes")
    args = parser.parse_args()
    runs = 5 if args.quick else 21
    bulk_runs = 5
    vs_keys = 10 if args.quick else 50
    out: list[Figure] = []
    root = Path(tempfile.mkdtemp(prefix="hsp-bench-"))
    try:
        startup = bench_startup(root, runs, out)
        imports = bench_imports(root, runs, out)
        ratio_call = bench_per_call(root, max(5, runs // 2), out, imports["yaml_pluggy"])
        bulk = bench_bulk(root, bulk_runs, out)
        speedup = bench_vs_hermes(root, max(5, runs // 4), out, vs_keys)
        bench_help(root, max(5, runs // 2), out)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"hermes-setup-pools benchmarks ({'quick' if args.quick else 'full'}) — {machine()}")
    print()
    print("| figure | median | min | max | unit | note |")
    print("|---|---:|---:|---:|---|---|")
    for figure in out:
        print(figure.row())
    print()
    print("Targets (reported, not asserted):")
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(f"- startup hook ≤ 1% of `python -c pass`: {startup['hook_share']:.3f}% — {verdict(startup['hook_share'] <= 1)}")
    print(f"- 10,000 keys ≤ 1 s: {bulk[0]:.3f} s — {verdict(bulk[0] <= 1)}")
    print(f"- time per key at 100 / 1,000 / 10,000 keys: {' / '.join(f'{v:.3f} ms' for v in bulk[1:])}")
    if speedup is None:
        print("- bulk load vs `hermes auth add`: skipped (hermes-agent not installed)")
    else:
        judged = verdict(speedup >= 50) if vs_keys == 50 else "not judged: the target is for 50 keys (--quick uses 10)"
        print(f"- {vs_keys}-key bulk load vs {vs_keys} × `hermes auth add` (target ≥ 50× for 50 keys): {speedup:.0f}× — {judged}")
    print(f"- non-interactive command ≤ 2× `import yaml, pluggy`: {ratio_call:.2f}× — {verdict(ratio_call <= 2)}")
    print(f"- questionary / prompt_toolkit / hermes_cli imported by the non-interactive path: {', '.join(imports['heavy']) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
