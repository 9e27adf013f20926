"""The command line: the parser, its help texts, and what each flag means."""

from __future__ import annotations

import argparse
import functools
import os
import sys

from .. import __version__
from ..keys.detect import redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import Any, NoReturn

PROG = "hermes-setup-pools"

DESCRIPTION = """\
Set up Hermes Agent credential pools: several API keys for one provider, and
how Hermes rotates between them. Writes $HERMES_HOME/auth.json (under Hermes'
own lock) and credential_pool_strategies in $HERMES_HOME/config.yaml.

With no command, runs the whole setup flow: choose a provider and model, then
every registered step (the credential pool and any plugin's steps) in order."""

EPILOG = """\
examples:
  hermes-setup-pools                  whole flow, interactive
  hermes-setup-pools pool             only the credential-pool step
  hermes-setup-pools pool --list      the pool: status, requests, next key
  hermes-setup-pools doctor           find what silently breaks rotation
  hermes-setup-pools steps            list the steps in the order they run
  hermes-setup-pools enable           turn the step on inside `hermes setup`
  printf 'team sk-or-...\\n' | hermes-setup-pools pool --non-interactive \\
      --provider openrouter --strategy round_robin --key-file - --yes

environment:
  HERMES_HOME                      Hermes home directory (default ~/.hermes)
  HERMES_SETUP_DISABLE_PLUGINS     comma-separated plugin names not to load
  HERMES_SETUP_PLUGINS_AUTOLOAD=0  load no third-party step plugins at all"""

POOL_DESCRIPTION = """\
Show the keys the chosen provider already has (in auth.json, .env and the
environment), add more, choose the rotation strategy, then write both files.
The provider is model.provider from config.yaml unless --provider says
otherwise. Keys are typed at a masked prompt or read from --key-file; never
from the command line. A second run with the same answers changes nothing."""

POOL_EPILOG = """\
key file format: one key per line, optionally preceded by a label
  team-key sk-or-v1-...
  sk-or-v1-...              (labelled api-key-<N>)
blank lines, lines starting with # and a trailing " # comment" are ignored;
the label comes first (a line whose first field looks like a key is refused).

strategies: fill_first (Hermes' default), round_robin, least_used, random

managing a pool (no questions asked; --dry-run shows the diff, --yes writes):
  --list [--json]                    the pool with each key's status
  --remove team --remove 3fa2c1      remove by label (any case) or id
  --rename team "team (old)"         relabel
  --move night --to 1                make it the first key Hermes tries
  --replace team --key-file new.txt  a new secret, same label and position
  --reset / --reset team             clear cooldowns (all, or one)
  --move-to env                      plaintext keys from auth.json into .env

where your keys live (--store):
  auth  auth.json, as Hermes stores keys it is given (plain text, mode 600)
  env   .env as OPENROUTER_API_KEY_2, _3 … (Hermes 0.22+ reads numbered
        keys); auth.json gets a reference row, never the key. A value such as
        op://vault/item/field is kept in .env as a reference and bound to
        Hermes' 1Password source (secrets.onepassword must be enabled)."""

DOCTOR_DESCRIPTION = """\
Check every pool in auth.json and every strategy in config.yaml for what
silently breaks rotation: duplicate keys, placeholder keys, bad priorities,
dead entries, unknown or orphan strategies, missing variables, loose file
modes, unreadable files. One line per finding; exit 0 when clean, 1 otherwise.
--fix applies only the safe fixes, after a summary you confirm (--yes in CI)."""


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes something shaped like a key in its errors."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse builds a formatter for every argument it adds, each asking
        # the terminal for its width; ask once.
        make: Any = self.formatter_class  # typeshed's protocol omits width
        formatter: argparse.HelpFormatter = make(prog=self.prog, width=_terminal_width())
        return formatter

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {redact(message)}\n")


@functools.cache
def _terminal_width() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno()).columns
    except (ValueError, OSError, AttributeError):
        columns = 80
    return max(columns - 2, 40)


class _Once(argparse.Action):
    """An option that may be given once: a second value would silently replace
    the first (`--move a --to 1 --move b --to 2` moved only b), so it is a usage error."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if getattr(namespace, f"_{self.dest}_given", False):
            parser.error(f"{option_string} was given twice; give it once")
        setattr(namespace, f"_{self.dest}_given", True)
        setattr(namespace, self.dest, values if values is not None else self.const)


def _home_option(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--hermes-home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="Hermes home directory (default: as Hermes resolves it: $HERMES_HOME, the active profile, ~/.hermes)",
    )
    group.add_argument(
        "-p", "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="work on Hermes profile NAME (<root>/profiles/NAME), like `hermes -p NAME`",
    )


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser (exposed for the docs and tests).

    ``commands``: build the arguments of these commands only (``main`` passes
    the words of its command line, since argparse runs a command only when its
    exact name is one of them); every command is still listed, with its help.
    """
    def full(name: str) -> bool:
        return commands is None or name in commands

    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _home_option(parser)
    parser.set_defaults(command="flow")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    steps = sub.add_parser("steps", help="list the setup steps in the order they run", formatter_class=fmt,
                           description="List every registered setup step in run order: "
                           "its id, then the plugin that registered it.")
    if full("steps"):
        _home_option(steps)
        steps.set_defaults(command="steps")

    pool = sub.add_parser("pool", help="run only the credential-pool step, or manage a pool", description=POOL_DESCRIPTION,
                          epilog=POOL_EPILOG, formatter_class=fmt)
    if full("pool"):
        _pool_arguments(pool)

    doctor = sub.add_parser("doctor", help="find what silently breaks rotation, and fix the safe part",
                            description=DOCTOR_DESCRIPTION, formatter_class=fmt)
    if full("doctor"):
        _home_option(doctor)
        doctor.add_argument("--json", action="store_true", help="print the findings as a JSON array")
        doctor.add_argument("--fix", action="store_true", help="apply the safe fixes (after a summary and confirmation)")
        doctor.add_argument("--yes", "-y", action="store_true", help="with --fix: do not ask (for CI)")
        doctor.add_argument("--check", action="store_true", help="also ask each provider whether the keys in its pool work")
        doctor.add_argument("--all-profiles", action="store_true",
                            help="check every Hermes profile under the root (each finding names its profile)")
        doctor.set_defaults(command="doctor")

    for name, verb in (("enable", "turn on"), ("disable", "turn off")):
        switch = sub.add_parser(name, help=f"{verb} the credential-pool step inside `hermes setup` (any Hermes release)",
                                formatter_class=fmt, description=f"{verb.capitalize()} the step inside `hermes setup`: "
                                "edit plugins.enabled / plugins.disabled in config.yaml (comments kept).")
        if full(name):
            _home_option(switch)
            switch.set_defaults(command=name)
    return parser


def _pool_arguments(pool: argparse.ArgumentParser) -> None:
    _home_option(pool)
    pool.add_argument("--provider", metavar="P", action=_Once, help="pool to set up: a provider id (openrouter, anthropic, …), "
                      "custom:<name>, or a custom provider's name (default: model.provider in config.yaml)")
    pool.add_argument("--strategy", metavar="S", action=_Once, help="rotation strategy to write: fill_first, round_robin, "
                      "least_used or random (non-interactive default: leave config.yaml as it is)")
    pool.add_argument("--key-file", metavar="FILE", action=_Once, help="read keys to add from FILE, or - for standard input")
    pool.add_argument("--non-interactive", action="store_true",
                      help="ask nothing; take answers from the flags (for CI and Docker)")
    pool.add_argument("--yes", "-y", action="store_true", help="write without asking (required with --non-interactive)")
    pool.add_argument("--dry-run", action="store_true", help="show what would change in each file (keys masked); write nothing")
    pool.add_argument("--check", action="store_true",
                      help="check keys with the provider (new keys; with --list, the keys in the pool)")
    pool.add_argument("--store", choices=("auth", "env"), action=_Once,
                      help="where new keys live: auth = auth.json, Hermes' credential store, the key in plain text "
                      "(the default); env = $HERMES_HOME/.env as the provider's next numbered variable "
                      "(OPENROUTER_API_KEY_2, _3 …), which Hermes 0.22+ reads, with a reference row in auth.json. "
                      "A secret reference (op://vault/item/field) always goes to .env")
    pool.add_argument("--all-profiles", action="store_true",
                      help="every Hermes profile under the root: with --list, each profile's pool; with --key-file "
                      "or --strategy, the same keys and strategy into every profile that uses --provider (one "
                      "summary per profile, one --yes)")
    manage = pool.add_argument_group("managing a pool (implies --non-interactive)")
    manage.add_argument("--list", action="store_true", help="show the pool and each key's status; change nothing")
    manage.add_argument("--json", action="store_true", help="with --list: a JSON array, one object per entry")
    manage.add_argument("--remove", metavar="LABEL_OR_ID", action="append", default=[], help="remove an entry (repeatable)")
    manage.add_argument("--rename", metavar=("LABEL_OR_ID", "NEW_LABEL"), nargs=2, action="append", default=[],
                        help="give an entry a new label")
    manage.add_argument("--move", metavar="LABEL_OR_ID", action=_Once, help="move an entry to the position given by --to")
    manage.add_argument("--to", metavar="N", type=int, action=_Once, help="with --move: 1 is the key Hermes tries first")
    manage.add_argument("--replace", metavar="LABEL_OR_ID", action=_Once,
                        help="give a manual entry a new key, read from --key-file (exactly one key)")
    manage.add_argument("--reset", metavar="LABEL_OR_ID", nargs="?", const="*", action=_Once,
                        help="clear the cooldown of one entry, or of every entry when no name is given")
    manage.add_argument("--move-to", choices=("env",), dest="move_to", action=_Once,
                        help="move the keys this pool stores in plain text in auth.json into .env as numbered "
                        "variables; their entries stay (same label, place and status) as references")
    pool.set_defaults(command="pool")
