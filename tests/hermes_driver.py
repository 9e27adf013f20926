"""Driving the real ``hermes`` program in a pty (helpers for the end-to-end tests).

Version-aware: the installed hermes-agent release is read once, and each
helper follows that release's prompts (see /work/notes/hermes-matrix.md, §5):

* 0.13–0.15 pick the model from a numbered list (``Choice [1-N] (default:
  skip):``), ask Hermes' own pool question and the TTS provider inside the
  model section; 0.16+ use a curses model menu and go straight on.
* Hermes' curses menus take ``j``/``k`` on every release (0.13–0.15 read the
  raw ``ESC [ B`` of an arrow key as Escape, i.e. cancel). Our own questionary
  prompts take arrow keys everywhere.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from conftest import BIN
from helpers import ENTER, Terminal, plain

MENU_DOWN, MENU_UP = "j", "k"


def _release(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in re.findall(r"\d+", text)[:3])
    return major, minor, patch


#: The hermes-agent release the tests drive (read once).
HERMES = _release(version("hermes-agent"))
HERMES_TEXT = ".".join(map(str, HERMES))
#: 0.13–0.15: Hermes' own "Same-Provider Fallback & Rotation" step, the TTS
#: question in the model section, and the numbered model list.
OLD_WIZARD = HERMES < (0, 16, 0)
#: `hermes plugins enable <entry point>`, `--no-allow-tool-override` and the
#: entry-point rows of `hermes plugins list` exist from 0.18 on.
PLUGINS_CLI = HERMES >= (0, 18, 0)
#: `hermes setup --portal` exists from 0.15 on.
HAS_PORTAL = HERMES >= (0, 15, 0)


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
    screen = term.expect("Leave unchanged")  # the last row: the menu is drawn
    return menu_items(screen + "Leave unchanged")


def choose(term: Terminal, items: list[str], start: int, target: int) -> None:
    """Move a Hermes curses menu from row ``start`` to row ``target`` and choose it."""
    steps = target - start
    term.send((MENU_DOWN * steps if steps > 0 else MENU_UP * -steps) + ENTER)


def pick_leave_unchanged(term: Terminal) -> None:
    """In Hermes' provider menu, move from the highlighted (active) provider down
    to the last row, "Leave unchanged", and choose it."""
    items = provider_menu(term)
    active = next((i for i, item in enumerate(items) if "currently active" in item), 0)
    choose(term, items, active, len(items) - 1)
    term.expect("No change.")


def pick_provider(term: Terminal, name: str) -> None:
    """Choose the provider whose row starts with ``name`` (nothing active yet)."""
    items = provider_menu(term)
    active = next((i for i, item in enumerate(items) if "currently active" in item), 0)
    choose(term, items, active, next(i for i, item in enumerate(items) if item.startswith(name)))


def choose_model(term: Terminal) -> None:
    """At Hermes' model picker, take the first listed model."""
    term.expect("Select default model")
    if OLD_WIZARD:
        term.expect("(default: skip)")
        term.send("1" + ENTER)
    else:
        term.send(ENTER)
    term.expect("Default model set to")


def keep_openrouter(term: Terminal) -> None:
    """Choose the active OpenRouter provider, keep the saved key, take the first model."""
    screen = term.expect("Leave unchanged")
    assert "OpenRouter" in plain(screen) and "currently active" in plain(screen)
    term.send(ENTER)
    term.expect("[K]eep / [R]eplace / [C]lear")
    term.send(ENTER)
    choose_model(term)


def continue_after_step(term: Terminal) -> str:
    """At the summary line the wrapper shows after the step, press Enter; return the line."""
    before = term.expect("press Enter to continue")
    term.send(ENTER)
    return plain(before).strip().splitlines()[-1]


def answer_hermes_own_pool_step(term: Terminal) -> None:
    """Hermes 0.13–0.15's own pool step: decline to add a credential."""
    term.expect("Same-Provider Fallback & Rotation")
    term.expect("Add another credential for same-provider fallback?")
    term.send(ENTER)


def finish_model_section(term: Terminal) -> None:
    """The rest of `hermes setup model` after the pool step: the TTS menu on
    0.13–0.15 (keep the current one), then the closing line."""
    if OLD_WIZARD:
        term.expect("Select TTS provider")
        term.send(ENTER)
    term.expect("Model & Provider configuration complete!")
