"""hermes-setup-pools: a credential-pool step for the Hermes Agent setup wizard.

Plugin authors need two names::

    from hermes_setup_pools import hookimpl, Step

Both are loaded lazily: this module imports only the standard library, because
the startup hook (``hermes_setup_pools_autohook.pth``) imports it in every Python
process that runs ``... setup ...`` and must stay cheap there.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: The pluggy project name, the entry-point group third-party packages use
#: (``[project.entry-points.hermes_setup]``) and the prefix of every hook name.
NAME = "hermes_setup"

#: The entry-point name of our Hermes plugin (``hermes plugins enable setup-pools``).
HERMES_PLUGIN_NAME = "setup-pools"

__all__ = ["NAME", "HERMES_PLUGIN_NAME", "Context", "Step", "hookimpl", "__version__"]


def __getattr__(name: str):
    # PEP 562 lazy attributes: pluggy and the flow module load on first use.
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    if name in ("Step", "Context"):
        from . import flow

        return getattr(flow, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
