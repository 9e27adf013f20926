"""What each command does: ``steps``, ``pool``, and the whole flow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import Cancelled, UsageError
from ..home import resolve_home as home_for
from ..steps import Context
from .parser import PROG


def resolve_home(args: argparse.Namespace) -> Path:
    """The Hermes home for this command (see :mod:`hermes_setup_pools.home`)."""
    return home_for(getattr(args, "hermes_home", None), getattr(args, "profile", None))


def _require_terminal(what: str) -> None:
    if not (sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            f"{what} asks questions, but this is not a terminal; for scripts use "
            f"`{PROG} pool --non-interactive --key-file FILE --yes`"
        )


def _context(args: argparse.Namespace, *, interactive: bool) -> Context:
    if not interactive:
        return Context(resolve_home(args), interactive=False)
    from ..prompts import QuestionaryPrompter

    return Context(resolve_home(args), interactive=True, prompter=QuestionaryPrompter())


def cmd_steps(args: argparse.Namespace) -> int:
    """``steps``: every registered step in run order, with its plugin."""
    from ..plugins import build_plugin_manager, collect_steps, order_steps

    pm = build_plugin_manager()
    steps = order_steps(collect_steps(pm), pm)
    width = max(len(reg.id) for reg in steps) + 2
    for reg in steps:
        print(f"{reg.id:<{width}}{pm.label(reg.plugin)}")
    return 0


def cmd_pool(args: argparse.Namespace) -> int:
    """``pool``: only the credential-pool step, interactive or from flags."""
    from ..pool.options import PoolOptions
    from ..pool.step import run_pool
    from ..pool.strategy import normalize_strategy

    options = PoolOptions(
        provider=args.provider,
        strategy=normalize_strategy(args.strategy) if args.strategy else None,
        key_file=args.key_file,
        yes=args.yes,
        dry_run=args.dry_run,
    )
    if not args.non_interactive:
        _require_terminal(f"`{PROG} pool`")
    if args.key_file and not args.non_interactive:
        raise UsageError("--key-file is for non-interactive runs; add --non-interactive")
    run_pool(_context(args, interactive=not args.non_interactive), options)
    return 0


def cmd_flow(args: argparse.Namespace) -> int:
    """No command: the whole flow, every step in order."""
    from ..plugins import ordered_steps
    from ..runner import run_steps

    _require_terminal(PROG)
    steps = ordered_steps()
    context = _context(args, interactive=True)
    try:
        run_steps(steps, context, on_error="raise")
    except Cancelled as exc:
        # Say what the steps that finished did write (the provider/model step
        # writes config.yaml before the pool step asks anything).
        written = tuple(line for result in context.results.values() for line in getattr(result, "written", ()))
        raise Cancelled(exc.exit_code, nothing_written=exc.nothing_written and not written, written=written) from None
    return 0


COMMANDS = {"flow": cmd_flow, "steps": cmd_steps, "pool": cmd_pool}
