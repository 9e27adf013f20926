"""Driving the real ``hermes`` program in a pty (helpers for the end-to-end tests)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BIN
from helpers import ENTER, UP, Terminal, plain


def start_hermes(args: list[str], env: dict[str, str]) -> Terminal:
    """Start the real ``hermes`` in a terminal."""
    return Terminal(str(Path(BIN) / "hermes"), args, env)


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
