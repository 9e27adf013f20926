"""Exceptions that end a run with one clear line and a known exit status.

Each class is one meaning; the CLI maps it to its exit status in one place
(:func:`hermes_setup_pools.cli.main`). No message ever holds a secret.
"""

from __future__ import annotations


class SetupError(Exception):
    """A problem the user can fix (exit status 1); the message is one line."""

    exit_code = 1


class UsageError(SetupError):
    """The command line asks for something that cannot be done as asked (exit status 2)."""

    exit_code = 2


class Cancelled(Exception):
    """The user stopped the run at a prompt (Ctrl-C, Ctrl-D) or a signal ended it.

    ``exit_code`` is 130 for Ctrl-C/Ctrl-D, 128 + the signal number otherwise
    (143 for SIGTERM, 129 for SIGHUP). ``nothing_written`` is set by a step that
    knows it wrote nothing; ``written`` lists what earlier steps did write, so
    the message the user reads is true.
    """

    def __init__(self, exit_code: int = 130, *, nothing_written: bool = False, written: tuple[str, ...] = ()) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code
        self.nothing_written = nothing_written
        self.written = written

    def describe(self) -> str:
        """One honest line about what the cancelled run left behind."""
        if self.written:
            return f"Cancelled. Already written: {'; '.join(self.written)}. Nothing else was changed."
        return "Cancelled: nothing was changed." if self.nothing_written else "Cancelled."


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived (raised by the CLI's handler). A KeyboardInterrupt,
    so that prompt_toolkit and asyncio unwind exactly as for Ctrl-C and restore
    the terminal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class GoBack(BaseException):
    """The user pressed ← at a prompt of a wizard that goes back (Hermes 0.22+):
    the step asks its previous question again; from its first question the
    wizard's own previous menu opens. A ``BaseException``, so runners pass it on."""


class LeaveSetup(BaseException):
    """The user leaves the whole setup wizard: Esc, as in Hermes' own menus, or a
    second Ctrl-C after a step was cancelled (the wizard's banner promises
    "Ctrl+C at any time to exit"). Nothing of the step is written."""
