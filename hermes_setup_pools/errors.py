"""Exceptions that end a run with one clear line and a known exit status."""

from __future__ import annotations


class SetupError(Exception):
    """A problem the user can fix; the message is one line and never holds a secret.

    ``exit_code`` is what the CLI exits with: 1 for failures, 2 for usage
    problems (bad flags, a question that needs a terminal or ``--yes``).
    """

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(SetupError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class Cancelled(Exception):
    """The user pressed Ctrl-C or Ctrl-D at a prompt; nothing has been written."""
