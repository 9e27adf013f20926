"""Startup hook: make the literal ``hermes setup`` show the credential-pool step.

``hermes setup`` is a built-in command, and Hermes runs it before loading any
plugin, so a plugin's ``register(ctx)`` comes too late. The wheel therefore
ships ``hermes_setup_pools_autohook.pth`` (source: ``hooks/``), which Python
runs at start-up. For a command line containing ``setup`` it calls
:func:`arm`, which adds an import hook; everything else pays only that
membership test. When ``hermes_cli.main`` is then imported, the hook installs
the wrapper from :mod:`hermes_setup_pools.hermes.wizard_wrapper` if, and only if:

* ``HERMES_SETUP_POOLS_AUTOHOOK`` is not ``0`` (the off switch);
* ``HERMES_SAFE_MODE`` is not set;
* ``setup-pools`` is in config.yaml's ``plugins.enabled``
  (``hermes plugins enable setup-pools``).

The wrapper itself only acts when called from the setup wizard, so
``hermes model`` and ``hermes fallback`` are never affected. Nothing here
raises into the host program. Only the standard library is imported until
``hermes_cli.main`` has been imported.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any

TARGET = "hermes_cli.main"
OFF_SWITCH = "HERMES_SETUP_POOLS_AUTOHOOK"


def switched_off() -> bool:
    """True when ``HERMES_SETUP_POOLS_AUTOHOOK`` is 0/false/no/off."""
    return os.environ.get(OFF_SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


class _HermesMainFinder:
    """A meta-path finder that only watches for ``hermes_cli.main``.

    It finds nothing itself: it asks the finders after it for the real spec
    and wraps that loader's ``exec_module`` so :func:`_after_import` runs once
    the module has executed. The spec, loader type and module stay Hermes' own.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != TARGET:
            return None
        disarm()  # one shot; also keeps the lookup below from recursing
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec

        def exec_and_hook(module: ModuleType) -> None:
            exec_module(module)
            _after_import(module)

        try:
            loader.exec_module = exec_and_hook  # this loader instance serves only this module
        except Exception:
            return spec
        return spec


_FINDER = _HermesMainFinder()


def arm() -> None:
    """Watch for ``hermes_cli.main`` (idempotent; a .pth may be read twice)."""
    try:
        if switched_off() or TARGET in sys.modules or _FINDER in sys.meta_path:
            return
        sys.meta_path.insert(0, _FINDER)
    except Exception:
        pass


def disarm() -> None:
    """Stop watching."""
    try:
        sys.meta_path.remove(_FINDER)
    except ValueError:
        pass


def _after_import(module: ModuleType) -> None:
    try:
        from .settings import current_hermes_home, plugin_enabled, safe_mode
        from .wizard_wrapper import install

        if switched_off() or safe_mode() or not plugin_enabled(current_hermes_home()):
            return
        install(module)
    except Exception as exc:  # never break Hermes
        print(
            f"hermes-setup-pools: startup hook not installed ({type(exc).__name__}: {exc}); "
            f"`hermes setup` runs without the credential-pool step. Switch the hook off with {OFF_SWITCH}=0",
            file=sys.stderr,
        )
