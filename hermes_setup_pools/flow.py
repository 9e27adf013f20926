"""Steps, the plugin manager that collects them, their order, and the runner.

A step is a value (:class:`Step`); plugins hand steps to the host through the
``hermes_setup_register_steps`` hook. The host sorts them with an explicit
dependency graph, so the order is the same whatever order packages were
installed in, and runs them with one :class:`Context`.
"""

from __future__ import annotations

import difflib
import heapq
import os
import re
import sys
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any, Callable, Iterable, TextIO

import pluggy

from . import NAME
from .errors import SetupError

#: The anchor step the host always provides: Hermes' provider and model picker.
ANCHOR_STEP_ID = "select_provider_and_model"
#: This package's own step.
POOL_STEP_ID = "credential_pool"

#: Display name for steps the package registers itself.
BUILTIN_PLUGIN = "hermes-setup-pools (built-in)"

DISABLE_ENV = "HERMES_SETUP_DISABLE_PLUGINS"
AUTOLOAD_ENV = "HERMES_SETUP_PLUGINS_AUTOLOAD"

_STEP_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class StepError(SetupError):
    """A step or plugin breaks the hook contract (bad step, duplicate, cycle, …)."""


@dataclass
class Context:
    """What every step's ``run(context)`` receives.

    ``hermes_home`` is the Hermes home directory the run works on.
    ``interactive`` says whether questions may be asked; when it is false,
    answers come from ``options`` (the command's flags) instead.
    ``prompter`` asks the questions (see :mod:`hermes_setup_pools.prompts`).
    ``results`` maps the id of each step that already ran to what it returned.
    """

    hermes_home: Path
    interactive: bool = True
    prompter: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    out: TextIO | None = None

    def echo(self, text: str = "") -> None:
        """Print one line for the user (to ``out``, standard output by default)."""
        print(text, file=self.out or sys.stdout, flush=True)

    def option(self, name: str, default: Any = None) -> Any:
        """Return the command-line option ``name``, or ``default`` when unset."""
        value = self.options.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Step:
    """One step of the setup flow.

    ``id``: unique name other steps refer to; ``title``: what the user sees;
    ``run``: called with the :class:`Context`, its return value is stored in
    ``context.results[id]``; ``after`` / ``before``: ids of steps this one must
    follow / precede.
    """

    id: str
    title: str
    run: Callable[[Context], Any]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A bare string is the most common slip (after="x" would read as
        # ("x",) to a person but iterate as characters); accept it.
        for name in ("after", "before"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.id, str) or not _STEP_ID_RE.match(self.id):
            raise StepError(
                f"step id {self.id!r} is not valid: use letters, digits, '_', '-', '.' or ':'"
            )
        if not callable(self.run):
            raise StepError(f"step {self.id!r}: run must be callable")
        for ref in (*self.after, *self.before):
            if not isinstance(ref, str) or not ref:
                raise StepError(f"step {self.id!r}: after/before must hold step ids, got {ref!r}")


@dataclass(frozen=True)
class RegisteredStep:
    """A step together with the name of the plugin that registered it."""

    step: Step
    plugin: str

    @property
    def id(self) -> str:
        return self.step.id


# --------------------------------------------------------------------------
# Plugin manager
# --------------------------------------------------------------------------


def _env_list(name: str) -> set[str]:
    return {part.strip() for part in os.environ.get(name, "").split(",") if part.strip()}


def autoload_enabled() -> bool:
    """False when ``HERMES_SETUP_PLUGINS_AUTOLOAD`` is 0/false/no/off."""
    value = os.environ.get(AUTOLOAD_ENV, "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


class SetupPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers which distribution each plugin came from."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.sources: dict[str, str] = {}


def build_plugin_manager(*, autoload: bool | None = None) -> SetupPluginManager:
    """Return a fresh plugin manager holding the built-in steps and, unless
    autoloading is off, every plugin in the ``hermes_setup`` entry-point group.

    Plugins named in ``HERMES_SETUP_DISABLE_PLUGINS`` (comma-separated entry-point
    names) are blocked. A plugin that fails to import or whose hook
    implementations do not match the specification raises :class:`StepError`
    naming the plugin.
    """
    from . import anchor, hookspecs, pool_step

    pm = SetupPluginManager()
    pm.add_hookspecs(hookspecs)
    pm.register(anchor, name=f"{BUILTIN_PLUGIN}:anchor")
    pm.register(pool_step, name=f"{BUILTIN_PLUGIN}:pool")
    if autoload is None:
        autoload = autoload_enabled()
    if autoload:
        _load_entry_point_plugins(pm)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise StepError(_describe_validation_error(exc, pm=pm)) from None
    return pm


def _load_entry_point_plugins(pm: SetupPluginManager) -> None:
    from importlib import metadata  # ~30 ms; only when plugins are actually loaded

    blocked = _env_list(DISABLE_ENV)
    for ep in metadata.entry_points(group=NAME):
        if ep.name in blocked or pm.get_plugin(ep.name) is not None:
            continue
        where = _dist_label(ep)
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not produce a traceback
            raise StepError(
                f"plugin {ep.name!r}{where} failed to load: {type(exc).__name__}: {exc}"
                f" (block it with {DISABLE_ENV}={ep.name})"
            ) from None
        try:
            pm.register(plugin, name=ep.name)
        except pluggy.PluginValidationError as exc:
            raise StepError(_describe_validation_error(exc, where)) from None
        pm.sources[ep.name] = where


def _dist_label(ep) -> str:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ""
    return f" (from {dist.metadata['Name']} {dist.version})"


def _describe_validation_error(exc, where: str = "", pm=None) -> str:
    # pluggy's own message spans several lines and repeats the function
    # source; say the same thing in one sentence.
    plugin = getattr(exc, "plugin", None)
    name = (pm.get_name(plugin) if pm is not None else None) or getattr(plugin, "__name__", repr(plugin))
    text = str(exc)
    unknown = re.search(r"unknown hook '([^']+)'", text)
    if unknown:
        hint = difflib.get_close_matches(unknown.group(1), ["hermes_setup_register_steps"], n=1)
        return (
            f"plugin {name!r}{where} implements an unknown hook {unknown.group(1)!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
        )
    extra = re.search(r"Argument\(s\) (\{.*?\})", text)
    if extra:
        return (
            f"plugin {name!r}{where}: its hermes_setup_register_steps takes argument(s) {extra.group(1)} "
            "that the hook does not provide; the spec is hermes_setup_register_steps(register)"
        )
    first = next((line.strip() for line in text.splitlines() if line.strip()), "invalid hook implementation")
    return f"plugin {name!r}{where} has an invalid hook implementation: {first}"


def plugin_label(pm, name: str) -> str:
    """How the ``steps`` command names the plugin registered as ``name``."""
    if name.startswith(BUILTIN_PLUGIN):
        return BUILTIN_PLUGIN
    return name + pm.sources.get(name, "")


# --------------------------------------------------------------------------
# Collecting and ordering
# --------------------------------------------------------------------------


def collect_steps(pm) -> list[RegisteredStep]:
    """Ask every plugin for its steps; reject anything that is not a Step and
    duplicate ids (naming both plugins)."""
    found: dict[str, RegisteredStep] = {}
    hook = pm.hook.hermes_setup_register_steps
    for impl in hook.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(step: Step, _plugin: str = plugin) -> None:
            if not isinstance(step, Step):
                raise StepError(
                    f"plugin {plugin_label(pm, _plugin)!r} registered {type(step).__name__}, "
                    "not a hermes_setup_pools.Step"
                )
            if step.id in found:
                raise StepError(
                    f"step id {step.id!r} is registered by both "
                    f"{plugin_label(pm, found[step.id].plugin)!r} and {plugin_label(pm, _plugin)!r}"
                )
            found[step.id] = RegisteredStep(step, _plugin)

        kwargs = {name: register for name in impl.argnames if name == "register"}
        try:
            impl.function(**kwargs)
        except StepError:
            raise
        except Exception as exc:
            raise StepError(
                f"plugin {plugin_label(pm, plugin)!r} failed while registering steps: "
                f"{type(exc).__name__}: {exc}"
            ) from None
    return list(found.values())


def order_steps(steps: Iterable[RegisteredStep]) -> list[RegisteredStep]:
    """Sort steps so every ``after``/``before`` constraint holds; ties by id.

    Raises :class:`StepError` for a reference to an unknown step id (with a
    close-match suggestion) and for a cycle (naming the steps in it).
    """
    by_id = {reg.id: reg for reg in steps}
    graph: dict[str, set[str]] = {step_id: set() for step_id in by_id}
    for reg in by_id.values():
        for kind, refs in (("after", reg.step.after), ("before", reg.step.before)):
            for ref in refs:
                if ref not in by_id:
                    hint = difflib.get_close_matches(ref, list(by_id), n=1)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                    raise StepError(
                        f"step {reg.id!r} (from {reg.plugin.split(':')[0]!r}) has "
                        f"{kind}={ref!r}, but no step has the id {ref!r}{suggestion}"
                    )
                if kind == "after":
                    graph[reg.id].add(ref)
                else:
                    graph[ref].add(reg.id)
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1] if len(exc.args) > 1 else list(graph)
        raise StepError(
            "steps form a cycle and cannot be ordered: " + " -> ".join(map(str, cycle))
        ) from None
    ready = sorted(sorter.get_ready())
    heapq.heapify(ready)
    order: list[RegisteredStep] = []
    while ready:
        step_id = heapq.heappop(ready)
        order.append(by_id[step_id])
        sorter.done(step_id)
        for nxt in sorter.get_ready():
            heapq.heappush(ready, nxt)
    return order


def ordered_steps(pm=None) -> list[RegisteredStep]:
    """Collect and order the steps of every plugin in ``pm`` (a fresh manager
    when not given)."""
    return order_steps(collect_steps(pm or build_plugin_manager()))


def run_steps(steps: Iterable[RegisteredStep], context: Context) -> Context:
    """Run ``steps`` in the given order, storing each result in ``context.results``."""
    for reg in steps:
        context.results[reg.id] = reg.step.run(context)
    return context
