"""Hermes directory plugin for hermes-setup-pools: a pointer, kept for copies
made with ``hermes plugins install <repo url>#hooks`` before that route was
dropped (see hooks/README.md for why).

With the ``hermes_setup_pools`` package installed in the Python that runs
Hermes, ``register(ctx)`` hands over to the package's own plugin (the same
``hermes setup-pools`` command its entry point provides). Without it, it
registers ``hermes setup-pools`` as a command that prints one line saying what
is missing and how to take this copy out again; nothing is printed otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

NAME = "setup-pools"


def message() -> str:
    """The one line shown when the package is missing."""
    here = Path(__file__).resolve().parent
    return (
        f"hermes-setup-pools: this plugin ({here}) only points to the hermes-setup-pools Python package, which is "
        f"not installed in the Python that runs Hermes ({sys.executable}) and which `hermes plugins install` cannot "
        f"install; install the package as its README says (\"Use with Hermes\"), or remove this copy with: "
        f"hermes plugins remove {here.name}"
    )


def _explain(_args: object = None) -> None:
    print(message(), file=sys.stderr)
    raise SystemExit(1)


def register(ctx: Any) -> None:
    """Hand over to the package's Hermes plugin, or register a command that says what is missing."""
    try:
        from hermes_setup_pools.hermes.plugin import register as package_register
    except ImportError:
        ctx.register_cli_command(
            name=NAME,
            help="(not working: the hermes-setup-pools package is missing; run it to see why)",
            setup_fn=lambda parser: parser.add_argument("rest", nargs="*", help="ignored"),
            handler_fn=_explain,
        )
        return
    package_register(ctx)
