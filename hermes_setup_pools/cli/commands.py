"""What each command does: ``steps``, ``pool``, and the whole flow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import Cancelled, SetupError, UsageError
from ..home import resolve_home as home_for
from ..keys.detect import looks_like_secret
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
    from ..manager import build_plugin_manager, collect_steps, order_steps

    pm = build_plugin_manager()
    steps = order_steps(collect_steps(pm), pm)
    width = max(len(reg.id) for reg in steps) + 2
    for reg in steps:
        print(f"{reg.id:<{width}}{pm.label(reg.plugin)}")
    return 0


def _pool_flag_problem(args: argparse.Namespace) -> str | None:
    """Why these ``pool`` flags cannot run as given (decided before anything is
    read or printed), or ``None``. A flag that would be silently ignored is a
    problem too."""
    for rule in (_entry_flag_problem, _pairing_problem, _ignored_flag_problem, _key_source_problem):
        problem = rule(args)
        if problem:
            return problem
    return None


def _entry_flag_problem(args: argparse.Namespace) -> str | None:
    """--move/--to, and the entries and labels the management flags name."""
    if (args.move is None) != (args.to is None):
        return "--move and --to go together: --move LABEL_OR_ID --to N"
    if args.to is not None and args.to < 1:
        return f"--to {args.to}: positions count from 1 (the key Hermes tries first)"
    names = [*args.remove, *(old for old, _ in args.rename), args.move, args.replace,
             args.reset if args.reset != "*" else None]
    if any(name is not None and looks_like_secret(name) for name in names):
        return ("an entry is named by its label or id, and that argument looks like an API key; keys are never "
                "accepted on the command line")
    for _, new in args.rename:
        from ..keys.rules import clean_label

        label, problem = clean_label(new)
        if problem or not label:
            return f"--rename: {problem or 'the new label is empty'}"
    return None


def _pairing_problem(args: argparse.Namespace) -> str | None:
    """Flags that need another flag, or contradict one."""
    if args.replace is not None and not args.key_file:
        return "--replace reads the new key from --key-file FILE (or - for standard input), exactly one key"
    if args.json and not args.list:
        return "--json goes with --list"
    if args.all_profiles and getattr(args, "profile", None):
        return "--all-profiles and --profile contradict each other: choose one"
    if args.all_profiles and not (args.list or args.key_file or args.strategy or _manages(args)):
        return ("--all-profiles asks nothing: give --list, or the keys (--key-file) or --strategy to write "
                "into every profile (with --provider and --yes)")
    return None


def _ignored_flag_problem(args: argparse.Namespace) -> str | None:
    """Flags this run would silently ignore."""
    if args.list:
        ignored = [flag for flag, given in (
            ("--remove", args.remove), ("--rename", args.rename), ("--move", args.move is not None),
            ("--replace", args.replace is not None), ("--reset", args.reset is not None),
            ("--strategy", args.strategy is not None), ("--key-file", args.key_file is not None),
            ("--yes", args.yes), ("--dry-run", args.dry_run), ("--store", args.store is not None),
            ("--move-to", args.move_to is not None)) if given]
        if ignored:
            return f"--list only shows the pool, so {', '.join(ignored)} would do nothing; run it without --list"
    if args.store is not None and args.replace is not None:
        return "--replace keeps the entry where it is, so --store does nothing there; move it with --move-to env"
    adds_keys = args.key_file is not None or not (args.non_interactive or args.yes or args.dry_run or _manages(args))
    if args.store is not None and not adds_keys:
        return "--store says where new keys go, but this run adds none (give them with --key-file)"
    return None


def _key_source_problem(args: argparse.Namespace) -> str | None:
    """A key given where a file name belongs."""
    if args.key_file and args.key_file != "-" and looks_like_secret(args.key_file) and not Path(args.key_file).exists():
        return ("--key-file takes a file name (or - for standard input), and that argument looks like a key; "
                "keys are never accepted on the command line")
    return None


def _manages(args: argparse.Namespace) -> bool:
    return bool(args.remove or args.rename or args.move is not None or args.replace is not None
                or args.reset is not None or args.move_to is not None)


def cmd_pool(args: argparse.Namespace) -> int:
    """``pool``: only the credential-pool step, interactive or from flags, or
    the pool manager's operations. Any flag that answers a question (a key file,
    --yes, --dry-run, a management flag, --list) makes the run non-interactive."""
    from ..pool.options import PoolOptions
    from ..pool.step import run_pool
    from ..pool.strategy import normalize_strategy

    problem = _pool_flag_problem(args)
    if problem:
        raise UsageError(problem)
    if args.key_file and args.key_file != "-" and not Path(args.key_file).expanduser().exists():
        raise SetupError(f"key file {args.key_file} does not exist; nothing was written")
    options = PoolOptions(
        provider=args.provider,
        strategy=normalize_strategy(args.strategy) if args.strategy else None,
        key_file=args.key_file,
        yes=args.yes,
        dry_run=args.dry_run,
        list=args.list,
        json=args.json,
        check=args.check,
        remove=tuple(args.remove),
        rename=tuple((old, new) for old, new in args.rename),
        move=(args.move, args.to) if args.move is not None else None,
        replace=args.replace,
        reset=args.reset,
        store=args.store,
        move_to=args.move_to,
    )
    non_interactive = (args.non_interactive or options.list or options.manages or bool(args.key_file) or args.yes
                       or args.dry_run)
    if args.all_profiles:
        from ..pool import every_profile
        from ..profiles import root_of

        context = _context(args, interactive=False)
        run = every_profile.list_every_profile if options.list else every_profile.change_every_profile
        run(context, root_of(context.hermes_home), options)
        return 0
    if not non_interactive:
        _require_terminal(f"`{PROG} pool`")
    run_pool(_context(args, interactive=not non_interactive), options)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """``doctor``: findings across every pool; exit 1 while any remain."""
    from ..doctor.command import run_doctor

    if args.yes and not args.fix:
        raise UsageError("--yes answers --fix's question; without --fix the doctor only reports")
    if args.all_profiles and getattr(args, "profile", None):
        raise UsageError("--all-profiles and --profile contradict each other: choose one")
    interactive = args.fix and not args.yes and sys.stdin is not None and sys.stdin.isatty()
    if args.fix and not args.yes and not interactive:
        raise UsageError("doctor --fix asks before it writes, but this is not a terminal; add --yes")
    return run_doctor(_context(args, interactive=interactive), as_json=args.json, fix=args.fix, check_keys=args.check,
                      all_profiles=args.all_profiles)


def cmd_switch(args: argparse.Namespace) -> int:
    """``enable`` / ``disable``: the step inside ``hermes setup``."""
    from ..hermes import switch

    home = resolve_home(args)
    changes = (switch.enable if args.command == "enable" else switch.disable)(home)
    for line in changes or [f"Nothing to change: setup-pools is already {args.command}d in {home / 'config.yaml'}."]:
        print(line)
    return 0


def cmd_flow(args: argparse.Namespace) -> int:
    """No command: the whole flow, every step in order."""
    from ..manager import ordered_steps
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


COMMANDS = {"flow": cmd_flow, "steps": cmd_steps, "pool": cmd_pool, "doctor": cmd_doctor,
            "enable": cmd_switch, "disable": cmd_switch}
