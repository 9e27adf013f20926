"""The seam into the real ``hermes setup``: a wrapper around Hermes' provider/model picker.

``hermes_cli.setup.setup_model_provider`` imports
``hermes_cli.main.select_provider_and_model`` each time it runs, so replacing
that one attribute puts our steps into every wizard path that chooses a model
(full setup, ``hermes setup model``, the blank-slate path). The wrapper:

* runs steps ordered before ``select_provider_and_model``, then the original,
  then the steps ordered after it, but only when the caller is the setup
  wizard: ``hermes model`` and ``hermes fallback add`` call the same function
  and get it untouched;
* runs nothing after the picker if the picker raised (``SystemExit``,
  ``KeyboardInterrupt``, errors): those propagate to Hermes as before;
* reports a failing step in one line itself (Hermes would swallow it with a
  vague message) and lets the wizard carry on.

This module imports only the standard library at import time; the startup
hook imports it while Hermes is starting.
"""

from __future__ import annotations

import dis
import functools
import os
import sys
from typing import Any, Callable

from . import HERMES_PLUGIN_NAME

SEAM_MODULE = "hermes_cli.main"
SEAM_FUNCTION = "select_provider_and_model"
CALLER_MODULE = "hermes_cli.setup"
CALLER_FUNCTION = "setup_model_provider"
_MARKER = "__hermes_setup_pools_original__"
_TRUTHY = {"1", "true", "yes", "on"}


class SeamError(RuntimeError):
    """This Hermes does not have the seam the wrapper needs."""


def hermes_version() -> str:
    """The installed hermes-agent version, or ``unknown``."""
    try:
        from importlib.metadata import version

        return version("hermes-agent")
    except Exception:
        return "unknown"


def check_seam(main_module: Any = None, setup_module: Any = None, *, check_caller: bool = True) -> None:
    """Raise :class:`SeamError` (naming the Hermes version) unless
    ``hermes_cli.main.select_provider_and_model`` exists and (with
    ``check_caller``) ``setup_model_provider`` still imports it at call time."""
    if main_module is None:
        import hermes_cli.main as main_module  # noqa: PLC0415 - Hermes is optional
    version = hermes_version()
    if not callable(getattr(main_module, SEAM_FUNCTION, None)):
        raise SeamError(f"Hermes {version}: {SEAM_MODULE}.{SEAM_FUNCTION} is missing; this hermes-setup-pools cannot hook its setup wizard")
    if not check_caller:
        return
    if setup_module is None:
        import hermes_cli.setup as setup_module  # noqa: PLC0415
    caller = getattr(setup_module, CALLER_FUNCTION, None)
    if not callable(caller):
        raise SeamError(f"Hermes {version}: {CALLER_MODULE}.{CALLER_FUNCTION} is missing; this hermes-setup-pools cannot hook its setup wizard")
    instructions = list(dis.get_instructions(caller))
    imports_at_call_time = any(
        ins.opname == "IMPORT_NAME" and ins.argval == SEAM_MODULE
        and any(nxt.opname == "IMPORT_FROM" and nxt.argval == SEAM_FUNCTION for nxt in instructions[i + 1 : i + 4])
        for i, ins in enumerate(instructions)
    )
    if not imports_at_call_time:
        raise SeamError(
            f"Hermes {version}: {CALLER_FUNCTION} no longer imports {SEAM_FUNCTION} from {SEAM_MODULE} "
            "when it runs, so the pool step would never be reached"
        )


def _env_on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUTHY


def safe_mode() -> bool:
    """``HERMES_SAFE_MODE`` is set (Hermes then loads no plugins)."""
    return _env_on("HERMES_SAFE_MODE")


def plugin_enabled(hermes_home: os.PathLike | str) -> bool:
    """True when config.yaml lists ``setup-pools`` in ``plugins.enabled`` (and not
    in ``plugins.disabled``), the way ``hermes plugins enable`` records it."""
    try:
        import yaml  # Hermes is running, so its dependencies are importable

        with open(os.path.join(hermes_home, "config.yaml"), encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
    except Exception:
        return False
    plugins = config.get("plugins") if isinstance(config, dict) else None
    if not isinstance(plugins, dict):
        return False
    enabled = plugins.get("enabled") or []
    disabled = plugins.get("disabled") or []
    return (
        isinstance(enabled, list)
        and HERMES_PLUGIN_NAME in enabled
        and not (isinstance(disabled, list) and HERMES_PLUGIN_NAME in disabled)
    )


def current_hermes_home():
    """Hermes' own idea of its home (profile-aware), else ``$HERMES_HOME`` / ``~/.hermes``."""
    from pathlib import Path

    try:
        from hermes_constants import get_hermes_home  # noqa: PLC0415

        return Path(get_hermes_home())
    except Exception:
        env = os.environ.get("HERMES_HOME", "").strip()
        return Path(env).expanduser() if env else Path.home() / ".hermes"


def _called_from_setup_wizard(frame) -> bool:
    return (
        frame is not None
        and frame.f_code.co_name == CALLER_FUNCTION
        and frame.f_globals.get("__name__") == CALLER_MODULE
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run_steps(steps, ctx) -> None:
    from .errors import Cancelled, SetupError
    from .keys import redact

    for reg in steps:
        try:
            ctx.results[reg.id] = reg.step.run(ctx)
        except (Cancelled, KeyboardInterrupt, EOFError):
            _say(f"{reg.step.title}: cancelled; nothing was changed by this step.")
        except SetupError as exc:
            _say(f"hermes-setup-pools: {reg.id}: {redact(str(exc))}")
        except Exception as exc:  # a plugin's bug must not take the wizard down silently
            _say(f"hermes-setup-pools: step {reg.id!r} failed: {type(exc).__name__}: {redact(str(exc))}")


def _steps_around_anchor():
    from .flow import ANCHOR_STEP_ID, ordered_steps

    order = ordered_steps()
    index = next(i for i, reg in enumerate(order) if reg.id == ANCHOR_STEP_ID)
    return order[:index], order[index + 1 :]


def make_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap Hermes' picker so the registered steps run around it in the setup wizard."""

    @functools.wraps(original)
    def select_provider_and_model(*args: Any, **kwargs: Any) -> Any:
        if not _called_from_setup_wizard(sys._getframe(1)):
            return original(*args, **kwargs)
        from .errors import SetupError
        from .flow import Context
        from .keys import redact
        from .prompts import QuestionaryPrompter

        try:
            before, after = _steps_around_anchor()
        except SetupError as exc:
            _say(f"hermes-setup-pools: {redact(str(exc))}; running Hermes' setup without extra steps")
            return original(*args, **kwargs)
        interactive = bool(sys.stdin and sys.stdin.isatty())
        ctx = Context(current_hermes_home(), interactive=interactive,
                      prompter=QuestionaryPrompter() if interactive else None)
        _run_steps(before, ctx)
        result = original(*args, **kwargs)  # raises: nothing of ours runs after it
        _run_steps(after, ctx)
        return result

    setattr(select_provider_and_model, _MARKER, original)
    return select_provider_and_model


def install(main_module: Any = None) -> bool:
    """Put the wrapper in place of ``hermes_cli.main.select_provider_and_model``.

    Idempotent (returns False when already installed). Raises
    :class:`SeamError` when this Hermes lacks the seam.
    """
    if main_module is None:
        import hermes_cli.main as main_module  # noqa: PLC0415
    # The caller check needs hermes_cli.setup; import it only if Hermes has
    # (the startup hook runs for every `... setup ...` command line).
    setup_module = sys.modules.get(CALLER_MODULE)
    check_seam(main_module, setup_module, check_caller=setup_module is not None)
    current = getattr(main_module, SEAM_FUNCTION)
    if getattr(current, _MARKER, None) is not None:
        return False
    setattr(main_module, SEAM_FUNCTION, make_wrapper(current))
    return True


def installed(main_module: Any = None) -> bool:
    """True when the wrapper is in place."""
    module = main_module or sys.modules.get(SEAM_MODULE)
    return getattr(getattr(module, SEAM_FUNCTION, None), _MARKER, None) is not None
