"""Driving the real ``hermes`` program in a pty (helpers for the end-to-end tests)."""

from __future__ import annotations

import io
import re

import pexpect

from conftest import BIN

UP, DOWN, ENTER, CTRL_C = "\x1b[A", "\x1b[B", "\r", "\x03"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def plain(text: str) -> str:
    """Terminal output without escape sequences."""
    return _ANSI.sub("", text)


class Terminal:
    """A program running in a pty, with expectations that fail with a readable transcript."""

    def __init__(self, program: str, args: list[str], env: dict[str, str], timeout: float = 60):
        env = {**env, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "120", "LINES": "50"}
        self.log = io.StringIO()
        self.child = pexpect.spawn(program, args, env=env, encoding="utf-8", dimensions=(50, 120), timeout=timeout)
        self.child.logfile_read = self.log

    def transcript(self, tail: int = 4000) -> str:
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
        self.child.send(keys)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the program to exit; return its exit status."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            raise AssertionError(f"program did not exit; transcript tail:\n{self.transcript()}") from None
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + (self.child.signalstatus or 0)

    def text(self) -> str:
        return plain(self.log.getvalue())


def start_hermes(args: list[str], env: dict[str, str]) -> Terminal:
    """Start the real ``hermes`` in a terminal."""
    return Terminal(str(BIN / "hermes"), args, env)


def menu_items(screen: str, title: str = "Select provider:") -> list[str]:
    """The rows of the last Hermes curses menu titled ``title`` in ``screen``, in order."""
    text = plain(screen)
    text = text[text.rindex(title):]
    return [item.strip() for item in re.split(r"\((?:○|●)\) ", text)[1:]]


def provider_menu(term: Terminal) -> list[str]:
    """Wait for the provider menu to be drawn; return its rows."""
    screen = term.expect("Leave unchanged")
    return menu_items(screen + "(○) Leave unchanged")


def pick_leave_unchanged(term: Terminal) -> None:
    """In Hermes' provider menu, move from the highlighted (active) provider up,
    wrapping round to the last row, "Leave unchanged", and choose it."""
    items = provider_menu(term)
    active = next(i for i, item in enumerate(items) if "currently active" in item)
    term.send(UP * (active + 1) + ENTER)
    term.expect("No change.")


def keep_openrouter(term: Terminal) -> None:
    """Choose the active OpenRouter provider, keep the saved key and the highlighted model."""
    screen = term.expect("Leave unchanged")
    assert "OpenRouter" in plain(screen) and "currently active" in plain(screen)
    term.send(ENTER)
    term.expect("[K]eep / [R]eplace / [C]lear")
    term.send(ENTER)
    term.expect("Select default model")
    term.send(ENTER)
    term.expect("Default model set to")
