"""The startup hook and the wrapper, in isolation: what they import, when they act,
and that they never break the program they run in."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from hermes_setup_pools import ANCHOR_STEP_ID, Step, StepError
from hermes_setup_pools.hermes import autohook, settings
from hermes_setup_pools.hermes import wizard_wrapper as seam
from hermes_setup_pools.plugins import RegisteredStep

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
    run_hermes(["plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
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
def test_directory_plugin_without_the_package_prints_the_pip_command(hermes, env, hermes_home):
    copy_hooks(hermes_home, "setup-pools-git")
    run_hermes(["plugins", "enable", "setup-pools-git", "--no-allow-tool-override"], env)
    hide = ("import sys; sys.modules['hermes_setup_pools'] = None; "
            "from hermes_cli.main import main; sys.argv[0] = 'hermes'; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", hide, "setup-pools"], capture_output=True, text=True, env=env,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert f"{sys.executable} -m pip install hermes-setup-pools" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.hermes
def test_hermes_plugins_install_from_git_with_enable(hermes, env, hermes_home, tmp_path):
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
