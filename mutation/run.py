"""Mutation testing of the core modules, and the score it gets.

    python mutation/run.py             # a fresh run (~10 min on 2 cores), then the score
    python mutation/run.py --report    # the score of the last run, without running again
    python mutation/run.py --rev HEAD  # mutate the package as committed (tests: the work tree)
    python mutation/run.py --retest    # after adding tests: re-run only the last run's survivors

mutmut (configured in pyproject.toml, ``[tool.mutmut]``) runs in a copy of the
project, ``mutation/work/``, so the work tree never holds its ``mutants/``
folder. The score counts a mutant as killed when a test failed or timed out on
it, and leaves out the survivors that mutation/equivalent.txt names as
equivalent (they cannot change behaviour); it prints how many that is, every
other survivor with its diff, and each line of equivalent.txt that no longer
matches a survivor.

Developer tooling only: CI does not run it (too slow).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"
WORK = HERE / "work"
EQUIVALENT = HERE / "equivalent.txt"
COPIED = ("hermes_setup_pools", "tests", "pyproject.toml")
#: A mutant counts as killed when a test failed on it (or it ran out of time:
#: a mutant that loops for ever is caught, just slowly).
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
SEP = " || "


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # hermes_setup_pools/keys/detect.py
    function: str  # mask, PoolIndex.change
    status: str
    line: int | None = None
    before: str = ""
    after: str = ""
    diff: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.path, self.function, self.before, self.after


@dataclass(frozen=True)
class Equivalent:
    path: str
    line: str
    function: str
    before: str
    after: str
    why: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.path, self.function, self.before, self.after


def mutmut_config() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]


def prepare_copy(rev: str | None) -> None:
    """A fresh copy of the package, the tests and pyproject.toml in mutation/work/
    (the package as committed at ``rev`` when given), and the plugin beside the mutants."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")
    for name in COPIED:
        source = ROOT / name
        if rev is not None and name == "hermes_setup_pools":
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, name], capture_output=True, check=False)
            if archive.returncode != 0:
                sys.exit(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
            subprocess.run(["tar", "-x", "-C", str(WORK)], input=archive.stdout, check=True)
        elif source.is_dir():
            shutil.copytree(source, WORK / name, ignore=ignore)
        else:
            shutil.copy2(source, WORK / name)
    # mutmut puts mutants/ first on sys.path: `-p mutation_plugin` finds it there
    (WORK / "mutants").mkdir()
    shutil.copy2(HERE / "pytest_plugin.py", WORK / "mutants" / "mutation_plugin.py")


def run_mutmut(max_children: int, names: list[str] | None = None) -> float:
    """``mutmut run`` in the copy (only ``names`` when given); returns how long it took (seconds)."""
    mutmut = Path(sys.executable).parent / "mutmut"
    if not mutmut.exists():
        sys.exit("mutmut is not installed in this Python's environment: pip install 'mutmut>=3.8,<4'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    started = time.monotonic()
    command = [str(mutmut), "run", "--max-children", str(max_children), *(names or [])]
    result = subprocess.run(command, cwd=WORK, env=env, check=False)
    if result.returncode != 0:
        sys.exit(f"mutmut run failed (exit status {result.returncode}); see its output above")
    return time.monotonic() - started


# -- reading the results -----------------------------------------------------------------------


def mutated_files() -> list[str]:
    import fnmatch

    patterns = mutmut_config()["only_mutate"]
    assert isinstance(patterns, list)
    files = sorted(str(p.relative_to(WORK)) for p in (WORK / "hermes_setup_pools").rglob("*.py"))
    return [f for f in files if any(fnmatch.fnmatch(f, p) for p in patterns)]


def function_lines(source: str) -> dict[str, int]:
    """``name`` / ``Class.name`` -> the line its definition (or first decorator) starts on."""
    lines: dict[str, int] = {}
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines[node.name] = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines[f"{node.name}.{item.name}"] = min([item.lineno, *(d.lineno for d in item.decorator_list)])
    return lines


def function_of(name: str) -> str:
    """``mask`` / ``PoolIndex.change`` from a mutant name such as ``….x_mask__mutmut_3``."""
    local = name.rpartition(".")[2].rpartition("__mutmut_")[0]
    if local.startswith("xǁ"):
        cls, _, method = local[2:].partition("ǁ")
        return f"{cls}.{method}"
    return local.removeprefix("x_")


def describe(name: str, path: str, function: str, status: str, starts: dict[str, int]) -> Mutant:
    """A mutant with the line it changes and the change, read from mutmut's diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path)
    before = [line[1:].strip() for line in diff.splitlines()[2:] if line.startswith("-")]
    after = [line[1:].strip() for line in diff.splitlines()[2:] if line.startswith("+")]
    hunk = re.search(r"^@@ -(\d+)", diff, re.M)
    line = None
    if function in starts and hunk:
        body = [ln for ln in diff.splitlines()[3:] if not ln.startswith("+")]
        offset = next((i for i, ln in enumerate(body) if ln.startswith("-")), 0)
        line = starts[function] + int(hunk.group(1)) - 1 + offset
    return Mutant(name, path, function, status, line, " ⏎ ".join(before), " ⏎ ".join(after), diff)


def load_mutants() -> list[Mutant]:
    """Every mutant of the last run, survivors with their change spelled out."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    os.chdir(WORK)
    mutants = []
    for path in mutated_files():
        data = SourceFileMutationData(path=path)
        data.load()
        starts = function_lines((WORK / path).read_text())
        for name, code in sorted(data.exit_code_by_key.items(), key=lambda kv: natural(kv[0])):
            status = status_by_exit_code[code]
            function = function_of(name)
            if status in KILLED:
                mutants.append(Mutant(name, path, function, status))
            else:
                mutants.append(describe(name, path, function, status, starts))
    return mutants


def natural(name: str) -> tuple[str, int]:
    head, _, number = name.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def load_equivalents() -> list[Equivalent]:
    """mutation/equivalent.txt: ``path:line || function || before || after || why`` a line."""
    found = []
    for number, raw in enumerate(EQUIVALENT.read_text().splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split(SEP)
        if len(parts) != 5:
            sys.exit(f"{EQUIVALENT}:{number}: expected 5 fields separated by '{SEP.strip()}', got {len(parts)}")
        where, function, before, after, why = (p.strip() for p in parts)
        path, _, line = where.partition(":")
        found.append(Equivalent(path, line, function, before.strip("`"), after.strip("`"), why))
    return found


# -- the score ---------------------------------------------------------------------------------


def report(mutants: list[Mutant], equivalents: list[Equivalent], took: float | None) -> int:
    known = {e.key for e in equivalents}
    matched: set[tuple[str, str, str, str]] = set()
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # total, killed, equivalent, survived
    survivors: list[Mutant] = []
    for m in mutants:
        row = rows[m.path]
        row[0] += 1
        if m.status in KILLED:
            row[1] += 1
        elif m.key in known:
            row[2] += 1
            matched.add(m.key)
        else:
            row[3] += 1
            survivors.append(m)

    if survivors:
        print(f"\nSurvivors not listed as equivalent ({len(survivors)}):\n")
        for m in survivors:
            print(f"--- {m.path}:{m.line} {m.function} [{m.status}] {m.name}")
            print("\n".join(m.diff.splitlines()[2:]) if m.diff else "(no diff)")
            print(f"    as an equivalent.txt line: {m.path}:{m.line}{SEP}{m.function}{SEP}`{m.before}`{SEP}`{m.after}`"
                  f"{SEP}<why it cannot change behaviour>")
            print()
    stale = [e for e in equivalents if e.key not in matched]
    if stale:
        print(f"equivalent.txt lines that match no survivor now (killed, or the code changed): {len(stale)}")
        for e in stale:
            print(f"    {e.path}:{e.line} {e.function}: `{e.before}` -> `{e.after}`")
        print()

    print("Mutation score (killed / mutants not listed as equivalent):\n")
    print(f"{'module':<44} {'mutants':>7} {'equiv.':>6} {'killed':>7} {'survived':>8} {'score':>7}")
    totals = [0, 0, 0, 0]
    for path in sorted(rows):
        total, killed, equivalent, survived = rows[path]
        totals = [a + b for a, b in zip(totals, rows[path], strict=True)]
        print(f"{path:<44} {total:>7} {equivalent:>6} {killed:>7} {survived:>8} {percent(killed, total - equivalent):>7}")
    total, killed, equivalent, survived = totals
    print(f"{'overall':<44} {total:>7} {equivalent:>6} {killed:>7} {survived:>8} {percent(killed, total - equivalent):>7}")
    print(f"\nkilled {killed} of {total - equivalent} ({percent(killed, total - equivalent)}); "
          f"{equivalent} equivalent mutants excluded (mutation/equivalent.txt)")
    by_status: dict[str, int] = defaultdict(int)
    for m in mutants:
        by_status[m.status] += 1
    print("by mutmut status: " + ", ".join(f"{status} {n}" for status, n in sorted(by_status.items())))
    if took is not None:
        print(f"mutmut run took {took / 60:.1f} min")
    return 0


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def package_changed() -> bool:
    """Whether the work tree's package differs from the copy the last run mutated."""
    mine = {p.relative_to(ROOT): p.read_bytes() for p in (ROOT / "hermes_setup_pools").rglob("*.py")}
    copied = {p.relative_to(WORK): p.read_bytes() for p in (WORK / "hermes_setup_pools").rglob("*.py")}
    return mine != copied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="store_true", help="print the score of the last run without running again")
    parser.add_argument("--retest", action="store_true",
                        help="copy the tests again and re-run only the last run's survivors not listed as equivalent")
    parser.add_argument("--rev", help="mutate the package as committed at this git revision (default: the work tree)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2, help="parallel workers (default: the CPUs)")
    args = parser.parse_args()
    took = None
    if (args.report or args.retest) and not (WORK / "mutants").is_dir():
        sys.exit("no run to report on: run `python mutation/run.py` first")
    if args.retest:
        if package_changed():
            sys.exit("the package changed since the last run (a re-test would mix two versions): run it whole again")
        known = {e.key for e in load_equivalents()}
        names = [m.name for m in load_mutants() if m.status not in KILLED and m.key not in known]
        os.chdir(ROOT)
        shutil.rmtree(WORK / "tests")
        shutil.copytree(ROOT / "tests", WORK / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "pyproject.toml", WORK / "pyproject.toml")
        print(f"re-testing {len(names)} mutants")
        took = run_mutmut(args.max_children, names) if names else 0.0
    elif not args.report:
        prepare_copy(args.rev)
        took = run_mutmut(args.max_children)
    return report(load_mutants(), load_equivalents(), took)


if __name__ == "__main__":
    sys.exit(main())
