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
    (143 for SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, exit_code: int = 130) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code
