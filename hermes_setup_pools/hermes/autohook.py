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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

TARGET = "hermes_cli.main"
OFF_SWITCH = "HERMES_SETUP_POOLS_AUTOHOOK"


def switched_off() -> bool:
    """True when ``HERMES_SETUP_POOLS_AUTOHOOK`` is 0/false/no/off."""
    return os.environ.get(OFF_SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


class _ImportWatcher:
    """A meta-path finder that watches for one module (``hermes_cli.main``, then
    ``hermes_cli.setup``).

    It finds nothing itself: it asks the finders after it for the real spec
    and wraps that loader's ``exec_module`` so the callback runs once the
    module has executed. The spec, loader type and module stay Hermes' own.
    """

    def __init__(self) -> None:
        self.target = TARGET
        self.callback: Callable[[ModuleType], None] | None = None  # None: _after_import

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.target:
            return None
        callback = self.callback or _after_import
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
            callback(module)

        try:
            loader.exec_module = exec_and_hook  # this loader instance serves only this module
        except Exception:
            return spec
        return spec


_FINDER = _ImportWatcher()


def arm() -> None:
    """Watch for ``hermes_cli.main`` (idempotent; a .pth may be read twice)."""
    try:
        if switched_off() or TARGET in sys.modules or _FINDER in sys.meta_path:
            return
        _watch(TARGET, _after_import)
    except Exception:
        pass


def _watch(name: str, callback: Callable[[ModuleType], None]) -> None:
    _FINDER.target, _FINDER.callback = name, callback
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def disarm() -> None:
    """Stop watching."""
    try:
        sys.meta_path.remove(_FINDER)
    except ValueError:
        pass


def _after_import(module: ModuleType) -> None:
    try:
        from .settings import current_hermes_home, plugin_enabled, safe_mode
        from .wizard_wrapper import CALLER_MODULE, install

        if switched_off() or safe_mode() or not plugin_enabled(current_hermes_home()):
            return
        install(module)
        if CALLER_MODULE not in sys.modules:  # install() could not check the wizard's side yet
            _watch(CALLER_MODULE, _check_wizard)
    except Exception as exc:  # never break Hermes
        _not_installed(exc)


def _check_wizard(setup_module: ModuleType) -> None:
    """Once Hermes has imported its wizard: say so if it no longer reaches the wrapper."""
    try:
        from .wizard_wrapper import SEAM_MODULE, check_seam

        check_seam(sys.modules[SEAM_MODULE], setup_module)
    except Exception as exc:  # never break Hermes
        _not_installed(exc, what=str(exc))


def _not_installed(exc: Exception, *, what: str = "") -> None:
    what = what or f"startup hook not installed ({type(exc).__name__}: {exc})"
    print(
        f"hermes-setup-pools: {what}; `hermes setup` runs without the credential-pool step. "
        f"Switch the hook off with {OFF_SWITCH}=0",
        file=sys.stderr,
    )
