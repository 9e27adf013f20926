"""Startup hook: make the literal ``hermes setup`` show the credential-pool step.

``hermes setup`` is a built-in command, and Hermes runs it before loading any
plugin, so a plugin's ``register(ctx)`` comes too late. The wheel therefore
ships ``hermes_setup_pools_autohook.pth`` (source: ``hooks/``), which Python
runs at start-up. For a command line containing ``setup`` it calls
:func:`arm`; everything else pays only that membership test. When
``hermes_cli.main`` has then been imported, the hook installs the wrapper from
:mod:`hermes_setup_pools.hermes.wizard_wrapper` if, and only if:

* ``HERMES_SETUP_POOLS_AUTOHOOK`` is not ``0`` (the off switch);
* ``HERMES_SAFE_MODE`` is not set;
* ``setup-pools`` is in config.yaml's ``plugins.enabled``
  (``hermes plugins enable setup-pools``).

The wrapper itself only acts when called from the setup wizard, so
``hermes model`` and ``hermes fallback`` are never affected. Nothing here
raises into the host program.

How it notices the import, cheaply: every import a process makes asks each
finder on ``sys.meta_path`` in turn, so a finder left there would cost
something on each of the ~300 modules Hermes imports. Ours waits only for the
``hermes_cli`` package, the first thing ``hermes`` imports, and leaves at
once; from then on the package module itself tells us (its class gains a
``__setattr__`` that sees the import system bind ``main`` and ``setup`` on
it, which happens right after each has executed), and its class is given back
when we are done. Only the standard library is imported until
``hermes_cli.main`` has been imported.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec

PACKAGE = "hermes_cli"
TARGET = "hermes_cli.main"
CALLER = "hermes_cli.setup"
OFF_SWITCH = "HERMES_SETUP_POOLS_AUTOHOOK"


def switched_off() -> bool:
    """True when ``HERMES_SETUP_POOLS_AUTOHOOK`` is 0/false/no/off."""
    return os.environ.get(OFF_SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


class _ImportWatcher:
    """A meta-path finder that waits for the ``hermes_cli`` package.

    It finds nothing itself: it leaves ``sys.meta_path``, asks the finders
    after it for the real spec and wraps that loader's ``exec_module`` so the
    package module is watched (:class:`_WatchedPackage`) before its code runs.
    The spec, loader and module stay Hermes' own.
    """

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        disarm()  # one shot; also keeps the lookup below from recursing
        spec: ModuleSpec | None = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        if spec is None:
            return None
        exec_module = getattr(spec.loader, "exec_module", None)
        if exec_module is None:
            return spec

        def watch_and_exec(module: ModuleType) -> None:
            _watch(module)
            exec_module(module)

        try:
            setattr(spec.loader, "exec_module", watch_and_exec)  # noqa: B010 (this loader instance serves only this module)
        except Exception:
            pass
        return spec


class _WatchedPackage(ModuleType):
    """The class ``hermes_cli`` has while we wait: the import system binds each
    submodule on its package once the submodule has executed, and that is
    when we act (``main``: install the wrapper; ``setup``: check it is reached)."""

    def __setattr__(self, name: str, value: object) -> None:
        ModuleType.__setattr__(self, name, value)
        if name in {"main", "setup"} and isinstance(value, ModuleType) and value is sys.modules.get(f"{PACKAGE}.{name}"):
            _bound(self, name, value)


_FINDER = _ImportWatcher()


def arm() -> None:
    """Watch for ``hermes_cli.main`` (idempotent: a .pth is read twice per start-up)."""
    try:
        if switched_off() or TARGET in sys.modules or _FINDER in sys.meta_path:
            return
        package = sys.modules.get(PACKAGE)
        if package is not None:
            _watch(package)
        else:
            sys.meta_path.insert(0, _FINDER)
    except Exception:
        pass


def disarm() -> None:
    """Stop watching."""
    try:
        sys.meta_path.remove(_FINDER)
    except ValueError:
        pass
    package = sys.modules.get(PACKAGE)
    if type(package) is _WatchedPackage:
        _unwatch(package)


def _watch(package: ModuleType) -> None:
    if type(package) is ModuleType:  # a package module of another class is left alone
        package.__class__ = _WatchedPackage


def _unwatch(package: ModuleType) -> None:
    try:
        package.__class__ = ModuleType
    except Exception:
        pass


def _bound(package: ModuleType, name: str, module: ModuleType) -> None:
    """``hermes_cli.<name>`` has executed and is being bound on its package."""
    if name == "main":
        if not _after_import(module) or CALLER in sys.modules:  # nothing more to wait for
            _unwatch(package)
    elif TARGET in sys.modules:  # the wizard, after the wrapper went in: check that it reaches it
        _unwatch(package)
        _check_wizard(module)


def _after_import(module: ModuleType) -> bool:
    """``hermes_cli.main`` has executed: install the wrapper when the plugin is
    enabled. True when it was installed."""
    try:
        from .settings import current_hermes_home, plugin_enabled, safe_mode

        if switched_off() or safe_mode() or not plugin_enabled(current_hermes_home()):
            return False
        from .wizard_wrapper import install

        install(module)
        return True
    except Exception as exc:  # never break Hermes
        _not_installed(exc)
        return False


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
