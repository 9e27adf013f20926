"""What a plugin author touches: :class:`Step`, :class:`Context`, the errors a
step may raise, and the id of the anchor step every other step orders itself
around.

Nothing here runs anything; the plugin manager lives in
:mod:`hermes_setup_pools.manager` and the runner in :mod:`hermes_setup_pools.runner`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .display import shown_lines
from .errors import Cancelled, SetupError, UsageError

if TYPE_CHECKING:
    from .prompts import Prompter

__all__ = [
    "ANCHOR_STEP_ID", "Cancelled", "Context", "Register", "SetupError", "Step", "StepError", "UsageError",
]

#: The anchor step the host always provides: Hermes' provider and model picker
#: (a small built-in picker when Hermes is not installed).
ANCHOR_STEP_ID = "select_provider_and_model"

_STEP_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class StepError(SetupError):
    """A step or plugin breaks the hook contract (bad step, duplicate id, cycle, …)."""


@dataclass
class Context:
    """What every step's ``run(context)`` receives.

    ``hermes_home``: the Hermes home directory the run works on.
    ``interactive``: whether questions may be asked.
    ``prompter``: asks the questions when ``interactive`` (see
    :class:`hermes_setup_pools.prompts.Prompter`); ``None`` otherwise.
    ``results``: the id of each step that already ran → what its ``run`` returned.
    ``out``: where :meth:`echo` writes (standard output when ``None``).
    """

    hermes_home: Path
    interactive: bool = True
    prompter: Prompter | None = None
    results: dict[str, Any] = field(default_factory=dict)
    out: TextIO | None = None

    def echo(self, text: str = "") -> None:
        """Print a line for the user; control and escape characters in it are
        shown escaped, never sent to the terminal."""
        print(shown_lines(text), file=self.out or sys.stdout, flush=True)

    def ask(self) -> Prompter:
        """The prompter; raises :class:`UsageError` when the run is not interactive."""
        if self.prompter is None or not self.interactive:
            raise UsageError("this step asks questions, but the run is not interactive")
        return self.prompter


#: The callback a plugin's ``hermes_setup_register_steps`` receives.
Register = Callable[["Step"], None]


@dataclass(frozen=True)
class Step:
    """One step of the setup flow.

    ``id``: unique name other steps refer to (letters, digits, ``_ - . :``);
    ``title``: what the user sees; ``run``: called with the :class:`Context`,
    its return value is stored in ``context.results[id]``; ``after`` /
    ``before``: ids of steps this one must follow / precede.
    """

    id: str
    title: str
    run: Callable[[Context], Any]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A bare string is the most common slip (after="x" iterates as
        # characters); accept it as the one id it plainly means.
        for name in ("after", "before"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.id, str) or not _STEP_ID_RE.match(self.id):
            raise StepError(f"step id {self.id!r} is not valid: use letters, digits, '_', '-', '.' or ':'")
        if not isinstance(self.title, str) or not self.title.strip():
            raise StepError(f"step {self.id!r}: title must be a non-empty string")
        if not callable(self.run):
            raise StepError(f"step {self.id!r}: run must be callable")
        for ref in (*self.after, *self.before):
            if not isinstance(ref, str) or not ref:
                raise StepError(f"step {self.id!r}: after/before must hold step ids, got {ref!r}")
