"""Issue #19.4: every profile in one run — profiles made by the real `hermes
profile create`, listed as that Hermes lists them, each row and finding naming
its profile and the store it comes from, and Hermes reading what we wrote."""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_cli, run_hermes
from helpers import CANARY, KEY_1, KEY_2, assert_no_secret

pytestmark = pytest.mark.hermes

CONFIG = "model:\n  provider: openrouter\n"


@pytest.fixture
def root(hermes, env, hermes_home):
    """The root (default profile) on OpenRouter and two profiles made by Hermes:
    'work' on OpenRouter, 'play' with no provider."""
    (hermes_home / "config.yaml").write_text(CONFIG)
    for name in ("work", "play"):
        made = run_hermes(["profile", "create", name], env)
        assert made.returncode == 0, made.stderr
    (hermes_home / "profiles" / "work" / "config.yaml").write_text(CONFIG)
    return hermes_home


def cli(env, *args, input=None):
    result = run_cli(list(args), env, input=input)
    assert_no_secret(result.stdout + result.stderr, (KEY_1, KEY_2, CANARY))
    assert "Traceback" not in result.stderr
    return result


def hermes_profiles(env) -> list[str]:
    listed = run_hermes(["profile", "list"], env)
    return [m.group(1) for line in listed.stdout.splitlines() if (m := re.match(r"^\s*◆?(\S+)\s+\S", line))
            and m.group(1) not in ("Profile",) and not line.strip().startswith("─")]


def test_the_profiles_are_the_ones_hermes_lists(root, env):
    (root / "profiles" / "stray").mkdir()  # a folder Hermes may or may not count as a profile
    listed = cli(env, "pool", "--all-profiles", "--list")
    shown = re.findall(r"^── profile ([a-z0-9_-]+)", listed.stdout + listed.stderr, flags=re.M)
    assert sorted(shown) == sorted(hermes_profiles(env))


def test_keys_and_strategy_go_to_every_profile_that_uses_the_provider(root, env, tmp_path):
    result = cli(env, "pool", "--all-profiles", "--provider", "openrouter", "--key-file", "-", "--strategy",
                 "round_robin", "--yes", input=f"team {CANARY}\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("About to write for pool openrouter") == 2  # one summary per profile
    said = " ".join(result.stdout.split())
    assert "── profile play: skipped: neither its model nor its auth.json uses openrouter" in said  # not touched, and said
    assert "── profile play (" not in result.stdout
    for args in (["auth", "list", "openrouter"], ["-p", "work", "auth", "list", "openrouter"]):
        listed = run_hermes(args, env)
        assert listed.returncode == 0 and "team" in listed.stdout, listed.stdout + listed.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
                  and CANARY.encode() in p.read_bytes()) == ["hermes/auth.json", "hermes/profiles/work/auth.json"]
    assert not (root / "profiles" / "play" / "auth.json").exists()


def test_without_yes_nothing_is_written_in_any_profile(root, env):
    result = cli(env, "pool", "--all-profiles", "--provider", "openrouter", "--key-file", "-", input=f"team {KEY_1}\n")
    assert result.returncode == 2 and "add --yes to write these changes to 2 profiles" in result.stderr
    assert not (root / "auth.json").exists() and not (root / "profiles" / "work" / "auth.json").exists()


def test_a_profile_reading_the_roots_pool_says_so_row_by_row(root, env):
    assert cli(env, "pool", "--key-file", "-", "--yes", input=f"team {KEY_1}\n").returncode == 0
    rows = json.loads(cli(env, "pool", "--all-profiles", "--list", "--json").stdout)
    assert [(r["profile"], r["store"], r["label"]) for r in rows] == [("default", "own", "team"), ("work", "root", "team")]
    text = cli(env, "pool", "--all-profiles", "--list").stdout
    assert "profile work has no openrouter keys of its own, so Hermes uses the root's" in text
    work = run_hermes(["-p", "work", "auth", "list", "openrouter"], env)
    assert "team" in work.stdout  # Hermes itself reads the root's pool for this profile


def test_the_doctor_checks_every_profile_and_names_it(root, env):
    for home in (root, root / "profiles" / "work"):
        (home / "config.yaml").write_text(CONFIG + "credential_pool_strategies:\n  openrouter: Round_Robin\n")
    found = json.loads(cli(env, "doctor", "--all-profiles", "--json").stdout)
    assert sorted((f["profile"], f["code"]) for f in found) == [("default", "unknown-strategy"),
                                                                ("work", "unknown-strategy")]
    fixed = cli(env, "doctor", "--all-profiles", "--fix", "--yes")
    assert fixed.returncode == 0 and fixed.stdout.count("The doctor will make") == 1  # one confirmation
    for home in (root, root / "profiles" / "work"):
        assert "openrouter: round_robin" in (home / "config.yaml").read_text()


def test_a_profile_reading_the_roots_pool_keeps_those_keys_when_it_gets_its_own(root, env):
    assert cli(env, "pool", "--key-file", "-", "--yes", input=f"team {KEY_1}\n").returncode == 0
    work = root / "profiles" / "work"
    before = run_hermes(["-p", "work", "auth", "list", "openrouter"], env)
    assert "team" in before.stdout  # Hermes reads the root's pool for it
    result = cli(env, "-p", "work", "pool", "--key-file", "-", "--yes", input=f"night {KEY_2}\n")
    assert result.returncode == 0, result.stderr
    assert "profile work reads the root's openrouter pool today; writing gives it its own copy of the root's 1 entry" \
        in " ".join(result.stdout.split())
    after = run_hermes(["-p", "work", "auth", "list", "openrouter"], env)
    assert "team" in after.stdout and "night" in after.stdout  # nothing it used is lost
    own = json.loads((work / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [e["label"] for e in own] == ["team", "night"]
    root_pool = json.loads((root / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [e["label"] for e in root_pool] == ["team"]  # the root is not changed
