"""Test helpers shared by several files: keys, keystrokes, a terminal driver,
and throwaway plugin distributions."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect

from hermes_setup_pools import hookimpl

# -- keys ----------------------------------------------------------------------------
ENV_KEY = "sk-or-v1-" + "e" * 52 + "9999"
KEY_1 = "sk-or-v1-" + "1" * 52 + "1111"
KEY_2 = "sk-or-v1-" + "2" * 52 + "2222"
KEY_3 = "sk-or-v1-" + "3" * 52 + "3333"
#: A key that must never appear anywhere but auth.json.
CANARY = "sk-or-v1-CANARY" + "c4n4ry" * 8 + "Zz9Q"
ALL_KEYS = (ENV_KEY, KEY_1, KEY_2, KEY_3, CANARY)

# -- keystrokes ----------------------------------------------------------------------
UP, DOWN, ENTER, CTRL_C, CTRL_D = "\x1b[A", "\x1b[B", "\r", "\x03", "\x04"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def plain(text: str) -> str:
    """Terminal output without escape sequences."""
    return _ANSI.sub("", text)


def assert_no_secret(text: str, keys: tuple[str, ...] = ALL_KEYS) -> None:
    """Fail if any whole key appears in ``text``."""
    for key in keys:
        assert key not in text, "a whole key was printed"


class Terminal:
    """A program running in a pty, with expectations that fail with a readable transcript."""

    def __init__(self, program: str, args: list[str], env: dict[str, str], timeout: float = 60):
        env = {**env, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "120", "LINES": "50"}
        self.log = io.StringIO()
        self.child = pexpect.spawn(program, args, env=env, encoding="utf-8", dimensions=(50, 120), timeout=timeout)
        self.child.logfile_read = self.log

    def transcript(self, tail: int = 4000) -> str:
        """The last ``tail`` characters shown, escapes removed."""
        return plain(self.log.getvalue())[-tail:]

    def expect(self, text: str, timeout: float | None = None) -> str:
        """Wait for ``text`` (exact); return what came before it."""
        try:
            self.child.expect_exact(text, timeout=timeout if timeout is not None else -1)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            raise AssertionError(
                f"{type(exc).__name__} waiting for {text!r}; transcript tail:\n{self.transcript()}"
            ) from None
        return self.child.before

    def send(self, keys: str) -> None:
        """Type ``keys``."""
        self.child.send(keys)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the program to exit; return its exit status (128+N for signal N)."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            raise AssertionError(f"program did not exit; transcript tail:\n{self.transcript()}") from None
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + (self.child.signalstatus or 0)

    def text(self) -> str:
        """Everything shown so far, escapes removed."""
        return plain(self.log.getvalue())


def start_cli(args: list[str], env: dict[str, str], timeout: float = 30) -> Terminal:
    """``hermes-setup-pools ARGS`` in a terminal."""
    return Terminal(str(Path(sys.executable).parent / "hermes-setup-pools"), args, env, timeout)


def add_key_and_round_robin(term: Terminal, *, pool: str = "openrouter", total: int = 2) -> None:
    """At the pool step: add KEY_1 as "team", finish, choose round_robin, confirm."""
    term.expect(f"Add another API key for {pool}")
    term.send(KEY_1 + ENTER)
    term.expect("Label for this key")
    term.send("team" + ENTER)
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect(f"How should Hermes rotate between these {total} keys?")
    term.send(DOWN + ENTER)
    term.expect("Write these changes?")
    term.send(ENTER)
    term.expect(f"Added {total} credential{'' if total == 1 else 's'} to {pool}" if total else "Set credential_pool_strategies")


# -- the pool step in process ----------------------------------------------------------


def run_step(home: Path, answers: Any = (), *, interactive: bool = True, **options: Any) -> tuple[Any, str, Any]:
    """Run the pool step on ``home``: scripted answers (every one used) or, when
    not interactive, ``PoolOptions(**options)``. Returns (outcome, output, prompter)
    and fails if any whole key was printed."""
    from hermes_setup_pools import Context
    from hermes_setup_pools.pool.options import PoolOptions
    from hermes_setup_pools.pool.step import run_pool
    from hermes_setup_pools.prompts import ScriptedPrompter

    out = io.StringIO()
    prompter = ScriptedPrompter(answers) if interactive else None
    outcome = run_pool(Context(home, interactive=interactive, prompter=prompter, out=out), PoolOptions(**options))
    text = out.getvalue()
    assert_no_secret(text)
    if prompter is not None:
        assert prompter.answers == [], f"unused answers: {len(prompter.answers)}"
    return outcome, text, prompter


# -- plugins -------------------------------------------------------------------------


def plugin_module(hook: Callable[..., Any], name: str = "fixture_plugin") -> types.ModuleType:
    """A module whose ``hermes_setup_register_steps`` is ``hook`` (marked as a hookimpl)."""
    module = types.ModuleType(name)
    module.hermes_setup_register_steps = hookimpl(hook)  # type: ignore[attr-defined]
    return module


def make_plugin(*steps: Any, name: str = "fixture_plugin") -> types.ModuleType:
    """A plugin module registering ``steps``."""

    def hermes_setup_register_steps(register):
        for step in steps:
            register(step)

    return plugin_module(hermes_setup_register_steps, name)


def make_dist(site: Path, name: str, module_source: str, ep_name: str | None = None) -> None:
    """Write ``<name>.py`` and a ``<name>-1.0.dist-info`` with a hermes_setup entry point."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[hermes_setup]\n{ep_name or name} = {name}\n")
    (info / "RECORD").write_text("")


def pip_install_source(files: dict[str, str], target: Path, work: Path) -> Path:
    """Build and install a distribution made of ``files`` with pip, into ``target``."""
    work.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (work / name).write_text(text)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(work)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    return target
