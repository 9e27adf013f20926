"""config.yaml: one key changes, every other byte stays; bad files are refused."""

from __future__ import annotations

import difflib
import stat

import pytest
import yaml

from hermes_setup_pools.pool.strategy import normalize_strategy, strategy_state
from hermes_setup_pools.pool.strategy import write_strategy as set_strategy
from hermes_setup_pools.store.config import load_config
from hermes_setup_pools.store.files import StoreError
from hermes_setup_pools.store.yaml_edit import edit_nested_text

from conftest import run_cli

COMMENTED = """\
# Hermes configuration — edited by hand, please keep my notes
# Zweite Zeile: Grüße, ☕ and emoji 🚀

model:
  default: "anthropic/claude-sonnet-4"   # the good one
  provider: openrouter                   # via OpenRouter
  base_url: 'https://openrouter.ai/api/v1'

terminal:
  backend: local   # not docker
  cwd: ~/projects/naïve-dir

credential_pool_strategies:
  anthropic: least_used   # keep this one
  # openrouter was never set

display:
  skin: "default"
  quotes: ['a', "b", c]
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_commented_file_changes_only_the_strategy_line(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    assert set_strategy(hermes_home, "openrouter", "round_robin") is True
    after = path.read_text(encoding="utf-8")
    assert changed_lines(COMMENTED, after) == ["+  openrouter: round_robin"]
    data = yaml.safe_load(after)
    assert data["credential_pool_strategies"] == {"anthropic": "least_used", "openrouter": "round_robin"}
    assert data["model"]["default"] == "anthropic/claude-sonnet-4"


def test_changing_an_existing_value_touches_that_line_only(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    set_strategy(hermes_home, "anthropic", "random")
    after = path.read_text(encoding="utf-8")
    assert changed_lines(COMMENTED, after) == [
        "-  anthropic: least_used   # keep this one",
        "+  anthropic: random   # keep this one",
    ]


def test_same_value_is_not_rewritten(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    mtime = path.stat().st_mtime_ns
    assert set_strategy(hermes_home, "anthropic", "least_used") is False
    assert path.stat().st_mtime_ns == mtime


def test_missing_file_is_created_with_mode_0600(hermes_home):
    set_strategy(hermes_home, "openrouter", "random")
    path = hermes_home / "config.yaml"
    assert yaml.safe_load(path.read_text()) == {"credential_pool_strategies": {"openrouter": "random"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_comment_only_file_keeps_its_comments(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("# nothing here yet\n# second comment\n")
    set_strategy(hermes_home, "openrouter", "round_robin")
    assert path.read_text() == "# nothing here yet\n# second comment\ncredential_pool_strategies:\n  openrouter: round_robin\n"


@pytest.mark.parametrize("null", ["", " null", " ~", "   # explained later"])
def test_present_but_null_strategies_is_treated_as_empty(hermes_home, null):
    path = hermes_home / "config.yaml"
    text = f"model:\n  provider: openrouter\ncredential_pool_strategies:{null}\nother: 1\n"
    path.write_text(text)
    set_strategy(hermes_home, "openrouter", "least_used")
    data = yaml.safe_load(path.read_text())
    assert data == {"model": {"provider": "openrouter"}, "credential_pool_strategies": {"openrouter": "least_used"}, "other": 1}
    assert path.read_text().startswith("model:\n  provider: openrouter\ncredential_pool_strategies:")


def test_mode_of_an_existing_file_is_kept(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("a: 1\n")
    path.chmod(0o640)
    set_strategy(hermes_home, "openrouter", "random")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    # no temporary file left; auth.lock is Hermes' lock, which config writes take too
    assert sorted(p.name for p in hermes_home.iterdir()) == ["auth.lock", "config.yaml"]


def test_crlf_file_stays_crlf(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_bytes(b"a: 1\r\nb: 2\r\n")
    set_strategy(hermes_home, "openrouter", "random")
    assert path.read_bytes() == b"a: 1\r\nb: 2\r\ncredential_pool_strategies:\r\n  openrouter: random\r\n"


def test_custom_pool_keys_are_quoted_and_read_back(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("credential_pool_strategies:\n  openrouter: fill_first\n")
    set_strategy(hermes_home, "custom:together-ai", "round_robin")
    assert yaml.safe_load(path.read_text())["credential_pool_strategies"]["custom:together-ai"] == "round_robin"
    # and a second run finds the quoted key instead of adding it again
    assert set_strategy(hermes_home, "custom:together-ai", "round_robin") is False
    set_strategy(hermes_home, "custom:together-ai", "random")
    assert path.read_text().count("custom:together-ai") == 1


def test_flow_style_mapping_is_edited_in_place(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("x: 1  # one\ncredential_pool_strategies: {anthropic: random}  # flow\ny: 2\n")
    set_strategy(hermes_home, "openrouter", "least_used")
    assert path.read_text() == "x: 1  # one\ncredential_pool_strategies: {anthropic: random, openrouter: least_used}  # flow\ny: 2\n"


def test_result_is_verified_by_reparsing(mocker, hermes_home):
    # If the text edit ever produced something that parses differently, the
    # file must not be written.
    path = hermes_home / "config.yaml"
    path.write_text("a: 1\n")
    mocker.patch("hermes_setup_pools.store.yaml_edit.edit_path_text", return_value="a: 2\ncredential_pool_strategies: {openrouter: random}\n")
    with pytest.raises(StoreError, match="cannot edit without risk"):
        set_strategy(hermes_home, "openrouter", "random")
    assert path.read_text() == "a: 1\n"


BAD_CONFIG = {
    "invalid-yaml": ("model: [unclosed\n", "not valid YAML"),
    "root-list": ("- a\n- b\n", "top level is a list"),
    "root-scalar": ("just a string\n", "top level is a str"),
    "strategies-list": ("credential_pool_strategies:\n  - round_robin\n", "credential_pool_strategies is a list"),
    "strategies-scalar": ("credential_pool_strategies: round_robin\n", "credential_pool_strategies is a str"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIG))
def test_bad_config_is_refused_and_neither_file_is_touched(case, hermes_home, env):
    content, problem = BAD_CONFIG[case]
    path = hermes_home / "config.yaml"
    path.write_text(content)
    auth_before = b'{"version": 1, "providers": {}}'
    (hermes_home / "auth.json").write_bytes(auth_before)
    result = run_cli(
        ["pool", "--non-interactive", "--provider", "openrouter", "--strategy", "random", "--key-file", "-", "--yes"],
        env, input="sk-or-v1-" + "c" * 40 + "\n",
    )
    assert result.returncode == 1
    assert path.read_text() == content
    assert (hermes_home / "auth.json").read_bytes() == auth_before
    assert str(path) in result.stderr and problem in result.stderr
    assert "Traceback" not in result.stderr


def test_yaml_error_message_does_not_quote_the_file(hermes_home):
    (hermes_home / "config.yaml").write_text("custom_providers:\n  - api_key: sk-secret-1234567890abcdef\n    base_url: [\n")
    with pytest.raises(StoreError) as err:
        load_config(hermes_home)
    assert "sk-secret" not in str(err.value)
    assert "line" in str(err.value)


def test_config_refused_late_leaves_auth_untouched(hermes_home, env, mocker):
    # A config.yaml whose layout defeats the in-place edit is found before
    # auth.json is written, so a refused strategy never leaves half a change.
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\ncredential_pool_strategies: &s {anthropic: random}\nalias: *s\n")
    result = run_cli(
        ["pool", "--non-interactive", "--strategy", "random", "--key-file", "-", "--yes"],
        env, input="sk-or-v1-" + "c" * 40 + "\n",
    )
    assert result.returncode == 1, result.stdout
    assert "shared with another key through a YAML anchor" in result.stderr and "Set it by hand" in result.stderr
    assert not (hermes_home / "auth.json").exists()


def strategy_in_file(home, value):
    (home / "config.yaml").write_text(f"credential_pool_strategies:\n  openrouter: {value!r}\n")
    return strategy_state(load_config(home), "openrouter")


def test_unknown_existing_value_is_reported_as_hermes_falls_back(hermes_home):
    state = strategy_in_file(hermes_home, "fastest")
    assert state.unknown and state.effective == "fill_first"
    assert "silently uses fill_first" in state.describe("openrouter")


def test_case_variants_are_read_like_hermes_reads_them(hermes_home):
    state = strategy_in_file(hermes_home, " Round_Robin ")
    assert not state.unknown and state.effective == "round_robin"


@pytest.mark.parametrize("given,canonical", [("round-robin", "round_robin"), ("LEAST_USED", "least_used"), ("random", "random")])
def test_only_canonical_names_are_written(given, canonical):
    assert normalize_strategy(given) == canonical


def test_unknown_strategy_name_is_a_usage_error():
    from hermes_setup_pools import UsageError

    with pytest.raises(UsageError) as err:
        normalize_strategy("fastest")
    assert err.value.exit_code == 2 and "fill_first" in str(err.value)


def test_edit_inserts_after_the_last_child_even_without_trailing_newline():
    text = "credential_pool_strategies:\n  anthropic: random"
    assert edit_nested_text(text, "credential_pool_strategies", "openrouter", "random") == (
        "credential_pool_strategies:\n  anthropic: random\n  openrouter: random\n"
    )


def test_flow_style_root_is_refused_with_a_reason(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("{model: {provider: openrouter}}\n")
    with pytest.raises(StoreError, match="top level is not a block mapping"):
        set_strategy(hermes_home, "openrouter", "random")
    assert path.read_text() == "{model: {provider: openrouter}}\n"


def test_nested_block_value_is_refused_with_a_reason(hermes_home):
    path = hermes_home / "config.yaml"
    text = "credential_pool_strategies:\n  openrouter:\n    nested: mapping\n"
    path.write_text(text)
    with pytest.raises(StoreError, match="credential_pool_strategies.openrouter is not a plain value"):
        set_strategy(hermes_home, "openrouter", "random")
    assert path.read_text() == text


def test_an_edit_planned_on_a_file_changed_meanwhile_is_made_on_the_new_text(hermes_home):
    # The commit plans its config edit first and again under the lock; the second
    # plan must see what another program wrote in between, not the first answer.
    from hermes_setup_pools.store.config import plan_path_edit

    path = hermes_home / "config.yaml"
    path.write_text("# mine\nmodel:\n  provider: openrouter\n")
    first = plan_path_edit(load_config(hermes_home), ("credential_pool_strategies", "openrouter"), "random")
    assert first is not None and first.startswith("# mine\n")
    path.write_text("# theirs\nmodel:\n  provider: openrouter\nagent:\n  max_turns: 9\n")
    again = plan_path_edit(load_config(hermes_home), ("credential_pool_strategies", "openrouter"), "random")
    assert again is not None and again.startswith("# theirs\n") and "max_turns: 9" in again
    assert yaml.safe_load(again)["credential_pool_strategies"] == {"openrouter": "random"}
    path.write_text("# mine\nmodel:\n  provider: openrouter\n")
    assert plan_path_edit(load_config(hermes_home), ("credential_pool_strategies", "openrouter"), "random") == first
