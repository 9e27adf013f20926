"""Issue #12: managing a pool — each operation, interactive and as flags,
against real files, with real Hermes reading the result and other writers
interleaving between planning and commit."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

import helpers
from conftest import run_cli, run_hermes
from helpers import DOWN, ENTER, ENV_KEY, KEY_1, KEY_2, KEY_3, UP, assert_no_secret, start_cli

CONFIG = "model:\n  provider: openrouter\n"
KEY_4 = "sk-or-v1-" + "4" * 52 + "4444"


@pytest.fixture
def home(hermes_home, env):
    """A pool of four: the env key, team, night, old."""
    (hermes_home / "config.yaml").write_text(CONFIG)
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={ENV_KEY}\n")
    added = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env,
                    input=f"team {KEY_1}\nnight {KEY_2}\nold {KEY_3}\n")
    assert added.returncode == 0, added.stderr
    return hermes_home


def entries(home: Path) -> list[dict]:
    return json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]


def labels(home: Path) -> list[str]:
    return [e["label"] for e in sorted(entries(home), key=lambda e: e["priority"])]


def manage(env, *args, input=None):
    result = run_cli(["pool", *args], env, input=input)
    assert_no_secret(result.stdout + result.stderr)
    return result


# -- flags --------------------------------------------------------------------------------------


def test_list_shows_position_status_requests_and_the_next_key(home, env):
    data = json.loads((home / "auth.json").read_text())
    pool = data["credential_pool"]["openrouter"]
    pool[0].update(last_status="exhausted", last_status_at=time.time(), last_error_code=429)
    pool[1].update(last_status="exhausted", last_status_at=time.time(), last_error_code=401)
    pool[2].update(last_status="dead", request_count=7)
    (home / "auth.json").write_text(json.dumps(data))
    result = manage(env, "--list")
    assert result.returncode == 0
    rows = [line.split() for line in result.stdout.splitlines() if line.strip().startswith("#")]
    assert [row[0] for row in rows] == ["#", "#1", "#2", "#3", "#4"]
    assert "rate-limited (429), 59m" in result.stdout and "auth failed (401), 4m" in result.stdout
    assert rows[3][1] == "night" and "dead" in rows[3] and "7" in rows[3]
    assert rows[4][-1] == "←" and rows[4][1] == "old"  # the first available key, as Hermes picks it


def test_list_json_has_every_field_and_no_secret(home, env):
    result = manage(env, "--list", "--json")
    listed = json.loads(result.stdout)
    assert [e["label"] for e in listed] == ["OPENROUTER_API_KEY", "team", "night", "old"]
    first = listed[0]
    assert set(first) >= {"id", "label", "source", "auth_type", "position", "status", "retry_at", "request_count",
                          "key", "fingerprint"}
    assert first["key"] == "…9999" and first["position"] == 1 and first["status"] == "ok" and first["retry_at"] is None
    assert all(len(e["key"]) <= 5 for e in listed)


def test_remove_a_manual_and_a_borrowed_key_the_hermes_way(home, env):
    result = manage(env, "--remove", "team", "--remove", "openrouter_api_key", "--yes")
    assert result.returncode == 0, result.stderr
    assert labels(home) == ["night", "old"]
    assert [e["priority"] for e in entries(home)] == [0, 1]
    auth = json.loads((home / "auth.json").read_text())
    assert auth["suppressed_sources"] == {"openrouter": ["env:OPENROUTER_API_KEY"]}
    assert "OPENROUTER_API_KEY is still set in $HERMES_HOME/.env" in result.stdout


def test_rename_move_and_reset(home, env):
    data = json.loads((home / "auth.json").read_text())
    data["credential_pool"]["openrouter"][2].update(last_status="exhausted", last_status_at=time.time(), last_error_code=429)
    (home / "auth.json").write_text(json.dumps(data))
    result = manage(env, "--rename", "OLD", "legacy", "--move", "night", "--to", "1", "--reset", "night", "--yes")
    assert result.returncode == 0, result.stderr
    assert labels(home) == ["night", "OPENROUTER_API_KEY", "team", "legacy"]
    night = next(e for e in entries(home) if e["label"] == "night")
    assert night["last_status"] is None and night["last_error_code"] is None and night["priority"] == 0


def test_replace_keeps_label_and_position_and_clears_status(home, env, tmp_path):
    data = json.loads((home / "auth.json").read_text())
    before = data["credential_pool"]["openrouter"][2]
    before.update(last_status="exhausted", last_status_at=time.time(), last_error_code=402)
    (home / "auth.json").write_text(json.dumps(data))
    result = manage(env, "--replace", "night", "--key-file", "-", "--yes", input=f"{KEY_4}\n")
    assert result.returncode == 0, result.stderr
    after = next(e for e in entries(home) if e["id"] == before["id"])
    assert after["label"] == "night" and after["priority"] == before["priority"] and after["access_token"] == KEY_4
    assert after["last_status"] is None and after["last_error_code"] is None


@pytest.mark.parametrize(("args", "words"), [
    (["--remove", "nobody"], "no entry 'nobody' in openrouter; it has: 'OPENROUTER_API_KEY', 'team', 'night', 'old'"),
    (["--replace", "OPENROUTER_API_KEY", "--key-file", "-"], "borrowed from env:OPENROUTER_API_KEY"),
    (["--replace", "team", "--key-file", "-"], "exactly one key"),
    (["--move", "team", "--to", "9"], "positions 1 to 4"),
    (["--rename", "team", "night"], "already used"),
])
def test_bad_management_requests_are_one_line_errors_and_write_nothing(home, env, args, words):
    before = (home / "auth.json").read_bytes()
    result = manage(env, *args, "--yes", input=f"{KEY_4}\n{KEY_3}\n")
    assert result.returncode == 1 and words in result.stderr and result.stderr.count("\n") == 1
    assert (home / "auth.json").read_bytes() == before


def test_an_exact_label_wins_and_only_a_real_ambiguity_asks_for_the_id(home, env):
    # Hermes' `auth add --label Team` next to an existing 'team' makes this pool.
    data = json.loads((home / "auth.json").read_text())
    data["credential_pool"]["openrouter"][2]["label"] = "Team"
    (home / "auth.json").write_text(json.dumps(data))
    team_id, other_id = (data["credential_pool"]["openrouter"][i]["id"] for i in (1, 2))
    before = (home / "auth.json").read_bytes()
    vague = manage(env, "--remove", "TEAM", "--yes")
    assert vague.returncode == 1 and "name one by its id" in vague.stderr
    for words in ("#2 'team' id " + team_id, "#3 'Team' id " + other_id, "key …1111", "key …2222"):
        assert words in vague.stderr
    assert (home / "auth.json").read_bytes() == before
    exact = manage(env, "--remove", "team", "--yes")
    assert exact.returncode == 0, exact.stderr
    assert [e["label"] for e in entries(home)] == ["OPENROUTER_API_KEY", "Team", "old"]


def test_dry_run_and_missing_yes_write_nothing(home, env):
    before = (home / "auth.json").read_bytes()
    dry = manage(env, "--remove", "team", "--dry-run")
    assert dry.returncode == 0 and "+++ auth.json (after)" in dry.stdout and "Dry run" in dry.stdout
    assert manage(env, "--remove", "team").returncode == 2
    assert (home / "auth.json").read_bytes() == before


# -- interactive ----------------------------------------------------------------------------------


def run_step(home, answers):
    _, text, prompter = helpers.run_step(home, answers)
    return text, prompter


def test_the_menu_collects_changes_and_confirms_once(home):
    # The pickers offer keys by position in the pool as the earlier choices leave it:
    # OPENROUTER_API_KEY, team, night, old → remove #2 → move #3 (old) to 1 → rename #3 (night).
    text, prompter = run_step(home, [
        "remove", "2",
        "move", "3", "1",
        "rename", "3", "evening",
        "finish", True,
    ])
    assert labels(home) == ["old", "OPENROUTER_API_KEY", "evening"]
    assert [kind for kind, _ in prompter.asked].count("confirm") == 1
    assert "The pool will then be:" in text


# -- other writers between planning and commit ------------------------------------------------------


@pytest.mark.hermes
def test_changes_apply_by_id_to_the_pool_as_it_is_at_commit(home, env, hermes):

    def meanwhile():
        # a real hermes removes 'night' and adds a key while our summary is on screen
        assert run_hermes(["auth", "remove", "openrouter", "night"], env).returncode == 0
        assert run_hermes(["auth", "add", "openrouter", "--type", "api-key", "--api-key", KEY_4,
                           "--label", "from-hermes"], env).returncode == 0
        return True

    text, _ = run_step(home, ["rename", "3", "evening", "remove", "4", "finish", meanwhile])
    assert "'night' is no longer in the pool" in text  # reported, never applied to another entry
    assert labels(home) == ["OPENROUTER_API_KEY", "team", "from-hermes"]
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert [line.split()[1] for line in listed.stdout.splitlines()[1:] if line.strip()] == [
        "OPENROUTER_API_KEY", "team", "from-hermes"]


@pytest.mark.hermes
def test_hermes_shows_our_order_labels_and_statuses_and_does_not_reseed_a_removed_source(home, env, hermes):
    assert manage(env, "--remove", "OPENROUTER_API_KEY", "--move", "old", "--to", "1", "--rename", "team", "day",
                  "--yes").returncode == 0
    listed = run_hermes(["auth", "list", "openrouter"], env)
    rows = [line.split() for line in listed.stdout.splitlines()[1:] if line.strip()]
    assert [row[1] for row in rows] == ["old", "day", "night"] and rows[0][-1] == "←"
    code = "from agent.credential_pool import load_pool; print([e.source for e in load_pool('openrouter').entries()])"
    loaded = subprocess.run([str(hermes.parent / "python"), "-c", code], env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "env:OPENROUTER_API_KEY" not in loaded.stdout  # .env still has it; Hermes honours the suppression


def test_a_pty_pass_removes_moves_and_renames_in_one_go(home, env):
    term = start_cli(["pool"], env)
    # The menu opens on Finish (the last item); Down wraps round to the top.
    term.expect("What would you like to do?")
    term.send(DOWN * 2 + ENTER)  # Remove a key
    term.expect("Which key to remove?")
    term.send(DOWN + ENTER)  # #2 team
    term.expect("team will be removed")
    term.expect("What would you like to do?")
    term.send(DOWN * 4 + ENTER)  # Move a key
    term.expect("Which key to move?")
    term.send(DOWN * 2 + ENTER)  # now #3: old
    term.expect("Move old to:")
    term.send(UP * 2 + ENTER)  # position 1
    term.expect("old will move to position 1")
    term.expect("What would you like to do?")
    term.send(DOWN * 3 + ENTER)  # Rename a key
    term.expect("Which key to rename?")
    term.send(DOWN * 2 + ENTER)  # #3: night
    term.expect("New label for night (Enter keeps it):")
    term.send("evening" + ENTER)  # the prompt starts empty: typing replaces, never appends
    term.expect("What would you like to do?")
    term.send(ENTER)  # Finish
    term.expect("Write these changes?")
    term.send(ENTER)
    assert term.finish() == 0
    assert labels(home) == ["old", "OPENROUTER_API_KEY", "evening"]
    assert_no_secret(term.text())


def test_the_key_pickers_rows_line_up_in_columns(home, monkeypatch):
    from hermes_setup_pools.pool.answers.manage import pick
    from hermes_setup_pools.pool.discovery import discover
    from hermes_setup_pools.pool.plan import PoolIndex
    from hermes_setup_pools.providers import resolve_target
    from hermes_setup_pools.store.auth import load_auth
    from hermes_setup_pools.store.config import load_config

    class Recorder:
        def select(self, message, choices, default):
            self.choices = choices
            return choices[0][0]

    monkeypatch.setenv("COLUMNS", "80")
    config = load_config(home)
    state = discover(home, resolve_target("openrouter", config.data), config, load_auth(home))
    recorder = Recorder()
    assert pick(recorder, PoolIndex(state), "Which key to remove?") is not None
    rows = [title for value, title in recorder.choices if value]
    assert len(rows) == 4 and all(len(row) <= 76 for row in rows)
    for column in ("…", "ok"):  # the key and the status start at one offset on every row
        assert len({row.index(column) for row in rows}) == 1, rows
    assert_no_secret("\n".join(rows))
