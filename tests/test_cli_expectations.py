"""Issue #24.1: pool commands as scripts read them — exit codes, flags that
would be ignored, names, and the preview's next-key marker."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from helpers import ENV_KEY, KEY_1, KEY_2, KEY_3, assert_no_secret


@pytest.fixture
def home(hermes_home, env):
    """OPENROUTER_API_KEY from .env, then day, other, night."""
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    added = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env,
                    input=f"day {KEY_1}\nother {KEY_2}\nnight {KEY_3}\n")
    assert added.returncode == 0, added.stderr
    return hermes_home


def pool(env, *args, input=None):
    result = run_cli(["pool", *args], env, input=input)
    assert_no_secret(result.stdout + result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_replacing_a_key_with_the_key_it_already_has_is_nothing_to_change(home, env):
    before = (home / "auth.json").stat().st_mtime_ns
    again = pool(env, "--replace", "night", "--key-file", "-", "--yes", input=f"{KEY_3}\n")
    assert again.returncode == 0, again.stderr
    assert "night already has that key" in again.stdout and "Nothing to change" in again.stdout
    assert (home / "auth.json").stat().st_mtime_ns == before


@pytest.mark.parametrize("flags", [["--remove", "night"], ["--reset"], ["--rename", "day", "x"], ["--strategy", "random"],
                                   ["--move", "day", "--to", "2"], ["--yes"], ["--dry-run"], ["--key-file", "-"]])
def test_a_flag_list_would_ignore_is_a_usage_error_and_nothing_is_done(home, env, flags):
    before = (home / "auth.json").read_bytes()
    result = pool(env, "--list", *flags, input="")
    assert result.returncode == 2 and result.stdout == ""
    assert "--list only shows the pool" in result.stderr and flags[0] in result.stderr
    assert (home / "auth.json").read_bytes() == before


@pytest.mark.parametrize(("flags", "words"), [
    (["--replace", "night", "--yes"], "--replace reads the new key from --key-file"),
    (["--move", "night", "--yes"], "--move and --to go together"),
    (["--to", "1", "--yes"], "--move and --to go together"),
    (["--json"], "--json goes with --list"),
    (["--non-interactive", "--key-file", KEY_2, "--yes"], "that argument looks like a key"),
])
def test_missing_or_misused_flags_are_usage_errors_before_anything_is_printed(home, env, flags, words):
    result = pool(env, *flags)
    assert result.returncode == 2 and result.stdout == "" and words in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_name_removed_earlier_in_the_same_run_says_so(home, env):
    result = pool(env, "--remove", "night", "--reset", "night", "--yes")
    assert result.returncode == 1 and "'night' is removed by --remove in this same run" in result.stderr


def test_the_preview_marks_the_next_key_under_the_strategy_being_written(home, env):
    data = json.loads((home / "auth.json").read_text())
    for entry in data["credential_pool"]["openrouter"]:
        entry["request_count"] = {"day": 50, "other": 1, "night": 20}.get(entry["label"], 90)
    (home / "auth.json").write_text(json.dumps(data))
    result = pool(env, "--rename", "day", "day2", "--strategy", "least_used", "--dry-run")
    assert result.returncode == 0, result.stderr
    after = result.stdout[result.stdout.index("The pool will then be:"):]
    marked = [line.split()[1] for line in after.splitlines() if line.rstrip().endswith("←")]
    assert marked == ["other"]  # least_used: the key that served the fewest requests, as Hermes picks


def test_without_a_provider_the_error_names_both_ways_to_choose_one(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model: {}\n")
    result = pool(env, "--non-interactive", "--strategy", "random", "--yes")
    assert result.returncode == 1 and "`hermes model`" in result.stderr and "--provider NAME" in result.stderr


def test_yes_or_a_key_file_alone_make_the_run_non_interactive(home, env):
    result = pool(env, "--strategy", "random", "--yes")
    assert result.returncode == 0 and "credential_pool_strategies.openrouter = random" in result.stdout


@pytest.mark.parametrize("flags", [["--strategy", "random", "--strategy", "least_used", "--yes"],
                                   ["--move", "day", "--to", "1", "--move", "night", "--to", "2", "--yes"],
                                   ["--provider", "openrouter", "--provider", "anthropic", "--list"]])
def test_a_flag_given_twice_is_a_usage_error_not_a_silent_last_one_wins(home, env, flags):
    before = (home / "auth.json").read_bytes()
    result = pool(env, *flags)
    assert result.returncode == 2 and result.stdout == ""
    assert "was given twice; give it once" in result.stderr
    assert (home / "auth.json").read_bytes() == before


@pytest.mark.parametrize(("flags", "words"), [
    (["--move", "day", "--to", "0", "--yes"], "--to 0: positions count from 1"),
    (["--remove", KEY_2, "--yes"], "that argument looks like an API key"),
    (["--rename", "day", "", "--yes"], "--rename: "),
])
def test_flags_that_cannot_run_are_refused_before_any_file_is_read(home, env, flags, words):
    # An unreadable auth.json would be exit 1 "cannot parse": the refusal comes from the flags alone.
    (home / "auth.json").write_text("{ not json")
    result = pool(env, *flags)
    assert result.returncode == 2 and result.stdout == "" and words in result.stderr
    assert result.stderr.count("\n") == 1 and KEY_2 not in result.stderr
    assert (home / "auth.json").read_text() == "{ not json"


def test_a_missing_key_file_is_an_error_before_anything_is_shown(home, env, tmp_path):
    before = (home / "auth.json").read_bytes()
    result = pool(env, "--key-file", str(tmp_path / "nope.txt"), "--yes")
    assert result.returncode == 1 and result.stdout == ""
    assert "does not exist; nothing was written" in result.stderr
    assert (home / "auth.json").read_bytes() == before


def test_doctor_yes_without_fix_is_a_usage_error(home, env):
    result = run_cli(["doctor", "--yes"], env)
    assert result.returncode == 2 and result.stdout == ""
    assert "--yes answers --fix's question" in result.stderr


def test_json_list_marks_a_key_found_in_the_environment_but_not_in_the_pool_as_new(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    result = pool(env, "--list", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["status"], row["in_pool"], row["found_in"], row["id"]) == ("new", False, ".env", None)


def test_a_key_of_another_provider_is_named_as_such_and_never_shown(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    anthropic_key = "sk-ant-api03-" + "Qx7" * 30
    result = run_cli(["pool", "--key-file", "-", "--dry-run"], env, input=f"work {anthropic_key}\n")
    assert result.returncode == 0, result.stderr
    assert ("! line 1: openrouter keys usually start with sk-or-; this one looks like a key for anthropic (sk-ant-) "
            "(added anyway)") in result.stdout
    assert_no_secret(result.stdout + result.stderr, (anthropic_key,))
