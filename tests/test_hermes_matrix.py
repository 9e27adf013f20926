"""The step on every Hermes release a user may have (0.13.0 to 0.19.x), driven in a pty.

The version matrix (``noxfile.py``) runs this file against each release in a
fresh virtual environment; the main suite runs it against 0.19.0. Per release:
our own ``enable`` turns the step on; ``hermes setup`` (first run, full) and
``hermes setup model`` show exactly one pool step, ours, right after the
model is chosen, and what it writes is what that Hermes reads back; with our
hook off Hermes runs as before (its own pool step included, where it has
one); ``hermes model`` and ``hermes fallback add`` never show it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from conftest import run_cli, run_hermes
from helpers import CTRL_C, ENTER, ENV_KEY, KEY_1, add_key_and_round_robin
from hermes_driver import (
    HAS_PORTAL,
    HERMES_TEXT,
    MENU_DOWN,
    OLD_WIZARD,
    answer_hermes_own_pool_step,
    choose_model,
    continue_after_step,
    finish_model_section,
    keep_openrouter,
    pick_leave_unchanged,
    pick_provider,
    start_hermes,
)

pytestmark = pytest.mark.hermes  # every test here drives the real hermes program

OPENROUTER_CONFIG = (
    "model:\n"
    "  provider: openrouter\n"
    "  default: anthropic/claude-sonnet-4\n"
    "  base_url: https://openrouter.ai/api/v1\n"
)
HERMES_OWN_STEP = "Same-Provider Fallback & Rotation"


def enable(env) -> str:
    result = run_cli(["enable"], env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def existing(hermes, env, hermes_home):
    """An OpenRouter install (key in .env, provider in config.yaml), with the
    step switched on by our own command, as the README says."""
    (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    assert "Added setup-pools to plugins.enabled" in enable(env)
    return env


def hermes_strategy(env, pool: str) -> str:
    """The strategy as this Hermes' own get_pool_strategy returns it."""
    code = f"from agent.credential_pool import get_pool_strategy; print(get_pool_strategy({pool!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def assert_hermes_reads_the_pool(env, hermes_home) -> None:
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "openrouter (2 credentials):", listed.stdout
    # Order aside: with round_robin, Hermes 0.13-0.15 rotate the pool (and
    # renumber it) as soon as their wizard resolves the provider.
    rows = sorted(line.split()[1:4] for line in lines[1:3])
    assert rows == [["OPENROUTER_API_KEY", "api_key", "env:OPENROUTER_API_KEY"], ["team", "api_key", "manual"]], listed.stdout
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert config["credential_pool_strategies"]["openrouter"] == "round_robin"
    assert "setup-pools" in config["plugins"]["enabled"]
    assert hermes_strategy(env, "openrouter") == "round_robin"


def test_the_release_under_test_is_the_one_installed():
    """nox names the release it installed; a stale environment would test another."""
    assert os.environ.get("HERMES_MATRIX_RELEASE", HERMES_TEXT) == HERMES_TEXT


def test_hermes_setup_model_shows_exactly_one_pool_step(existing, hermes_home):
    term = start_hermes(["setup", "model"], existing)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    summary = continue_after_step(term)
    finish_model_section(term)
    assert term.finish() == 0
    text = term.text()
    assert summary.startswith("Credential pool: added 2 keys to openrouter, strategy round_robin")
    assert text.count("◆ Credential pool") == 1 and HERMES_OWN_STEP not in text, f"Hermes {HERMES_TEXT}"
    assert text.index("Default model set to") < text.index("◆ Credential pool") < text.index("configuration complete")
    assert ENV_KEY not in text and KEY_1 not in text
    assert "hermes-setup-pools:" not in text  # no warning from the hook or the wrapper
    assert_hermes_reads_the_pool(existing, hermes_home)


def test_first_run_full_setup_shows_the_step_after_the_model(hermes, env, hermes_home):
    """A brand-new home: Full setup, OpenRouter, the key typed into Hermes' own
    prompt; the step finds it and adds a second one; the strategy survives the
    section's save (0.13/0.14 save a stale in-memory config there)."""
    enable(env)
    term = start_hermes(["setup"], env)
    term.expect("How would you like to set up Hermes?")
    term.expect("Full setup")
    term.send(MENU_DOWN + ENTER)
    pick_provider(term, "OpenRouter")
    term.expect("(or Enter to cancel)")
    term.send(ENV_KEY + ENTER)
    choose_model(term)
    add_key_and_round_robin(term)
    continue_after_step(term)
    if OLD_WIZARD:
        term.expect("Select TTS provider")
        term.send(ENTER)
    term.expect("Terminal Backend")
    term.child.terminate(force=True)  # the rest of the wizard is Hermes' own business
    text = term.text()
    assert text.count("◆ Credential pool") == 1 and HERMES_OWN_STEP not in text
    assert ENV_KEY not in text and KEY_1 not in text
    assert_hermes_reads_the_pool(env, hermes_home)


def test_ctrl_c_in_our_step_does_not_bring_hermes_own_step_back(existing, hermes_home):
    term = start_hermes(["setup", "model"], existing)
    pick_leave_unchanged(term)
    term.expect("Add another API key for openrouter")
    term.send(CTRL_C)
    term.expect("Credential pool: cancelled; nothing was changed by this step.")
    assert continue_after_step(term).startswith("Credential pool: nothing was written by this step")
    finish_model_section(term)
    assert term.finish() == 0
    assert HERMES_OWN_STEP not in term.text()
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert "openrouter" not in (config.get("credential_pool_strategies") or {})


@pytest.mark.parametrize("how", ["never-enabled", "disabled", "autohook-off", "safe-mode"])
def test_with_our_hook_off_hermes_runs_as_before(how, existing, hermes_home):
    if how == "never-enabled":
        (hermes_home / "config.yaml").write_text(OPENROUTER_CONFIG)
    if how == "disabled":
        assert "Removed setup-pools from plugins.enabled" in run_cli(["disable"], existing).stdout
        # Hermes itself no longer loads the plugin either.
        assert run_hermes(["setup-pools", "--help"], existing).returncode != 0
    if how == "autohook-off":
        existing["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"
    if how == "safe-mode":
        existing["HERMES_SAFE_MODE"] = "1"
    term = start_hermes(["setup", "model"], existing)
    pick_leave_unchanged(term)
    if OLD_WIZARD:  # Hermes 0.13–0.15: its own pool step, as without this package
        answer_hermes_own_pool_step(term)
    finish_model_section(term)
    assert term.finish() == 0
    assert "Credential pool" not in term.text() and "press Enter to continue" not in term.text()


@pytest.mark.parametrize("args", [["model"], ["fallback", "add"]])
def test_hermes_model_and_fallback_add_never_show_it(args, existing):
    term = start_hermes(args, existing)
    pick_leave_unchanged(term)
    assert term.finish() == 0
    assert "Credential pool" not in term.text() and HERMES_OWN_STEP not in term.text()


def test_the_plugin_command_takes_setups_arguments_and_shows_the_step(existing, hermes_home):
    existing["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"  # the plugin route on its own
    ours = run_hermes(["setup-pools", "--help"], existing)
    theirs = run_hermes(["setup", "--help"], existing)
    assert ours.returncode == 0, ours.stderr
    for flag in ("--non-interactive", "--reset", "--reconfigure", "--quick", "--portal"):
        assert (flag in ours.stdout) == (flag in theirs.stdout) == (flag != "--portal" or HAS_PORTAL)
    term = start_hermes(["setup-pools", "model"], existing)
    pick_leave_unchanged(term)
    term.expect("◆ Credential pool: openrouter")
    term.expect("Add another API key for openrouter")
    term.send(ENTER)
    term.expect("Nothing to change")
    assert continue_after_step(term).startswith("Credential pool: openrouter unchanged")
    finish_model_section(term)
    assert term.finish() == 0
    assert HERMES_OWN_STEP not in term.text()


def test_enable_repairs_what_hermes_config_set_writes(hermes, env, hermes_home):
    """`hermes config set plugins.enabled '["setup-pools"]'` stores a string,
    which Hermes ignores; our enable turns it into the list Hermes reads."""
    assert run_hermes(["config", "set", "plugins.enabled", '["setup-pools"]'], env).returncode == 0
    assert isinstance(yaml.safe_load((hermes_home / "config.yaml").read_text())["plugins"]["enabled"], str)
    assert run_hermes(["setup-pools", "--help"], env).returncode != 0
    assert "into a list holding setup-pools" in enable(env)
    assert yaml.safe_load((hermes_home / "config.yaml").read_text())["plugins"]["enabled"] == ["setup-pools"]
    assert run_hermes(["setup-pools", "--help"], env).returncode == 0
    assert enable(env).startswith("Nothing to change")


#: The README's lines, as written: find the Python that runs `hermes` (from a
#: console script's `#!` line, or from the `exec "…python" …` line of the
#: launcher Hermes' own installer writes), then turn the step on with it.
README_FIND_PYTHON = (
    'py="$(sed -n \'1s/^#!\\(.*python[0-9.]*\\)$/\\1/p; s/^exec "\\([^"]*\\)".*/\\1/p\' "$(command -v hermes)" | head -1)"\n'
)
README_ENABLE = '"$py" -m hermes_setup_pools enable\n'


@pytest.mark.parametrize("launcher", ["console-script", "installer-launcher"])
def test_the_readme_lines_find_hermes_python_and_enable(launcher, hermes, env, hermes_home, tmp_path):
    if launcher == "installer-launcher":  # what Hermes' install.sh puts in ~/.local/bin
        shim = tmp_path / "bin" / "hermes"
        shim.parent.mkdir()
        shim.write_text(f'#!/usr/bin/env bash\nunset PYTHONPATH\nunset PYTHONHOME\nexec "{sys.executable}" "{hermes}" "$@"\n')
        shim.chmod(0o755)
        env["PATH"] = f"{shim.parent}:{env['PATH']}"
    script = README_FIND_PYTHON + 'echo "$py"\n' + README_ENABLE
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found, said = result.stdout.splitlines()
    assert found == sys.executable
    assert said == f"Added setup-pools to plugins.enabled in {hermes_home / 'config.yaml'}"
    assert run_hermes(["setup-pools", "--help"], env).returncode == 0  # this Hermes loads the plugin now
