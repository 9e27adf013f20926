"""Hermes directory plugin for hermes-setup-pools (the git-install route).

`hermes plugins install <repo url>#hooks --enable` copies this folder to
``$HERMES_HOME/plugins/setup-pools/``. All the work lives in the Python package
``hermes_setup_pools``; this file only hands over to it, and when the package is
not installed in Hermes' Python it says exactly how to install it instead of
failing with an import error.
"""

from __future__ import annotations

import shlex
import sys

NAME = "setup-pools"


def fix_command() -> str:
    """The one command that installs the package into the Python running Hermes."""
    return f"{shlex.quote(sys.executable)} -m pip install hermes-setup-pools"


def _explain(_args=None) -> None:
    print(
        "hermes-setup-pools: the plugin is enabled, but its Python package is not installed "
        f"in the Python that runs Hermes. Install it with:\n  {fix_command()}",
        file=sys.stderr,
    )
    if _args is not None:  # invoked as `hermes setup-pools`
        raise SystemExit(1)


def register(ctx) -> None:
    """Hand over to the package's Hermes plugin, or register a command that explains the fix."""
    try:
        from hermes_setup_pools.hermes.plugin import register as package_register
    except ImportError:
        _explain()
        ctx.register_cli_command(
            name=NAME,
            help="(not working: the hermes-setup-pools package is missing; run it to see the fix)",
            setup_fn=lambda parser: parser.add_argument("rest", nargs="*", help="ignored"),
            handler_fn=_explain,
        )
        return
    package_register(ctx)
