"""The plugin manager: build it, load plugins (built-ins by dotted name, then
the ``hermes_setup`` entry-point group), collect their steps and order them.

Built-in behaviour ships as ordinary plugins listed in :data:`DEFAULT_PLUGINS`
(the way simonw/llm lists its default plugins), so the host eats its own
cooking: the credential-pool step is registered exactly as a third-party
step would be.
"""

from __future__ import annotations

import difflib
import heapq
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from importlib import import_module
from typing import Any

import pluggy

from . import NAME, hookspecs
from .steps import Step, StepError

#: The built-in plugins, by dotted module name, registered before any entry point.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "hermes_setup_pools.providers.picker",
    "hermes_setup_pools.pool.hook",
)

#: How the ``steps`` command and error messages name a built-in plugin.
BUILTIN_PLUGIN = "hermes-setup-pools (built-in)"

DISABLE_ENV = "HERMES_SETUP_DISABLE_PLUGINS"
AUTOLOAD_ENV = "HERMES_SETUP_PLUGINS_AUTOLOAD"


@dataclass(frozen=True)
class RegisteredStep:
    """A step together with the name of the plugin that registered it."""

    step: Step
    plugin: str

    @property
    def id(self) -> str:
        """The step's id."""
        return self.step.id


class SetupPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers which distribution each plugin came from."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.sources: dict[str, str] = {}

    def label(self, name: str) -> str:
        """How messages and the ``steps`` command name the plugin registered as ``name``."""
        if name.startswith(BUILTIN_PLUGIN):
            return BUILTIN_PLUGIN
        return name + self.sources.get(name, "")


def autoload_enabled() -> bool:
    """False when ``HERMES_SETUP_PLUGINS_AUTOLOAD`` is 0/false/no/off."""
    value = os.environ.get(AUTOLOAD_ENV, "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def build_plugin_manager(*, autoload: bool | None = None) -> SetupPluginManager:
    """Return a fresh plugin manager holding :data:`DEFAULT_PLUGINS` and, unless
    autoloading is off, every plugin of the ``hermes_setup`` entry-point group.

    Plugins named in ``HERMES_SETUP_DISABLE_PLUGINS`` (comma-separated
    entry-point names) are skipped. A plugin that fails to import, or whose
    hook implementations do not match the specification, raises
    :class:`StepError` naming the plugin.
    """
    pm = SetupPluginManager()
    pm.add_hookspecs(hookspecs)
    for dotted in DEFAULT_PLUGINS:
        pm.register(import_module(dotted), name=f"{BUILTIN_PLUGIN}:{dotted}")
    if autoload is None:
        autoload = autoload_enabled()
    if autoload:
        _load_entry_point_plugins(pm)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise StepError(_describe_validation_error(exc, pm)) from None
    return pm


def _load_entry_point_plugins(pm: SetupPluginManager) -> None:
    from importlib import metadata  # ~30 ms; only when plugins are actually loaded

    blocked = {part.strip() for part in os.environ.get(DISABLE_ENV, "").split(",") if part.strip()}
    for ep in metadata.entry_points(group=NAME):
        if ep.name in blocked or pm.get_plugin(ep.name) is not None:
            continue
        dist = getattr(ep, "dist", None)
        where = f" (from {dist.metadata['Name']} {dist.version})" if dist is not None else ""
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not produce a traceback
            raise StepError(
                f"plugin {ep.name!r}{where} failed to load: {type(exc).__name__}: {exc}"
                f" (block it with {DISABLE_ENV}={ep.name})"
            ) from None
        pm.sources[ep.name] = where
        try:
            pm.register(plugin, name=ep.name)
        except pluggy.PluginValidationError as exc:
            raise StepError(_describe_validation_error(exc, pm, ep.name)) from None


def _describe_validation_error(exc: pluggy.PluginValidationError, pm: SetupPluginManager, name: str = "") -> str:
    # pluggy's own message spans several lines and repeats the function
    # source; say the same thing in one sentence.
    plugin = exc.plugin
    name = name or pm.get_name(plugin) or str(getattr(plugin, "__name__", repr(plugin)))
    who = f"plugin {pm.label(name)!r}"
    text = str(exc)
    unknown = re.search(r"unknown hook '([^']+)'", text)
    if unknown:
        hint = difflib.get_close_matches(unknown.group(1), ["hermes_setup_register_steps"], n=1)
        return f"{who} implements an unknown hook {unknown.group(1)!r}" + (
            f"; did you mean {hint[0]!r}?" if hint else ""
        )
    extra = re.search(r"Argument\(s\) (\{.*?\})", text)
    if extra:
        return (
            f"{who}: its hermes_setup_register_steps takes argument(s) {extra.group(1)} "
            "that the hook does not provide; the spec is hermes_setup_register_steps(register)"
        )
    first = next((line.strip() for line in text.splitlines() if line.strip()), "invalid hook implementation")
    return f"{who} has an invalid hook implementation: {first}"


def collect_steps(pm: SetupPluginManager) -> list[RegisteredStep]:
    """Ask every plugin for its steps; reject anything that is not a
    :class:`Step` and duplicate ids (naming both plugins)."""
    found: dict[str, RegisteredStep] = {}
    for impl in pm.hook.hermes_setup_register_steps.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(step: Step, _plugin: str = plugin) -> None:
            if not isinstance(step, Step):
                raise StepError(
                    f"plugin {pm.label(_plugin)!r} registered {type(step).__name__}, not a hermes_setup_pools.Step"
                )
            if step.id in found:
                raise StepError(
                    f"step id {step.id!r} is registered by both "
                    f"{pm.label(found[step.id].plugin)!r} and {pm.label(_plugin)!r}"
                )
            found[step.id] = RegisteredStep(step, _plugin)

        try:
            impl.function(register=register)
        except StepError:
            raise
        except Exception as exc:
            raise StepError(
                f"plugin {pm.label(plugin)!r} failed while registering steps: {type(exc).__name__}: {exc}"
            ) from None
    return list(found.values())


def order_steps(steps: Iterable[RegisteredStep], pm: Any = None) -> list[RegisteredStep]:
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
                    who = pm.label(reg.plugin) if pm is not None else reg.plugin.split(":")[0]
                    raise StepError(
                        f"step {reg.id!r} (from {who!r}) has {kind}={ref!r}, but no step has the id {ref!r}"
                        + (f"; did you mean {hint[0]!r}?" if hint else "")
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
        raise StepError("steps form a cycle and cannot be ordered: " + " -> ".join(map(str, cycle))) from None
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


def ordered_steps(pm: SetupPluginManager | None = None) -> list[RegisteredStep]:
    """Collect and order the steps of every plugin in ``pm`` (a fresh manager when not given)."""
    pm = pm or build_plugin_manager()
    return order_steps(collect_steps(pm), pm)
