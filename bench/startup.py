"""Start-up costs: the .pth every Python process in Hermes' environment reads,
and arming the wizard hook where it really happens, inside ``hermes setup``."""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

import callgrind
from common import BENCH, HERMES, PTH, Homes, Result, base_env, ms, output, paired, per_pair, run_timed, skipped, verdict
from envs import HermesVenvs, bare

HOOK_TARGET = 1.1  # × what a .pth holding only `import sys` adds to `python -c pass` (instructions, both passes)
ARM_TARGET = 1.0  # ms, everything the installed package adds to `hermes setup`

#: The floor of the start-up hook: a .pth line that only decides "not setup, return".
DECIDE_ONLY = "import sys;'setup'in sys.argv"
#: The least line that decides and, in `setup`, acts: one import (ours imports and
#: calls, inside a try, so a broken install never prints a traceback at start-up).
DECIDE_AND_ACT = "import sys;'setup'in sys.argv and __import__('m')"
#: The floor of arming: the same decision, then a module that only finds the seam (bench/floor_arm.py).
ARM_FLOOR_PTH = "import sys;'setup'in sys.argv and __import__('hsp_floor_arm')"


def _pth_passes(python: str, purelib: Path, env: dict[str, str]) -> int:
    """How many times one start-up reads each .pth file (2 in a venv: site.venv() and site.main())."""
    probe = purelib / "zz_bench_count.pth"
    probe.write_text("import sys; sys.stderr.write('pth-pass\\n')\n")
    try:
        proc = subprocess.run([python, "-c", "pass"], env=env, capture_output=True, text=True, check=True)
    finally:
        probe.unlink()
    return proc.stderr.count("pth-pass")


def _share(n: float, plain: float) -> str:
    return f"+{callgrind.fmt(n - plain)} = +{(n - plain) / plain * 100:.2f} %"


def bench_startup_hook(root: Path, pairs: int, cg_runs: int) -> list[Result]:
    """`python -c pass` in bare venvs made for the run, identical (same path
    length) but for one .pth: ours, the floor's, `import sys`, an empty one, none."""
    variants = {"plain": None, "ours": PTH.read_text(), "floor": DECIDE_ONLY + "\n", "acts": DECIDE_AND_ACT + "\n",
                "import sys": "import sys\n", "empty": ""}
    pythons: dict[str, str] = {}
    env = base_env(root, "startup")
    passes = 0
    for i, (name, text) in enumerate(variants.items()):
        python, purelib = bare(root, f"venv-{i}")
        pythons[name] = python
        if text is not None:
            (purelib / PTH.name).write_text(text)
        if name == "ours":
            passes = _pth_passes(python, purelib, env)
    method = (f"bare venvs made for the run (`python -m venv --without-pip`, names of one length), identical but for "
              f"`{PTH.name}`: ours; the floor's (`{DECIDE_ONLY}`: decides \"not setup\" and stops); the least line "
              f"that also acts (`{DECIDE_AND_ACT}`); `import sys` (the "
              "target's unit); empty; none. Whole-process instruction counts of `python -c pass` in each (callgrind, "
              f"PYTHONHASHSEED=0, {cg_runs} run(s) each, median), so all {passes} passes Python makes over a .pth per "
              "start-up are counted; each share is (with − none) ÷ none; ratio = ours ÷ floor, of what each adds")
    out: list[Result] = []
    why = callgrind.unavailable()
    figure = f"Start-up hook: `python -c pass`, instructions ({passes} passes over the .pth)"
    if why:
        out.append(skipped(figure, f"≤ {HOOK_TARGET}× a .pth holding `import sys`", why, method))
    else:
        found = callgrind.counts({name: (lambda p=pythons[name]: ([p, "-c", "pass"], env)) for name in variants}, cg_runs)
        n = {name: statistics.median(v) for name, v in found.items()}
        plain = n["plain"]
        added = {name: n[name] - plain for name in n}
        limit = HOOK_TARGET * added["import sys"]
        out.append(Result(
            figure, _share(n["ours"], plain), _share(n["floor"], plain),
            f"{added['ours'] / added['floor']:.2f}× the floor", f"≤ {HOOK_TARGET}× `import sys` ({_share(plain + limit, plain)})",
            verdict(added["ours"] <= limit), method,
            values={"share": added["ours"] / plain * 100, "floor_share": added["floor"] / plain * 100,
                    "import_sys_share": added["import sys"] / plain * 100, "added": added["ours"]}))
        out.append(Result("… against the least line that decides and, in `setup`, acts", _share(n["ours"], plain),
                          f"`{DECIDE_AND_ACT}`: {_share(n['acts'], plain)}",
                          f"{added['ours'] / added['acts']:.2f}× that line", "(supporting)", "",
                          "the same venvs: a hook must act in `setup`, and each node a .pth line adds is compiled on "
                          "both passes; this line is the decision plus the one call any hook needs"))
        out.append(Result("… a .pth holding only `import sys`; an empty .pth", _share(n["import sys"], plain),
                          f"empty: {_share(n['empty'], plain)}", "—", "(supporting)", "",
                          "the same venvs: what any .pth line that runs code, and any .pth file at all, cost"))
    hook_t, plain_t = paired(lambda: run_timed([pythons["ours"], "-c", "pass"], env),
                             lambda: run_timed([pythons["plain"], "-c", "pass"], env), pairs)
    ratios = per_pair(hook_t, plain_t, lambda h, p: h / p)
    diffs = per_pair(hook_t, plain_t, lambda h, p: h - p)
    out.append(Result(
        "Start-up hook: `python -c pass`, wall time", ms(hook_t, 2), f"no .pth: {ms(plain_t, 2)}",
        f"{statistics.median(ratios):.3f}× (Δ {statistics.median(diffs) * 1e3:+.2f} ms)", "(supporting)", "",
        f"the venvs with our .pth and with none, {pairs} pairs (ours, none …) after one warm-up pair; "
        "ratio = median of the per-pair ratios, Δ = median of the per-pair differences"))
    return out


ARM_CODE = "import hermes_cli.main, hermes_cli.setup"
PROBE_CODE = ("import hermes_cli.main as m; f = m.select_provider_and_model; "
              "print(hasattr(f, '__hermes_setup_pools_original__') or hasattr(f, '__hsp_floor__'))")


def hermes_template(root: Path, name: str) -> Path:
    """A Hermes home with the plugin enabled the way Hermes records it."""
    home = root / name
    env = base_env(root, name)
    env["HERMES_HOME"] = str(home)
    output([str(HERMES), "plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
    return home


def bench_arming(root: Path, rounds: int, cg_runs: int) -> list[Result]:
    """Everything the installed package adds to a `setup` process of Hermes,
    against the same Hermes without it, and the floor's arming against the same."""
    target = f"≤ {ARM_TARGET:g} ms"
    figure = "Arming inside `hermes setup`: everything the package adds"
    method = (f"`python -c \"{ARM_CODE}\" setup` (what `hermes setup` does before its wizard runs) in three venvs made "
              "for the run that mirror this one entry by entry (symlinks, names of one length): without this package "
              "at all (the control); with it as a wheel installs it (the package, its dist-info, our .pth); and with "
              "the floor's instead (bench/floor_arm.py: the same decision in the .pth, then a meta-path finder that "
              "only wraps hermes_cli.main.select_provider_and_model). Each run on a fresh HERMES_HOME in which "
              "`hermes plugins enable setup-pools` wrote config.yaml. Instructions (the verdict: wall time varies by "
              "more than the 1 ms judged): callgrind, "
              + (f"{cg_runs} run(s) per venv, converted to ms at the control's own rate (its instructions ÷ its "
                 f"median wall time); wall time: {rounds} rounds (ours, floor, control) after a warm-up round"
                 if cg_runs else "not counted in this run"))
    if not HERMES.exists():
        return [skipped(figure, target, "hermes-agent is not installed here", method)]
    homes = Homes(root, hermes_template(root, "arm-template"))
    env = base_env(root, "arm")
    venvs = HermesVenvs(root)
    pythons = {"ours": venvs.ours(), "floor": venvs.floor(ARM_FLOOR_PTH, {"hsp_floor_arm.py": BENCH / "floor_arm.py"}),
               "control": venvs.control()}

    def fresh(name: str, code: str = ARM_CODE) -> tuple[list[str], dict[str, str]]:
        return [pythons[name], "-c", code, "setup"], {**env, "HERMES_HOME": str(homes.fresh())}

    installed = {name: output(*fresh(name, PROBE_CODE)).strip() for name in pythons}
    if installed != {"ours": "True", "floor": "True", "control": "False"}:
        raise RuntimeError(f"the wrapper was not installed as expected: {installed}")
    walls: dict[str, list[float]] = {name: [] for name in pythons}
    for i in range(rounds + 1):
        for name in pythons:
            t = run_timed(*fresh(name))
            if i:
                walls[name].append(t)
    d_ours = per_pair(walls["ours"], walls["control"], lambda a, b: (a - b) * 1e3)
    d_floor = per_pair(walls["floor"], walls["control"], lambda a, b: (a - b) * 1e3)
    why = callgrind.unavailable() if cg_runs else "no callgrind run asked for"
    if why:
        return [Result(figure, f"wall Δ {statistics.median(d_ours):+.2f} ms", f"wall Δ {statistics.median(d_floor):+.2f} ms",
                       "—", target, f"not judged: {why}; wall time alone cannot resolve 1 ms", method)]
    jobs: dict[str, Callable[[], tuple[list[str], dict[str, str]]]] = {name: (lambda n=name: fresh(n)) for name in pythons}
    found = callgrind.counts(jobs, cg_runs)
    ins = {name: statistics.median(v) for name, v in found.items()}
    rate = ins["control"] / statistics.median(walls["control"]) / 1e3  # instructions per ms on this machine
    ours_i, floor_i = ins["ours"] - ins["control"], ins["floor"] - ins["control"]
    ours_ms, floor_ms = ours_i / rate, floor_i / rate
    return [
        Result(figure, f"+{callgrind.fmt(ours_i)} ≈ {ours_ms:.2f} ms", f"+{callgrind.fmt(floor_i)} ≈ {floor_ms:.2f} ms",
               f"{ours_i / floor_i:.2f}× the floor", target, verdict(ours_ms <= ARM_TARGET), method,
               values={"ms": ours_ms, "floor_ms": floor_ms, "instructions": ours_i, "rate": rate}),
        Result("… the same, wall time (median of per-round differences from the control)",
               f"{statistics.median(d_ours):+.2f} ms", f"{statistics.median(d_floor):+.2f} ms", "—", "(supporting)", "",
               f"control: {ms(walls['control'])}; instructions: control {callgrind.median_of(found['control'])}, "
               f"ours {callgrind.median_of(found['ours'])}, floor {callgrind.median_of(found['floor'])}"),
    ]
