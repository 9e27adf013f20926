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

from .display import shown_lines
from .errors import Cancelled, SetupError, UsageError
from .keys.detect import redact
from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO

    from .prompts import Prompter

__all__ = [
    "ANCHOR_STEP_ID", "Cancelled", "Context", "Register", "SetupError", "Step", "StepError", "UsageError",
]

#: The anchor step the host always provides: Hermes' provider and model picker
#: (a small built-in picker when Hermes is not installed).
ANCHOR_STEP_ID = "select_provider_and_model"

_STEP_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"


class StepError(SetupError):
    """A step or plugin breaks the hook contract (bad step, duplicate id, cycle, …)."""


class Context(Record):
    """What every step's ``run(context)`` receives.

    ``hermes_home``: the Hermes home directory the run works on.
    ``interactive``: whether questions may be asked.
    ``prompter``: asks the questions when ``interactive`` (see
    :class:`hermes_setup_pools.prompts.Prompter`); ``None`` otherwise.
    ``results``: the id of each step that already ran → what its ``run`` returned.
    ``out``: where :meth:`echo` writes (standard output when ``None``).
    """

    _fields = __match_args__ = ("hermes_home", "interactive", "prompter", "results", "out")
    __hash__ = None  # type: ignore[assignment]  # mutable: compared by value, never hashed

    hermes_home: Path
    interactive: bool
    prompter: Prompter | None
    results: dict[str, Any]
    out: TextIO | None

    def __init__(self, hermes_home: Path, interactive: bool = True, prompter: Prompter | None = None,
                 results: dict[str, Any] | None = None, out: TextIO | None = None) -> None:
        self.hermes_home = hermes_home
        self.interactive = interactive
        self.prompter = prompter
        self.results = {} if results is None else results
        self.out = out

    def echo(self, text: str = "") -> None:
        """Print a line for the user; anything shaped like an API key in it is
        shown masked, and control and escape characters escaped, never sent to
        the terminal."""
        print(shown_lines(redact(text)), file=self.out or sys.stdout, flush=True)

    def ask(self) -> Prompter:
        """The prompter; raises :class:`UsageError` when the run is not interactive."""
        if self.prompter is None or not self.interactive:
            raise UsageError("this step asks questions, but the run is not interactive")
        return self.prompter


#: The callback a plugin's ``hermes_setup_register_steps`` receives.
Register = Callable[["Step"], None]


class Step(Record):
    """One step of the setup flow.

    ``id``: unique name other steps refer to (letters, digits, ``_ - . :``);
    ``title``: what the user sees; ``run``: called with the :class:`Context`,
    its return value is stored in ``context.results[id]``; ``after`` /
    ``before``: ids of steps this one must follow / precede.
    """

    _fields = __match_args__ = ("id", "title", "run", "after", "before")

    id: str
    title: str
    run: Callable[[Context], Any]
    after: tuple[str, ...]
    before: tuple[str, ...]

    def __init__(self, id: str, title: str, run: Callable[[Context], Any], after: tuple[str, ...] = (),
                 before: tuple[str, ...] = ()) -> None:
        init = object.__setattr__
        init(self, "id", id)
        init(self, "title", title)
        init(self, "run", run)
        # A bare string is the most common slip (after="x" iterates as
        # characters); accept it as the one id it plainly means.
        for name, given in (("after", after), ("before", before)):
            value: Any = given
            init(self, name, (value,) if isinstance(value, str) else tuple(value))
        if not isinstance(self.id, str) or not re.match(_STEP_ID, self.id):
            raise StepError(f"step id {self.id!r} is not valid: use letters, digits, '_', '-', '.' or ':'")
        if not isinstance(self.title, str) or not self.title.strip():
            raise StepError(f"step {self.id!r}: title must be a non-empty string")
        if not callable(self.run):
            raise StepError(f"step {self.id!r}: run must be callable")
        for ref in (*self.after, *self.before):
            if not isinstance(ref, str) or not ref:
                raise StepError(f"step {self.id!r}: after/before must hold step ids, got {ref!r}")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, as a frozen dataclass is

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")
