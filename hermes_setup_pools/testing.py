"""A pytest plugin for people who write setup steps, the way pytest ships
``pytester`` and tox ships ``tox.pytest``. Enable it in a ``conftest.py``::

    pytest_plugins = ["hermes_setup_pools.testing"]

and use the ``setup_flow`` fixture::

    def test_my_step_runs_after_the_pool(setup_flow):
        setup_flow.register(my_plugin)
        setup_flow.configure(provider="openrouter")
        run = setup_flow.run(answers=["", "yes"])
        assert run.results["my_step"] == ...

``setup_flow`` gives a throwaway Hermes home (``HOME`` and ``HERMES_HOME`` in
a temporary directory, no provider keys inherited), a fresh plugin manager
holding the built-in steps and no entry-point plugins, a scripted prompter
(:class:`hermes_setup_pools.prompts.ScriptedPrompter`: answers in order,
the same validators a terminal applies) and a way to run the flow.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .check.urls import BASE_URL_ENV
from .manager import SetupPluginManager, build_plugin_manager, ordered_steps
from .prompts import CANCEL, DEFAULT, ScriptedPrompter
from .providers.table import TABLE
from .runner import run_steps
from .steps import ANCHOR_STEP_ID, Context
from .store.config import set_config_value

__all__ = ["CANCEL", "DEFAULT", "FlowRun", "SetupFlow", "isolate_environment", "setup_flow"]

#: Variables that would leak a real key, switch Hermes into another branch, or
#: point at another home.
SCRUBBED_VARIABLES = frozenset(
    {var for provider in TABLE.values() for var in provider.env_vars}
    | {
        "HERMES_HOME", "HERMES_SAFE_MODE", "HERMES_INFERENCE_PROVIDER", "OPENAI_BASE_URL", "PYTHONPATH",
        "HERMES_SETUP_DISABLE_PLUGINS", "HERMES_SETUP_PLUGINS_AUTOLOAD", "HERMES_SETUP_POOLS_AUTOHOOK",
        "HERMES_SETUP_POOLS_KEY_CHECK",
    }
    | set(BASE_URL_ENV.values())
)


def isolate_environment(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Point ``HOME`` and ``HERMES_HOME`` into ``root``, drop every variable in
    :data:`SCRUBBED_VARIABLES` and switch the key check off
    (``HERMES_SETUP_POOLS_KEY_CHECK=off``); returns the new Hermes home (created)."""
    home, hermes_home = root / "home", root / "hermes"
    home.mkdir(parents=True, exist_ok=True)
    hermes_home.mkdir(parents=True, exist_ok=True)
    for var in SCRUBBED_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    # Never send a key to the real network from a test (checks are tested
    # against servers on 127.0.0.1, with this switch removed).
    monkeypatch.setenv("HERMES_SETUP_POOLS_KEY_CHECK", "off")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HERMES_HOME", str(hermes_home))
    return hermes_home


@dataclass
class FlowRun:
    """One run of the flow: each step's result, everything echoed, the prompter."""

    results: dict[str, Any]
    output: str
    prompter: ScriptedPrompter | None


class SetupFlow:
    """A throwaway Hermes home and a plugin manager to run the flow against."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.pm: SetupPluginManager = build_plugin_manager(autoload=False)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Add a plugin (a module or object with hook implementations)."""
        self.pm.register(plugin, name=name)

    def configure(self, *, provider: str, model: str | None = None) -> None:
        """Write ``model.provider`` (and ``model.default``) to config.yaml, as
        the provider/model step would."""
        set_config_value(self.home, "model", "provider", provider)
        if model:
            set_config_value(self.home, "model", "default", model)

    def step_ids(self) -> list[str]:
        """The ids of every registered step, in run order."""
        return [reg.id for reg in ordered_steps(self.pm)]

    def run(
        self, answers: Sequence[Any] = (), *, interactive: bool = True, skip: Sequence[str] = (ANCHOR_STEP_ID,)
    ) -> FlowRun:
        """Run every step except those in ``skip`` (by default the provider/model
        step: :meth:`configure` stands in for it). Questions are answered from
        ``answers`` in order; :data:`CANCEL` acts as Ctrl-C, :data:`DEFAULT`
        takes the question's default. Step errors propagate, as in the CLI."""
        out = io.StringIO()
        prompter = ScriptedPrompter(answers) if interactive else None
        ctx = Context(self.home, interactive=interactive, prompter=prompter, out=out)
        steps = [reg for reg in ordered_steps(self.pm) if reg.id not in skip]
        run_steps(steps, ctx, on_error="raise")
        return FlowRun(ctx.results, out.getvalue(), prompter)


@pytest.fixture
def setup_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SetupFlow]:
    """A :class:`SetupFlow` on a throwaway Hermes home in ``tmp_path``."""
    yield SetupFlow(isolate_environment(monkeypatch, tmp_path / "setup-flow"))
