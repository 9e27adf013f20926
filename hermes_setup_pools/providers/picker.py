"""The provider/model step, ``select_provider_and_model``: the anchor every
other step orders itself around.

When Hermes is installed this is Hermes' own picker
(``hermes_cli.main.select_provider_and_model``), the same one ``hermes setup``
runs. Without Hermes it is a small built-in picker that writes
``model.provider`` and ``model.default`` to config.yaml, so people can prepare
a Hermes home before Hermes is installed. Either way the step returns what it
wrote, so a run cancelled later can say so.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Cancelled, SetupError, UsageError
from ..hookspecs import hookimpl
from ..keys.detect import redact
from ..steps import ANCHOR_STEP_ID, Context, Register, Step
from ..store.config import load_config, set_config_value
from ..store.files import StoreError
from . import custom_pool_key, custom_pools, poolable_ids


@dataclass(frozen=True)
class ProviderChoice:
    """What the step did: which picker ran, and each value it wrote to config.yaml."""

    picker: str  # "hermes" or "builtin"
    written: tuple[str, ...] = ()


@hookimpl
def hermes_setup_register_steps(register: Register) -> None:
    """Register the anchor step every other step orders itself around."""
    register(Step(id=ANCHOR_STEP_ID, title="Provider and model", run=run))


def hermes_available() -> bool:
    """True when Hermes Agent can be imported in this Python."""
    return importlib.util.find_spec("hermes_cli") is not None


def run(ctx: Context) -> ProviderChoice:
    """Run Hermes' picker when Hermes is installed, else the built-in one."""
    if not ctx.interactive:
        raise UsageError("choosing a provider and model needs a terminal; use `pool --non-interactive` instead")
    if hermes_available():
        return _run_hermes_picker(ctx)
    return _run_builtin_picker(ctx)


def _model_section(home: Path) -> dict[str, Any]:
    try:
        return dict(load_config(home).mapping("model"))
    except StoreError:
        return {}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    keys = [k for k in ("provider", "default", "base_url") if before.get(k) != after.get(k) and after.get(k)]
    return tuple(f"config.yaml model.{key} = {redact(str(after[key]))}" for key in keys)


def _run_hermes_picker(ctx: Context) -> ProviderChoice:
    # Hermes reads HERMES_HOME when its modules are imported and when it
    # resolves paths, so it must be set before the import.
    os.environ["HERMES_HOME"] = str(ctx.hermes_home)
    from hermes_cli.main import select_provider_and_model

    before = _model_section(ctx.hermes_home)
    try:
        select_provider_and_model()
    except KeyboardInterrupt:
        raise Cancelled(written=_changes(before, _model_section(ctx.hermes_home))) from None
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise SetupError(f"Hermes' provider picker stopped: {exc.code}") from None
    return ProviderChoice("hermes", _changes(before, _model_section(ctx.hermes_home)))


def _provider_choices(config: dict[str, Any], current: str) -> list[tuple[str, ...]]:
    """Every provider that takes API keys, by the name Hermes shows (its id and
    usual models below the menu), then the custom endpoints."""
    from .catalog import CATALOG

    ids = sorted(poolable_ids(), key=lambda pid: CATALOG.get(pid, (pid, ()))[0].casefold())
    choices: list[tuple[str, ...]] = []
    for pid in ids:
        name, models = CATALOG.get(pid, (pid, ()))
        usual = f"; usual models: {', '.join(models[:3])}" if models else ""
        choices.append((pid, name, f"{pid}{usual}"))
    choices += [(key, str(entry.get("name", key)), f"{key} at {redact(str(entry.get('base_url', '')))}")
                for key, entry in custom_pools(config).items()]
    if current not in {choice[0] for choice in choices}:
        choices.insert(0, (current, f"{current} (current)"))
    return choices


def _ask_model(ctx: Context, provider: str, current_model: str) -> str:
    """The default model: one of the provider's usual models, another typed by
    name, or none; free text when the catalog knows none."""
    from .catalog import CATALOG

    prompter = ctx.ask()
    usual = CATALOG.get(provider, ("", ()))[1]
    if not usual:
        return prompter.text("Default model (Enter to leave unset):", default=current_model).strip()
    choices = [(model, model) for model in usual]
    if current_model and current_model not in usual:
        choices.insert(0, (current_model, f"{current_model} (current)"))
    choices += [("\x00other", "another model (type its name)"), ("", "leave unset")]
    chosen = prompter.select("Default model:", choices, default=current_model or usual[0])
    if chosen == "\x00other":
        return prompter.text("Model name:").strip()
    return chosen


def _run_builtin_picker(ctx: Context) -> ProviderChoice:
    prompter = ctx.ask()
    config = load_config(ctx.hermes_home)
    model = config.mapping("model")
    current = str(model.get("provider") or "openrouter")
    customs = custom_pools(config.data)
    if current == "custom":
        current = custom_pool_key(config.data, model.get("base_url")) or current
    ctx.echo("Hermes is not installed here; using the built-in provider picker.")
    try:
        provider = prompter.select("Which provider will Hermes use?", _provider_choices(config.data, current),
                                   default=current)
        chosen_model = _ask_model(ctx, provider, str(model.get("default") or "") if provider == current else "")
    except Cancelled as exc:
        raise Cancelled(exc.exit_code, nothing_written=True) from None
    values = [("provider", provider)]
    if provider in customs:
        values = [("provider", "custom"), ("base_url", str(customs[provider].get("base_url") or ""))]
    if chosen_model:
        values.append(("default", chosen_model))
    written = tuple(
        f"config.yaml model.{key} = {value}"
        for key, value in values
        if set_config_value(ctx.hermes_home, "model", key, value)  # re-reads before each write
    )
    ctx.echo(f"Provider set to {provider}" + (f", model {chosen_model}" if chosen_model else "") + ".")
    return ProviderChoice("builtin", written)
