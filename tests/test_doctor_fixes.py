"""Issue #22 (1, 2, 6, 11) and #18.5, #21.2: the doctor's fixes never lose a key.

Findings name entries without ambiguity (id, key fingerprint, label, position);
fixes are re-derived under Hermes' lock from what is on disk and only the
confirmed ones still true are applied, through the pool manager's own changes;
every renumbering is said."""

from __future__ import annotations

import io
import json
import os

from hermes_setup_pools import Context
from hermes_setup_pools.doctor.command import run_doctor
from hermes_setup_pools.prompts import ScriptedPrompter

from conftest import run_cli
from helpers import KEY_1, KEY_2, KEY_3, assert_no_secret


def write(home, pool, strategies=""):
    (home / "auth.json").write_text(json.dumps({"version": 1, "credential_pool": {"openrouter": pool}}, indent=2))
    (home / "auth.json").chmod(0o600)
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n" + strategies)


def entry(entry_id, label, key, priority):
    return {"id": entry_id, "label": label, "auth_type": "api_key", "priority": priority, "source": "manual",
            "access_token": key}


def pool(home):
    return json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]


def doctor(env, *args):
    result = run_cli(["doctor", *args], env)
    assert_no_secret(result.stdout + result.stderr)
    assert "Traceback" not in result.stderr
    return result


def interactive_doctor(home, answer):
    out = io.StringIO()
    prompter = ScriptedPrompter([answer])
    code = run_doctor(Context(home, interactive=True, prompter=prompter, out=out), as_json=False, fix=True)
    text = out.getvalue()
    assert_no_secret(text)
    return code, text


def test_a_fix_drops_the_later_copy_and_never_the_entry_that_only_shares_its_id(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0), entry("bbbbbb", "copy", KEY_1, 1),
                        entry("bbbbbb", "unique", KEY_2, 2)])
    findings = json.loads(doctor(env, "--json").stdout)
    named = {(f["code"], f["entry"], f["position"]) for f in findings}
    assert ("duplicate-key", "copy", 2) in named
    assert not any(f["code"] == "duplicate-id" for f in findings)  # dropping the copy resolves the shared id
    fixed = doctor(env, "--fix", "--yes")
    assert fixed.returncode == 0, fixed.stdout
    assert [(e["label"], e["access_token"]) for e in pool(hermes_home)] == [("first", KEY_1), ("unique", KEY_2)]


def test_entries_sharing_an_id_get_new_ids_and_keep_their_keys(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "one", KEY_1, 0), entry("aaaaaa", "two", KEY_2, 1)])
    findings = json.loads(doctor(env, "--json").stdout)
    assert [(f["code"], f["entry"], f["fixable"]) for f in findings] == [("duplicate-id", "two", True)]
    assert doctor(env, "--fix", "--yes").returncode == 0
    after = pool(hermes_home)
    assert [(e["label"], e["access_token"]) for e in after] == [("one", KEY_1), ("two", KEY_2)]
    assert after[0]["id"] == "aaaaaa" and after[1]["id"] != "aaaaaa" and len(after[1]["id"]) == 6


def test_a_removal_during_the_question_is_seen_and_the_fix_no_longer_applies(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0), entry("bbbbbb", "copy", KEY_1, 1)])

    def meanwhile():  # another command removes 'first' while the doctor's question is on screen
        assert run_cli(["pool", "--remove", "first", "--yes"], env).returncode == 0
        return True

    code, text = interactive_doctor(hermes_home, meanwhile)
    assert [e["label"] for e in pool(hermes_home)] == ["copy"]  # K1 survives in its only copy
    assert "'copy' (#2, id bbbbbb): no longer needed" in text
    assert code == 0


def test_a_placeholder_replaced_during_the_question_is_not_deleted(hermes_home, env):
    placeholder = {**entry("cccccc", "later", "changeme", 1)}
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0), placeholder])

    def meanwhile():
        replaced = run_cli(["pool", "--replace", "later", "--key-file", "-", "--yes"], env, input=f"{KEY_3}\n")
        assert replaced.returncode == 0, replaced.stderr
        return True

    interactive_doctor(hermes_home, meanwhile)
    assert [(e["label"], e["access_token"]) for e in pool(hermes_home)] == [("first", KEY_1), ("later", KEY_3)]


def test_a_problem_new_since_the_question_is_reported_not_fixed(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0), entry("bbbbbb", "copy", KEY_1, 1)])

    def meanwhile():
        data = json.loads((hermes_home / "auth.json").read_text())
        data["credential_pool"]["openrouter"].append(entry("dddddd", "third", KEY_1, 2))
        (hermes_home / "auth.json").write_text(json.dumps(data))
        return True

    _, text = interactive_doctor(hermes_home, meanwhile)
    assert [e["label"] for e in pool(hermes_home)] == ["first", "third"]
    assert "'third' (#3, id dddddd): new since the question (duplicate-key); not fixed" in text


def test_the_confirmation_says_what_will_be_done_and_every_renumbering(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0), entry("bbbbbb", "copy", KEY_1, 5),
                        entry("cccccc", "last", KEY_2, 10)])
    code, text = interactive_doctor(hermes_home, True)
    assert "The doctor will make 1 fix:\n  openrouter: 'copy' (#2, id bbbbbb): drop this later copy" in text
    assert "✓ openrouter: - copy: remove it" in text
    assert "priorities renumbered 0..1 in the order shown (were 0, 10)" in text
    assert [(e["label"], e["priority"]) for e in pool(hermes_home)] == [("first", 0), ("last", 1)]
    assert code == 0


def test_a_strategy_spelled_another_way_is_fixable_on_every_hermes(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0)], "credential_pool_strategies:\n  openrouter: Round_Robin\n")
    found = json.loads(doctor(env, "--json").stdout)
    assert [(f["code"], f["fixable"]) for f in found] == [("unknown-strategy", True)]
    assert doctor(env, "--fix", "--yes").returncode == 0
    assert "openrouter: round_robin" in (hermes_home / "config.yaml").read_text()


def test_a_label_that_is_a_key_is_masked_everywhere_and_renamed_by_the_fix(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", KEY_3, KEY_1, 0)])
    listed = run_cli(["pool", "--list"], env)
    as_json = run_cli(["pool", "--list", "--json"], env)
    findings = doctor(env)
    for text in (listed.stdout, as_json.stdout, findings.stdout):
        assert KEY_3 not in text and "…3333" in text
    assert "[secret-label]" in findings.stdout
    assert doctor(env, "--fix", "--yes").returncode == 0
    assert pool(hermes_home)[0]["label"] == "api-key-1" and pool(hermes_home)[0]["access_token"] == KEY_1


def test_a_key_pasted_as_a_strategy_is_never_shown(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0)], f"credential_pool_strategies:\n  openrouter: {KEY_2}\n")
    for result in (doctor(env), doctor(env, "--json"), run_cli(["pool", "--list"], env),
                   run_cli(["pool", "--non-interactive", "--strategy", "random", "--dry-run"], env)):
        assert KEY_2 not in result.stdout + result.stderr
        assert "looks like an API key; not shown" in result.stdout + result.stderr or "…2222" in result.stdout


def test_a_leftover_of_a_killed_write_is_reported_and_removed(hermes_home, env):
    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0)])
    leftover = hermes_home / "auth.json.tmp.4242.0123456789abcdef"
    leftover.write_text(json.dumps({"credential_pool": {"openrouter": [entry("bbbbbb", "x", KEY_2, 0)]}}))
    found = doctor(env)
    assert found.returncode == 1 and "[leftover]" in found.stdout
    assert doctor(env, "--fix", "--yes").returncode == 0
    assert not leftover.exists()


def test_our_leftovers_of_config_yaml_and_env_are_reported_and_removed_once_their_writer_is_gone(hermes_home, env):
    import subprocess
    import sys

    write(hermes_home, [entry("aaaaaa", "first", KEY_1, 0)])
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                              check=True).stdout)
    config_left = hermes_home / f"config.yaml.tmp.{gone}.0123456789abcdef"
    env_left = hermes_home / f".env.tmp.{gone}.fedcba9876543210"
    config_left.write_text("model:\n  provider: openrouter\n")
    env_left.write_text(f"OPENROUTER_API_KEY_2={KEY_2}\n")
    alive = hermes_home / f".env.tmp.{os.getpid()}.0123456789abcdef"  # a writer still at work: not a leftover
    alive.write_text("")
    found = doctor(env)
    assert found.returncode == 1
    assert f"{env_left.name} and 1 more: temporary copies of .env and config.yaml left by an interrupted write" in " ".join(
        found.stdout.split())
    fixed = doctor(env, "--fix", "--yes")
    assert fixed.returncode == 0, fixed.stdout
    assert not config_left.exists() and not env_left.exists() and alive.exists()
    assert f"removed the leftover {env_left.name}" in fixed.stdout


def env_row(entry_id, variable, stored_key=None):
    """A row Hermes seeded from ``variable``: 0.16+ keep only its fingerprint, older releases a copy of the key."""
    from hermes_setup_pools.keys.fingerprint import fingerprint

    row = {"id": entry_id, "label": variable, "auth_type": "api_key", "priority": 0, "source": f"env:{variable}"}
    if stored_key is not None:
        row["secret_fingerprint"] = fingerprint(stored_key)
    return row


def test_a_key_changed_in_env_during_the_question_keeps_the_copy_that_is_now_its_only_one(hermes_home, env):
    # The .env key and a manual entry were the same key when asked; the user rotates .env meanwhile:
    # the manual entry now holds the only copy of the old key, and Hermes sends the .env row the new one.
    write(hermes_home, [env_row("aaaaaa", "OPENROUTER_API_KEY", KEY_1), {**entry("bbbbbb", "manualcopy", KEY_1, 1)}])
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={KEY_1}\n")

    def meanwhile():
        (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={KEY_2}\n")
        return True

    code, text = interactive_doctor(hermes_home, meanwhile)
    assert "'manualcopy' (#2, id bbbbbb): drop this later copy" in text  # what was asked
    assert [(e["label"], e.get("access_token")) for e in pool(hermes_home)] == [
        ("OPENROUTER_API_KEY", None), ("manualcopy", KEY_1)]
    assert "'manualcopy' (#2, id bbbbbb): no longer needed" in text
    assert code == 0


def test_a_borrowed_row_holds_the_key_its_variable_holds_now_not_a_copy_stored_earlier(hermes_home, env):
    # Hermes seeds an env: row from its variable on every load, so a copy an older release stored is not what it sends.
    stale = {**env_row("aaaaaa", "OPENROUTER_API_KEY"), "access_token": KEY_1}
    write(hermes_home, [stale, entry("bbbbbb", "mine", KEY_1, 1)])
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={KEY_2}\n")
    assert not [f for f in json.loads(doctor(env, "--json").stdout) if f["code"] == "duplicate-key"]
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={KEY_1}\n")
    assert [f["entry"] for f in json.loads(doctor(env, "--json").stdout) if f["code"] == "duplicate-key"] == ["mine"]
