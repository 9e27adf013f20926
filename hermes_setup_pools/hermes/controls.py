"""The wizard's keys and signals while our steps run inside ``hermes setup``.

* Esc and ← (Hermes 0.22+ draws every menu with "ESC cancel  ← previous"):
  inside a wizard that has them, Esc leaves the setup as Hermes' Esc does
  (its ``_SetupCancelled``), and ← at the step's first question reopens
  Hermes' previous menu (its ``_SetupGoBack``); ← at a later question goes
  back inside the step (:mod:`..pool.replay`). Older wizards have neither.
* Ctrl-C: the first cancels the step (nothing written); a Ctrl-C at the
  "press Enter to continue" line leaves the setup, as the wizard's banner
  promises ("Press Ctrl+C at any time to exit").
* SIGTERM and SIGHUP: at a question, the step is cancelled (nothing written,
  the terminal restored by the prompt library), one line says so, and the
  process then ends by that signal as it would have; while files are being
  written the signal waits until they are, and the line says what was written.

Standard library only at import time.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

SETUP_MODULE = "hermes_cli.setup"


def navigation() -> Any | None:
    """Hermes' navigation state when this call runs inside a wizard that goes
    back and cancels (0.22+), else ``None``."""
    var = getattr(sys.modules.get(SETUP_MODULE), "_SETUP_NAVIGATION", None)
    try:
        return var.get(None) if var is not None else None
    except Exception:
        return None


def can_go_back(state: Any) -> bool:
    """Whether Hermes has a menu before our step to go back to."""
    try:
        return int(state.section_index) > 0 or (int(state.section_index) >= 0 and int(state.prompt_index) > 0)
    except (AttributeError, TypeError, ValueError):
        return False


def back_to_hermes(state: Any) -> BaseException:
    """Hermes' own "go back" for the menu before our step."""
    go_back: Any = getattr(sys.modules[SETUP_MODULE], "_SetupGoBack")  # noqa: B009 (a private name, looked up at call time)
    error: BaseException = go_back(int(state.prompt_index))
    return error


def leave_setup() -> NoReturn:
    """Leave the whole setup: Hermes' own cancel where it has one (it then
    says "Setup cancelled" and keeps what earlier sections saved); on older
    Hermes the process ends as Ctrl-C at Hermes' own prompts ends it (status 1),
    with one line instead of a traceback."""
    cancel = getattr(sys.modules.get(SETUP_MODULE), "_SetupCancelled", None)
    if isinstance(cancel, type) and issubclass(cancel, BaseException):
        raise cancel()
    from ..errors import LeaveSetup

    previous = sys.excepthook

    def quiet(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        if isinstance(value, LeaveSetup):
            print("Setup stopped (Ctrl-C). The sections finished before it are saved.", file=sys.stderr, flush=True)
            return
        previous(kind, value, tb)

    sys.excepthook = quiet
    raise LeaveSetup


class SignalWatch:
    """SIGTERM and SIGHUP while a step runs: recorded, and turned into a
    cancel only while a question is open (where the prompt library restores
    the terminal); any other time they wait for the step to finish."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        from ..errors import Terminated
        from ..prompts import asking, end_question

        self.signum = signum
        if asking() and not end_question(Terminated(signum)):
            raise Terminated(signum)

    @contextmanager
    def watching(self) -> Iterator[SignalWatch]:
        """Install the handlers for the block (main thread only; elsewhere nothing changes)."""
        previous: dict[int, Any] = {}
        try:
            for sig in (int(signal.SIGTERM), int(signal.SIGHUP)):
                previous[sig] = signal.signal(sig, self._handler)
        except ValueError:
            pass  # not the main thread
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def finish(self, wrote: str | None, say: Any) -> None:
        """After the step: when a signal came, say what happened and end the
        process by that signal (its default action)."""
        if self.signum is None:
            return
        name = signal.Signals(self.signum).name
        say(f"Credential pool: stopped by {name}; " + (f"written before it came: {wrote}" if wrote else
                                                      "nothing was written by this step") + ".")
        signal.signal(self.signum, signal.SIG_DFL)
        os.kill(os.getpid(), self.signum)
