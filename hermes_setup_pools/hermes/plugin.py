"""The Hermes plugin (entry point ``setup-pools`` in group ``hermes_agent.plugins``).

``register(ctx)`` adds one command, ``hermes setup-pools [section] [flags]``:
it takes exactly what ``hermes setup`` takes, installs the wrapper around
Hermes' provider/model picker (see :mod:`hermes_setup_pools.hermes.wizard_wrapper`) and runs
Hermes' real setup wizard, so every step registered after
``select_provider_and_model`` runs right after the model is chosen. It
registers nothing else: no tools, no hooks, no change to other commands.

Enable it with ``hermes plugins enable setup-pools --no-allow-tool-override``.
"""

from __future__ import annotations

import argparse
from typing import Any

from .. import HERMES_PLUGIN_NAME

HELP = "Hermes setup wizard with the credential-pool step (several API keys per provider)"
DESCRIPTION = (
    "Runs `hermes setup` with the credential-pool step added right after you choose a provider and "
    "model: see the keys Hermes already has, add more, and pick how Hermes rotates between them. "
    "Takes the same arguments as `hermes setup`."
)

# `hermes setup`'s arguments on Hermes 0.13–0.16, which build that parser
# inline (0.17+ have build_setup_parser, copied above).
_SECTIONS = ["model", "tts", "terminal", "gateway", "tools", "agent"]


def register(ctx: Any) -> None:
    """Hermes plugin entry point: add the ``hermes setup-pools`` command."""
    ctx.register_cli_command(
        name=HERMES_PLUGIN_NAME,
        help=HELP,
        setup_fn=add_setup_arguments,
        handler_fn=run_setup,
        description=DESCRIPTION,
    )


def add_setup_arguments(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` the same arguments as ``hermes setup`` (copied from Hermes'
    own parser, so a newer Hermes' flags come along)."""
    # Hermes builds plugin parsers with a formatter that prints the description
    # as one line; wrap it to the terminal like every other help text.
    parser.formatter_class = argparse.HelpFormatter
    try:
        from hermes_cli.subcommands.setup import build_setup_parser

        scratch = argparse.ArgumentParser(add_help=False).add_subparsers()
        build_setup_parser(scratch, cmd_setup=run_setup)
        for action in scratch.choices["setup"]._actions:
            if not isinstance(action, argparse._HelpAction):
                parser._add_action(action)
        return
    except Exception:
        pass
    parser.add_argument("section", nargs="?", choices=_SECTIONS, default=None,
                        help="Run a specific setup section instead of the full wizard")
    parser.add_argument("--non-interactive", action="store_true", help="Non-interactive mode (use defaults/env vars)")
    parser.add_argument("--reset", action="store_true", help="Reset configuration to defaults")
    parser.add_argument("--reconfigure", action="store_true", help="Re-run the full wizard (default on existing installs)")
    parser.add_argument("--quick", action="store_true", help="On existing installs: only prompt for missing items")
    if _has_portal_setup():  # `hermes setup --portal` exists from Hermes 0.15 on
        parser.add_argument("--portal", action="store_true", help="One-shot Nous Portal setup")


def _has_portal_setup() -> bool:
    try:
        import hermes_cli.setup as hermes_setup

        return callable(getattr(hermes_setup, "_run_portal_one_shot", None))
    except Exception:
        return False


def run_setup(args: argparse.Namespace) -> None:
    """Install the wrapper, then run Hermes' real setup wizard with ``args``."""
    import sys

    from .wizard_wrapper import SeamError, install

    try:
        install()
    except SeamError as exc:
        print(f"hermes-setup-pools: {exc}; running plain `hermes setup`", file=sys.stderr)
    from hermes_cli.setup import run_setup_wizard

    run_setup_wizard(args)
