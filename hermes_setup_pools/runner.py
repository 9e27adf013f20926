"""The one step runner, used by the ``hermes-setup-pools`` command and by the
wrapper inside Hermes' setup wizard; what happens when a step fails is a
parameter, not a second runner.

* ``on_error="raise"`` (the CLI): the first failure ends the run; the CLI turns
  it into one line and an exit status.
* ``on_error="report"`` (inside ``hermes setup``): a failing or cancelled step
  is reported in one line and the next step runs, because Hermes would swallow
  the error with a vague message and the wizard must carry on.

Exceptions that derive from ``BaseException`` only (``SystemExit``,
``GeneratorExit`` and the control-flow exceptions newer Hermes wizards use to
go back or cancel) always pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from .display import say as _say
from .errors import Cancelled, SetupError
from .keys.detect import redact
from .manager import RegisteredStep
from .steps import Context

OnError = Literal["raise", "report"]


def run_steps(
    steps: Iterable[RegisteredStep],
    context: Context,
    *,
    on_error: OnError = "raise",
    say: Callable[[str], None] = _say,
    quiet_cancel: bool = False,
) -> Context:
    """Run ``steps`` in order, storing each result in ``context.results``.

    With ``on_error="report"``, a step that is cancelled or fails is reported
    through ``say`` (one line, secrets redacted) and the run goes on; its
    result is not stored. ``quiet_cancel``: a cancel is not reported (the
    caller says it in its own line).
    """
    for reg in steps:
        if on_error == "raise":
            context.results[reg.id] = reg.step.run(context)
            continue
        try:
            context.results[reg.id] = reg.step.run(context)
        except Cancelled as exc:
            if not quiet_cancel:
                say(f"{reg.step.title}: cancelled" + ("; nothing was changed by this step." if exc.nothing_written
                                                      else "."))
        except (KeyboardInterrupt, EOFError):
            if not quiet_cancel:
                say(f"{reg.step.title}: cancelled.")
        except SetupError as exc:
            say(f"hermes-setup-pools: {reg.id}: {redact(str(exc))}")
        except Exception as exc:  # a plugin's bug must not take the wizard down silently
            say(f"hermes-setup-pools: step {reg.id!r} failed: {type(exc).__name__}: {redact(str(exc))}")
    return context
