"""`hermes-setup-pools enable` / `disable`: setup-pools in config.yaml's
plugins.enabled / plugins.disabled, every other byte kept, and refused rather
than guessed."""

from __future__ import annotations

import difflib
import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hermes_setup_pools.hermes.switch import disable, enable
from hermes_setup_pools.store.config import load_config
from hermes_setup_pools.store.files import StoreError
from hermes_setup_pools.store.yaml_list import ListEdit, add_item_text, plan_list_edits, remove_item_text

from conftest import run_cli, run_hermes

COMMENTED = """\
# my Hermes — notes stay: Grüße ☕
model:
  provider: openrouter   # via OpenRouter

plugins:
  # the ones I trust
  enabled:
  - memory-notes   # first
  - web-tools
  # - not-this-one
  disabled: []   # nothing yet
display:
  skin: default
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def write(home, text: str):
    path = home / "config.yaml"
    path.write_bytes(text.encode())
    return path


def plugins(home) -> dict:
    return yaml.safe_load((home / "config.yaml").read_text())["plugins"]


def test_enable_adds_one_line_and_keeps_every_comment(hermes_home):
    path = write(hermes_home, COMMENTED)
    lines = enable(hermes_home)
    assert lines == [f"Added setup-pools to plugins.enabled in {path}"]
    after = path.read_text()
    assert changed_lines(COMMENTED, after) == ["+  - setup-pools"]
    assert plugins(hermes_home) == {"enabled": ["memory-notes", "web-tools", "setup-pools"], "disabled": []}


def test_disable_removes_that_line_and_records_it_as_disabled(hermes_home):
    path = write(hermes_home, COMMENTED)
    enable(hermes_home)
    lines = disable(hermes_home)
    assert lines == [f"Removed setup-pools from plugins.enabled in {path}", f"Added setup-pools to plugins.disabled in {path}"]
    assert changed_lines(COMMENTED, path.read_text()) == [
        "-  disabled: []   # nothing yet", "+  disabled: [setup-pools]   # nothing yet",
    ]
    assert enable(hermes_home) == [
        f"Added setup-pools to plugins.enabled in {path}", f"Removed setup-pools from plugins.disabled in {path}",
    ]
    assert plugins(hermes_home) == {"enabled": ["memory-notes", "web-tools", "setup-pools"], "disabled": []}


def test_already_so_writes_nothing(hermes_home):
    path = write(hermes_home, COMMENTED)
    enable(hermes_home)
    mtime = path.stat().st_mtime_ns
    assert enable(hermes_home) == []
    assert path.stat().st_mtime_ns == mtime
    disable(hermes_home)
    mtime = path.stat().st_mtime_ns
    assert disable(hermes_home) == []
    assert path.stat().st_mtime_ns == mtime


def test_a_new_home_gets_a_private_config(tmp_path):
    home = tmp_path / "new" / ".hermes"
    assert disable(home) == [] and not home.exists()  # nothing can be on in a home that does not exist
    enable(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "config.yaml").stat().st_mode) == 0o600
    assert (home / "config.yaml").read_text() == "plugins:\n  enabled:\n  - setup-pools\n"


def test_mode_and_symlink_are_kept(hermes_home, tmp_path):
    real = tmp_path / "dotfiles" / "hermes-config.yaml"
    real.parent.mkdir()
    real.write_text("plugins:\n  enabled: []\n")
    os.chmod(real, 0o640)
    (hermes_home / "config.yaml").symlink_to(real)
    enable(hermes_home)
    assert (hermes_home / "config.yaml").is_symlink()
    assert real.read_text() == "plugins:\n  enabled: [setup-pools]\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


LAYOUTS = [
    # (before, after enable)
    ("", "plugins:\n  enabled:\n  - setup-pools\n"),
    ("model:\n  provider: x", "model:\n  provider: x\nplugins:\n  enabled:\n  - setup-pools\n"),
    ("plugins:\n# later\nx: 1\n", "plugins:\n  enabled:\n  - setup-pools\n# later\nx: 1\n"),
    ("plugins: ~   # none\n", "plugins:    # none\n  enabled:\n  - setup-pools\n"),
    ("plugins: {}\n", "plugins: {enabled: [setup-pools]}\n"),
    ("plugins: {disabled: [setup-pools]}\n", "plugins: {disabled: [], enabled: [setup-pools]}\n"),
    ("plugins:\n  enabled:\n  disabled: []\n", "plugins:\n  enabled: [setup-pools]\n  disabled: []\n"),
    ("plugins:\n  enabled: null  # off\n", "plugins:\n  enabled: [setup-pools]  # off\n"),
    ("plugins:\n  enabled: [a, 'b']\n", "plugins:\n  enabled: [a, 'b', setup-pools]\n"),
    ("plugins:\n    enabled:\n        -   a\n    x: 1\n", "plugins:\n    enabled:\n        -   a\n        -   setup-pools\n    x: 1\n"),
    ("plugins:\r\n  enabled:\r\n  - a\r\n", "plugins:\r\n  enabled:\r\n  - a\r\n  - setup-pools\r\n"),
    ("plugins:\n  entries:\n    setup-pools: {allow_tool_override: false}\n",
     "plugins:\n  entries:\n    setup-pools: {allow_tool_override: false}\n  enabled:\n  - setup-pools\n"),
    # what `hermes config set plugins.enabled '["setup-pools"]'` writes (a string Hermes ignores)
    ("plugins:\n  enabled: '[\"setup-pools\"]'\n", "plugins:\n  enabled: [setup-pools]\n"),
    ("plugins:\n  enabled: setup-pools\n", "plugins:\n  enabled: [setup-pools]\n"),
]


@pytest.mark.parametrize(("before", "after"), LAYOUTS)
def test_layouts(before, after, hermes_home):
    path = write(hermes_home, before)
    assert enable(hermes_home)
    assert path.read_bytes().decode() == after
    assert enable(hermes_home) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("plugins:\n  enabled:   # mine\n  - setup-pools\n  disabled: []\n",
         "plugins:\n  enabled: []   # mine\n  disabled: [setup-pools]\n"),
        ("plugins:\n  enabled: [setup-pools, a, setup-pools]\n", "plugins:\n  enabled: [a]\n  disabled:\n  - setup-pools\n"),
        ("plugins:\n  enabled: [a, setup-pools, b]\n  disabled: [c]\n",
         "plugins:\n  enabled: [a, b]\n  disabled: [c, setup-pools]\n"),
        ("plugins:\n  enabled:\n  - setup-pools\n  - a\n", "plugins:\n  enabled:\n  - a\n  disabled:\n  - setup-pools\n"),
    ],
)
def test_disable_layouts(before, after, hermes_home):
    path = write(hermes_home, before)
    assert disable(hermes_home)
    assert path.read_bytes().decode() == after


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("plugins: [a]\n", "plugins is a list, expected a mapping; nothing was written"),
        ("plugins:\n  enabled: {a: 1}\n", "plugins.enabled is {'a': 1}, which Hermes ignores"),
        ("base: &b\n  enabled: [a]\nplugins: *b\n", "shared with another key through a YAML anchor"),
        ("plugins:\n  enabled: [a\n", "is not valid YAML"),
        ("- a\n", "the top level is a list"),
    ],
)
def test_refused_with_the_reason_and_nothing_written(text, problem, hermes_home):
    path = write(hermes_home, text)
    with pytest.raises(StoreError) as err:
        enable(hermes_home)
    assert problem in str(err.value) and str(path) in str(err.value)
    assert path.read_text() == text


@pytest.mark.parametrize("string", ["foo,setup-pools", "'[\"foo\", \"setup-pools\"]'", "' foo, setup-pools '"])
def test_a_string_naming_us_becomes_the_list_it_names(hermes_home, string):
    """`hermes config set plugins.enabled foo,setup-pools` stores a string Hermes ignores."""
    path = write(hermes_home, f"plugins:\n  enabled: {string}  # mine\n")
    lines = enable(hermes_home)
    assert path.read_text() == "plugins:\n  enabled: [foo, setup-pools]  # mine\n"
    assert "into the list [foo, setup-pools]; Hermes now also loads foo" in lines[0]


def test_a_string_naming_other_plugins_is_not_turned_into_a_list():
    """Hermes ignores the string; making it a list would switch the other plugins on."""
    from hermes_setup_pools.store.config import ConfigFile

    config = ConfigFile(Path("c.yaml"), "plugins:\n  enabled: 'a'\n", {"plugins": {"enabled": "a"}}, None)
    with pytest.raises(StoreError, match=r"Replace it by hand with `enabled: \[a, setup-pools\]`"):
        plan_list_edits(config, "plugins", [ListEdit("enabled", "setup-pools", present=True)])


def test_text_level_refusals():
    from hermes_setup_pools.store.yaml_edit import LayoutError

    with pytest.raises(LayoutError):
        remove_item_text("plugins:\n  enabled: [a]\n", "plugins", "enabled", "setup-pools")
    with pytest.raises(LayoutError):
        add_item_text("[a]\n", "plugins", "enabled", "x")
    with pytest.raises(LayoutError):
        add_item_text("plugins:\n  enabled:\n  - {a: 1}\n", "plugins", "enabled", "x")


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8).filter(lambda s: s[0] != "-")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(names, max_size=4), flow=st.booleans(), comment=st.booleans(), indent=st.sampled_from([2, 4]))
def test_enable_then_disable_changes_only_our_name(items, flow, comment, indent, hermes_home):
    pad = " " * indent
    note = "   # note" if comment else ""
    if flow:
        body = f"{pad}enabled: [{', '.join(items)}]{note}\n"
    else:
        body = f"{pad}enabled:{note}\n" + "".join(f"{pad}- {item}{note}\n" for item in items)
    text = f"model:\n{pad}provider: openrouter\nplugins:\n{body}{pad}x: 1\n"
    write(hermes_home, text)
    before = load_config(hermes_home).data
    enable(hermes_home)
    assert "setup-pools" in plugins(hermes_home)["enabled"]
    disable(hermes_home)
    after = load_config(hermes_home).data
    assert after["plugins"]["enabled"] == [i for i in before["plugins"]["enabled"] or [] if i != "setup-pools"]
    assert after["plugins"]["disabled"] == ["setup-pools"]
    assert {k: v for k, v in after.items() if k != "plugins"} == {k: v for k, v in before.items() if k != "plugins"}
    if comment:
        assert (hermes_home / "config.yaml").read_text().count("# note") == text.count("# note")


# -- the commands ------------------------------------------------------------------


def test_commands_print_what_they_changed(env, hermes_home):
    first = run_cli(["enable"], env)
    assert first.returncode == 0 and first.stdout == f"Added setup-pools to plugins.enabled in {hermes_home / 'config.yaml'}\n"
    again = run_cli(["enable"], env)
    assert again.returncode == 0 and again.stdout.startswith("Nothing to change: setup-pools is already enabled")
    off = run_cli(["disable", "--hermes-home", str(hermes_home)], env)
    assert off.returncode == 0 and "Removed setup-pools from plugins.enabled" in off.stdout


def test_command_refusal_is_one_line_exit_1(env, hermes_home):
    write(hermes_home, "plugins: [a]\n")
    result = run_cli(["enable"], env)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "nothing was written" in result.stderr


@pytest.mark.hermes
def test_hermes_reads_what_enable_and_disable_write(hermes, env, hermes_home):
    assert run_hermes(["config", "set", "display.skin", "default"], env).returncode == 0  # Hermes' own full config.yaml
    run_cli(["enable"], env)
    listed = json.loads(run_hermes(["plugins", "list", "--json"], env).stdout)
    assert next(p for p in listed if p["name"] == "setup-pools")["status"] == "enabled"
    run_cli(["disable"], env)
    listed = json.loads(run_hermes(["plugins", "list", "--json"], env).stdout)
    assert next(p for p in listed if p["name"] == "setup-pools")["status"] != "enabled"
    assert yaml.safe_load((hermes_home / "config.yaml").read_text())["display"]["skin"] == "default"
