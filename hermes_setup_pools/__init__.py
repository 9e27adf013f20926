"""hermes-setup-pools: a credential-pool step for the Hermes Agent setup wizard.

Plugin authors need::

    from hermes_setup_pools import Step, hookimpl

The public names are loaded lazily (PEP 562): this module imports only the
standard library, because the start-up hook imports the package in every
Python process whose command line contains ``setup``. Type checkers see the
real classes through the ``TYPE_CHECKING`` imports below.
"""

from __future__ import annotations

__version__ = "0.2.0"

#: The pluggy project name, the entry-point group third-party packages use
#: (``[project.entry-points.hermes_setup]``) and the prefix of every hook name.
NAME = "hermes_setup"

#: The entry-point name of our Hermes plugin (``hermes plugins enable setup-pools``).
HERMES_PLUGIN_NAME = "setup-pools"

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (every CI run imports this module)
if TYPE_CHECKING:
    from typing import Any

    from .errors import Cancelled, SetupError, UsageError
    from .hookspecs import hookimpl
    from .steps import ANCHOR_STEP_ID, Context, Step, StepError

__all__ = [
    "ANCHOR_STEP_ID", "HERMES_PLUGIN_NAME", "NAME", "Cancelled", "Context", "SetupError", "Step",
    "StepError", "UsageError", "__version__", "hookimpl",
]

_LAZY = {
    "hookimpl": "hookspecs",
    "Step": "steps", "Context": "steps", "StepError": "steps", "ANCHOR_STEP_ID": "steps",
    "SetupError": "errors", "UsageError": "errors", "Cancelled": "errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
