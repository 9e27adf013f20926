"""``hermes-setup-pools``: the setup flow, its steps, and the credential-pool step on its own.

Exit status: 0 done (or nothing to do), 1 an error (one line on stderr),
2 a usage problem (bad flags, no terminal, ``--yes`` missing), 130 cancelled.
"""

from __future__ import annotations

import sys

from ..display import say
from ..errors import Cancelled, SetupError, Terminated
from .parser import PROG, build_parser

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from types import FrameType
else:
    try:  # the C module behind `signal`: the same calls, without the enums `signal` builds on import
        import _signal as signal
    except ImportError:  # not CPython
        import signal

__all__ = ["PROG", "build_parser", "main"]


def _terminate(signum: int, frame: FrameType | None) -> None:
    # At a question, it ends through the prompt's own loop (no question without the module loaded).
    prompts = sys.modules.get(f"{__package__.rpartition('.')[0]}.prompts")
    if prompts is None or not prompts.end_question(Terminated(signum)):
        raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hermes-setup-pools`` command; returns the exit status.

    SIGTERM and SIGHUP end the run like Ctrl-C (the terminal is restored,
    nothing half-written), with exit status 143 and 129.
    """
    from .commands import COMMANDS

    words = sys.argv[1:] if argv is None else argv
    args = build_parser(set(words)).parse_args(words)
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, _terminate)
        except ValueError:
            break  # not the main thread (main() called from a thread): leave signals alone
    try:
        return COMMANDS[args.command](args)
    except Cancelled as exc:
        print(file=sys.stderr)
        say(exc.describe())
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print("\nStopped.", file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, Terminated) else 130
    except SetupError as exc:
        say(f"{PROG}: {exc}")
        return exc.exit_code
    except BrokenPipeError:
        # `… | head` closed the pipe: stop quietly (Python would print a traceback at exit).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
