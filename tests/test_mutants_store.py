"""The edges of the store (#21.6: tests that kill the survivors of a mutation
run of ``store/``): config.yaml edits in every layout the splice handles,
``.env`` read and written as Hermes does, and the messages a refusal gives.
Real files, parsed back."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import types

import pytest
import yaml

from hermes_setup_pools.keys.files import render_config
from hermes_setup_pools.pool.strategy import write_strategy
from hermes_setup_pools.store import preflight
from hermes_setup_pools.store.auth import check_pool_loadable, load_auth, pool_entries, suppressed_sources, update_pool
from hermes_setup_pools.store.config import (
    load_config,
    plan_nested_edit,
    plan_path_edit,
    set_config_path,
    set_config_value,
    value_at,
)
from hermes_setup_pools.store.dotenv import Environment, add_to_dotenv, env_line, read_dotenv
from hermes_setup_pools.store.entries import entry_label
from hermes_setup_pools.store.files import StoreError, existing_ancestor, make_home, read_bytes, user_name, write_atomic
from hermes_setup_pools.store.lock import auth_lock, file_lock, held_by_hermes_here, lock_path
from hermes_setup_pools.store.preflight import check_home, remove_leftovers
from hermes_setup_pools.store.yaml_edit import LOADER, LayoutError, edit_path_text, line_end, references
from hermes_setup_pools.store.yaml_list import add_item_text, remove_item_text

# -- config.yaml: the splice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("credential_pool_strategies: {}\n", "credential_pool_strategies: {openrouter: round_robin}\n"),
        ("a: 1\ncredential_pool_strategies: {}  # none yet\nb: 2\n",
         "a: 1\ncredential_pool_strategies: {openrouter: round_robin}  # none yet\nb: 2\n"),
        ("credential_pool_strategies: { }\n", "credential_pool_strategies: {openrouter: round_robin }\n"),
        ("credential_pool_strategies: {anthropic: random}\n",
         "credential_pool_strategies: {anthropic: random, openrouter: round_robin}\n"),
    ],
)
def test_a_strategy_added_to_a_flow_mapping_is_written_inside_its_braces(hermes_home, before, after):
    path = hermes_home / "config.yaml"
    path.write_text(before)
    assert write_strategy(hermes_home, "openrouter", "round_robin") is True
    assert path.read_text() == after
    strategies = yaml.safe_load(path.read_text())["credential_pool_strategies"]
    assert strategies["openrouter"] == "round_robin"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # `key:` with nothing after it, at the end and in the middle of the file
        ("credential_pool_strategies:\n", "credential_pool_strategies:\n  openrouter: round_robin\n"),
        ("credential_pool_strategies:   \nx: 1\n", "credential_pool_strategies:   \n  openrouter: round_robin\nx: 1\n"),
        ("credential_pool_strategies: ~\nx: 1\n", "credential_pool_strategies:\n  openrouter: round_robin\nx: 1\n"),
        ("credential_pool_strategies: null # unset\n",
         "credential_pool_strategies:  # unset\n  openrouter: round_robin\n"),
        ("credential_pool_strategies:", "credential_pool_strategies:\n  openrouter: round_robin\n"),
        # a block mapping: after its last child, at its indentation
        ("credential_pool_strategies:\n    anthropic: random\nx: 1\n",
         "credential_pool_strategies:\n    anthropic: random\n    openrouter: round_robin\nx: 1\n"),
        ("credential_pool_strategies:\n  anthropic: random", "credential_pool_strategies:\n  anthropic: random\n"
                                                            "  openrouter: round_robin\n"),
        ("credential_pool_strategies:\r\n  anthropic: random\r\n",
         "credential_pool_strategies:\r\n  anthropic: random\r\n  openrouter: round_robin\r\n"),
        # an existing value: only its characters change
        ("credential_pool_strategies:\n  openrouter: fill_first # was\n",
         "credential_pool_strategies:\n  openrouter: round_robin # was\n"),
        ("credential_pool_strategies:\n  openrouter:\n", "credential_pool_strategies:\n  openrouter: round_robin\n"),
        # no mapping yet: a new block at the end
        ("x: 1", "x: 1\ncredential_pool_strategies:\n  openrouter: round_robin\n"),
        ("x: 1\r\n", "x: 1\r\ncredential_pool_strategies:\r\n  openrouter: round_robin\r\n"),
        ("# only a comment\n", "# only a comment\ncredential_pool_strategies:\n  openrouter: round_robin\n"),
    ],
)
def test_the_strategy_edit_in_every_block_layout(before, after):
    assert edit_path_text(before, ("credential_pool_strategies", "openrouter"), "round_robin") == after


def test_a_deep_path_is_added_as_nested_blocks_under_the_existing_part():
    path = ("secrets", "onepassword", "env", "OPENROUTER_API_KEY_2")
    assert edit_path_text("", path, "op://a/b/c") == (
        'secrets:\n  onepassword:\n    env:\n      OPENROUTER_API_KEY_2: "op://a/b/c"\n')
    assert edit_path_text("secrets:\n  onepassword:\n    env:\n      A: x\n", path, "op://a/b/c") == (
        'secrets:\n  onepassword:\n    env:\n      A: x\n      OPENROUTER_API_KEY_2: "op://a/b/c"\n')
    assert edit_path_text("secrets:\n  other: 1\n", path, "v") == (
        "secrets:\n  other: 1\n  onepassword:\n    env:\n      OPENROUTER_API_KEY_2: v\n")
    assert edit_path_text("secrets:\n", path, "v") == "secrets:\n  onepassword:\n    env:\n      OPENROUTER_API_KEY_2: v\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[1, 2]\n", "the top level is not a block mapping"),
        ("{a: 1}\n", "the top level is not a block mapping"),
        ("credential_pool_strategies: [a]\n", "credential_pool_strategies is not a mapping"),
        ("credential_pool_strategies:\n  openrouter: {a: 1}\n", "credential_pool_strategies.openrouter is not a plain value"),
        ("a: &x {openrouter: random}\ncredential_pool_strategies: *x\n",
         "credential_pool_strategies is shared with another key through a YAML anchor (&), so editing it would "
         "change that key too"),
    ],
)
def test_layouts_the_splice_will_not_edit_are_refused_with_the_reason(text, reason):
    with pytest.raises(LayoutError) as refused:
        edit_path_text(text, ("credential_pool_strategies", "openrouter"), "round_robin")
    assert str(refused.value) == reason


def test_a_nested_value_is_never_put_inside_a_flow_mapping():
    with pytest.raises(LayoutError, match=r"^a nested value would have to go inside a flow mapping \(\{…\}\)$"):
        edit_path_text("secrets: {}\n", ("secrets", "onepassword", "env", "X"), "v")


def test_values_are_quoted_when_yaml_would_read_them_as_something_else():
    path = ("credential_pool_strategies", "openrouter")
    assert edit_path_text("", path, "yes") == 'credential_pool_strategies:\n  openrouter: "yes"\n'
    assert edit_path_text("", path, "a b") == 'credential_pool_strategies:\n  openrouter: "a b"\n'
    assert edit_path_text("", ("credential_pool_strategies", "custom:my-llm"), "x") == (
        'credential_pool_strategies:\n  "custom:my-llm": x\n')


# -- config.yaml: read, checked, written ---------------------------------------------------------


def test_invalid_yaml_is_refused_naming_the_line_and_column_only(hermes_home):
    (hermes_home / "config.yaml").write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(StoreError) as refused:
        load_config(hermes_home)
    message = str(refused.value)
    assert message.startswith(f"{hermes_home / 'config.yaml'} is not valid YAML (line 3, column 2): ")
    assert message.endswith("; fix it and retry") and "expected ',' or ']'" in message


def test_a_config_value_is_written_only_when_the_file_still_holds_what_was_expected(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("credential_pool_strategies:\n  openrouter: fill_first\n")
    assert set_config_value(hermes_home, "credential_pool_strategies", "openrouter", "random", expect="least_used") is False
    assert path.read_text() == "credential_pool_strategies:\n  openrouter: fill_first\n"
    assert set_config_value(hermes_home, "credential_pool_strategies", "openrouter", "random", expect="fill_first") is True
    assert path.read_text() == "credential_pool_strategies:\n  openrouter: random\n"
    assert set_config_path(hermes_home, ("credential_pool_strategies", "openrouter"), "random") is False  # already so
    assert set_config_path(hermes_home, ("a", "b", "c"), "d", expect=None) is True
    assert yaml.safe_load(path.read_text())["a"] == {"b": {"c": "d"}}


def test_a_two_key_path_under_something_that_is_not_a_mapping_is_refused(hermes_home):
    (hermes_home / "config.yaml").write_text("credential_pool_strategies: round_robin\n")
    with pytest.raises(StoreError, match=r"credential_pool_strategies is a str, expected a mapping$"):
        set_config_path(hermes_home, ("credential_pool_strategies", "openrouter"), "random")


def test_value_at_and_a_planned_edit_that_changes_nothing(hermes_home):
    data = {"a": {"b": {"c": 1}}, "s": "x"}
    assert value_at(data, ("a", "b", "c")) == 1
    assert value_at(data, ("s", "t")) is None and value_at(data, ("z",)) is None
    (hermes_home / "config.yaml").write_text("a:\n  b: v\n")
    assert plan_path_edit(load_config(hermes_home), ("a", "b"), "v") is None
    assert plan_path_edit(load_config(hermes_home), ("a", "b"), "w") == "a:\n  b: w\n"


# -- .env ----------------------------------------------------------------------------------------


def test_dotenv_lines_are_read_as_hermes_reads_them(hermes_home):
    (hermes_home / ".env").write_text(
        "# a comment\n"
        "\n"
        "PLAIN=abc\n"
        "export EXPORTED=def\n"
        "SPACED = ghi \n"
        "INLINE=jkl # a note\n"
        "HASH=mn#o\n"
        'DOUBLE="p q" # note\n'
        "SINGLE='r#s' # note\n"
        'ESCAPED="a \\"b\\" \\\\ c"\n'
        'OPEN="no closing quote # kept\n'
        "SQUOTE='it''s'\n"
        'EMPTY=""\n'
        "ONE='\n"
        'TWO_QUOTES="x" "y"\n'
        "NOEQUALS\n"
        "LAST=final",
        encoding="utf-8",
    )
    assert read_dotenv(hermes_home) == {
        "PLAIN": "abc",
        "EXPORTED": "def",
        "SPACED": "ghi",
        "INLINE": "jkl",
        "HASH": "mn#o",
        "DOUBLE": "p q",
        "SINGLE": "r#s",
        "ESCAPED": 'a "b" \\ c',
        "OPEN": '"no closing quote # kept',
        "SQUOTE": "it''s",
        "EMPTY": "",
        "ONE": "'",
        "TWO_QUOTES": 'x" "y',
        "LAST": "final",
    }


def test_a_quoted_value_followed_by_a_comment_after_an_escaped_quote(hermes_home):
    (hermes_home / ".env").write_text('A="x\\\\" # c\nB="y\\"" # c\nC="z" #c\nD="w"x\n')
    assert read_dotenv(hermes_home) == {"A": "x\\", "B": 'y"', "C": "z", "D": '"w"x'}


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("sk-plain", "K=sk-plain"),
        ("a#b", 'K="a#b"'),
        ('a"b', 'K="a\\"b"'),
        ("a'b", "K=\"a'b\""),
        ("a b", 'K="a b"'),
        ("a\tb", 'K="a\tb"'),
        ("a\\b c", 'K="a\\\\b c"'),
        ("a\\b", "K=a\\b"),
        ("", "K="),
    ],
)
def test_env_lines_are_quoted_as_hermes_quotes_them_and_read_back_the_same(hermes_home, value, line):
    assert env_line("K", value) == line
    (hermes_home / ".env").write_text(line + "\n")
    assert read_dotenv(hermes_home) == {"K": value}


def test_adding_to_dotenv_keeps_every_byte_and_the_line_ending(hermes_home):
    path = hermes_home / ".env"
    path.write_bytes(b"# keys\r\nA=1")
    assert add_to_dotenv(hermes_home, [("B", "two words"), ("C", "3")]) == ["B", "C"]
    assert path.read_bytes() == b'# keys\r\nA=1\r\nB="two words"\r\nC=3\r\n'
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (hermes_home / ".env.lock").exists()  # Hermes' own lock file for .env
    assert add_to_dotenv(hermes_home, [("B", "two words")]) == []  # already there: nothing to do
    assert path.read_bytes() == b'# keys\r\nA=1\r\nB="two words"\r\nC=3\r\n'


def test_adding_to_a_new_dotenv_and_to_one_ending_in_a_newline(hermes_home):
    assert add_to_dotenv(hermes_home, [("A", "1")]) == ["A"]
    assert (hermes_home / ".env").read_text() == "A=1\n"
    assert add_to_dotenv(hermes_home, [("A", "1"), ("B", "x=y")]) == ["B"]
    assert (hermes_home / ".env").read_text() == "A=1\nB=x=y\n"


def test_a_variable_set_to_another_value_meanwhile_stops_the_write(hermes_home):
    path = hermes_home / ".env"
    path.write_text("A=1\n")
    with pytest.raises(StoreError) as refused:
        add_to_dotenv(hermes_home, [("B", "2"), ("A", "other")])
    assert str(refused.value) == (f"{path}: A was set by another program meanwhile; nothing was written (run again "
                                  "to pick the next free name)")
    assert path.read_text() == "A=1\n"


def test_a_dotenv_that_is_not_utf8_is_never_rewritten(hermes_home):
    path = hermes_home / ".env"
    path.write_bytes(b"A=\xff\n")
    with pytest.raises(StoreError) as refused:
        add_to_dotenv(hermes_home, [("B", "2")])
    assert str(refused.value) == f"{path} is not UTF-8 text; nothing was written (fix it, then retry)"
    assert path.read_bytes() == b"A=\xff\n"


def test_numbered_variables_stop_at_the_first_gap_and_references_yield_to_the_process(hermes_home):
    env = Environment(hermes_home, environ={"K_2": "b", "K_3": " c ", "K_5": "e", "REF": "resolved"},
                      dotenv={"K": "a", "K_4": "", "REF": "op://v/i/f", "FILE": "f", "K_2": "bb"})
    assert env.numbered("K") == ["K_2", "K_3"]

    def got(environment: Environment, name: str) -> tuple[str, str]:
        found = environment.get(name)
        return found.value, found.where

    assert got(env, "K_2") == ("bb", ".env") and got(env, "K_3") == ("c", "environment")
    assert got(env, "REF") == ("resolved", "environment") and got(env, "FILE") == ("f", ".env")
    assert got(env, "NONE") == ("", "")
    unresolved = Environment(hermes_home, environ={}, dotenv={"REF": "op://v/i/f"})
    assert got(unresolved, "REF") == ("op://v/i/f", ".env")
    assert env.expand(" ${K}-${K_2}-${Missing}-${lower_1} $K ") == "a-bb-- $K"


# -- entries --------------------------------------------------------------------------------------


def test_an_entry_is_named_by_its_label_else_source_else_id():
    assert entry_label({"label": "team", "source": "manual", "id": "a1"}) == "team"
    assert entry_label({"label": "", "source": "env:X", "id": "a1"}) == "env:X"
    assert entry_label({"source": "", "id": "a1"}) == "a1"
    assert entry_label({"id": 7}) == "7"
    assert entry_label({}) == "(unnamed)"
    assert entry_label(["not", "an", "entry"]) == "(not an object)"


# -- config.yaml: one item of a nested list (plugins.enabled) ----------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("plugins:\n  enabled:\n    [a, b]\n", "plugins:\n  enabled:\n    [a, b, setup-pools]\n"),
        ("plugins:\n  enabled: [ ]\n", "plugins:\n  enabled: [setup-pools ]\n"),
        ("plugins:\n  enabled: []\n", "plugins:\n  enabled: [setup-pools]\n"),
        ("plugins:\n  enabled:\n  - a\n  -   b\n", "plugins:\n  enabled:\n  - a\n  -   b\n  - setup-pools\n"),
        ("plugins:\n  enabled:\n  - a\n  - !!str b\n", "plugins:\n  enabled:\n  - a\n  - !!str b\n  - setup-pools\n"),
        ("plugins: {enabled: [a]}\n", "plugins: {enabled: [a, setup-pools]}\n"),
        ("plugins: {}\n", "plugins: {enabled: [setup-pools]}\n"),
        ("plugins:\n  other: 1", "plugins:\n  other: 1\n  enabled:\n  - setup-pools\n"),
        ("plugins:\n    other: 1\nx: 2\n", "plugins:\n    other: 1\n    enabled:\n    - setup-pools\nx: 2\n"),
        ("x: 1", "x: 1\nplugins:\n  enabled:\n  - setup-pools\n"),
        ("", "plugins:\n  enabled:\n  - setup-pools\n"),
        ("plugins: null\nx: 1\n", "plugins:\n  enabled:\n  - setup-pools\nx: 1\n"),
        ("plugins:   \nx: 1\n", "plugins:   \n  enabled:\n  - setup-pools\nx: 1\n"),
        ("plugins:\n  enabled:\n", "plugins:\n  enabled: [setup-pools]\n"),
        ("plugins:\n  enabled: ~ # none\n", "plugins:\n  enabled: [setup-pools] # none\n"),
        ("plugins:\r\n  other: 1\r\n", "plugins:\r\n  other: 1\r\n  enabled:\r\n  - setup-pools\r\n"),
    ],
)
def test_an_item_is_added_to_a_nested_list_in_every_layout(before, after):
    assert add_item_text(before, "plugins", "enabled", "setup-pools") == after
    assert yaml.safe_load(after)["plugins"]["enabled"][-1] == "setup-pools"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[1]\n", "the top level is not a block mapping"),
        ("{plugins: {}}\n", "the top level is not a block mapping"),
        ("plugins: x\n", "plugins is not a mapping"),
        ("a: &p {enabled: [x]}\nplugins: *p\n", "plugins is shared with another key through a YAML anchor (&)"),
        ("plugins:\n  enabled: &e [x]\n  disabled: *e\n",
         "plugins.enabled is shared with another key through a YAML anchor (&)"),
        ("plugins:\n  enabled: 3\n", "plugins.enabled is not a list"),
        ("plugins:\n  enabled:\n  - [a]\n", "plugins.enabled holds something other than names"),
    ],
)
def test_layouts_an_item_is_not_added_to_are_refused_with_the_reason(text, reason):
    with pytest.raises(LayoutError) as refused:
        add_item_text(text, "plugins", "enabled", "setup-pools")
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("plugins:\n  enabled: [setup-pools]\n", "plugins:\n  enabled: []\n"),
        ("plugins:\n  enabled: [a, setup-pools, b]\n", "plugins:\n  enabled: [a, b]\n"),
        ("plugins:\n  enabled: [setup-pools, b]\n", "plugins:\n  enabled: [b]\n"),
        ("plugins:\n  enabled: [1, setup-pools]\n", "plugins:\n  enabled: [1]\n"),
        ("plugins:\n  enabled:\n  - setup-pools\n", "plugins:\n  enabled: []\n"),
        ("plugins:\n  enabled:\n  - setup-pools\nx: 1\n", "plugins:\n  enabled: []\nx: 1\n"),
        ("plugins:\n  enabled:\n  - a\n  - setup-pools\n", "plugins:\n  enabled:\n  - a\n"),
        ("plugins:\n  enabled:\n  - setup-pools\n  - a\n", "plugins:\n  enabled:\n  - a\n"),
        ("plugins:\n  enabled: \n    - setup-pools\n", "plugins:\n  enabled: [] \n"),
    ],
)
def test_an_item_is_removed_from_a_nested_list_in_every_layout(before, after):
    assert remove_item_text(before, "plugins", "enabled", "setup-pools") == after


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x: 1\n", "plugins is not a mapping"),
        ("", "plugins is not a mapping"),
        ("plugins: x\n", "plugins is not a mapping"),
        ("plugins:\n  other: [setup-pools]\n", "plugins.enabled is not a list"),
        ("plugins:\n  enabled: 3\n", "plugins.enabled is not a list"),
        ("plugins:\n  enabled: [a]\n", "setup-pools is not in plugins.enabled"),
        ("plugins:\n  enabled: [!!binary c2V0dXAtcG9vbHM=]\n", "setup-pools is not in plugins.enabled"),
        ("plugins:\n  enabled: &e [setup-pools]\n  disabled: *e\n",
         "plugins.enabled is shared with another key through a YAML anchor (&)"),
    ],
)
def test_layouts_an_item_is_not_removed_from_are_refused_with_the_reason(text, reason):
    with pytest.raises(LayoutError) as refused:
        remove_item_text(text, "plugins", "enabled", "setup-pools")
    assert str(refused.value) == reason


# -- auth.json: read, checked, written ----------------------------------------------------------

FIX = "restore it or move it aside, then retry"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", f"is empty, which Hermes treats as corrupt; {FIX}"),
        (b" \n", f"is empty, which Hermes treats as corrupt; {FIX}"),
        (b'{"x": "\xff"}', f"is not UTF-8 text; {FIX}"),
        (b'{"a": 1,\n "b": }', f"is not valid JSON (line 2, column 7: Expecting value); {FIX}"),
        (b"[1]", "holds a JSON list, expected an object"),
        (b"3", "holds a JSON int, expected an object"),
        (b'{"credential_pool": []}', ": credential_pool is a list, expected an object"),
        (b'{"suppressed_sources": "x"}', ": suppressed_sources is a str, expected an object"),
        (b'{"credential_pool": {"openrouter": {}}}', ": credential_pool.openrouter is a dict, expected a list"),
        (b'{"suppressed_sources": {"openrouter": "env:X"}}', ": suppressed_sources.openrouter is a str, expected a list"),
    ],
)
def test_auth_json_that_hermes_could_not_use_is_refused_naming_the_problem(hermes_home, content, problem):
    path = hermes_home / "auth.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as refused:
        load_auth(hermes_home, "openrouter")
    assert str(refused.value) == f"{path}{'' if problem.startswith(':') else ' '}{problem}"


def test_other_pools_are_not_checked_and_a_missing_file_reads_as_none(hermes_home):
    assert load_auth(hermes_home) is None
    (hermes_home / "auth.json").write_text('{"credential_pool": {"other": {}, "openrouter": null}, '
                                           '"suppressed_sources": {"openrouter": null}}')
    assert load_auth(hermes_home, "openrouter") == {"credential_pool": {"other": {}, "openrouter": None},
                                                     "suppressed_sources": {"openrouter": None}}


def test_pool_entries_and_suppressed_sources_tolerate_every_shape():
    data = {"credential_pool": {"a": [1, {"x": 2}], "b": {"x": 1}}, "suppressed_sources": {"a": ["env:X", 3], "b": "y"}}
    assert pool_entries(data, "a") == [1, {"x": 2}] and pool_entries(data, "a") is not data["credential_pool"]["a"]
    assert pool_entries(data, "b") == [] and pool_entries(data, "c") == [] and pool_entries(None, "a") == []
    assert pool_entries({"credential_pool": None}, "a") == []
    assert suppressed_sources(data, "a") == ["env:X", "3"] and suppressed_sources(data, "b") == []
    assert suppressed_sources({"suppressed_sources": ["x"]}, "a") == [] and suppressed_sources(None, "a") == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (["x"], "entry #2 is a JSON list, not an object; Hermes cannot load this pool. Fix it by hand (or "
                "`hermes-setup-pools doctor`); nothing was written"),
        ({"label": "b", "priority": "1"}, "entry #2 ('b') has priority '1', not a number; Hermes cannot load this pool. "
                                          "Fix it with `hermes-setup-pools doctor --fix`; nothing was written"),
        ({"label": 5, "priority": 1}, "entry #2 ('5') has a label that is not text; `hermes auth list` would crash on "
                                      "it. Fix it by hand; nothing was written"),
    ],
)
def test_a_pool_hermes_could_not_load_is_refused_naming_the_entry(hermes_home, entry, problem):
    path = hermes_home / "auth.json"
    with pytest.raises(StoreError) as refused:
        check_pool_loadable([{"label": "a", "priority": 0}, entry], path, "openrouter")
    assert str(refused.value) == f"{path}: credential_pool.openrouter {problem}"
    check_pool_loadable([{"label": "a"}, {"priority": 1.5}, {"label": "c", "priority": True}], path, "openrouter")


class _Edit:
    def __init__(self, entries, suppressed, changed=True):
        self.entries, self.suppressed, self.changed = entries, suppressed, changed


def test_update_pool_writes_only_that_pool_and_only_when_changed(hermes_home):
    import json

    path = hermes_home / "auth.json"
    seen = []
    result = update_pool(hermes_home, "openrouter", lambda e, s: seen.append((e, s)) or _Edit([{"id": "a"}], []))
    assert seen == [([], [])] and result.entries == [{"id": "a"}]
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["providers"] == {} and data["credential_pool"] == {"openrouter": [{"id": "a"}]}
    assert "suppressed_sources" not in data and data["updated_at"].endswith("+00:00")
    assert path.read_text().startswith('{\n  "version": 1,\n') and path.read_text().endswith("}\n")
    assert (path.stat().st_mode & 0o777) == 0o600

    before = path.read_bytes()
    update_pool(hermes_home, "openrouter", lambda e, s: _Edit([], ["env:X"], changed=False))
    assert path.read_bytes() == before

    update_pool(hermes_home, "openrouter", lambda e, s: _Edit(e, [*s, "env:X"]))
    assert json.loads(path.read_text())["suppressed_sources"] == {"openrouter": ["env:X"]}
    seen.clear()
    update_pool(hermes_home, "openrouter", lambda e, s: seen.append((e, s)) or _Edit([*e, {"id": "b"}], s))
    assert seen == [([{"id": "a"}], ["env:X"])]
    assert json.loads(path.read_text())["credential_pool"]["openrouter"] == [{"id": "a"}, {"id": "b"}]


def test_update_pool_refuses_a_pool_hermes_could_not_load_unless_repairing(hermes_home):
    import json

    path = hermes_home / "auth.json"
    path.write_text(json.dumps({"credential_pool": {"openrouter": [{"priority": "x"}]}}))
    with pytest.raises(StoreError, match="has priority 'x', not a number"):
        update_pool(hermes_home, "openrouter", _Edit)
    update_pool(hermes_home, "openrouter", lambda e, s: _Edit([{"priority": 0}], s), require_loadable=False)
    assert json.loads(path.read_text())["credential_pool"]["openrouter"] == [{"priority": 0}]


# -- file safety, locks, the home checked before the first question -----------------------------


def test_read_bytes_says_what_is_wrong_with_a_path(tmp_path):
    assert read_bytes(tmp_path / "missing") is None
    (tmp_path / "file").write_bytes(b"x")
    assert read_bytes(tmp_path / "file") == b"x"
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(StoreError) as refused:
        read_bytes(tmp_path / "link")
    assert str(refused.value) == f"{tmp_path / 'link'} is a symbolic link to a missing file; fix or remove the link"
    with pytest.raises(StoreError) as refused:
        read_bytes(tmp_path)
    assert str(refused.value) == f"{tmp_path} is a directory, not a file"


def test_a_new_home_and_its_missing_parents_are_private(tmp_path):
    home = tmp_path / "a" / "b" / ".hermes"
    assert existing_ancestor(home) == tmp_path
    make_home(home)
    assert home.is_dir() and existing_ancestor(home) == home
    assert [(p.stat().st_mode & 0o777) for p in (tmp_path / "a", tmp_path / "a" / "b", home)] == [0o700] * 3
    make_home(home)  # already there: nothing to do
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match=r"^cannot create .*/file/home: "):
        make_home(tmp_path / "file" / "home")


def test_write_atomic_replaces_the_file_with_its_exact_mode_through_a_link(tmp_path):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    pieces = ["x" * 10] * 70_000  # more pieces than one batch
    write_atomic(link, iter(pieces), 0o640)
    assert link.is_symlink() and real.read_text() == "x" * 700_000
    assert (real.stat().st_mode & 0o777) == 0o640
    write_atomic(tmp_path / "new", b"bytes", 0o600)
    assert (tmp_path / "new").read_bytes() == b"bytes" and (tmp_path / "new").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "new", "real.json"]


def test_a_failed_replace_leaves_the_file_and_no_temporary_copy(tmp_path, monkeypatch):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    target = tmp_path / "auth.json"
    target.write_text("old")

    def refuse(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreError) as refused:
        write_atomic(target, b"new", 0o600)
    assert str(refused.value) == f"cannot write {target}: No space left on device; it was left as it was"
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["auth.json"]


def test_leftovers_of_killed_writers_are_removed_and_nothing_else(hermes_home):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead = int(gone.stdout)
    # a live writer (another process: a check that signalled this one would end the test run itself)
    alive = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
                              "print(1, flush=True); time.sleep(30)"], stdout=subprocess.PIPE)
    try:
        alive.stdout.readline()
        files = {
            "auth.json.tmp.1.abc": True,  # any auth.json temporary: every writer holds the lock while it exists
            f"config.yaml.tmp.{dead}.0123456789abcdef": True,  # ours, its process gone
            f"config.yaml.tmp.{alive.pid}.0123456789abcdef": False,  # ours, its process alive
            "config.yaml.tmp.other": False,  # not our pattern
            "config.yaml": False,
        }
        for name in files:
            (hermes_home / name).write_text("k")
        removed = remove_leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml")
        assert sorted(removed) == sorted(name for name, gone in files.items() if gone)
        assert sorted(p.name for p in hermes_home.iterdir() if p.name != "auth.lock") == sorted(
            name for name, gone in files.items() if not gone)
        assert remove_leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml") == []
    finally:
        alive.kill()
        alive.wait()


def test_a_home_that_is_not_a_directory_is_refused_before_anything_is_asked(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError) as refused:
        check_home(tmp_path / "file" / "home", [])
    assert str(refused.value) == f"{tmp_path / 'file'} is not a directory, so {tmp_path / 'file' / 'home'} cannot be a " \
                                 "Hermes home"
    check_home(tmp_path / "new" / "home", [tmp_path / "new" / "home" / "auth.json"])  # nothing there yet: fine


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_a_link_into_another_users_file_is_refused(hermes_home, tmp_path):
    other = tmp_path / "other.json"
    other.write_text("{}")
    os.chown(other, 12345, 12345)
    (hermes_home / "auth.json").symlink_to(other)
    with pytest.raises(StoreError, match=r"auth\.json is a symbolic link to .*other\.json, which belongs to uid 12345, "
                                         r"not to the owner of .* \(root\); refusing to write through it"):
        check_home(hermes_home, [hermes_home / "auth.json"])


def test_a_lock_held_elsewhere_times_out_naming_the_holder(hermes_home):
    path = lock_path(hermes_home)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError) as refused, file_lock(hermes_home, path, 0.12, "the test"):
            pass
        assert str(refused.value) == (f"timed out after 0.12 s waiting for {path}: the test holds the lock; retry "
                                      "when it has finished")
    finally:
        os.close(fd)
    with file_lock(hermes_home, path, 0.12):
        pass


def test_a_symlinked_lock_file_is_refused(hermes_home, tmp_path):
    (hermes_home / "auth.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(StoreError) as refused, auth_lock(hermes_home):
        pass
    assert str(refused.value) == (f"{hermes_home / 'auth.lock'} is a symbolic link; refusing to follow it (remove the "
                                  "link and retry)")
    assert not (tmp_path / "elsewhere").exists()


def test_inside_hermes_own_locked_section_the_lock_is_joined(hermes_home, monkeypatch):
    key = str((hermes_home / "auth.json").resolve(strict=False))
    module = types.ModuleType("hermes_cli.auth")
    module._auth_target_lock_holders = {key: types.SimpleNamespace(depth=1)}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hermes_cli.auth", module)
    assert held_by_hermes_here(hermes_home)
    fd = os.open(lock_path(hermes_home), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held "by Hermes": joining must not wait for it
    try:
        with auth_lock(hermes_home, timeout=0.05):
            pass
    finally:
        os.close(fd)
    module._auth_target_lock_holders = {key: types.SimpleNamespace(depth=0)}  # type: ignore[attr-defined]
    assert not held_by_hermes_here(hermes_home)
    module._auth_target_lock_holders = {"elsewhere": types.SimpleNamespace(depth=1)}  # type: ignore[attr-defined]
    assert not held_by_hermes_here(hermes_home)
    module._auth_target_lock_holders = None  # type: ignore[attr-defined]
    assert not held_by_hermes_here(hermes_home)


# -- edges found by the mutation run ---------------------------------------------------------------



def test_a_yaml_error_without_a_position_is_named_by_its_kind(hermes_home):
    (hermes_home / "config.yaml").write_text("a: \x07\n")
    with pytest.raises(StoreError) as refused:
        load_config(hermes_home)
    assert str(refused.value) == f"{hermes_home / 'config.yaml'} is not valid YAML: ReaderError; fix it and retry"


def test_a_tab_before_a_comment_is_read_as_hermes_reads_it():
    text = "api_key: abcdefghij\t# note\n"
    assert edit_path_text(text, ("credential_pool_strategies", "openrouter"), "v") == (
        text + "credential_pool_strategies:\n  openrouter: v\n")
    assert render_config(text) == 'api_key: "…ij"\t# note\n'


def test_more_layouts_of_the_splice():
    path = ("credential_pool_strategies", "openrouter")
    # after a block scalar, which ends with its own newline
    assert edit_path_text("credential_pool_strategies:\n  a: |\n    text\nx: 1\n", path, "v") == (
        "credential_pool_strategies:\n  a: |\n    text\n  openrouter: v\nx: 1\n")
    # a new top-level block goes after trailing comments, at the very end
    assert edit_path_text("x: 1\n# trailing comment\n", path, "v") == (
        "x: 1\n# trailing comment\ncredential_pool_strategies:\n  openrouter: v\n")
    assert edit_path_text("# c", path, "v") == "# c\ncredential_pool_strategies:\n  openrouter: v\n"
    assert edit_path_text("a: 1\ncredential_pool_strategies: ~ # c\n", path, "v") == (
        "a: 1\ncredential_pool_strategies:  # c\n  openrouter: v\n")
    with pytest.raises(LayoutError, match=r"^a nested value would have to go inside a flow mapping"):
        edit_path_text("secrets: {}\n", ("secrets", "a", "b"), "v")
    with pytest.raises(LayoutError, match=r"^credential_pool_strategies is not a mapping$"):
        edit_path_text("credential_pool_strategies: x\n", path, "v")
    with pytest.raises(LayoutError, match=r"^empty path$"):
        edit_path_text("a: 1\n", (), "v")


def test_line_end_and_references():
    assert line_end("\nab", 0) == 1 and line_end("ab\ncd", 1) == 3 and line_end("abc", 1) == 3
    root = yaml.compose("a: &x {b: &y 1}\nc: *x\nd: *y\n", Loader=LOADER)
    x, y = root.value[0][1], root.value[0][1].value[0][1]
    assert references(root, x) == 2 and references(root, y) == 2  # y: inside x (counted once) and d
    later = yaml.compose("z: &t {k: v}\nw: *t\nx: &s 1\ny: *s\n", Loader=LOADER)
    assert references(later, later.value[0][1]) == 2
    with pytest.raises(LayoutError, match=r"^z is shared with another key through a YAML anchor"):
        edit_path_text("z: &t {k: v}\nw: *t\nx: &s 1\ny: *s\n", ("z", "k"), "u")


def test_planned_edits_name_the_path_and_never_change_what_was_read(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("credential_pool_strategies: round_robin\n")
    with pytest.raises(StoreError, match=r"credential_pool_strategies is a str, expected a mapping$"):
        plan_nested_edit(load_config(hermes_home), "credential_pool_strategies", "openrouter", "random")
    path.write_text("a: [1]\n")
    with pytest.raises(StoreError) as refused:
        plan_path_edit(load_config(hermes_home), ("a", "b"), "v")
    assert str(refused.value) == f"{path}: a is not a mapping; nothing was written. Set it by hand: a.b = v"
    path.write_text("secrets:\n  onepassword:\n    env:\n      X: op://a/b/c\n")
    config = load_config(hermes_home)
    deep = ("secrets", "onepassword", "env", "X")
    assert plan_path_edit(config, deep, "op://a/b/c") is None
    assert set_config_path(hermes_home, deep, "op://a/b/c") is False
    assert plan_path_edit(config, deep, "op://a/b/d") is not None
    assert config.data == {"secrets": {"onepassword": {"env": {"X": "op://a/b/c"}}}}  # the plan changed nothing


def test_a_byte_order_mark_is_kept_when_config_yaml_is_written(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_bytes(b"\xef\xbb\xbfx: 1\n")
    assert write_strategy(hermes_home, "openrouter", "random") is True
    assert path.read_bytes() == b"\xef\xbb\xbfx: 1\ncredential_pool_strategies:\n  openrouter: random\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files for another user")
def test_files_created_in_a_home_belong_to_its_owner(hermes_home):
    os.chown(hermes_home, 12345, 12345)
    write_strategy(hermes_home, "openrouter", "random")
    add_to_dotenv(hermes_home, [("A", "1")])
    assert {(hermes_home / name).stat().st_uid for name in ("config.yaml", ".env", ".env.lock", "auth.lock")} == {12345}


def test_more_dotenv_quoting(hermes_home):
    (hermes_home / ".env").write_text("A='x #y' # c\nB=\"\" # c\nC=\"z\"#c\nD=''\nE='it\n")
    assert read_dotenv(hermes_home) == {"A": "x #y", "B": "", "C": "z", "D": "", "E": "'it"}


def test_a_dotenv_ending_in_a_carriage_return_gets_no_extra_line_end(hermes_home):
    (hermes_home / ".env").write_bytes(b"A=1\r")
    add_to_dotenv(hermes_home, [("B", "2")])
    assert (hermes_home / ".env").read_bytes() == b"A=1\rB=2\n"


def test_dotenv_is_written_under_hermes_own_lock_and_says_who_holds_it(hermes_home, monkeypatch):
    from hermes_setup_pools.store import lock

    fd = os.open(hermes_home / ".env.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    clock = iter(range(0, 10_000, 20))
    monkeypatch.setattr(lock.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(lock.time, "sleep", lambda _s: None)
    try:
        with pytest.raises(StoreError) as refused:
            add_to_dotenv(hermes_home, [("A", "1")])
    finally:
        os.close(fd)
    assert str(refused.value) == (f"timed out after 15 s waiting for {hermes_home / '.env.lock'}: another Hermes "
                                  "process writing .env holds the lock; retry when it has finished")
    assert not (hermes_home / ".env").exists()


def test_user_names_and_the_messages_that_use_them(tmp_path, monkeypatch):
    assert user_name(0) == "root"
    assert user_name(4_000_000) == "uid 4000000"
    assert preflight._not_yours(tmp_path, 0) == (f"{tmp_path} belongs to root, and files written now would not; run "
                                                 "this as root (for example `sudo -u root hermes-setup-pools …`) or as root")
    assert preflight._why_not_writable(tmp_path) == "permission denied"


def test_a_leftover_that_cannot_be_removed_stops_the_run(hermes_home, monkeypatch):
    from pathlib import Path

    leftover = hermes_home / "auth.json.tmp.1.abc"
    leftover.write_text("k")

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(StoreError) as refused:
        remove_leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml")
    assert str(refused.value) == f"cannot remove the leftover {leftover} (it may hold a key): Permission denied"


def test_dotenv_edge_lines(hermes_home):
    (hermes_home / ".env").write_bytes(b"\xef\xbb\xbfA=1\n#B=2\n# C=3\nEQ=a=b\nBAD=\xff\n")  # a BOM, a stray byte
    assert read_dotenv(hermes_home) == {"A": "1", "EQ": "a=b", "BAD": "\ufffd"}


def test_an_entry_fingerprint_comes_from_its_key_or_a_stored_sha256_only():
    from hermes_setup_pools.keys.fingerprint import fingerprint
    from hermes_setup_pools.store.entries import entry_fingerprint

    assert entry_fingerprint({"access_token": "abc", "secret_fingerprint": "sha256:x"}) == fingerprint("abc")
    assert entry_fingerprint({"access_token": 5, "secret_fingerprint": "sha256:x"}) == "sha256:x"
    assert entry_fingerprint({"access_token": "", "secret_fingerprint": "md5:x"}) is None
    assert entry_fingerprint({"secret_fingerprint": 7}) is None and entry_fingerprint("x") is None


# -- the atomic write, closely ---------------------------------------------------------------------

import re  # noqa: E402


def test_the_temporary_copy_is_private_from_its_creation_and_named_as_leftovers_are_recognised(tmp_path, monkeypatch):
    seen = []
    real_fchmod = os.fchmod

    def fchmod(fd, mode):
        seen.append((os.fstat(fd).st_mode & 0o777, os.readlink(f"/proc/self/fd/{fd}")))
        real_fchmod(fd, mode)

    monkeypatch.setattr(os, "fchmod", fchmod)
    write_atomic(tmp_path / "config.yaml", b"x: 1\n", 0o644)
    [(mode, name)] = seen
    assert mode == 0o600  # never readable by others, even while the key is being written
    assert re.fullmatch(rf"{re.escape(str(tmp_path))}/config\.yaml\.tmp\.{os.getpid()}\.[0-9a-f]{{16}}", name)
    assert (tmp_path / "config.yaml").stat().st_mode & 0o777 == 0o644


def test_a_path_planted_where_the_temporary_copy_goes_is_never_written_through(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.write_text("untouched")
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: b"\x01" * 8 if n == 8 else real(n))
    (tmp_path / f"auth.json.tmp.{os.getpid()}.{'01' * 8}").symlink_to(outside)
    with pytest.raises(StoreError, match=r"^cannot write .*auth\.json: File exists$"):
        write_atomic(tmp_path / "auth.json", b"{}", 0o600)
    assert outside.read_text() == "untouched" and not (tmp_path / "auth.json").exists()


def test_short_writes_are_continued(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:1000])))
    write_atomic(tmp_path / "big", b"y" * 5000, 0o600)
    assert (tmp_path / "big").read_bytes() == b"y" * 5000


@pytest.mark.parametrize("where", ["stat", "open"])
def test_a_file_that_cannot_be_written_is_named_with_the_reason(tmp_path, monkeypatch, where):
    target = tmp_path / "auth.json"
    target.write_text("{}")
    real = getattr(os, where)

    def refuse(path, *args, **kwargs):
        if str(path).startswith(str(target)):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, where, refuse)
    with pytest.raises(StoreError) as refused:
        write_atomic(target, b"new", 0o600)
    assert str(refused.value) == f"cannot write {target}: Permission denied"


def test_a_file_that_cannot_be_read_is_named_with_the_reason(tmp_path, monkeypatch):
    from pathlib import Path

    def refuse(self):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(StoreError) as refused:
        read_bytes(tmp_path / "x")
    assert str(refused.value) == f"cannot read {tmp_path / 'x'}: Input/output error"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files for another user")
def test_a_replaced_file_keeps_its_owner_and_a_new_auth_json_belongs_to_the_home(hermes_home):
    update_pool(hermes_home, "openrouter", lambda e, s: _Edit([{"id": "a"}], s))
    assert (hermes_home / "auth.json").stat().st_uid == 0
    os.chown(hermes_home / "auth.json", 12345, 12345)
    update_pool(hermes_home, "openrouter", lambda e, s: _Edit([{"id": "b"}], s))
    assert (hermes_home / "auth.json").stat().st_uid == 12345
    other = hermes_home / "other"
    other.mkdir()
    os.chown(other, 23456, 23456)
    update_pool(other, "openrouter", lambda e, s: _Edit([{"id": "a"}], s))
    assert (other / "auth.json").stat().st_uid == 23456


def test_config_yaml_that_is_not_utf8_is_refused(hermes_home):
    (hermes_home / "config.yaml").write_bytes(b"a: \xff\n")
    with pytest.raises(StoreError) as refused:
        load_config(hermes_home)
    assert str(refused.value) == f"{hermes_home / 'config.yaml'} is not UTF-8 text"
    (hermes_home / "config.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    config = load_config(hermes_home)
    assert config.bom is True and config.text == "a: 1\n" and config.data == {"a": 1}


def test_an_item_is_added_under_a_parent_key_on_the_last_line_without_a_newline():
    assert add_item_text("plugins:", "plugins", "enabled", "setup-pools") == "plugins:\n  enabled:\n  - setup-pools\n"
    assert add_item_text("x: 1\nplugins: # c", "plugins", "enabled", "setup-pools") == (
        "x: 1\nplugins: # c\n  enabled:\n  - setup-pools\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to another user")
def test_a_user_may_only_write_a_home_and_files_that_are_its_own(hermes_home, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 12345)
    with pytest.raises(StoreError) as refused:
        check_home(hermes_home, [])
    assert str(refused.value) == (f"{hermes_home} belongs to root, and files written now would not; run this as root "
                                  "(for example `sudo -u root hermes-setup-pools …`) or as root")
    os.chown(hermes_home, 12345, 12345)
    auth = hermes_home / "auth.json"
    auth.write_text("{}")
    with pytest.raises(StoreError) as refused:
        check_home(hermes_home, [auth])
    assert str(refused.value).startswith(f"{auth} belongs to root, and files written now would not")
    os.chown(auth, 12345, 12345)
    check_home(hermes_home, [auth, hermes_home / "config.yaml"])


@pytest.mark.parametrize(
    ("denied", "message"),
    [
        ("home-write", "cannot write in {home}: permission denied"),
        ("file-read", "cannot read {file}: permission denied"),
        ("file-write", "cannot replace {file}: permission denied"),
        ("dir-write", "cannot replace {file}: permission denied"),
    ],
)
def test_what_cannot_be_read_or_replaced_is_named_before_the_first_question(hermes_home, tmp_path, monkeypatch, denied,
                                                                             message):
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    real = elsewhere / "auth.json"
    real.write_text("{}")
    link = hermes_home / "auth.json"
    link.symlink_to(real)
    checks = {"home-write": (hermes_home, os.W_OK | os.X_OK), "file-read": (real, os.R_OK),
              "file-write": (real, os.W_OK), "dir-write": (elsewhere, os.W_OK | os.X_OK)}
    path, mode = checks[denied]
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if (str(p), m) == (str(path), mode) else real_access(p, m))
    with pytest.raises(StoreError) as refused:
        check_home(hermes_home, [link])
    assert str(refused.value) == message.format(home=hermes_home, file=real)


# -- a second mutation run: locks, ownership, signals, and what a refusal says ----------------------

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to other users and to run as one")
USER, GROUP, OTHER_GROUP = 12345, 23456, 34567


@pytest.fixture
def shared(tmp_path):
    """A directory another user can reach (tmp_path's parents are root's alone), owned by USER:GROUP."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="hsp-mutants-"))
    os.chmod(path, 0o755)
    os.chown(path, USER, GROUP)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def as_user(action, uid=USER, gid=OTHER_GROUP) -> str:
    """Run ``action()`` in a forked copy of this process (the same, possibly mutated, code)
    as a user that is not root; returns ``ok`` or the exception it raised as ``Name: message``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            result = action()
            message = "ok" if result is None else f"ok: {result!r}"
        except BaseException as exc:  # everything goes back to the parent
            message = f"{type(exc).__name__}: {exc}"
        os.write(write_end, message.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def test_without_hermes_loaded_or_its_holder_table_the_lock_is_taken_normally(hermes_home, monkeypatch):
    monkeypatch.delitem(sys.modules, "hermes_cli.auth", raising=False)
    assert held_by_hermes_here(hermes_home) is False
    renamed = types.ModuleType("hermes_cli.auth")  # a Hermes release that renamed its private table
    monkeypatch.setitem(sys.modules, "hermes_cli.auth", renamed)
    assert held_by_hermes_here(hermes_home) is False
    with auth_lock(hermes_home, timeout=0.05):
        assert (hermes_home / "auth.lock").exists()


def test_a_busy_auth_lock_names_hermes_as_the_holder(hermes_home):
    fd = os.open(lock_path(hermes_home), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError) as refused, auth_lock(hermes_home, timeout=0.05):
            pass
    finally:
        os.close(fd)
    assert str(refused.value) == (f"timed out after 0.05 s waiting for {hermes_home / 'auth.lock'}: another Hermes "
                                  "process (a running gateway or hermes command) holds the lock; retry when it has "
                                  "finished")


def test_a_new_lock_file_is_private(hermes_home):
    with auth_lock(hermes_home):
        pass
    with file_lock(hermes_home, hermes_home / ".env.lock"):
        pass
    assert [(hermes_home / name).stat().st_mode & 0o777 for name in ("auth.lock", ".env.lock")] == [0o600, 0o600]


def test_a_lock_file_linked_away_after_the_check_is_still_not_followed(hermes_home, tmp_path, monkeypatch):
    from hermes_setup_pools.store import lock

    victim = tmp_path / "elsewhere.lock"
    path = hermes_home / "auth.lock"
    real_make_home = lock.make_home

    def plant_a_link(home):  # another process wins the race between the check and the open
        real_make_home(home)
        path.symlink_to(victim)

    monkeypatch.setattr(lock, "make_home", plant_a_link)
    with pytest.raises(StoreError) as refused, file_lock(hermes_home, path):
        pass
    assert str(refused.value) == f"{path} is a symbolic link; refusing to follow it (remove the link and retry)"
    assert not victim.exists()


def test_a_lock_file_that_cannot_be_opened_is_named_with_the_reason(hermes_home):
    (hermes_home / "auth.lock").mkdir()
    with pytest.raises(StoreError) as refused, auth_lock(hermes_home):
        pass
    assert str(refused.value) == f"cannot open {hermes_home / 'auth.lock'}: Is a directory"


@ROOT_ONLY
def test_a_lock_file_is_given_to_the_home_owner_only_when_it_is_not_theirs(hermes_home):
    os.chown(hermes_home, USER, GROUP)
    with auth_lock(hermes_home):  # created by root: given to the home's owner
        pass
    created = (hermes_home / "auth.lock").stat()
    assert (created.st_uid, created.st_gid) == (USER, GROUP)
    env_lock = hermes_home / ".env.lock"
    env_lock.write_text("")
    os.chown(env_lock, USER, OTHER_GROUP)  # the owner's already, in a group of their choosing: left alone
    with file_lock(hermes_home, env_lock):
        pass
    kept = env_lock.stat()
    assert (kept.st_uid, kept.st_gid) == (USER, OTHER_GROUP)


def test_a_lock_gives_up_the_moment_its_time_is_up(hermes_home, monkeypatch):
    from hermes_setup_pools.store import lock

    fd = os.open(lock_path(hermes_home), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    clock = iter([100.0, 115.0, 130.0])
    slept = []
    monkeypatch.setattr(lock.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(lock.time, "sleep", slept.append)
    try:
        with pytest.raises(StoreError, match=r"^timed out after 15 s waiting for "), auth_lock(hermes_home):
            pass
    finally:
        os.close(fd)
    assert slept == []  # 15 s after the start is the deadline itself: no further poll


@ROOT_ONLY
def test_root_may_check_and_write_a_home_and_files_that_belong_to_a_user(hermes_home, tmp_path):
    os.chown(hermes_home, USER, GROUP)
    auth = hermes_home / "auth.json"
    auth.write_text("{}")
    os.chown(auth, USER, GROUP)
    dotfile = tmp_path / "dotfiles-config.yaml"
    dotfile.write_text("x: 1\n")
    os.chown(dotfile, USER, GROUP)  # a link into the owner's own files is written through
    (hermes_home / "config.yaml").symlink_to(dotfile)
    check_home(hermes_home, [auth, hermes_home / "config.yaml"])


@ROOT_ONLY
def test_every_file_is_checked_even_after_one_that_does_not_exist_yet(hermes_home, tmp_path):
    other = tmp_path / "other.json"
    other.write_text("{}")
    os.chown(other, USER, GROUP)
    (hermes_home / "auth.json").symlink_to(other)
    with pytest.raises(StoreError, match=r"auth\.json is a symbolic link to .*other\.json, which belongs to uid 12345"):
        check_home(hermes_home, [hermes_home / "config.yaml", hermes_home / "auth.json"])


def test_a_read_only_file_system_is_named_as_the_reason(hermes_home, monkeypatch):
    real_statvfs, real_access = os.statvfs, os.access

    def statvfs(path):
        result = real_statvfs(path)
        return types.SimpleNamespace(f_flag=result.f_flag | os.ST_RDONLY) if str(path) == str(hermes_home) else result

    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(os, "access", lambda p, m: str(p) != str(hermes_home) and real_access(p, m))
    with pytest.raises(StoreError) as refused:
        check_home(hermes_home, [])
    assert str(refused.value) == f"cannot write in {hermes_home}: the file system is read-only"


def test_every_leftover_removed_is_reported(hermes_home):
    for name in ("auth.json.tmp.1.abc", "auth.json.tmp.2.def"):
        (hermes_home / name).write_text("k")
    removed = remove_leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml")
    assert sorted(removed) == ["auth.json.tmp.1.abc", "auth.json.tmp.2.def"]


def test_asking_whether_a_writer_is_alive_sends_it_no_signal(hermes_home):
    alive = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
                              "signal.signal(signal.SIGINT, signal.SIG_DFL); print(1, flush=True); time.sleep(30)"],
                             stdout=subprocess.PIPE)
    try:
        alive.stdout.readline()  # its handlers are in place
        leftover = hermes_home / f"config.yaml.tmp.{alive.pid}.0123456789abcdef"
        leftover.write_text("k")
        assert remove_leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml") == []
        with pytest.raises(subprocess.TimeoutExpired):
            alive.wait(timeout=0.2)
        assert leftover.exists()
    finally:
        alive.kill()
        alive.wait()


@ROOT_ONLY
def test_a_leftover_of_another_users_live_process_is_kept(shared):
    leftover = shared / "config.yaml.tmp.1.0123456789abcdef"  # process 1 runs, as root: not ours to signal
    leftover.write_text("k")
    os.chown(leftover, USER, GROUP)
    assert remove_leftovers(shared, shared / "auth.json", shared / "config.yaml") == []  # as root
    assert as_user(lambda: remove_leftovers(shared, shared / "auth.json", shared / "config.yaml")) == "ok: []"
    assert leftover.exists()


@ROOT_ONLY
def test_a_home_made_by_root_belongs_to_the_owner_of_the_directory_it_is_made_in(shared):
    home = shared / "a" / ".hermes"
    make_home(home)
    assert [(p.stat().st_uid, p.stat().st_gid) for p in (shared / "a", home)] == [(USER, GROUP)] * 2


@ROOT_ONLY
def test_a_link_planted_where_the_home_is_being_made_is_not_followed(shared, tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    victim.mkdir()
    home = shared / ".hermes"
    real_mkdir = os.mkdir

    def race(path, mode=0o777, **kwargs):
        if str(path) == str(home):  # another process puts a link there first
            os.symlink(victim, path)
            raise FileExistsError(17, "File exists", str(path))
        return real_mkdir(path, mode, **kwargs)

    monkeypatch.setattr(os, "mkdir", race)
    make_home(home)
    assert (victim.stat().st_uid, victim.stat().st_gid) == (0, 0)
    assert (home.lstat().st_uid, home.lstat().st_gid) == (USER, GROUP)


def test_a_home_made_by_another_run_at_the_same_moment_is_fine(tmp_path, monkeypatch):
    home = tmp_path / "new" / ".hermes"
    real_mkdir = os.mkdir

    def race(path, mode=0o777, **kwargs):
        real_mkdir(path, mode, **kwargs)
        if str(path) == str(home):  # the other run got there first
            raise FileExistsError(17, "File exists", str(path))

    monkeypatch.setattr(os, "mkdir", race)
    make_home(home)
    assert home.is_dir()


def test_a_home_that_cannot_be_made_is_named_with_the_reason(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError) as refused:
        make_home(tmp_path / "file" / "home")
    assert str(refused.value) == f"cannot create {tmp_path / 'file' / 'home'}: Not a directory"


@ROOT_ONLY
def test_a_user_writing_their_own_home_changes_no_owner_or_group(shared):
    write_atomic(shared / "as-root", b"x", 0o600, new_owner=(USER, GROUP))  # root: given to the home's owner
    assert ((shared / "as-root").stat().st_uid, (shared / "as-root").stat().st_gid) == (USER, GROUP)
    # a user outside the home's group: the file keeps the user's own group, and nothing is refused
    assert as_user(lambda: write_atomic(shared / "as-user", b"x", 0o600, new_owner=(USER, GROUP))) == "ok"
    assert ((shared / "as-user").stat().st_uid, (shared / "as-user").stat().st_gid) == (USER, OTHER_GROUP)


def test_text_in_pieces_is_written_while_it_is_produced(tmp_path):
    seen = []

    def pieces():
        for n in range(200_000):
            if n == 150_000:
                seen.append(sum(p.stat().st_size for p in tmp_path.iterdir() if ".tmp." in p.name))
            yield "x"

    write_atomic(tmp_path / "auth.json", pieces(), 0o600)
    assert (tmp_path / "auth.json").read_text() == "x" * 200_000
    assert seen[0] >= 65_536  # the first batches are on disk already: the text never sits in memory whole


def test_signals_that_arrive_during_a_write_are_delivered_when_it_ends():
    import signal

    from hermes_setup_pools.store.files import signals_deferred

    got = []
    previous = signal.signal(signal.SIGHUP, lambda *_: got.append("hup"))
    try:
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGHUP)
            assert got == []  # held back while both files are written
        assert got == ["hup"]
        assert signal.SIGHUP not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:  # unblocked while the test's handler is still there, should a SIGHUP still wait
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGHUP, signal.SIGINT, signal.SIGTERM])
        signal.signal(signal.SIGHUP, previous)


def test_where_signals_cannot_be_held_back_the_write_goes_ahead(monkeypatch):
    from hermes_setup_pools.store import files

    calls = []

    def unavailable(*args):
        calls.append(args)
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(files.signal, "pthread_sigmask", unavailable)
    with files.signals_deferred():
        pass
    assert len(calls) == 1  # tried once; nothing to restore afterwards


def test_update_pool_refuses_a_pool_hermes_could_not_use_and_writes_nothing(hermes_home):
    path = hermes_home / "auth.json"
    for content, problem in [
        ({"credential_pool": {"openrouter": {"id": "a"}}}, f"{path}: credential_pool.openrouter is a dict, expected a list"),
        ({"suppressed_sources": {"openrouter": "env:X"}}, f"{path}: suppressed_sources.openrouter is a str, expected a list"),
        ({"credential_pool": {"openrouter": ["junk"]}},
         f"{path}: credential_pool.openrouter entry #1 is a JSON str, not an object; Hermes cannot load this pool. Fix "
         "it by hand (or `hermes-setup-pools doctor`); nothing was written"),
    ]:
        path.write_text(json.dumps(content))
        with pytest.raises(StoreError) as refused:
            update_pool(hermes_home, "openrouter", lambda e, s: _Edit([{"id": "new"}], s))
        assert str(refused.value) == problem
        assert json.loads(path.read_text()) == content


def test_update_pool_waits_for_the_lock_as_long_as_it_is_told(hermes_home):
    fd = os.open(lock_path(hermes_home), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError, match=r"^timed out after 0\.05 s waiting for "):
            update_pool(hermes_home, "openrouter", lambda e, s: _Edit([{"id": "a"}], s), timeout=0.05)
    finally:
        os.close(fd)


def test_a_circular_structure_is_refused_with_json_own_words():
    from hermes_setup_pools.store.auth import auth_text

    pool: list = [{"id": "a"}]
    pool.append(pool)
    data = {"credential_pool": {"p": pool}}
    with pytest.raises(ValueError) as theirs:
        json.dumps(data, indent=2)
    with pytest.raises(ValueError) as ours:
        "".join(auth_text(data))
    assert str(ours.value) == str(theirs.value) == "Circular reference detected"


def test_entries_with_thousands_of_fields_are_written_as_json_dumps_writes_them():
    from hermes_setup_pools.store.auth import auth_text

    wide = [{f"field_{n}": n for n in range(900)} for _ in range(128)]  # a run the C encoder returns in several chunks
    data = {"credential_pool": {"openrouter": wide}}
    assert "".join(auth_text(data)) == json.dumps(data, indent=2) + "\n"


def test_config_yaml_read_before_is_parsed_again_once_it_changed(hermes_home):
    path = hermes_home / "config.yaml"
    path.write_text("a: 1\n")
    before = load_config(hermes_home)
    path.write_text("a: 2\n")
    assert load_config(hermes_home, before).data == {"a": 2}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\t\n", "is not valid YAML (line 1, column 1): found character that cannot start any token; fix it and retry"),
        ("X\n", ": the top level is a str, expected a mapping"),
    ],
)
def test_config_yaml_of_one_stray_character_is_refused_as_hermes_would_fail_on_it(hermes_home, text, problem):
    (hermes_home / "config.yaml").write_text(text)
    with pytest.raises(StoreError) as refused:
        load_config(hermes_home)
    assert str(refused.value) == f"{hermes_home / 'config.yaml'}{'' if problem.startswith(':') else ' '}{problem}"


def test_an_env_value_reads_as_the_named_tuple_it_was():
    from hermes_setup_pools.store.dotenv import EnvValue

    assert repr(EnvValue("x", ".env")) == "EnvValue(value='x', where='.env')"


# -- plugins.enabled / plugins.disabled: the second run's layouts and messages ---------------------


def plan_plugins(text: str, *, on: bool = True):
    from pathlib import Path

    from hermes_setup_pools.store.config import ConfigFile
    from hermes_setup_pools.store.yaml_edit import load
    from hermes_setup_pools.store.yaml_list import ListEdit, plan_list_edits

    config = ConfigFile(Path("config.yaml"), text, load(text), None)
    edits = [ListEdit("enabled", "setup-pools", present=on), ListEdit("disabled", "setup-pools", present=not on)]
    return plan_list_edits(config, "plugins", edits)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x: 1\n", "x: 1\nplugins:\n  enabled:\n  - setup-pools\n"),  # no blank line in between
        ("x: 1\nplugins: ~ # none\n", "x: 1\nplugins:  # none\n  enabled:\n  - setup-pools\n"),
        # after a nested block, which ends at the start of the next line
        ("plugins:\n  entries:\n    a: 1\nx: 2\n", "plugins:\n  entries:\n    a: 1\n  enabled:\n  - setup-pools\nx: 2\n"),
        # a TAB before a comment: Hermes' loader (libyaml) reads it, so the edit does too
        ("plugins:\n  enabled: [a]\t# mine\n", "plugins:\n  enabled: [a, setup-pools]\t# mine\n"),
    ],
)
def test_more_layouts_an_item_is_added_to(before, after):
    assert add_item_text(before, "plugins", "enabled", "setup-pools") == after


def test_an_item_on_its_own_line_below_the_dash_is_an_unusual_layout():
    with pytest.raises(LayoutError, match=r"^plugins\.enabled is laid out in an unusual way$"):
        add_item_text("plugins:\n  enabled:\n  -\n    a\n", "plugins", "enabled", "setup-pools")
    with pytest.raises(LayoutError, match=r"^plugins\.enabled is laid out in an unusual way$"):
        remove_item_text("plugins:\n  enabled:\n  -\n    setup-pools\n  - a\n", "plugins", "enabled", "setup-pools")
    with pytest.raises(LayoutError, match=r"^plugins\.enabled is laid out in an unusual way$"):  # a comment after the key
        remove_item_text("plugins:\n  ? enabled # c\n  :\n    - setup-pools\n", "plugins", "enabled", "setup-pools")
    assert remove_item_text("plugins:\n  ? enabled\n  :\n    - setup-pools\n", "plugins", "enabled", "setup-pools") == (
        "plugins:\n  ? enabled\n  : []\n")


@pytest.mark.parametrize(
    ("text", "on", "problem"),
    [
        ("plugins:\n  enabled:\n  -\n    a\n", True,
         "config.yaml: plugins.enabled is laid out in an unusual way; nothing was written. Set it by hand: under "
         "`plugins:`, make `enabled:` a list with setup-pools"),
        ("plugins:\n  enabled:\n  -\n    setup-pools\n", False,
         "config.yaml: plugins.enabled is laid out in an unusual way; nothing was written. Set it by hand: under "
         "`plugins:`, make `enabled:` a list without setup-pools"),
        # taking out the anchored item would leave its alias pointing nowhere
        ("plugins:\n  enabled:\n  - &x setup-pools\n  - *x\n", False,
         "config.yaml has a layout this tool cannot edit without risk; nothing was written. Set it by hand: under "
         "`plugins:`, make `enabled:` a list without setup-pools"),
        # a merge key (<<) gives plugins its list: an added `enabled:` would hide it
        ("base: &b\n  enabled: [a]\nplugins:\n  <<: *b\n", True,
         "config.yaml has a layout this tool cannot edit without risk; nothing was written. Set it by hand under "
         "`plugins:`: enabled with setup-pools; disabled without setup-pools"),
        ("base: &b\n  enabled: [setup-pools]\n  disabled: [a]\nplugins:\n  <<: *b\n", False,
         "config.yaml: plugins.enabled is not a list; nothing was written. Set it by hand: under `plugins:`, make "
         "`enabled:` a list without setup-pools"),
    ],
)
def test_a_layout_that_is_not_edited_says_what_to_write_by_hand(text, on, problem):
    with pytest.raises(StoreError) as refused:
        plan_plugins(text, on=on)
    assert str(refused.value) == problem


@pytest.mark.parametrize(
    "string", ["setup-pools,,foo", "my plugin,setup-pools", "'[1, setup-pools]'", "'{setup-pools: 1}'"],
)
def test_a_string_that_names_no_clear_list_of_plugins_is_refused_asking_for_a_yaml_list(string):
    with pytest.raises(StoreError) as refused:
        plan_plugins(f"plugins:\n  enabled: {string}\n")
    assert str(refused.value).endswith("which Hermes ignores (it reads only a YAML list); nothing was written. Replace "
                                       "it by hand with a YAML list under `plugins:`")


@pytest.mark.parametrize(
    ("string", "after", "said"),
    [
        ("setup-pools", "[setup-pools]", "into the list [setup-pools]"),
        ("'[]'", "[setup-pools]", "into the list [setup-pools]"),
        ("a,Xb,setup-pools", "[a, Xb, setup-pools]", "into the list [a, Xb, setup-pools]; Hermes now also loads a, Xb"),
    ],
)
def test_a_string_naming_us_becomes_the_list_it_names_and_says_what_else_it_switches_on(string, after, said):
    text, done = plan_plugins(f"plugins:\n  enabled: {string}\n")
    assert text == f"plugins:\n  enabled: {after}\n"
    assert done == [f"turned plugins.enabled from the string {yaml.safe_load(string)!r} (which Hermes ignores) {said}"]


def test_enabling_also_takes_us_out_of_disabled_when_enabled_already_says_so():
    text, done = plan_plugins("plugins:\n  enabled: [setup-pools]\n  disabled: [setup-pools, a]\n")
    assert text == "plugins:\n  enabled: [setup-pools]\n  disabled: [a]\n"
    assert done == ["removed setup-pools from plugins.disabled"]


def test_planning_a_list_edit_leaves_the_config_as_read_untouched():
    from pathlib import Path

    from hermes_setup_pools.store.config import ConfigFile
    from hermes_setup_pools.store.yaml_list import ListEdit, plan_list_edits

    config = ConfigFile(Path("config.yaml"), "plugins:\n  enabled: [a]\n", {"plugins": {"enabled": ["a"]}}, None)
    plan_list_edits(config, "plugins", [ListEdit("enabled", "setup-pools", present=True)])
    assert config.data == {"plugins": {"enabled": ["a"]}}


# -- signals held back during a write, with other threads running (#22) ---------------------------


@pytest.fixture
def other_thread():
    """A thread that is alive (and blocks no signal) while the test runs."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield thread
    stop.set()
    thread.join()


@pytest.fixture
def hup_handler():
    """SIGHUP's usual handler, for the test: it records what reaches it."""
    import _signal
    import signal

    unblock = _signal.pthread_sigmask  # the real one, should a test stand another in
    got: list[int] = []
    previous = signal.signal(signal.SIGHUP, lambda number, _frame: got.append(number))
    yield got
    unblock(signal.SIG_UNBLOCK, {signal.SIGHUP, signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGHUP, previous)


def let_handlers_run():
    import time

    deadline = time.monotonic() + 0.05
    while time.monotonic() < deadline:
        time.sleep(0.001)


def test_a_signal_the_kernel_hands_to_another_thread_waits_for_the_write_too(other_thread, hup_handler):
    import signal

    from hermes_setup_pools.store.files import signals_deferred

    usual = signal.getsignal(signal.SIGHUP)
    with signals_deferred():
        signal.pthread_kill(other_thread.ident, signal.SIGHUP)
        signal.pthread_kill(other_thread.ident, signal.SIGHUP)  # twice: delivered once, as a held-back signal is
        let_handlers_run()
        assert hup_handler == []
    assert hup_handler == [signal.SIGHUP]
    assert signal.getsignal(signal.SIGHUP) is usual  # the usual handler is back


def test_where_no_signal_mask_can_be_set_the_recording_handlers_hold_signals_back(hup_handler, monkeypatch):
    import signal

    from hermes_setup_pools.store import files

    def unavailable(*args):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(files.signal, "pthread_sigmask", unavailable)
    with files.signals_deferred():
        os.kill(os.getpid(), signal.SIGHUP)
        let_handlers_run()
        assert hup_handler == []
    assert hup_handler == [signal.SIGHUP]


def test_outside_the_main_thread_the_mask_alone_holds_signals_back(hup_handler):
    import signal
    import threading

    from hermes_setup_pools.store.files import signals_deferred

    seen = []

    def write():
        with signals_deferred():  # handlers cannot be set here: only this thread's mask is changed
            seen.append(signal.SIGHUP in signal.pthread_sigmask(signal.SIG_BLOCK, []))
        seen.append(signal.SIGHUP in signal.pthread_sigmask(signal.SIG_BLOCK, []))

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    assert seen == [True, False]
    assert hup_handler == []


def test_leftovers_of_all_three_files_are_found_together(hermes_home):
    import subprocess
    import sys

    from hermes_setup_pools.store.preflight import leftovers

    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                              check=True).stdout)
    names = ["auth.json.tmp.1.abc", f"config.yaml.tmp.{gone}.0123456789abcdef", f".env.tmp.{gone}.0123456789abcdef"]
    for name in names:
        (hermes_home / name).write_text("k")
    found = leftovers(hermes_home, hermes_home / "auth.json", hermes_home / "config.yaml")
    assert sorted(p.name for p in found) == sorted(names)
