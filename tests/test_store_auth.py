"""auth.json: Hermes' lock, atomic writes, merges that keep everything else, fail closed."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hermes_setup_pools.keys.fingerprint import fingerprint
from hermes_setup_pools.pool.apply import apply_changes
from hermes_setup_pools.pool.changes import Add
from hermes_setup_pools.store.auth import auth_path, auth_text, load_auth, update_pool
from hermes_setup_pools.store.entries import NewCredential
from hermes_setup_pools.store.files import StoreError, write_atomic
from hermes_setup_pools.store.lock import auth_lock

from conftest import run_cli

KEY_A = "sk-or-v1-" + "a" * 56
KEY_B = "sk-or-v1-" + "b" * 56
URL = "https://openrouter.ai/api/v1"


def add(home: Path, *creds: NewCredential, pool="openrouter", timeout=15.0):
    changes = tuple(Add(cred) for cred in creds)
    return update_pool(home, pool, lambda entries, sup: apply_changes(entries, sup, changes), timeout=timeout)


def manual(label, key, url=URL):
    return NewCredential(label, "manual", key, url)


# -- entry format ------------------------------------------------------------


def test_new_file_has_version_1_and_hermes_entry_format(hermes_home):
    add(hermes_home, NewCredential("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY", KEY_A, URL), manual("team", KEY_B))
    data = json.loads((hermes_home / "auth.json").read_text())
    assert data["version"] == 1
    assert data["providers"] == {}
    assert data["updated_at"].endswith("+00:00")
    ref, man = data["credential_pool"]["openrouter"]
    assert list(ref) == [
        "id", "label", "auth_type", "priority", "source", "last_status", "last_status_at", "last_error_code",
        "last_error_reason", "last_error_message", "last_error_reset_at", "base_url", "request_count",
        "secret_fingerprint",
    ]
    assert ref["source"] == "env:OPENROUTER_API_KEY" and "access_token" not in ref
    assert ref["secret_fingerprint"] == fingerprint(KEY_A)
    assert KEY_A not in (hermes_home / "auth.json").read_text()
    assert man["source"] == "manual" and man["access_token"] == KEY_B and "secret_fingerprint" not in man
    assert (ref["priority"], man["priority"]) == (0, 1)
    for entry in (ref, man):
        assert len(entry["id"]) == 6 and int(entry["id"], 16) >= 0
        assert entry["request_count"] == 0 and entry["last_status"] is None and entry["auth_type"] == "api_key"


def test_everything_else_is_kept_exactly(hermes_home):
    original = {
        "version": 1,
        "providers": {"nous": {"access_token": "oauth-state", "weird": [1, {"x": None}]}},
        "active_provider": "nous",
        "suppressed_sources": {"anthropic": ["env:ANTHROPIC_API_KEY"]},
        "future_key": {"unknown": True},
        "credential_pool": {
            "anthropic": "not even a list — other pools are carried whatever their shape",
            "gemini": ["a non-object entry in another pool stays too", {"priority": "x"}],
            "openrouter": [
                {"id": "abc123", "label": "old", "priority": 7, "source": "manual", "access_token": KEY_A,
                 "custom_field": "kept", "request_count": 42},
                {"id": "def456", "label": "float", "priority": 1.5, "source": "manual", "access_token": KEY_A[::-1]},
            ],
        },
        "updated_at": "2020-01-01T00:00:00+00:00",
    }
    (hermes_home / "auth.json").write_text(json.dumps(original))
    result = add(hermes_home, manual("new", KEY_B))
    data = json.loads((hermes_home / "auth.json").read_text())
    assert data["updated_at"] != original["updated_at"]
    for key in ("version", "providers", "active_provider", "suppressed_sources", "future_key"):
        assert data[key] == original[key]
    for other in ("anthropic", "gemini"):
        assert data["credential_pool"][other] == original["credential_pool"][other]
    pool = data["credential_pool"]["openrouter"]
    assert pool[:2] == original["credential_pool"]["openrouter"]
    assert pool[2]["label"] == "new" and pool[2]["priority"] == 8  # max + 1
    assert [e["label"] for e in result.added] == ["new"]


def test_duplicate_key_is_skipped_naming_the_label_not_the_key(hermes_home):
    add(hermes_home, manual("team", KEY_A))
    before = (hermes_home / "auth.json").read_bytes()
    result = add(hermes_home, manual("again", KEY_A))
    assert result.added == []
    (_change, reason), = result.skipped
    assert "'team'" in reason and KEY_A not in reason
    assert (hermes_home / "auth.json").read_bytes() == before  # nothing to write, nothing written


def test_duplicate_detected_against_a_reference_fingerprint(hermes_home):
    add(hermes_home, NewCredential("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY", KEY_A, URL))
    result = add(hermes_home, manual("typed", KEY_A))
    assert result.added == [] and "OPENROUTER_API_KEY" in result.skipped[0][1]


def test_repeat_within_one_batch_is_skipped(hermes_home):
    result = add(hermes_home, manual("one", KEY_A), manual("two", KEY_A))
    assert [e["label"] for e in result.added] == ["one"]
    assert "'one'" in result.skipped[0][1]


def test_suppressed_source_is_not_reseeded(hermes_home):
    (hermes_home / "auth.json").write_text(json.dumps({"suppressed_sources": {"openrouter": ["env:OPENROUTER_API_KEY"]}}))
    result = add(hermes_home, NewCredential("OPENROUTER_API_KEY", "env:OPENROUTER_API_KEY", KEY_A, URL))
    assert result.added == [] and "was removed from this pool" in result.skipped[0][1]


def test_label_taken_meanwhile_gets_a_suffix(hermes_home):
    add(hermes_home, manual("team", KEY_A))
    result = add(hermes_home, manual("team", KEY_B))
    assert result.added[0]["label"] == "team-2"


def test_new_credential_repr_hides_the_key():
    assert KEY_A not in repr(manual("x", KEY_A))


# -- atomic write, modes, symlinks -------------------------------------------------


def test_mode_is_0600_even_when_it_was_0644_and_no_temp_files_are_left(hermes_home):
    path = hermes_home / "auth.json"
    path.write_text("{}")
    path.chmod(0o644)
    add(hermes_home, manual("team", KEY_A))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in hermes_home.iterdir()) == ["auth.json", "auth.lock"]


def test_symlinked_auth_json_stays_a_link_and_its_target_is_updated(hermes_home, tmp_path):
    real_dir = tmp_path / "elsewhere"
    real_dir.mkdir()
    target = real_dir / "real-auth.json"
    target.write_text("{}")
    (hermes_home / "auth.json").symlink_to(target)
    add(hermes_home, manual("team", KEY_A))
    assert (hermes_home / "auth.json").is_symlink()
    assert json.loads(target.read_text())["credential_pool"]["openrouter"][0]["label"] == "team"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in real_dir.iterdir()) == ["real-auth.json"]


def test_symlinked_lock_is_refused_and_not_followed(hermes_home, tmp_path):
    victim = tmp_path / "victim-does-not-exist"
    (hermes_home / "auth.lock").symlink_to(victim)
    with pytest.raises(StoreError, match="symbolic link"):
        add(hermes_home, manual("team", KEY_A))
    assert not victim.exists()
    assert not (hermes_home / "auth.json").exists()


def test_dangling_symlinked_auth_json_is_refused(hermes_home, tmp_path):
    (hermes_home / "auth.json").symlink_to(tmp_path / "missing.json")
    with pytest.raises(StoreError, match="missing file"):
        add(hermes_home, manual("team", KEY_A))
    assert not (tmp_path / "missing.json").exists()


# -- fail closed -------------------------------------------------------------------

BAD_AUTH = {
    "corrupt": (b'{"credential_pool": {"openrouter": [', "not valid JSON"),
    "empty": (b"", "empty"),
    "whitespace": (b"  \n", "empty"),
    "list": (b"[1, 2]", "expected an object"),
    "pool-not-object": (b'{"credential_pool": []}', "credential_pool is a list"),
    "pool-not-list": (b'{"credential_pool": {"openrouter": {"a": 1}}}', "credential_pool.openrouter is a dict"),
    "not-utf8": (b'{"x": "\xff\xfe"}', "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_AUTH))
def test_bad_auth_json_is_left_byte_identical_and_the_cli_says_why(case, hermes_home, env):
    content, problem = BAD_AUTH[case]
    path = hermes_home / "auth.json"
    path.write_bytes(content)
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    result = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input=f"{KEY_A}\n")
    assert result.returncode == 1
    assert path.read_bytes() == content
    assert str(path) in result.stderr and problem in result.stderr
    assert "Traceback" not in result.stderr and KEY_A not in result.stderr + result.stdout
    assert (hermes_home / "config.yaml").read_text() == "model:\n  provider: openrouter\n"


def test_unreadable_auth_json_is_refused(hermes_home):
    if os.geteuid() == 0:
        # root reads a 0000 file anyway; a directory in its place is unreadable for everyone
        (hermes_home / "auth.json").mkdir()
        with pytest.raises(StoreError, match="is a directory"):
            load_auth(hermes_home)
        return
    path = hermes_home / "auth.json"
    path.write_text("{}")
    path.chmod(0)
    with pytest.raises(StoreError, match="cannot read"):
        load_auth(hermes_home)


# -- the lock ----------------------------------------------------------------------

HOLD_LOCK = textwrap.dedent("""
    import fcntl, sys, time
    fd = open(sys.argv[1], "a+")
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()   # hold until told to release
""")


@pytest.fixture
def lock_holder(hermes_home):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(hermes_home / "auth.lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_write_waits_for_the_lock_then_succeeds(hermes_home, lock_holder, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    cli = subprocess.Popen(
        [str(Path(sys.executable).parent / "hermes-setup-pools"), "pool", "--non-interactive", "--key-file", "-", "--yes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    cli.stdin.write(KEY_A + "\n")
    cli.stdin.close()
    # The summary is printed right before the commit takes the lock.
    while "About to write" not in cli.stdout.readline():
        assert cli.poll() is None, cli.stderr.read()
    with pytest.raises(subprocess.TimeoutExpired):
        cli.wait(timeout=0.5)  # ten 50 ms polls later it must still be waiting
    assert not (hermes_home / "auth.json").exists()
    lock_holder.stdin.write("release\n")
    lock_holder.stdin.flush()
    assert cli.wait(timeout=20) == 0, cli.stderr.read()
    assert load_auth(hermes_home)["credential_pool"]["openrouter"][0]["access_token"] == KEY_A


def test_write_times_out_cleanly_when_the_lock_is_not_released(hermes_home, lock_holder):
    started = time.monotonic()
    with pytest.raises(StoreError) as err:
        add(hermes_home, manual("team", KEY_A), timeout=0.5)
    assert time.monotonic() - started >= 0.5
    assert "another Hermes process" in str(err.value) and "auth.lock" in str(err.value)
    assert not (hermes_home / "auth.json").exists()


def test_lock_is_released_after_a_write(hermes_home):
    add(hermes_home, manual("team", KEY_A))
    with open(hermes_home / "auth.lock", "a+") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise if still held


# -- concurrency -------------------------------------------------------------------


def _adder(home: str, index: int, start) -> None:
    start.wait()
    key = f"sk-or-v1-{index:02d}" + "x" * 54
    add(Path(home), manual(f"worker-{index}", key))


def _rewriter(home: str, stop, ready, writes, sizes) -> None:
    # Another Hermes-like writer: rewrites an unrelated top-level key under the
    # lock, before, during and after the adders, counting its own writes and
    # recording how many pool entries each of its reads saw.
    def rewrite() -> None:
        with auth_lock(Path(home)):
            data = load_auth(Path(home)) or {"version": 1, "providers": {}}
            writes.value += 1
            data["other_writer"] = writes.value
            sizes.append(len((data.get("credential_pool") or {}).get("openrouter", [])))
            write_atomic(auth_path(Path(home)), "".join(auth_text(data)).encode("utf-8"), 0o600)

    rewrite()
    ready.set()
    while not stop.is_set():
        rewrite()
        time.sleep(0.002)  # a real writer does other work between writes
    rewrite()


def _reader(home: str, stop, failures) -> None:
    path = Path(home) / "auth.json"
    while not stop.is_set():
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        try:
            json.loads(raw)
        except ValueError:
            failures.value += 1


def test_eight_concurrent_writers_and_a_rewriter_lose_nothing(hermes_home):
    ctx = multiprocessing.get_context("fork")
    manager = ctx.Manager()
    start, stop, ready = ctx.Event(), ctx.Event(), ctx.Event()
    failures, writes = ctx.Value("i", 0), ctx.Value("i", 0)
    sizes = manager.list()
    rewriter = ctx.Process(target=_rewriter, args=(str(hermes_home), stop, ready, writes, sizes))
    reader = ctx.Process(target=_reader, args=(str(hermes_home), stop, failures))
    adders = [ctx.Process(target=_adder, args=(str(hermes_home), i, start)) for i in range(8)]
    rewriter.start()
    assert ready.wait(timeout=30)
    for proc in (reader, *adders):
        proc.start()
    start.set()
    for proc in adders:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    stop.set()
    rewriter.join(timeout=30)
    reader.join(timeout=30)
    assert rewriter.exitcode == 0 and reader.exitcode == 0
    data = load_auth(hermes_home)
    labels = sorted(e["label"] for e in data["credential_pool"]["openrouter"])
    assert labels == sorted(f"worker-{i}" for i in range(8))  # no adder's write was lost
    assert data["other_writer"] == writes.value  # no rewrite was lost either
    assert sizes[0] == 0 and sizes[-1] == 8  # the rewriter ran before and after the adders
    assert sorted(e["priority"] for e in data["credential_pool"]["openrouter"]) == list(range(8))
    assert failures.value == 0
    assert sorted(p.name for p in hermes_home.iterdir()) == ["auth.json", "auth.lock"]
