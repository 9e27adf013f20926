"""The credential-pool step inside the real ``hermes setup`` (hermes-agent 0.19.0, in a pty).

These tests are the proof that the startup hook, the Hermes plugin and the
seam work with real Hermes: they drive its curses menus and our questionary
prompts in one terminal, then ask Hermes itself what it sees. They use what
0.19 has (``hermes plugins enable``, ``hermes config get``, ``plugins list
--json``); what must hold on every release from 0.13.0 on is in
``test_hermes_matrix.py``.
"""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import run_hermes
from helpers import CTRL_C, DOWN, ENTER, ENV_KEY, UP, plain
from helpers import KEY_1 as NEW_KEY
from hermes_driver import HERMES_TEXT, continue_after_step, keep_openrouter, pick_leave_unchanged, start_hermes

pytestmark = pytest.mark.hermes  # every test here drives the real hermes program


@pytest.fixture
def first_run(hermes, env, hermes_home):
    """A fresh HERMES_HOME whose .env holds an OpenRouter key, plugin enabled."""
    enabled = run_hermes(["plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    return env


def add_key_and_round_robin(term) -> None:
    term.expect("◆ Credential pool: openrouter")
    term.expect("new (.env)")
    term.expect("Add another API key for openrouter")
    term.send(NEW_KEY + ENTER)
    term.expect("Label for this key")
    term.send("team" + ENTER)
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate between these 2 keys?")
    term.send(DOWN + ENTER)
    term.expect("Write these changes?")
    term.send(ENTER)
    term.expect("Added 2 credentials to openrouter")


def assert_pool_as_hermes_sees_it(env, hermes_home) -> None:
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "openrouter (2 credentials):"
    assert "OPENROUTER_API_KEY" in lines[1] and "env:OPENROUTER_API_KEY" in lines[1]
    assert "team" in lines[2] and "manual" in lines[2]
    strategy = run_hermes(["config", "get", "credential_pool_strategies.openrouter"], env)
    assert strategy.stdout.strip() == "round_robin"


def state(hermes_home):
    return {
        name: ((hermes_home / name).read_bytes(), (hermes_home / name).stat().st_mtime_ns)
        for name in ("auth.json", "config.yaml")
    }


# -- the literal `hermes setup` (startup hook) --------------------------------------


def test_first_run_hermes_setup_model_shows_the_step_after_the_model(first_run, hermes_home):
    term = start_hermes(["setup", "model"], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    # Hermes' next screen would wipe the ✓ lines: the summary waits for Enter.
    assert continue_after_step(term) == "Credential pool: added 2 keys to openrouter, strategy round_robin —"
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    text = term.text()
    assert text.index("Default model set to") < text.index("◆ Credential pool") < text.index("configuration complete")
    assert ENV_KEY not in text and NEW_KEY not in text

    assert_pool_as_hermes_sees_it(first_run, hermes_home)
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert config["model"]["provider"] == "openrouter" and config["model"]["default"]
    assert "setup-pools" in config["plugins"]["enabled"]
    assert config["_config_version"]  # the rest of Hermes' own config is still there


def test_rerun_leave_unchanged_shows_the_pool_and_changes_nothing(first_run, hermes_home):
    term = start_hermes(["setup", "model"], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    continue_after_step(term)
    assert term.finish() == 0
    auth_before = (hermes_home / "auth.json").read_bytes()
    auth_mtime = (hermes_home / "auth.json").stat().st_mtime_ns
    config_before = yaml.safe_load((hermes_home / "config.yaml").read_text())

    term = start_hermes(["setup", "model"], first_run)
    pick_leave_unchanged(term)
    term.expect("◆ Credential pool: openrouter")
    term.expect("team")
    term.expect("Rotation strategy: round_robin")
    term.expect("What would you like to do?")
    term.send(UP + ENTER)  # "Choose the rotation strategy", just above Finish
    term.expect("How should Hermes rotate between these 2 keys?")
    term.child.expect(r"» \S*round_robin")  # the saved strategy is the highlighted one
    term.send(ENTER)
    term.expect("What would you like to do?")
    term.send(ENTER)  # Finish
    term.expect("Nothing to change")
    assert continue_after_step(term) == "Credential pool: openrouter unchanged —"
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    assert (hermes_home / "auth.json").read_bytes() == auth_before
    assert (hermes_home / "auth.json").stat().st_mtime_ns == auth_mtime
    assert yaml.safe_load((hermes_home / "config.yaml").read_text()) == config_before


def test_ctrl_c_in_the_pool_step_writes_nothing_of_ours(first_run, hermes_home):
    term = start_hermes(["setup", "model"], first_run)
    keep_openrouter(term)
    term.expect("Add another API key for openrouter")
    term.send(NEW_KEY + ENTER)
    term.expect("Label for this key")
    term.send(ENTER)
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate")
    term.send(CTRL_C)
    # one line for one cancel, which also says what a second Ctrl-C does
    assert continue_after_step(term) == "Credential pool: nothing was written by this step —"
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    assert "cancelled; nothing was changed" not in term.text() and "(Ctrl-C leaves setup)" in term.text()
    assert not (hermes_home / "auth.json").exists() or "credential_pool" not in json.loads(
        (hermes_home / "auth.json").read_text()
    )
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert "credential_pool_strategies" not in config
    assert config["model"]["provider"] == "openrouter"  # Hermes' own choice is intact


def test_a_second_ctrl_c_at_press_enter_leaves_the_setup_as_the_banner_promises(first_run, hermes_home):
    term = start_hermes(["setup", "model"], first_run)
    keep_openrouter(term)
    term.expect("Add another API key for openrouter")
    term.send(CTRL_C)
    term.expect("press Enter to continue (Ctrl-C leaves setup)")
    term.send(CTRL_C)
    term.expect("Setup stopped (Ctrl-C).")
    assert term.finish() == 1  # as Ctrl-C at Hermes' own prompts ends it
    text = term.text()
    assert "Traceback" not in text and "Model & Provider configuration complete!" not in text
    assert not (hermes_home / "auth.json").exists() or "credential_pool" not in json.loads(
        (hermes_home / "auth.json").read_text())


# -- the plugin command ----------------------------------------------------------------


def test_hermes_setup_pools_model_runs_the_same_wizard_with_the_step(first_run, hermes_home):
    first_run["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"  # prove the plugin route works on its own
    term = start_hermes(["setup-pools", "model"], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    continue_after_step(term)
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    assert_pool_as_hermes_sees_it(first_run, hermes_home)

    before = state(hermes_home)
    term = start_hermes(["setup-pools", "model"], first_run)
    pick_leave_unchanged(term)
    term.expect("Rotation strategy: round_robin")
    term.expect("What would you like to do?")
    term.send(ENTER)  # Finish
    term.expect("Nothing to change")
    continue_after_step(term)
    assert term.finish() == 0
    assert state(hermes_home)["auth.json"] == before["auth.json"]


def test_plugin_is_listed_with_our_version_and_summary(first_run):
    from hermes_setup_pools import __version__

    listed = run_hermes(["plugins", "list", "--json"], first_run)
    entry = next(p for p in json.loads(listed.stdout) if p["name"] == "setup-pools")
    assert entry["status"] == "enabled" and entry["version"] == __version__
    assert "Credential-pool step" in entry["description"] and entry["source"] == "entrypoint"


def test_plugin_command_takes_what_hermes_setup_takes(first_run):
    ours = run_hermes(["setup-pools", "--help"], first_run)
    theirs = run_hermes(["setup", "--help"], first_run)
    assert ours.returncode == 0
    for flag in ("--non-interactive", "--reset", "--reconfigure", "--quick", "--portal",
                 "{model,tts,terminal,gateway,tools,agent}"):
        assert flag in theirs.stdout and flag in ours.stdout


def test_standalone_flow_uses_hermes_own_picker_when_hermes_is_installed(first_run, hermes_home):
    from helpers import start_cli

    term = start_cli([], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    assert term.finish() == 0
    assert_pool_as_hermes_sees_it(first_run, hermes_home)
    assert yaml.safe_load((hermes_home / "config.yaml").read_text())["model"]["provider"] == "openrouter"


# -- the seam -------------------------------------------------------------------------


def test_the_seam_is_where_this_package_expects_it():
    """Fails loudly, naming the Hermes version, if Hermes moves the seam."""
    from hermes_setup_pools.hermes.wizard_wrapper import check_seam

    check_seam()


def test_a_moved_seam_is_reported_with_the_hermes_version():
    import types

    from hermes_setup_pools.hermes.wizard_wrapper import SeamError, check_seam, hermes_version

    def setup_model_provider(config):  # imports nothing at call time
        return config

    main = types.SimpleNamespace(select_provider_and_model=lambda: None)
    setup = types.SimpleNamespace(setup_model_provider=setup_model_provider)
    with pytest.raises(SeamError) as err:
        check_seam(main, setup)
    assert f"Hermes {hermes_version()}" in str(err.value) and HERMES_TEXT in str(err.value)
    with pytest.raises(SeamError, match="select_provider_and_model is missing"):
        check_seam(types.SimpleNamespace(), setup)


def test_plain_output_helper_strips_escapes():
    assert plain("\x1b[1;32m → (●) OpenRouter\x1b[0m") == " → (●) OpenRouter"


def test_a_hermes_profile_gets_its_own_pool(hermes, env, tmp_path):
    """`hermes -p work setup model`: the step works on the profile's home, not the root."""
    env.pop("HERMES_HOME")
    root = tmp_path / "home" / ".hermes"
    assert run_hermes(["profile", "create", "work"], env).returncode == 0
    profile = root / "profiles" / "work"
    assert run_hermes(["-p", "work", "plugins", "enable", "setup-pools", "--no-allow-tool-override"], env).returncode == 0
    with (profile / ".env").open("a") as handle:
        handle.write(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    term = start_hermes(["-p", "work", "setup", "model"], env)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    continue_after_step(term)
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    pools = json.loads((profile / "auth.json").read_text())["credential_pool"]
    assert [e["label"] for e in pools["openrouter"]] == ["OPENROUTER_API_KEY", "team"]
    assert not (root / "auth.json").exists()
    assert "round_robin" in (profile / "config.yaml").read_text()
