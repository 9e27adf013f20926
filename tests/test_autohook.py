"""The startup hook and the wrapper, in isolation: what they import, when they act,
and that they never break the program they run in."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from hermes_setup_pools import ANCHOR_STEP_ID, Cancelled, Step, StepError
from hermes_setup_pools.hermes import autohook, settings
from hermes_setup_pools.hermes import wizard_wrapper as seam
from hermes_setup_pools.hermes.switch import enable
from hermes_setup_pools.manager import RegisteredStep

from conftest import ROOT, run_hermes

PTH = ROOT / "hooks" / "hermes_setup_pools_autohook.pth"
OURS = ["hermes_setup_pools", "hermes_setup_pools.hermes", "hermes_setup_pools.hermes.autohook"]

PROBE = textwrap.dedent("""
    import sys, json
    from hermes_setup_pools.hermes import autohook
    print(json.dumps({
        "armed": autohook._FINDER in sys.meta_path,
        "ours": sorted(m for m in sys.modules if m.startswith("hermes_setup_pools")),
        "heavy": sorted(m for m in ("pluggy", "yaml", "questionary", "prompt_toolkit", "hermes_cli") if m in sys.modules),
    }))
""")


def probe(env, *argv) -> dict:
    import json

    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def test_the_installed_pth_is_the_one_in_hooks():
    import site

    installed = [Path(d) / PTH.name for d in site.getsitepackages() if (Path(d) / PTH.name).exists()]
    assert installed, "hermes_setup_pools_autohook.pth is not installed in site-packages"
    assert installed[0].read_text() == PTH.read_text()


def test_without_setup_on_the_command_line_nothing_is_armed_or_imported(env):
    # The probe itself imports autohook to look; before that, the .pth must
    # not have imported anything of ours.
    out = probe(env, "chat", "-q", "hello")
    assert out == {"armed": False, "ours": OURS, "heavy": []}


def test_with_setup_the_hook_is_armed_using_only_the_standard_library(env):
    out = probe(env, "setup", "model")
    assert out["armed"] is True
    assert out["ours"] == OURS
    assert out["heavy"] == []


def test_off_switch_keeps_it_disarmed(env):
    env["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"
    assert probe(env, "setup")["armed"] is False


def test_a_broken_package_never_breaks_python_start_up(env, tmp_path):
    shadow = tmp_path / "shadow" / "hermes_setup_pools"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise RuntimeError('broken install')\n")
    env["PYTHONPATH"] = str(shadow.parent)
    result = subprocess.run([sys.executable, "-c", "print('alive')", "setup"], capture_output=True, text=True, env=env)
    assert result.stdout == "alive\n" and result.stderr == ""


@pytest.mark.hermes
def test_hook_installs_the_wrapper_when_hermes_main_is_imported(env, hermes_home, hermes):
    enable(hermes_home)
    code = "import hermes_cli.main as m; print(hasattr(m.select_provider_and_model, '__hermes_setup_pools_original__'))"
    armed = subprocess.run([sys.executable, "-c", code, "setup"], capture_output=True, text=True, env=env, timeout=120)
    assert armed.stdout.strip() == "True", armed.stderr
    not_setup = subprocess.run([sys.executable, "-c", code, "model"], capture_output=True, text=True, env=env, timeout=120)
    assert not_setup.stdout.strip() == "False"
    env["HERMES_SAFE_MODE"] = "1"
    safe = subprocess.run([sys.executable, "-c", code, "setup"], capture_output=True, text=True, env=env, timeout=120)
    assert safe.stdout.strip() == "False"


def test_hook_failure_is_one_line_and_not_raised(capsys, monkeypatch, hermes_home):
    (hermes_home / "config.yaml").write_text("plugins:\n  enabled: [setup-pools]\n")
    monkeypatch.setattr(settings, "current_hermes_home", lambda: hermes_home)
    autohook._after_import(types.SimpleNamespace())  # a "hermes_cli.main" without the seam
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "startup hook not installed" in err and "select_provider_and_model" in err


def test_plugin_enabled_reads_plugins_enabled_and_disabled(hermes_home):
    path = hermes_home / "config.yaml"
    assert settings.plugin_enabled(hermes_home) is False
    path.write_text("plugins:\n  enabled: [other, setup-pools]\n")
    assert settings.plugin_enabled(hermes_home) is True
    path.write_text("plugins:\n  enabled: [setup-pools]\n  disabled: [setup-pools]\n")
    assert settings.plugin_enabled(hermes_home) is False
    path.write_text("plugins: [unclosed\n")
    assert settings.plugin_enabled(hermes_home) is False


PLUGIN_BLOCKS = [
    "plugins:\n  enabled:\n    - setup-pools\n  disabled: []\n  entries:\n    setup-pools:\n      allow_tool_override: false\n",
    "plugins:\n  enabled: [other, setup-pools]  # a comment\n",
    "plugins:\n  enabled:\n  - setup-pools\n  disabled:\n  - setup-pools\n",
    "plugins:\n  enabled:\n    - 'setup-pools'\n",  # quoted: YAML reads it
    "plugins:\n  enabled: setup-pools\n",  # not a list
    "plugins:\n  enabled: [setup-pools]\n  enabled: []\n",  # a repeated key: YAML decides
    "plugins: {enabled: [setup-pools]}\n",
    "plugins:\n  enabled: &on [setup-pools]\n  disabled: *on\n",
    "plugins:\n  enabled:\n    - setup-pools#not-a-comment\n",
    "plugins:\n\tenabled: [setup-pools]\n",  # a tab: not YAML
    "model:\n  provider: openrouter\nplugins:\n  enabled:\n    - setup-pools\nmemory:\n  enabled: [setup-pools]\n",
    "plugins:\n  enabled: [setup-pools]\nplugins:\n  enabled: []\n",
    "notes: |\n  plugins:\n    enabled: [setup-pools]\n",  # only inside a block scalar
]


def yaml_says(text: str) -> bool:
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    plugins = config.get("plugins") if isinstance(config, dict) else None
    if not isinstance(plugins, dict):
        return False
    enabled, disabled = plugins.get("enabled") or [], plugins.get("disabled") or []
    return isinstance(enabled, list) and "setup-pools" in enabled and not (
        isinstance(disabled, list) and "setup-pools" in disabled)


@pytest.mark.parametrize("text", PLUGIN_BLOCKS)
def test_the_cheap_read_of_plugins_agrees_with_yaml(hermes_home, text):
    (hermes_home / "config.yaml").write_text(text)
    assert settings.plugin_enabled(hermes_home) is yaml_says(text)


def test_hermes_own_config_is_read_without_starting_a_yaml_parser(hermes_home, monkeypatch):
    # What `hermes plugins enable` writes (its commented template around it included).
    text = "_config_version: 33\n" + PLUGIN_BLOCKS[0] + "\n# ── Security ──\n# security:\n#   redact_secrets: true\n"
    block = settings.plugins_block(text)
    assert block is not None and settings.plain_lists(block) == {"enabled": ["setup-pools"], "disabled": []}
    (hermes_home / "config.yaml").write_text(text)
    monkeypatch.setitem(sys.modules, "yaml", None)  # importing yaml would now fail
    assert settings.plugin_enabled(hermes_home) is True


@given(st.lists(st.sampled_from([
    "plugins:", "  enabled:", "  disabled:", "  enabled: []", "  enabled: [setup-pools]", "  disabled: [setup-pools, x]",
    "    - setup-pools", "    - other", "  - setup-pools", "  entries:", "    setup-pools:", "      allow: true",
    "# a comment", "", "model:", "  provider: openrouter", "      - setup-pools", "  enabled: setup-pools",
    "    - 'setup-pools'", "   - setup-pools", "\tenabled: [setup-pools]", "plugins: {}", "  x: \"a", "  b\"",
]), max_size=12))
@settings_(max_examples=300, deadline=None)
def test_the_cheap_read_never_disagrees_with_yaml_on_a_file_that_parses(lines):
    import yaml

    text = "\n".join(lines) + "\n"
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return  # broken files: documented, Hermes stops on them anyway
    block = settings.plugins_block(text)
    lists = settings.plain_lists(block) if block is not None else None
    if lists is not None:
        assert ("setup-pools" in lists["enabled"] and "setup-pools" not in lists["disabled"]) is yaml_says(text), text


def test_the_package_module_is_watched_only_until_the_wizard_is_imported(monkeypatch, tmp_path):
    """Nothing stays in front of every import: the finder leaves at hermes_cli,
    and hermes_cli's class is given back once main (and setup) are bound."""
    package = tmp_path / "hermes_cli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text("def select_provider_and_model():\n    return 'picked'\n")
    (package / "setup.py").write_text(WIZARD_THAT_REACHES_US)
    (tmp_path / "config.yaml").write_text("plugins:\n  enabled: [setup-pools]\n")
    code = textwrap.dedent("""
        import sys, types
        from hermes_setup_pools.hermes import autohook
        print(autohook._FINDER in sys.meta_path)
        import hermes_cli.main
        print(autohook._FINDER in sys.meta_path, type(sys.modules['hermes_cli']).__name__,
              hasattr(hermes_cli.main.select_provider_and_model, '__hermes_setup_pools_original__'))
        import hermes_cli.setup
        print(type(sys.modules['hermes_cli']) is types.ModuleType)
    """)
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path), "HERMES_HOME": str(tmp_path)}
    env.pop("HERMES_SETUP_POOLS_AUTOHOOK", None)
    result = subprocess.run([sys.executable, "-c", code, "setup"], capture_output=True, text=True, env=env, timeout=60)
    assert result.stderr == "" and result.stdout.split() == ["True", "False", "_WatchedPackage", "True", "True"]


# -- the wrapper ------------------------------------------------------------------------


def call_as(module_name: str, function_name: str, target):
    """Call ``target()`` from a frame that looks like ``module_name.function_name``."""
    namespace = {"__name__": module_name, "target": target}
    exec(f"def {function_name}():\n    return target()\n", namespace)
    return namespace[function_name]()


@pytest.fixture
def recorded_steps(monkeypatch):
    calls = []

    def step(name, fail=None):
        def run(ctx):
            calls.append(name)
            if fail:
                raise fail
        return RegisteredStep(Step(name, name.title(), run), "test")

    def around(before=(), after=()):
        anchor = RegisteredStep(Step(ANCHOR_STEP_ID, "Anchor", lambda ctx: None), "test")
        monkeypatch.setattr(seam, "_load_steps", lambda: [*before, anchor, *after])

    return calls, step, around


def test_wrapper_runs_steps_around_the_picker_only_in_the_setup_wizard(recorded_steps):
    calls, step, around = recorded_steps
    around(before=[step("early")], after=[step("late")])
    wrapper = seam.make_wrapper(lambda: calls.append("picker") or "picked")
    assert call_as("hermes_cli.setup", "setup_model_provider", wrapper) == "picked"
    assert calls == ["early", "picker", "late"]
    calls.clear()
    assert call_as("hermes_cli.main", "cmd_model", wrapper) == "picked"
    assert call_as("hermes_cli.fallback_cmd", "cmd_fallback_add", wrapper) == "picked"
    assert calls == ["picker", "picker"]


@pytest.mark.parametrize("exc", [SystemExit(1), KeyboardInterrupt(), RuntimeError("picker broke")])
def test_nothing_runs_after_a_picker_that_raised(recorded_steps, exc):
    calls, step, around = recorded_steps
    around(after=[step("late")])

    def picker():
        raise exc

    with pytest.raises(type(exc)):
        call_as("hermes_cli.setup", "setup_model_provider", seam.make_wrapper(picker))
    assert calls == []


def test_a_failing_step_is_reported_in_one_line_and_the_wizard_goes_on(recorded_steps, capsys):
    calls, step, around = recorded_steps
    around(after=[step("broken", fail=ValueError("bad thing")), step("next")])
    assert call_as("hermes_cli.setup", "setup_model_provider", seam.make_wrapper(lambda: "ok")) == "ok"
    assert calls == ["broken", "next"]
    err = capsys.readouterr().err
    assert err == "hermes-setup-pools: step 'broken' failed: ValueError: bad thing\n"


def test_bad_plugin_set_up_still_runs_hermes_picker(monkeypatch, capsys):
    def broken():
        raise StepError("step 'x' (from 'y') has after='nope', but no step has the id 'nope'")

    monkeypatch.setattr(seam, "_load_steps", broken)
    assert call_as("hermes_cli.setup", "setup_model_provider", seam.make_wrapper(lambda: "ok")) == "ok"
    assert "'nope'" in capsys.readouterr().err


def test_install_is_idempotent():
    module = types.SimpleNamespace(select_provider_and_model=lambda: "orig")
    assert seam.install(module) is True
    first = module.select_provider_and_model
    assert seam.install(module) is False
    assert module.select_provider_and_model is first and seam.installed(module)


# -- exactly once: old wizards, navigation, the summary --------------------------------------

# A setup_model_provider shaped like Hermes 0.13-0.15's: our wrapper is `picker`,
# then the wizard's own pool step, then its end-of-section save of the dict.
OLD_WIZARD = """
def _supports_same_provider_pool_setup(provider):
    calls.append("hermes-own-check")
    return True

def setup_model_provider(config, *, quick=False):
    try:
        picker()
    except (SystemExit, KeyboardInterrupt):
        pass
    if not quick and _supports_same_provider_pool_setup("openrouter"):
        calls.append("hermes-own-pool-step")
    saved.append(copy.deepcopy(config))
"""
# Upstream main's: no pool step of its own, the whole dict reloaded from disk.
NEW_WIZARD = """
def setup_model_provider(config, *, quick=False):
    picker()
    config.clear()
    config.update({"reloaded": True})
    saved.append(copy.deepcopy(config))
"""


class GoBack(BaseException):
    """Like upstream's _SetupGoBack: navigation by BaseException."""


def wizard(source: str, picker) -> dict:
    namespace = {"__name__": "hermes_cli.setup", "picker": picker, "calls": [], "saved": [], "copy": copy}
    exec(source, namespace)
    return namespace


@pytest.fixture
def pool_step(monkeypatch):
    """A stand-in for the credential-pool step (same id), recording each run."""
    from hermes_setup_pools.pool.commit import PoolOutcome

    runs = []

    def use(result=None, fail=None):
        def run(ctx):
            runs.append(ctx.hermes_home)
            if fail is not None:
                raise fail
            return result if result is not None else PoolOutcome("openrouter", added=["team"], strategy="round_robin",
                                                                   auth_written=True, config_written=True)
        anchor = RegisteredStep(Step(ANCHOR_STEP_ID, "Anchor", lambda ctx: None), "test")
        pool = RegisteredStep(Step(seam.POOL_STEP_ID, "Credential pool", run), "test")
        monkeypatch.setattr(seam, "_load_steps", lambda: [anchor, pool])

    return runs, use


def test_on_old_hermes_its_own_pool_step_stays_out_and_our_strategy_stays_in(pool_step):
    runs, use = pool_step
    use()
    hermes = wizard(OLD_WIZARD, seam.make_wrapper(lambda: "picked"))
    real = hermes["_supports_same_provider_pool_setup"]
    hermes["setup_model_provider"]({"credential_pool_strategies": {}})
    assert len(runs) == 1 and hermes["calls"] == []  # ours ran; Hermes' check was answered by the gate
    assert hermes["saved"][-1]["credential_pool_strategies"] == {"openrouter": "round_robin"}  # what 0.13/0.14 save
    assert hermes["_supports_same_provider_pool_setup"] is real  # one shot: Hermes' own function is back
    assert real("openrouter") is True


@pytest.mark.parametrize("fail", [KeyboardInterrupt(), Cancelled(nothing_written=True), RuntimeError("bug")])
def test_whatever_happened_in_our_step_hermes_own_stays_out(pool_step, fail, capsys):
    _, use = pool_step
    use(fail=fail)
    hermes = wizard(OLD_WIZARD, seam.make_wrapper(lambda: "picked"))
    hermes["setup_model_provider"]({})
    assert hermes["calls"] == [] and "credential_pool_strategies" not in hermes["saved"][-1]
    assert capsys.readouterr().err.count("\n") == 1  # the runner's one line


def test_when_the_picker_was_cancelled_hermes_runs_as_before(pool_step):
    runs, use = pool_step
    use()

    def picker():
        raise KeyboardInterrupt

    hermes = wizard(OLD_WIZARD, seam.make_wrapper(picker))
    hermes["setup_model_provider"]({})
    assert runs == [] and hermes["calls"] == ["hermes-own-check", "hermes-own-pool-step"]


def test_quick_setup_and_newer_wizards_get_no_gate(pool_step):
    from hermes_setup_pools.hermes import compat

    _, use = pool_step
    use()
    hermes = wizard(OLD_WIZARD, seam.make_wrapper(lambda: "picked"))
    hermes["setup_model_provider"]({}, quick=True)
    assert not getattr(hermes["_supports_same_provider_pool_setup"], compat.GATE, False)
    newer = wizard(NEW_WIZARD + "\n_supports_same_provider_pool_setup = lambda p: True\n", seam.make_wrapper(lambda: 1))
    newer["setup_model_provider"]({})
    assert not getattr(newer["_supports_same_provider_pool_setup"], compat.GATE, False) and newer["saved"] == [{"reloaded": True}]


def test_the_gate_answers_only_its_own_wizard_call():
    from hermes_setup_pools.hermes import compat

    hermes = {"__name__": "hermes_cli.setup", "sys": sys, "compat": compat}
    exec("def _supports_same_provider_pool_setup(p):\n    return 'real'\n"
         "def setup_model_provider(config, *, quick=False):\n"
         "    compat.gate_hermes_pool_step(sys._getframe())\n"
         "    return _supports_same_provider_pool_setup\n", hermes)
    hermes["setup_model_provider"]({})  # installs the gate, never consumes it
    assert getattr(hermes["_supports_same_provider_pool_setup"], compat.GATE, False)
    assert hermes["_supports_same_provider_pool_setup"]("x") == "real"  # another caller: the real answer
    assert not getattr(hermes["_supports_same_provider_pool_setup"], compat.GATE, False)  # and restored


def test_going_back_to_the_picker_does_not_run_the_step_twice(pool_step, hermes_home, capsys):
    runs, use = pool_step
    use()
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    hermes = wizard(NEW_WIZARD, seam.make_wrapper(lambda: "picked"))
    hermes["setup_model_provider"]({})
    hermes["setup_model_provider"]({})  # upstream's _run_setup_steps replays the section
    assert len(runs) == 1
    assert "Credential pool: already done in this setup run; not asked again." in capsys.readouterr().err
    (hermes_home / "config.yaml").write_text("model:\n  provider: anthropic\n")  # went back and chose another
    hermes["setup_model_provider"]({})
    assert len(runs) == 2


def test_navigation_passes_through_untouched(pool_step, hermes_home):
    runs, use = pool_step
    use()
    raised = GoBack()
    moves = iter([raised, None])

    def picker():
        move = next(moves)
        if move is not None:
            raise move

    hermes = wizard(NEW_WIZARD, seam.make_wrapper(picker))
    with pytest.raises(GoBack) as err:
        hermes["setup_model_provider"]({})
    assert err.value is raised and runs == []
    hermes["setup_model_provider"]({})  # forward again: the step has not run yet, so it runs now
    assert len(runs) == 1


def test_navigation_from_inside_a_step_is_not_swallowed(pool_step):
    runs, use = pool_step
    use(fail=GoBack())
    hermes = wizard(NEW_WIZARD, seam.make_wrapper(lambda: "picked"))
    for _ in range(2):
        with pytest.raises(GoBack):
            hermes["setup_model_provider"]({})
    assert len(runs) == 2  # not recorded as done: going forward again asks again


class FakeTerminal:
    """Standard input at a terminal: each readline() is the next answer, or raises it."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked = 0

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def test_at_a_terminal_the_summary_waits_for_enter(pool_step, monkeypatch, capsys):
    _, use = pool_step
    use()
    terminal = FakeTerminal("\n", AttributeError("no readline"), KeyboardInterrupt())
    monkeypatch.setattr(sys, "stdin", terminal)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # leaving the setup sets a quiet one
    for _ in range(2):  # Enter continues; so does an unreadable input
        assert wizard(NEW_WIZARD, seam.make_wrapper(lambda: "picked"))["setup_model_provider"]({}) is None
    from hermes_setup_pools.errors import LeaveSetup

    with pytest.raises(LeaveSetup):  # Ctrl-C at the pause leaves the setup, as the wizard's banner promises
        wizard(NEW_WIZARD, seam.make_wrapper(lambda: "picked"))["setup_model_provider"]({})
    assert terminal.asked == 3
    out, err = capsys.readouterr()
    line = ("Credential pool: added 1 key to openrouter, strategy round_robin — press Enter to continue "
            "(Ctrl-C leaves setup)")
    assert err.count(line) == 3 and line not in out  # standard output carries only what the steps print


def test_without_a_terminal_nothing_waits(pool_step, monkeypatch, capsys):
    _, use = pool_step
    use()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(isatty=lambda: False))
    wizard(NEW_WIZARD, seam.make_wrapper(lambda: "picked"))["setup_model_provider"]({})
    assert "press Enter" not in capsys.readouterr().err


def test_summary_lines():
    from hermes_setup_pools.hermes.outcome import summary
    from hermes_setup_pools.pool.commit import PoolOutcome

    assert summary("Credential pool", None) == "Credential pool: nothing was written by this step"
    assert summary("Credential pool", PoolOutcome(None, skipped_reason="nous signs in with OAuth")) == (
        "Credential pool: skipped")  # the step said why just above
    assert summary("Credential pool", PoolOutcome("openrouter")) == "Credential pool: openrouter unchanged"
    assert summary("Credential pool", PoolOutcome("xai", strategy="random")) == "Credential pool: strategy random for xai"
    from hermes_setup_pools.pool.changes import Add, Move, Remove, Rename, Target
    from hermes_setup_pools.store.entries import NewCredential

    target = Target("aaaaaa", "old", "manual", None)
    add = Add(NewCredential("a", "manual", "sk-" + "a" * 40))
    changes = [add, add, Remove(target), Rename(target, "x"), Move(target, 0)]
    two = PoolOutcome("deepseek", added=["a", "b"], changes=changes)  # type: ignore[arg-type]
    assert summary("Credential pool", two) == (
        "Credential pool: added 2 keys to deepseek, removed 1, renamed 1, moved 1 in deepseek")


# -- the seam check ------------------------------------------------------------------


WIZARD_THAT_REACHES_US = """
def setup_model_provider(config, *, quick=False):
    from hermes_cli.main import select_provider_and_model
    select_provider_and_model()
"""


def test_a_good_seam_never_reads_the_version(monkeypatch):
    def slow():
        raise AssertionError("hermes_version() is for error messages only")

    monkeypatch.setattr(seam, "hermes_version", slow)
    namespace: dict = {}
    exec(WIZARD_THAT_REACHES_US, namespace)
    seam.check_seam(types.SimpleNamespace(select_provider_and_model=lambda: None),
                    types.SimpleNamespace(**namespace))


def test_a_wizard_that_no_longer_reaches_the_wrapper_is_named_once_imported(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "hermes_cli.main", types.SimpleNamespace(select_provider_and_model=lambda: None))
    autohook._check_wizard(types.SimpleNamespace(setup_model_provider=lambda config: config))
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"Hermes {seam.hermes_version()}: setup_model_provider no longer imports select_provider_and_model" in err
    assert "runs without the credential-pool step" in err


def test_plugin_command_offers_portal_only_where_hermes_has_it(monkeypatch):
    import argparse

    from hermes_setup_pools.hermes import plugin

    monkeypatch.setitem(sys.modules, "hermes_cli.subcommands.setup", None)  # 0.13-0.16: no parser builder
    for has_portal in (False, True):
        monkeypatch.setattr(plugin, "_has_portal_setup", lambda has=has_portal: has)
        parser = argparse.ArgumentParser()
        plugin.add_setup_arguments(parser)
        assert ("--portal" in parser.format_help()) is has_portal
        assert parser.parse_args(["model", "--quick"]).section == "model"


# -- hooks/: the directory plugin ----------------------------------------------------------


def copy_hooks(hermes_home: Path, name: str) -> Path:
    """Install hooks/ as a directory plugin under another name, so the pip
    entry point (also called setup-pools) stays out of the way."""
    target = hermes_home / "plugins" / name
    shutil.copytree(ROOT / "hooks", target)
    manifest = target / "plugin.yaml"
    manifest.write_text(manifest.read_text().replace("name: setup-pools", f"name: {name}"))
    return target


@pytest.mark.hermes
def test_directory_plugin_hands_over_to_the_package(hermes, env, hermes_home):
    copy_hooks(hermes_home, "setup-pools-git")
    enabled = run_hermes(["plugins", "enable", "setup-pools-git", "--no-allow-tool-override"], env)
    assert enabled.returncode == 0, enabled.stdout
    result = run_hermes(["setup-pools", "--help"], env)
    assert result.returncode == 0 and "credential-pool step" in result.stdout


@pytest.mark.hermes
def test_directory_plugin_without_the_package_says_one_honest_line(hermes, env, hermes_home):
    plugin = copy_hooks(hermes_home, "setup-pools-git")
    run_hermes(["plugins", "enable", "setup-pools-git", "--no-allow-tool-override"], env)
    hide = ("import sys; sys.modules['hermes_setup_pools'] = None; "
            "from hermes_cli.main import main; sys.argv[0] = 'hermes'; sys.exit(main())")

    def hermes_without_the_package(*args):
        return subprocess.run([sys.executable, "-c", hide, *args], capture_output=True, text=True, env=env,
                              timeout=120, stdin=subprocess.DEVNULL)

    result = hermes_without_the_package("setup-pools")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    ours = [line for line in result.stderr.splitlines() if "hermes-setup-pools" in line]
    assert ours == [result.stderr.strip()] and len(ours) == 1  # exactly one line, printed once
    assert f"({plugin})" in ours[0] and f"({sys.executable})" in ours[0]
    assert ours[0].endswith("hermes plugins remove setup-pools-git")
    assert "pip install hermes-setup-pools" not in ours[0]  # not on PyPI: never print a command that fails
    # Any other command that loads plugins says nothing.
    quiet = hermes_without_the_package("plugins", "list")
    assert "hermes-setup-pools:" not in quiet.stderr + quiet.stdout


@pytest.mark.hermes
def test_a_copy_installed_the_old_way_hands_over_to_the_package(hermes, env, hermes_home, tmp_path):
    """`hermes plugins install <url>#hooks --enable` (no longer in the README)
    still ends up as the package's plugin when the package is installed."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "hooks", repo / "hooks")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "hooks"], check=True)
    result = run_hermes(["plugins", "install", f"file://{repo}#hooks", "--enable"], env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (hermes_home / "plugins" / "setup-pools" / "plugin.yaml").exists()
    listed = run_hermes(["plugins", "list", "--json"], env)
    assert any(p["name"] == "setup-pools" and p["status"] == "enabled" for p in __import__("json").loads(listed.stdout))
    assert run_hermes(["setup-pools", "--help"], env).returncode == 0
