"""End to end in a real terminal (pexpect pty) and without one."""

from __future__ import annotations

import json
import sys

import pexpect
import pytest
import yaml

from conftest import BIN, run_cli
from helpers import CTRL_C, DOWN, ENTER, ENV_KEY, KEY_1, KEY_2, UP


@pytest.fixture
def home(hermes_home):
    (hermes_home / "config.yaml").write_text("# keep me\nmodel:\n  provider: openrouter\n")
    return hermes_home


def spawn(args, env, **extra):
    env = {**env, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", **extra}
    return pexpect.spawn(str(BIN / "hermes-setup-pools"), list(args), env=env, encoding="utf-8",
                         dimensions=(40, 120), timeout=20)


def finish(child) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    output = child.before
    child.close()
    return child.exitstatus, output


def test_add_two_keys_and_choose_round_robin(home, env):
    child = spawn(["pool"], env, OPENROUTER_API_KEY=ENV_KEY)
    child.expect_exact("…9999  new (environment)")
    child.expect_exact("Add another API key for openrouter")
    child.send(KEY_1 + ENTER)
    child.expect_exact("Label for this key (Enter for api-key-2)")
    child.send("team" + ENTER)
    child.expect_exact("+ team (…1111)")
    child.expect_exact("Add another API key")
    child.send(KEY_2 + ENTER)
    child.expect_exact("Label for this key (Enter for api-key-3)")
    child.send(ENTER)
    child.expect_exact("Add another API key")
    child.send(ENTER)
    child.expect_exact("How should Hermes rotate between these 3 keys?")
    child.send(DOWN + ENTER)
    child.expect_exact("About to write for pool openrouter")
    child.expect_exact("Write these changes?")
    child.send(ENTER)
    status, output = finish(child)
    assert status == 0
    assert "Check it with: hermes auth list openrouter" in output
    entries = json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [e["label"] for e in entries] == ["OPENROUTER_API_KEY", "team", "api-key-3"]
    config = (home / "config.yaml").read_text()
    assert config.startswith("# keep me\nmodel:\n  provider: openrouter\n")
    assert yaml.safe_load(config)["credential_pool_strategies"] == {"openrouter": "round_robin"}


def test_ctrl_c_at_the_strategy_prompt_changes_nothing_and_restores_the_terminal(home, env, tmp_path):
    # Run inside a shell on the pty so the terminal's settings can be compared
    # before and after the interrupted run.
    shell = pexpect.spawn("bash", ["--norc", "--noprofile"], env={**env, "TERM": "xterm-256color", "PS1": "READY> ", "PROMPT_TOOLKIT_NO_CPR": "1"},
                          encoding="utf-8", dimensions=(40, 120), timeout=20)
    shell.expect_exact("READY> ")
    shell.sendline(f"stty -g > {tmp_path}/before; {BIN}/hermes-setup-pools pool; echo EXIT=$?; stty -g > {tmp_path}/after")
    shell.expect_exact("Add an API key for openrouter")
    shell.send(KEY_1 + ENTER)
    shell.expect_exact("Label for this key")
    shell.send(ENTER)
    shell.expect_exact("Add another API key")
    shell.send(KEY_2 + ENTER)
    shell.expect_exact("Label for this key")
    shell.send(ENTER)
    shell.expect_exact("Add another API key")
    shell.send(ENTER)
    shell.expect_exact("How should Hermes rotate")
    shell.send(CTRL_C)
    shell.expect_exact("Cancelled: nothing was changed.")
    shell.expect_exact("EXIT=130")
    shell.expect_exact("READY> ")
    shell.sendline("exit")
    shell.expect(pexpect.EOF)
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    assert not (home / "auth.json").exists()
    assert (home / "config.yaml").read_text() == "# keep me\nmodel:\n  provider: openrouter\n"


def test_ctrl_d_at_the_key_prompt_is_a_cancel(home, env):
    child = spawn(["pool"], env)
    child.expect_exact("Add an API key")
    child.send("\x04")
    status, output = finish(child)
    assert status == 130 and "nothing was changed" in output
    assert not (home / "auth.json").exists()


def test_rerun_shows_the_pool_preselects_the_strategy_and_changes_nothing(home, env):
    keys = f"team {KEY_1}\n{KEY_2}\n"
    first = run_cli(["pool", "--non-interactive", "--strategy", "least_used", "--key-file", "-", "--yes"], env, input=keys)
    assert first.returncode == 0, first.stderr
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in home.iterdir()}
    child = spawn(["pool"], env)
    child.expect_exact("team")
    child.expect_exact("…1111")
    child.expect_exact("Rotation strategy: least_used")
    child.expect_exact("What would you like to do?")
    child.expect(r"» \S*Finish")  # Enter alone changes nothing
    child.send(UP + ENTER)  # Choose the rotation strategy
    child.expect_exact("How should Hermes rotate between these 2 keys?")
    child.expect(r"» \S*least_used")  # the saved strategy is highlighted
    child.send(ENTER)
    child.expect_exact("What would you like to do?")
    child.send(ENTER)
    child.expect_exact("Nothing to change")
    status, _ = finish(child)
    assert status == 0
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in home.iterdir()} == before


def test_without_a_terminal_it_refuses_instead_of_waiting(home, env):
    result = run_cli(["pool"], env, input="")
    assert result.returncode == 2
    assert "not a terminal" in result.stderr and "--non-interactive" in result.stderr
    flow = run_cli([], env, input="")
    assert flow.returncode == 2 and "not a terminal" in flow.stderr
    assert not (home / "auth.json").exists()


def test_non_interactive_run_from_a_key_file_on_stdin(home, env):
    env["OPENROUTER_API_KEY"] = ENV_KEY
    args = ["pool", "--non-interactive", "--strategy", "round_robin", "--key-file", "-", "--yes"]
    result = run_cli(args, env, input=f"team {KEY_1}\n{KEY_2}\n")
    assert result.returncode == 0, result.stderr
    entries = json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [(e["label"], e["source"]) for e in entries] == [
        ("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY"), ("team", "manual"), ("api-key-3", "manual"),
    ]
    assert yaml.safe_load((home / "config.yaml").read_text())["credential_pool_strategies"] == {"openrouter": "round_robin"}
    for key in (ENV_KEY, KEY_1, KEY_2):
        assert key not in result.stdout + result.stderr
    again = run_cli(args, env, input=f"team {KEY_1}\n{KEY_2}\n")
    assert again.returncode == 0 and "Nothing to change" in again.stdout


def test_non_interactive_without_yes_exits_2_and_writes_nothing(home, env):
    result = run_cli(["pool", "--non-interactive", "--key-file", "-"], env, input=f"{KEY_1}\n")
    assert result.returncode == 2
    assert "About to write" in result.stdout and "--yes" in result.stderr and "--dry-run" in result.stderr
    assert not (home / "auth.json").exists()


def test_key_file_dash_refuses_a_terminal_stdin(home, env):
    child = spawn(["pool", "--non-interactive", "--key-file", "-", "--yes"], env)
    status, output = finish(child)
    assert status == 2 and "standard input is a terminal" in output


def test_a_key_given_as_an_argument_is_never_echoed(home, env):
    result = run_cli(["pool", "--non-interactive", "--key-file", KEY_1], env)
    assert result.returncode == 2 and "looks like a key" in result.stderr
    stray = run_cli(["pool", KEY_1], env)
    assert stray.returncode == 2 and "…1111" in stray.stderr
    for output in (result.stdout + result.stderr, stray.stdout + stray.stderr):
        assert KEY_1 not in output


def test_bad_strategy_and_unknown_provider_are_one_line_errors(home, env):
    bad = run_cli(["pool", "--non-interactive", "--strategy", "fastest", "--yes"], env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "round_robin" in bad.stderr
    unknown = run_cli(["pool", "--non-interactive", "--provider", "opnrouter", "--yes"], env)
    assert unknown.returncode == 2 and "did you mean 'openrouter'" in unknown.stderr
    assert unknown.stderr.count("\n") == 1


def test_non_interactive_skip_is_an_error_for_ci(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openai-codex\n")
    result = run_cli(["pool", "--non-interactive", "--yes"], env)
    assert result.returncode == 1 and "OAuth" in result.stderr


def test_help_and_version(env):
    helped = run_cli(["--help"], env)
    assert helped.returncode == 0 and "credential" in helped.stdout.lower() and "pool" in helped.stdout
    pool_help = run_cli(["pool", "--help"], env)
    for flag in ("--non-interactive", "--key-file", "--strategy", "--provider", "--yes", "--dry-run", "--hermes-home"):
        assert flag in pool_help.stdout
    version = run_cli(["--version"], env)
    assert version.returncode == 0 and version.stdout.startswith("hermes-setup-pools ")


def test_python_dash_m_is_the_same_command(env, hermes_home):
    import subprocess

    result = subprocess.run([sys.executable, "-m", "hermes_setup_pools", "steps", "--hermes-home", str(hermes_home)],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["select_provider_and_model", "credential_pool"]


BLOCK_HERMES = (
    "import sys; sys.modules['hermes_cli'] = None; "
    "from hermes_setup_pools.cli import main; sys.exit(main())"
)


def test_whole_flow_without_hermes_uses_the_builtin_picker(hermes_home, env):
    # Hermes is installed in the test venv; hide it to show what a user
    # without Hermes gets.
    child = pexpect.spawn(sys.executable, ["-c", BLOCK_HERMES], env={**env, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"},
                          encoding="utf-8", dimensions=(40, 120), timeout=20)
    child.expect_exact("using the built-in provider picker")
    child.expect_exact("Which provider will Hermes use?")
    child.expect_exact("Anthropic")  # providers by the names Hermes shows, with their ids
    child.expect_exact("OpenRouter")
    child.send(ENTER)  # openrouter is preselected
    child.expect_exact("Default model:")
    child.expect_exact("anthropic/claude-fable-5")  # the provider's usual models
    child.expect_exact("another model (type its name)")
    child.send(ENTER)
    child.expect_exact("Provider set to openrouter, model anthropic/claude-fable-5")
    child.expect_exact("◆ Credential pool: openrouter")
    child.expect_exact("Add an API key for openrouter")
    child.send(KEY_1 + ENTER)
    child.expect_exact("Label for this key")
    child.send(ENTER)
    child.expect_exact("Add another API key")
    child.send(ENTER)
    child.expect_exact("Write these changes?")
    child.send(ENTER)
    status, _ = finish(child)
    assert status == 0
    config = yaml.safe_load((hermes_home / "config.yaml").read_text())
    assert config["model"] == {"provider": "openrouter", "default": "anthropic/claude-fable-5"}
    assert json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"][0]["label"] == "api-key-1"


def test_non_interactive_path_never_imports_a_prompt_library(home, env):
    code = (
        "import sys; from hermes_setup_pools.cli import main; "
        "rc = main(['pool', '--non-interactive', '--key-file', '-', '--yes']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'questionary', 'prompt_toolkit', 'hermes_cli'}))"
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], input=KEY_1 + "\n", capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (home / "auth.json").exists()
