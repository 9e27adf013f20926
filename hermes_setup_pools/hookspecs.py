"""The hook contract between the setup host and the plugins that add steps.

A plugin is any object (usually a module) with functions marked by
:data:`hookimpl`. Third-party packages are found through the entry-point group
``hermes_setup``; the host registers its built-in steps through the very same
hook. Every hook name starts with ``hermes_setup_`` so that a misspelt hook is
reported by ``PluginManager.check_pending()`` instead of being ignored.

The contract is documented, with a complete example plugin, in
``docs/hooks.md``; a test keeps that page and this module in step.
"""

from __future__ import annotations

import pluggy

from . import NAME
from .steps import Register

#: Marks a hook specification (used only by this module).
hookspec = pluggy.HookspecMarker(NAME)

#: Marks a hook implementation: ``@hookimpl def hermes_setup_register_steps(register): ...``
hookimpl = pluggy.HookimplMarker(NAME)


@hookspec
def hermes_setup_register_steps(register: Register) -> None:
    """Register the setup steps this plugin adds to the flow.

    Call ``register(step)`` once for each :class:`hermes_setup_pools.Step`.
    The host checks every step as it is registered (a ``Step`` instance, an id
    no other plugin uses) and records which plugin registered it, so errors
    can name the plugin.

    :param register: the host's callback; takes one ``Step`` and returns
        nothing. Raises :class:`hermes_setup_pools.StepError` for a step it
        refuses (a duplicate id names both plugins).

    Return value: ignored; register steps through the callback.

    When it is called: once per run, after all plugins are loaded and before
    anything is shown to the user, by ``hermes-setup-pools`` (every command)
    and by the wrapper that runs inside ``hermes setup``. The host then orders
    all registered steps by their ``after``/``before`` constraints (ties broken
    by id, never by install order) and runs them. Step ids the host always
    provides: ``select_provider_and_model`` (the anchor: Hermes' provider and
    model picker) and ``credential_pool`` (this package's step).
    """
