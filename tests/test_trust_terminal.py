"""Issue #9, "honest about what happened": signals and Ctrl-D at every prompt,
control characters typed at the key prompt, what a cancelled run says, and the
README's exit statuses, in a real terminal."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import BIN, ROOT, run_cli
from helpers import CTRL_D, DOWN, ENTER, KEY_1, KEY_2, start_cli

CONFIG = "# keep me\nmodel:\n  provider: openrouter\n"


@pytest.fixture
def home(hermes_home):
    (hermes_home / "config.yaml").write_text(CONFIG)
    return hermes_home


def untouched(home: Path) -> bool:
    names = sorted(p.name for p in home.iterdir())
    return (home / "config.yaml").read_text() == CONFIG and names in (["config.yaml"], ["auth.lock", "config.yaml"])


def lock_is_free(home: Path) -> bool:
    if not (home / "auth.lock").exists():
        return True
    with open(home / "auth.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


def to_the_prompt(term, prompt: str) -> None:
    """Drive the pool step to ``prompt`` (two keys typed on the way)."""
    steps = [("Add an API key for openrouter", KEY_1 + ENTER), ("Label for this key", ENTER),
             ("Add another API key", KEY_2 + ENTER), ("Label for this key", ENTER),
             ("Add another API key", ENTER), ("How should Hermes rotate", DOWN + ENTER),
             ("Write these changes?", None)]
    for text, keys in steps:
        term.expect(text)
        if text == prompt:
            return
        if keys is not None:
            term.send(keys)
    raise AssertionError(f"no prompt {prompt!r}")


PROMPTS = ["Add an API key for openrouter", "Label for this key", "How should Hermes rotate", "Write these changes?"]


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_signal_at_any_prompt_restores_the_terminal_and_writes_nothing(home, env, tmp_path, sig, status, prompt):
    shell = pexpect.spawn("bash", ["--norc", "--noprofile"], encoding="utf-8", dimensions=(40, 120), timeout=30,
                          env={**env, "TERM": "xterm-256color", "PS1": "READY> ", "PROMPT_TOOLKIT_NO_CPR": "1"})
    shell.expect_exact("READY> ")
    shell.sendline(f"stty -g > {tmp_path}/before; {BIN}/hermes-setup-pools pool; echo EXIT=$?; stty -g > {tmp_path}/after")

    class Shell:
        def expect(self, text):
            shell.expect_exact(text)

        def send(self, keys):
            shell.send(keys)

    to_the_prompt(Shell(), prompt)
    cli = subprocess.run(["pgrep", "-P", str(shell.pid), "-f", "hermes-setup-pools"], capture_output=True, text=True)
    os.kill(int(cli.stdout.split()[0]), sig)
    shell.expect_exact(f"EXIT={status}")
    shell.expect_exact("READY> ")
    shell.sendline("exit")
    shell.expect(pexpect.EOF)
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()  # echo, canonical mode back
    assert untouched(home) and lock_is_free(home)
    assert not [p for p in home.iterdir() if ".tmp." in p.name]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_ctrl_d_at_every_prompt_is_a_cancel(home, env, prompt):
    term = start_cli(["pool"], env)
    to_the_prompt(term, prompt)
    term.send(CTRL_D)
    term.expect("Cancelled: nothing was changed.")
    assert term.finish() == 130
    assert untouched(home)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x17", "\x0b", "\t"], ids=["NUL", "Ctrl-A", "Ctrl-W", "VT", "TAB"])
def test_a_control_character_typed_in_a_key_is_refused_not_swallowed(home, env, char):
    term = start_cli(["pool"], env)
    term.expect("Add an API key for openrouter")
    term.send(KEY_1[:12] + char + KEY_1[12:] + ENTER)
    term.expect("the key contains")  # control characters (or, for TAB, spaces): refused
    term.send("\x03")
    assert term.finish() == 130
    assert untouched(home)


# -- what a cancelled run says ----------------------------------------------------------------------

BLOCK_HERMES = "import sys; sys.modules['hermes_cli'] = None; from hermes_setup_pools.cli import main; sys.exit(main())"


def test_ctrl_c_in_the_flow_after_the_provider_step_says_what_was_written(hermes_home, env):
    from helpers import Terminal

    term = Terminal(sys.executable, ["-c", BLOCK_HERMES], env)
    term.expect("Which provider will Hermes use?")
    term.send(ENTER)
    term.expect("Default model:")
    term.send(ENTER)
    term.expect("Add an API key for openrouter")
    term.send("\x03")
    term.expect("Nothing else was changed.")
    assert term.finish() == 130
    said = " ".join(term.text().split())  # wrapped to the pty's 120 columns
    assert ("Cancelled. Already written: config.yaml model.provider = openrouter; "
            "config.yaml model.default = anthropic/claude-fable-5. Nothing else was changed.") in said
    assert "Cancelled: nothing was changed" not in term.text()


def test_ctrl_c_in_the_flow_before_anything_is_written_says_nothing_changed(hermes_home, env):
    from helpers import Terminal

    term = Terminal(sys.executable, ["-c", BLOCK_HERMES], env)
    term.expect("Which provider will Hermes use?")
    term.send("\x03")
    term.expect("Cancelled: nothing was changed.")
    assert term.finish() == 130
    assert not (hermes_home / "config.yaml").exists()


# -- the README's exit statuses --------------------------------------------------------------------


def test_the_exit_statuses_the_readme_documents_are_the_real_ones(home, env):
    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if line.startswith("Exit status:"))
    documented = {int(code): words for code, words in re.findall(r"(\d+) ([^,;.(]+)", line)}
    assert documented[0].startswith("done") and documented[1].startswith("error") and documented[2].startswith("usage")
    assert run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input=f"{KEY_1}\n").returncode == 0
    assert run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input="none\n").returncode == 1
    for usage in (["pool", "--non-interactive", "--provider", "antropic"], ["pool", "--non-interactive", "--strategy", "x"],
                  ["pool", "--bogus"], ["pool"], ["pool", "--non-interactive", "--key-file", "-"]):
        assert run_cli(usage, env, input=f"{KEY_2}\n").returncode == 2, usage
    assert {130, 143, 129} <= set(documented)


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_the_kernel_hands_to_another_thread_still_waits_for_the_write(signum):
    # A signal mask is per thread: with another thread running (Hermes runs some,
    # the key check runs eight), the kernel delivers a process signal there, and
    # the main thread's handler ran in the middle of the write.
    import threading
    import time

    from hermes_setup_pools.store.files import signals_deferred

    got: list[int] = []
    previous = signal.signal(signum, lambda number, _frame: got.append(number))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with signals_deferred():
            os.kill(os.getpid(), signum)
            deadline = time.monotonic() + 0.2  # room for the handler to run, were it not held back
            while time.monotonic() < deadline:
                time.sleep(0.001)
            assert got == []
        assert got == [signum]
        assert signal.getsignal(signum) is not None and signum not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:
        stop.set()
        other.join()
        signal.signal(signum, previous)
