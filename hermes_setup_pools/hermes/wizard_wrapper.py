"""The wrapper inside Hermes' setup wizard, around its provider/model picker.

``hermes_cli.setup.setup_model_provider`` imports
``hermes_cli.main.select_provider_and_model`` each time it runs, so replacing
that one attribute puts our steps into every wizard path that chooses a model
(full setup, ``hermes setup model``, the blank-slate path). The wrapper:

* runs steps ordered before ``select_provider_and_model``, then the original,
  then the steps ordered after it, but only when the caller is the setup
  wizard: ``hermes model`` and ``hermes fallback add`` call the same function
  and get it untouched;
* runs nothing after the picker if the picker raised (``SystemExit``,
  ``KeyboardInterrupt``, errors, and the ``BaseException`` navigation of newer
  wizards): those propagate to Hermes as before;
* runs the steps through the one runner with ``on_error="report"``: a failing
  step is reported in one line (Hermes would swallow it with a vague message)
  and the wizard carries on;
* runs each group of steps once per wizard run: when the user goes back to the
  picker (newer wizards replay it), the steps that already ran for that
  provider say so in one line instead of asking again;
* after the credential-pool step, keeps Hermes' own pool step (0.13–0.15) from
  running too, keeps the strategy in the wizard's in-memory config (0.13/0.14;
  see :mod:`.compat`), puts a round_robin pool back into the order the step
  showed when the wizard's process ends (see :mod:`.anchor`), and at a
  terminal shows a one-line summary until Enter (see :mod:`.outcome`).

This module imports only the standard library at import time; the start-up
hook imports it while Hermes is starting.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

SEAM_MODULE = "hermes_cli.main"
SEAM_FUNCTION = "select_provider_and_model"
CALLER_MODULE = "hermes_cli.setup"
CALLER_FUNCTION = "setup_model_provider"
_MARKER = "__hermes_setup_pools_original__"
POOL_STEP_ID = "credential_pool"  # the id pool.step registers (not imported: this module stays stdlib-only)


class SeamError(RuntimeError):
    """This Hermes does not have the seam the wrapper needs."""


def hermes_version() -> str:
    """The installed hermes-agent version, or ``unknown`` (read only to word an error)."""
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
        main_module = _import(SEAM_MODULE)
    if not callable(getattr(main_module, SEAM_FUNCTION, None)):
        raise SeamError(
            f"Hermes {hermes_version()}: {SEAM_MODULE}.{SEAM_FUNCTION} is missing; "
            "this hermes-setup-pools cannot hook its setup wizard"
        )
    if not check_caller:
        return
    if setup_module is None:
        setup_module = _import(CALLER_MODULE)
    caller = getattr(setup_module, CALLER_FUNCTION, None)
    if not callable(caller):
        raise SeamError(
            f"Hermes {hermes_version()}: {CALLER_MODULE}.{CALLER_FUNCTION} is missing; "
            "this hermes-setup-pools cannot hook its setup wizard"
        )
    # A module name among a function's names comes only from an import inside
    # it; together with the picker's name that is `from hermes_cli.main import
    # select_provider_and_model` at call time (read without importing dis,
    # which every `hermes setup` would pay for).
    names = getattr(getattr(caller, "__code__", None), "co_names", ())
    imports_at_call_time = SEAM_MODULE in names and SEAM_FUNCTION in names
    if not imports_at_call_time:
        raise SeamError(
            f"Hermes {hermes_version()}: {CALLER_FUNCTION} no longer imports {SEAM_FUNCTION} from {SEAM_MODULE} "
            "when it runs, so the pool step would never be reached"
        )


def _import(name: str) -> ModuleType:
    from importlib import import_module

    return import_module(name)


def _called_from_setup_wizard(frame: FrameType | None) -> bool:
    return (
        frame is not None
        and frame.f_code.co_name == CALLER_FUNCTION
        and frame.f_globals.get("__name__") == CALLER_MODULE
    )


def _say(line: str) -> None:
    from ..display import say

    say(line)


def _load_steps() -> list[Any]:
    """Every registered step, in run order (the anchor among them)."""
    from ..manager import ordered_steps

    return ordered_steps()


def _model_choice(home: Path) -> tuple[str, ...]:
    """What the picker chose (provider and endpoint), as config.yaml now says."""
    from ..store.config import load_config

    try:
        model = load_config(home).data.get("model")
    except Exception:
        return ("?",)
    if not isinstance(model, dict):
        return (str(model),)
    return (str(model.get("provider") or ""), str(model.get("base_url") or ""))


def _titles(steps: list[Any]) -> str:
    return ", ".join(reg.step.title for reg in steps)


def make_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap Hermes' picker so the registered steps run around it in the setup wizard."""
    done: set[tuple[str, ...]] = set()  # the steps that already ran in this wizard run (one per process)

    @functools.wraps(original)
    def select_provider_and_model(*args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1)
        if not _called_from_setup_wizard(caller):
            return original(*args, **kwargs)
        from ..errors import SetupError
        from ..keys.detect import redact
        from ..prompts import QuestionaryPrompter
        from ..runner import run_steps
        from ..steps import ANCHOR_STEP_ID, Context
        from . import controls, outcome
        from .settings import current_hermes_home

        try:
            order = _load_steps()
        except SetupError as exc:
            _say(f"hermes-setup-pools: {redact(str(exc))}; running Hermes' setup without extra steps")
            return original(*args, **kwargs)
        anchor = next(i for i, reg in enumerate(order) if reg.id == ANCHOR_STEP_ID)
        before, after = order[:anchor], order[anchor + 1 :]
        interactive = outcome.interactive()
        home = current_hermes_home()
        ctx = Context(home, interactive=interactive, prompter=QuestionaryPrompter() if interactive else None)
        if interactive and after:
            _preload_prompts()
        _run_once(done, ("before", str(home)), before, lambda: run_steps(before, ctx, on_error="report", say=_say))
        result = original(*args, **kwargs)  # raises: nothing of ours runs after it
        nav = controls.navigation()  # read now: it counts the menus the picker showed
        if interactive:
            ctx.prompter = QuestionaryPrompter(navigation=nav is not None, in_wizard=True)
        ran = _run_after(done, ("after", str(home), *_model_choice(home)), after, ctx, nav)
        pool = next((reg for reg in after if reg.id == POOL_STEP_ID), None)
        if pool is not None:
            _finish_pool_step(caller, ctx.results.get(POOL_STEP_ID), pool.step.title, ran=ran and interactive)
        return result

    setattr(select_provider_and_model, _MARKER, original)
    return select_provider_and_model


def _preload_prompts() -> None:
    """Import the prompt library in the background while the user is in Hermes'
    picker, so our first question appears at once when the picker returns
    (importing it costs about 150 ms; a failure here only loses the head start)."""
    import threading

    def load() -> None:
        try:
            import questionary  # noqa: F401
        except Exception:
            pass

    threading.Thread(target=load, name="hermes-setup-pools-preload", daemon=True).start()


def _run_after(done: set[tuple[str, ...]], key: tuple[str, ...], steps: list[Any], ctx: Any, nav: Any) -> bool:
    """The steps after the picker, with the wizard's keys and signals
    (:mod:`.controls`): ← at the first question goes to Hermes' previous menu
    (or asks again where there is none), Esc leaves the setup, a signal at a
    question cancels the step and then ends the process. True when run."""
    from ..errors import GoBack, LeaveSetup
    from ..runner import run_steps
    from . import controls, outcome

    watch = controls.SignalWatch()
    while True:
        try:
            with watch.watching():
                ran = _run_once(done, key, steps, lambda: run_steps(steps, ctx, on_error="report", say=_say,
                                                                       quiet_cancel=ctx.interactive))
            break
        except GoBack:
            if nav is not None and controls.can_go_back(nav):
                raise controls.back_to_hermes(nav) from None
            _say("Nothing in the setup comes before this question; asking it again.")
        except LeaveSetup:
            controls.leave_setup()
    result = ctx.results.get(POOL_STEP_ID)
    watch.finish(outcome.summary("Credential pool", result) if result is not None else None, _say)
    return ran


def _run_once(done: set[tuple[str, ...]], key: tuple[str, ...], steps: list[Any], run: Callable[[], Any]) -> bool:
    """Run ``steps`` unless they already ran for ``key`` in this wizard run (the
    wizard replays the picker when the user goes back to it); True when run."""
    if not steps:
        return False
    if key in done:
        _say(f"{_titles(steps)}: already done in this setup run; not asked again.")
        return False
    run()
    done.add(key)
    return True


def _finish_pool_step(caller: FrameType, result: Any, title: str, *, ran: bool) -> None:
    """After the pool step: keep what it wrote in the wizard's own config (Hermes
    0.13/0.14), keep Hermes' own pool step from running too (0.13–0.15), and
    at a terminal show what the step did until the user presses Enter."""
    from . import compat, outcome

    try:
        compat.sync_wizard_config(caller, getattr(result, "pool_key", None), getattr(result, "strategy", None))
        compat.gate_hermes_pool_step(caller)
        if getattr(result, "auth_written", False) or getattr(result, "config_written", False):
            from . import anchor
            from .settings import current_hermes_home

            anchor.remember(current_hermes_home(), result.pool_key)
        if ran and not outcome.pause(outcome.summary(title, result)):
            from . import controls

            controls.leave_setup()  # Ctrl-C at "press Enter to continue": the banner's "Ctrl+C … to exit"
    except Exception as exc:  # never break Hermes' wizard
        from ..keys.detect import redact

        _say(f"hermes-setup-pools: {type(exc).__name__}: {redact(str(exc))}")


def install(main_module: ModuleType | None = None) -> bool:
    """Put the wrapper in place of ``hermes_cli.main.select_provider_and_model``.

    Idempotent (returns False when already installed). Raises
    :class:`SeamError` when this Hermes lacks the seam.
    """
    if main_module is None:
        main_module = _import(SEAM_MODULE)
    # The caller check needs hermes_cli.setup; check it only if Hermes has
    # imported it already (the start-up hook runs before it is).
    setup_module = sys.modules.get(CALLER_MODULE)
    check_seam(main_module, setup_module, check_caller=setup_module is not None)
    current = getattr(main_module, SEAM_FUNCTION)
    if getattr(current, _MARKER, None) is not None:
        return False
    setattr(main_module, SEAM_FUNCTION, make_wrapper(current))
    return True


def installed(main_module: ModuleType | None = None) -> bool:
    """True when the wrapper is in place."""
    module = main_module or sys.modules.get(SEAM_MODULE)
    return getattr(getattr(module, SEAM_FUNCTION, None), _MARKER, None) is not None
