"""``hermes-setup-pools``: the setup flow, its steps, and the credential-pool step on its own.

Exit status: 0 done (or nothing to do), 1 an error (one line on stderr),
2 a usage problem (bad flags, no terminal, ``--yes`` missing), 130 cancelled.
"""

from __future__ import annotations

import sys

from ..errors import Cancelled, SetupError
from ..keys import redact
from .parser import PROG, build_parser

__all__ = ["PROG", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hermes-setup-pools`` command; returns the exit status."""
    from .commands import COMMANDS

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except Cancelled as exc:
        print("\nCancelled: nothing was changed.", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nCancelled: nothing was changed.", file=sys.stderr)
        return 130
    except SetupError as exc:
        print(f"{PROG}: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
