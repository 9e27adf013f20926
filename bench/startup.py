"""Start-up costs: the .pth every Python process in Hermes' environment reads,
and arming the wizard hook where it really happens, inside ``hermes setup``."""

from __future__ import annotations

import functools
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

import callgrind
from common import HERMES, PTH, PY, Homes, Result, base_env, ms, output, paired, per_pair, run_timed, skipped, verdict

HOOK_TARGET = 0.5  # % of `python -c pass`, instructions, every pass counted
ARM_TARGET = 1.0  # ms


def _venv(root: Path, name: str) -> tuple[str, Path]:
    venv = root / name
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    purelib = output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {}).strip()
    return python, Path(purelib)


def _pth_passes(python: str, purelib: Path, env: dict[str, str]) -> int:
    """How many times one start-up reads each .pth file (2 in a venv: site.venv() and site.main())."""
    probe = purelib / "zz_bench_count.pth"
    probe.write_text("import sys; sys.stderr.write('pth-pass\\n')\n")
    try:
        proc = subprocess.run([python, "-c", "pass"], env=env, capture_output=True, text=True, check=True)
    finally:
        probe.unlink()
    return proc.stderr.count("pth-pass")


def bench_startup_hook(root: Path, pairs: int, cg_runs: int, floors: bool) -> list[Result]:
    """`python -c pass` in two venvs made for the run, identical but for our .pth."""
    plain, _ = _venv(root, "venv-0")
    hooked, purelib = _venv(root, "venv-1")  # same path length as venv-0: argv and paths cost the same
    (purelib / PTH.name).write_bytes(PTH.read_bytes())
    env = base_env(root, "startup")
    passes = _pth_passes(hooked, purelib, env)
    hook_cmd, plain_cmd = [hooked, "-c", "pass"], [plain, "-c", "pass"]
    method = (f"two bare venvs made for the run (`python -m venv --without-pip`), identical except that one holds "
              f"`{PTH.name}`; whole-process instruction counts of `python -c pass` in each "
              f"(callgrind, PYTHONHASHSEED=0, {cg_runs} run(s) each, median), so all {passes} passes the interpreter "
              f"makes over the .pth per start-up are included; the share is (hook − plain) ÷ plain")
    out: list[Result] = []
    why = callgrind.unavailable()
    target = f"≤ {HOOK_TARGET} % of `python -c pass`"
    if why:
        out.append(skipped("Start-up hook, instructions", target, why, method))
    else:
        found = callgrind.counts({"hook": lambda: (hook_cmd, env), "plain": lambda: (plain_cmd, env)}, cg_runs)
        hook_i, plain_i = statistics.median(found["hook"]), statistics.median(found["plain"])
        share = (hook_i - plain_i) / plain_i * 100
        out.append(Result(
            f"Start-up hook: `python -c pass`, instructions ({passes} passes over the .pth)",
            callgrind.median_of(found["hook"]), f"no .pth: {callgrind.median_of(found['plain'])}",
            f"+{callgrind.fmt(hook_i - plain_i)} = +{share:.2f} %", target, verdict(share <= HOOK_TARGET), method))
        if floors:
            out.extend(_floors(root, env, plain_i, cg_runs))
    hook_t, plain_t = paired(lambda: run_timed(hook_cmd, env), lambda: run_timed(plain_cmd, env), pairs)
    ratios = per_pair(hook_t, plain_t, lambda h, p: h / p)
    diffs = per_pair(hook_t, plain_t, lambda h, p: h - p)
    out.append(Result(
        "Start-up hook: `python -c pass`, wall time", ms(hook_t, 2), f"no .pth: {ms(plain_t, 2)}",
        f"{statistics.median(ratios):.3f}× (Δ {statistics.median(diffs) * 1e3:+.2f} ms)", "(supporting)", "",
        f"the same two venvs, {pairs} pairs (hook, plain, hook, plain …) after one warm-up pair; "
        "ratio = median of the per-pair ratios, Δ = median of the per-pair differences"))
    return out


def _floors(root: Path, env: dict[str, str], plain_i: float, cg_runs: int) -> list[Result]:
    """What any .pth costs: an empty one, and one whose only line is `import sys`."""
    python, purelib = _venv(root, "venv-2")
    out = []
    for text, what in (("", "an empty .pth"), ("import sys\n", "a .pth holding only `import sys`")):
        (purelib / PTH.name).write_text(text)
        n = statistics.median(callgrind.counts({"floor": lambda: ([python, "-c", "pass"], env)}, cg_runs)["floor"])
        out.append(Result(f"… floor: {what}", callgrind.fmt(n), f"no .pth: {callgrind.fmt(plain_i)}",
                          f"+{callgrind.fmt(n - plain_i)} = +{(n - plain_i) / plain_i * 100:.2f} %", "(supporting)", "",
                          "as above, in a third venv whose .pth is replaced by this text"))
    return out


ARM_CODE = "import hermes_cli.main"
PROBE_CODE = "import hermes_cli.main as m; print(hasattr(m.select_provider_and_model, '__hermes_setup_pools_original__'))"


def hermes_template(root: Path, name: str) -> Path:
    """A Hermes home with the plugin enabled the way Hermes records it."""
    home = root / name
    env = base_env(root, name)
    env["HERMES_HOME"] = str(home)
    output([str(HERMES), "plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
    return home


def bench_arming(root: Path, rounds: int, cg_runs: int) -> list[Result]:
    """A `setup` process importing hermes_cli.main: hook armed and installing the
    wrapper (plugin enabled) vs the same process with the hook inert."""
    target = f"≤ {ARM_TARGET:g} ms"
    method = ("`python -c \"import hermes_cli.main\" setup` (our .pth arms, the import installs the wrapper) with "
              "`plugins.enabled: [setup-pools]` in a fresh HERMES_HOME written by `hermes plugins enable`, vs the same "
              "with `chat` in place of `setup` (the hook inert: only the membership test every process pays); "
              f"{rounds} rounds (armed, off switch, inert) after a warm-up round, each run on its own fresh "
              "home; Δ = median of the per-round differences. Instructions (what the verdict uses: wall time "
              "varies by tens of ms between runs, far more than the 1 ms target): "
              + (f"callgrind, {cg_runs} run(s) per variant on fresh homes, converted to ms at the armed process's own "
                 "rate (its instructions ÷ its median wall time)" if cg_runs else "not counted in --quick"))
    if not HERMES.exists():
        return [skipped("Arming inside `hermes setup`", target, "hermes-agent is not installed here", method)]
    homes = Homes(root, hermes_template(root, "arm-template"))
    env = base_env(root, "arm")
    variants: dict[str, tuple[list[str], dict[str, str]]] = {
        "armed": (["-c", ARM_CODE, "setup"], env),
        "off": (["-c", ARM_CODE, "setup"], {**env, "HERMES_SETUP_POOLS_AUTOHOOK": "0"}),
        "inert": (["-c", ARM_CODE, "chat"], env),
    }

    def fresh(name: str) -> tuple[list[str], dict[str, str]]:
        args, e = variants[name]
        return [PY, *args], {**e, "HERMES_HOME": str(homes.fresh())}

    installed = {name: output([PY, "-c", PROBE_CODE, *variants[name][0][2:]], fresh(name)[1]).strip() for name in variants}
    if installed != {"armed": "True", "off": "False", "inert": "False"}:
        raise RuntimeError(f"the wrapper was not installed as expected: {installed}")

    def timed(name: str) -> Callable[[], float]:
        return lambda: run_timed(*fresh(name))

    walls: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(rounds + 1):
        for name in variants:
            t = timed(name)()
            if i:
                walls[name].append(t)
    d_inert = per_pair(walls["armed"], walls["inert"], lambda a, b: (a - b) * 1e3)
    d_off = per_pair(walls["armed"], walls["off"], lambda a, b: (a - b) * 1e3)
    ins: dict[str, float] = {}
    found: dict[str, list[int]] = {}
    why = callgrind.unavailable() if cg_runs else "no callgrind run in --quick (about 12 s per run)"
    if not why:
        found = callgrind.counts({name: functools.partial(fresh, name) for name in variants}, cg_runs)
        ins = {name: statistics.median(v) for name, v in found.items()}
    rate = ins["armed"] / statistics.median(walls["armed"]) / 1e3 if ins else 0.0  # instructions per ms

    def row(figure: str, other: str, label: str, diffs: list[float], judged: bool) -> Result:
        wall = statistics.median(diffs)
        ratio = f"wall Δ {wall:+.2f} ms"
        if ins:
            di = ins["armed"] - ins[other]
            ratio = f"instructions Δ +{callgrind.fmt(di)} ≈ {di / rate:.2f} ms; " + ratio
            ok = verdict(di / rate <= ARM_TARGET)
        elif cg_runs:
            ok = verdict(wall <= ARM_TARGET) + " (wall time only)"
        else:
            ok = f"not judged: {why}; wall time alone cannot resolve 1 ms"
        ours = f"{ms(walls['armed'])}" + (f"; {callgrind.median_of(found['armed'])} instr" if ins else "")
        control = f"{label}: {ms(walls[other])}" + (f"; {callgrind.median_of(found[other])} instr" if ins else "")
        return Result(figure, ours, control, ratio, target if judged else "(supporting)",
                      ok if judged else "", method if judged else "the same rounds, against the off-switch run")

    return [row("Arming inside `hermes setup` (everything the hook adds)", "inert", "hook inert (`chat`)", d_inert, True),
            row("… vs the off switch `HERMES_SETUP_POOLS_AUTOHOOK=0` (still imports the hook module)", "off",
                "off switch", d_off, False)]
