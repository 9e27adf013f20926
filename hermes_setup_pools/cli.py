"""``hermes-setup-pools``: the setup flow, its steps, and the credential-pool step on its own.

Exit status: 0 done (or nothing to do), 1 an error (one line on stderr),
2 a usage problem (bad flags, no terminal, ``--yes`` missing), 130 cancelled.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import Cancelled, SetupError, UsageError
from .keys import redact

PROG = "hermes-setup-pools"

DESCRIPTION = """\
Set up Hermes Agent credential pools: several API keys for one provider, and
how Hermes rotates between them. Writes $HERMES_HOME/auth.json (under Hermes'
own lock) and credential_pool_strategies in $HERMES_HOME/config.yaml.

With no command, runs the whole setup flow: choose a provider and model, then
every registered step (the credential pool and any plugin's steps) in order."""

EPILOG = """\
examples:
  hermes-setup-pools                       whole flow, interactive
  hermes-setup-pools pool                  only the credential-pool step
  hermes-setup-pools steps                 list the steps in the order they run
  printf 'team sk-or-...\\n' | hermes-setup-pools pool --non-interactive \\
      --provider openrouter --strategy round_robin --key-file - --yes

environment:
  HERMES_HOME                      Hermes home directory (default ~/.hermes)
  HERMES_SETUP_DISABLE_PLUGINS     comma-separated plugin names not to load
  HERMES_SETUP_PLUGINS_AUTOLOAD=0  load no third-party step plugins at all"""

POOL_DESCRIPTION = """\
Show the keys the chosen provider already has (in auth.json, .env and the
environment), add more, choose the rotation strategy, then write both files.
The provider is model.provider from config.yaml unless --provider says otherwise.
Keys are typed at a masked prompt or read from --key-file; never from the
command line. A second run with the same answers changes nothing."""

POOL_EPILOG = """\
key file format: one key per line, optionally preceded by a label
  team-key sk-or-v1-...
  sk-or-v1-...              (labelled api-key-<N>)
blank lines and lines starting with # are ignored.

strategies: fill_first (Hermes' default), round_robin, least_used, random"""


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes something shaped like a key in its errors."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {redact(message)}\n")


def _home_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hermes-home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="Hermes home directory (default: $HERMES_HOME, else ~/.hermes)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (exposed for the docs and tests)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _home_option(parser)
    parser.set_defaults(handler=_cmd_flow)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    steps = sub.add_parser("steps", help="list the setup steps in the order they run", formatter_class=fmt,
                           description="List every registered setup step in run order: its id, then the plugin that registered it.")
    _home_option(steps)
    steps.set_defaults(handler=_cmd_steps)

    pool = sub.add_parser("pool", help="run only the credential-pool step", description=POOL_DESCRIPTION,
                          epilog=POOL_EPILOG, formatter_class=fmt)
    _home_option(pool)
    pool.add_argument("--provider", metavar="P", help="pool to set up: a provider id (openrouter, anthropic, …), "
                      "custom:<name>, or a custom provider's name (default: model.provider in config.yaml)")
    pool.add_argument("--strategy", metavar="S", help="rotation strategy to write: fill_first, round_robin, "
                      "least_used or random (non-interactive default: leave config.yaml as it is)")
    pool.add_argument("--key-file", metavar="FILE", help="read keys to add from FILE, or - for standard input")
    pool.add_argument("--non-interactive", action="store_true",
                      help="ask nothing; take answers from the flags (for CI and Docker)")
    pool.add_argument("--yes", "-y", action="store_true", help="write without asking (required with --non-interactive)")
    pool.add_argument("--dry-run", action="store_true", help="show what would change in each file (keys masked); write nothing")
    pool.set_defaults(handler=_cmd_pool)
    return parser


def resolve_home(args: argparse.Namespace) -> Path:
    """``--hermes-home``, else ``$HERMES_HOME``, else ``~/.hermes``."""
    given = getattr(args, "hermes_home", None)
    if given:
        return Path(given).expanduser().absolute()
    env = os.environ.get("HERMES_HOME", "").strip()
    return Path(env).expanduser().absolute() if env else Path.home() / ".hermes"


def _interactive_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()


def _require_terminal(what: str) -> None:
    if not _interactive_terminal():
        raise UsageError(
            f"{what} asks questions, but this is not a terminal; for scripts use "
            f"`{PROG} pool --non-interactive --key-file FILE --yes`"
        )


def _context(args: argparse.Namespace, *, interactive: bool, **options):
    from .flow import Context

    prompter = None
    if interactive:
        from .prompts import QuestionaryPrompter

        prompter = QuestionaryPrompter()
    return Context(resolve_home(args), interactive=interactive, prompter=prompter, options=options)


def _cmd_steps(args: argparse.Namespace) -> int:
    from .flow import build_plugin_manager, collect_steps, order_steps, plugin_label

    pm = build_plugin_manager()
    steps = order_steps(collect_steps(pm))
    width = max(len(reg.id) for reg in steps) + 2
    for reg in steps:
        print(f"{reg.id:<{width}}{plugin_label(pm, reg.plugin)}")
    return 0


def _cmd_pool(args: argparse.Namespace) -> int:
    from . import pool_step
    from .store import normalize_strategy

    strategy = normalize_strategy(args.strategy) if args.strategy else None
    if not args.non_interactive:
        _require_terminal(f"`{PROG} pool`")
    if args.key_file and not args.non_interactive:
        raise UsageError("--key-file is for non-interactive runs; add --non-interactive")
    ctx = _context(args, interactive=not args.non_interactive, provider=args.provider, strategy=strategy,
                   key_file=args.key_file, yes=args.yes, dry_run=args.dry_run)
    pool_step.run(ctx)
    return 0


def _cmd_flow(args: argparse.Namespace) -> int:
    from .flow import build_plugin_manager, collect_steps, order_steps, run_steps

    _require_terminal(PROG)
    steps = order_steps(collect_steps(build_plugin_manager()))
    run_steps(steps, _context(args, interactive=True))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hermes-setup-pools`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (Cancelled, KeyboardInterrupt):
        print("\nCancelled: nothing was changed.", file=sys.stderr)
        return 130
    except SetupError as exc:
        print(f"{PROG}: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
