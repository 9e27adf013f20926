"""The credential-pool step inside the real ``hermes setup`` (hermes-agent 0.19.0, in a pty).

These tests are the proof that the startup hook, the Hermes plugin and the
seam work with real Hermes: they drive its curses menus and our questionary
prompts in one terminal, then ask Hermes itself what it sees.
"""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import run_hermes
from helpers import CTRL_C, DOWN, ENTER, ENV_KEY, plain
from helpers import KEY_1 as NEW_KEY
from hermes_driver import keep_openrouter, pick_leave_unchanged, provider_menu, start_hermes

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
    term.expect("found in .env")
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
    term.expect("Added 2 credential(s) to openrouter")


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


def test_first_run_full_wizard_reaches_the_step_before_the_terminal_section(hermes, env, hermes_home):
    """Brand-new home, no key anywhere: the user types the key into Hermes'
    own prompt, and the step finds it and adds a second one."""
    run_hermes(["plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
    term = start_hermes(["setup"], env)
    term.expect("How would you like to set up Hermes?")
    term.expect("Blank Slate")
    term.send(DOWN + ENTER)  # Full setup
    items = provider_menu(term)
    term.send(DOWN * next(i for i, item in enumerate(items) if item.startswith("OpenRouter")) + ENTER)
    term.expect("API key")
    term.send(ENV_KEY + ENTER)
    term.expect("Select default model")
    term.send(ENTER)
    term.expect("Default model set to")
    add_key_and_round_robin(term)
    term.expect("Select terminal backend")
    term.child.terminate(force=True)  # the rest of the wizard is Hermes' own business
    assert_pool_as_hermes_sees_it(env, hermes_home)
    assert ENV_KEY not in term.text() and NEW_KEY not in term.text()


def test_rerun_leave_unchanged_shows_the_pool_and_changes_nothing(first_run, hermes_home):
    term = start_hermes(["setup", "model"], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    assert term.finish() == 0
    auth_before = (hermes_home / "auth.json").read_bytes()
    auth_mtime = (hermes_home / "auth.json").stat().st_mtime_ns
    config_before = yaml.safe_load((hermes_home / "config.yaml").read_text())

    term = start_hermes(["setup", "model"], first_run)
    pick_leave_unchanged(term)
    term.expect("◆ Credential pool: openrouter")
    term.expect("team")
    term.expect("Rotation strategy: round_robin")
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate between these 2 keys?")
    term.child.expect(r"» \S*round_robin")  # the saved strategy is the highlighted one
    term.send(ENTER)
    term.expect("Nothing to change")
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
    term.expect("Credential pool: cancelled; nothing was changed by this step.")
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    assert not (hermes_home / "auth.json").exists() or "credential_pool" not in json.loads(
        (hermes_home / "auth.json").read_text()
    )
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert "credential_pool_strategies" not in config
    assert config["model"]["provider"] == "openrouter"  # Hermes' own choice is intact


# -- the plugin command ----------------------------------------------------------------


def test_hermes_setup_pools_model_runs_the_same_wizard_with_the_step(first_run, hermes_home):
    first_run["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"  # prove the plugin route works on its own
    term = start_hermes(["setup-pools", "model"], first_run)
    keep_openrouter(term)
    add_key_and_round_robin(term)
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    assert_pool_as_hermes_sees_it(first_run, hermes_home)

    before = state(hermes_home)
    term = start_hermes(["setup-pools", "model"], first_run)
    pick_leave_unchanged(term)
    term.expect("Rotation strategy: round_robin")
    term.expect("Add another API key")
    term.send(ENTER)
    term.expect("How should Hermes rotate")
    term.send(ENTER)
    term.expect("Nothing to change")
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


# -- when the step must stay out -------------------------------------------------------


def run_leave_unchanged(args, env) -> str:
    term = start_hermes(args, env)
    pick_leave_unchanged(term)
    if args[0] == "setup":
        term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    return term.text()


@pytest.mark.parametrize(
    "how",
    ["not-enabled", "safe-mode", "autohook-off"],
)
def test_hermes_setup_without_the_step(how, hermes, env, hermes_home):
    if how != "not-enabled":
        run_hermes(["plugins", "enable", "setup-pools", "--no-allow-tool-override"], env)
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    if how == "safe-mode":
        env["HERMES_SAFE_MODE"] = "1"
    if how == "autohook-off":
        env["HERMES_SETUP_POOLS_AUTOHOOK"] = "0"
    text = run_leave_unchanged(["setup", "model"], env)
    assert "Credential pool" not in text and "Add an API key" not in text
    assert not (hermes_home / "auth.json").exists() or "credential_pool" not in (hermes_home / "auth.json").read_text()


@pytest.mark.parametrize("args", [["model"], ["fallback", "add"]])
def test_hermes_model_and_fallback_never_show_the_step(first_run, args):
    # Both call the same picker the wrapper replaces; the step must stay out.
    term = start_hermes(args, first_run)
    pick_leave_unchanged(term)
    assert term.finish() == 0
    assert "Credential pool" not in term.text()


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
    assert f"Hermes {hermes_version()}" in str(err.value) and "0.19.0" in str(err.value)
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
    term.expect("Model & Provider configuration complete!")
    assert term.finish() == 0
    pools = json.loads((profile / "auth.json").read_text())["credential_pool"]
    assert [e["label"] for e in pools["openrouter"]] == ["OPENROUTER_API_KEY", "team"]
    assert not (root / "auth.json").exists()
    assert "round_robin" in (profile / "config.yaml").read_text()
