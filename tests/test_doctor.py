"""Issue #12: ``doctor`` — every finding code on a real Hermes home, --json,
and --fix applying only the safe fixes."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from conftest import run_cli, run_hermes
from helpers import KEY_1, KEY_2, KEY_3, assert_no_secret

KEY_DEAD = "sk-or-v1-" + "d" * 52 + "dead"


def write(home, pools, strategies="", suppressed=None, mode=0o600):
    data = {"version": 1, "credential_pool": pools}
    if suppressed:
        data["suppressed_sources"] = suppressed
    (home / "auth.json").write_text(json.dumps(data, indent=2))
    (home / "auth.json").chmod(mode)
    (home / "config.yaml").write_text("model:\n  provider: openrouter\n" + strategies)


def entry(entry_id, label, key=None, source="manual", priority=0, **extra):
    data = {"id": entry_id, "label": label, "auth_type": "api_key", "priority": priority, "source": source}
    if key is not None:
        data["access_token"] = key
    return {**data, **extra}


BROKEN = {
    "openrouter": [
        entry("aaaaaa", "team", KEY_1, priority=0),
        entry("bbbbbb", "copy-of-team", KEY_1, priority=1),
        entry("cccccc", "placeholder", "none", priority=2),
        entry("dddddd", "gone", source="env:GONE_API_KEY", priority=2, secret_fingerprint="sha256:00"),
        entry("eeeeee", "revoked", KEY_DEAD, priority="4", last_status="dead"),
    ],
}
STRATEGIES = "credential_pool_strategies:\n  openrouter: Round-Robin\n  anthropic: fastest\n  fw: random\n"


def doctor(env, *args):
    result = run_cli(["doctor", *args], env)
    assert_no_secret(result.stdout + result.stderr, (KEY_1, KEY_2, KEY_3, KEY_DEAD))
    assert "Traceback" not in result.stderr
    return result


def test_a_clean_home_exits_0(hermes_home, env):
    write(hermes_home, {"openrouter": [entry("aaaaaa", "team", KEY_1), entry("bbbbbb", "two", KEY_2, priority=1)]},
          "credential_pool_strategies:\n  openrouter: round_robin\n")
    result = doctor(env)
    assert result.returncode == 0 and "No problems found" in result.stdout


def test_every_finding_code_on_a_broken_home(hermes_home, env):
    write(hermes_home, BROKEN, STRATEGIES, mode=0o644)
    hermes_home.chmod(0o777)
    result = doctor(env, "--json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    codes = {(f["code"], f["entry"]) for f in findings}
    assert ("duplicate-key", "copy-of-team") in codes
    assert ("placeholder-key", "placeholder") in codes
    assert ("missing-env", "gone") in codes
    assert ("dead", "revoked") in codes
    assert ("bad-priority", None) in codes
    assert {f["code"] for f in findings} >= {"unknown-strategy", "orphan-strategy", "file-mode"}
    for finding in findings:
        assert set(finding) >= {"pool", "code", "entry", "message", "fixable"}
    fixable = {f["code"]: f["fixable"] for f in findings if f["entry"] in (None, "copy-of-team", "placeholder", "revoked")}
    assert fixable["duplicate-key"] and fixable["placeholder-key"] and not fixable["dead"]
    text = doctor(env)
    assert text.returncode == 1 and len(text.stdout.splitlines()) == len(findings)


@pytest.mark.parametrize("content", [b"{not json", b""])
def test_an_unreadable_auth_json_is_reported_and_never_fixed(hermes_home, env, content):
    (hermes_home / "auth.json").write_bytes(content)
    result = doctor(env, "--fix", "--yes")
    assert result.returncode == 1 and "[unreadable]" in result.stdout
    assert (hermes_home / "auth.json").read_bytes() == content


def test_a_placeholder_in_dotenv_is_found_through_its_reference(hermes_home, env):
    (hermes_home / ".env").write_text("OPENROUTER_API_KEY=none\n")
    write(hermes_home, {"openrouter": [entry("aaaaaa", "OPENROUTER_API_KEY", source="env:OPENROUTER_API_KEY",
                                             secret_fingerprint="sha256:1")]})
    result = doctor(env)
    assert "placeholder" in result.stdout and "OPENROUTER_API_KEY in .env" in result.stdout


@pytest.mark.hermes
def test_fix_applies_only_the_safe_fixes_and_hermes_reads_the_result(hermes_home, env, hermes):
    write(hermes_home, BROKEN, STRATEGIES, mode=0o644)
    result = doctor(env, "--fix", "--yes")
    assert result.returncode == 1  # dead, missing-env, fastest and fw remain
    pool = json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [(e["label"], e["priority"]) for e in pool] == [("team", 0), ("gone", 1), ("revoked", 2)]
    assert stat.S_IMODE((hermes_home / "auth.json").stat().st_mode) == 0o600
    config = (hermes_home / "config.yaml").read_text()
    assert "openrouter: round_robin" in config and "anthropic: fastest" in config and "fw: random" in config
    remaining = {line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.splitlines() if line.endswith("]")
                 and not line.startswith("  ")}
    assert remaining == {"dead", "missing-env", "unknown-strategy", "orphan-strategy"}
    listed = run_hermes(["auth", "list", "openrouter"], env)
    assert listed.returncode == 0 and "team" in listed.stdout and "revoked" in listed.stdout


def test_a_borrowed_duplicate_is_dropped_and_suppressed_so_hermes_does_not_seed_it_again(hermes_home, env):
    (hermes_home / ".env").write_text(f"OPENROUTER_API_KEY={KEY_1}\n")
    from hermes_setup_pools.keys.fingerprint import fingerprint

    write(hermes_home, {"openrouter": [entry("aaaaaa", "team", KEY_1),
                                       entry("bbbbbb", "OPENROUTER_API_KEY", source="env:OPENROUTER_API_KEY",
                                             priority=1, secret_fingerprint=fingerprint(KEY_1))]})
    assert doctor(env, "--fix", "--yes").returncode == 0
    auth = json.loads((hermes_home / "auth.json").read_text())
    assert [e["label"] for e in auth["credential_pool"]["openrouter"]] == ["team"]
    assert auth["suppressed_sources"] == {"openrouter": ["env:OPENROUTER_API_KEY"]}


def test_fix_without_a_terminal_needs_yes(hermes_home, env):
    write(hermes_home, BROKEN, STRATEGIES)
    before = (hermes_home / "auth.json").read_bytes()
    assert doctor(env, "--fix").returncode == 2
    assert (hermes_home / "auth.json").read_bytes() == before


def test_a_fix_waits_for_hermes_lock_like_every_other_write(hermes_home, env):
    import fcntl
    import subprocess
    import sys

    write(hermes_home, BROKEN)
    holder = open(hermes_home / "auth.lock", "a+")  # noqa: SIM115 - held across the child's run
    fcntl.flock(holder, fcntl.LOCK_EX)
    child = subprocess.Popen([sys.executable, "-m", "hermes_setup_pools", "doctor", "--fix", "--yes"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=1.0)
    assert json.loads((hermes_home / "auth.json").read_text())["credential_pool"] == BROKEN
    fcntl.flock(holder, fcntl.LOCK_UN)
    holder.close()
    child.wait(timeout=30)
    assert len(json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"]) == 3


def test_exhausted_entries_with_timestamps_in_milliseconds_are_not_findings_by_themselves(hermes_home, env):
    write(hermes_home, {"openrouter": [entry("aaaaaa", "team", KEY_1, last_status="exhausted",
                                             last_status_at=time.time(), last_error_code=429)]})
    assert doctor(env).returncode == 0
    assert os.path.exists(hermes_home / "auth.json")
