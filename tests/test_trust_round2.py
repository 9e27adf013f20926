"""Issue #22, second round: the new surfaces never lose or show a key, never
hang, never send a key to the wrong host; each case failed before its fix."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from hermes_setup_pools.check import check_key, check_keys

from conftest import run_cli
from fakeprovider import Answer, FakeProvider
from helpers import KEY_1, KEY_2, KEY_3, assert_no_secret


@pytest.fixture
def two_servers(monkeypatch, env) -> Iterator[tuple[FakeProvider, FakeProvider]]:
    monkeypatch.delenv("HERMES_SETUP_POOLS_KEY_CHECK")
    env.pop("HERMES_SETUP_POOLS_KEY_CHECK")
    with FakeProvider() as first, FakeProvider() as second:
        for server in (first, second):
            server.answer = lambda request: Answer(200, {"data": []})
        yield first, second


def manual(entry_id, label, key, priority, **extra):
    return {"id": entry_id, "label": label, "auth_type": "api_key", "priority": priority, "source": "manual",
            "access_token": key, **extra}


def write_pool(home, pool_key, entries, config="model:\n  provider: openrouter\n"):
    (home / "auth.json").write_text(json.dumps({"version": 1, "credential_pool": {pool_key: entries}}, indent=2))
    (home / "auth.json").chmod(0o600)
    (home / "config.yaml").write_text(config)


# -- 3: one endpoint per pool, for every caller -----------------------------------------------------


def test_custom_providers_differing_only_in_case_send_keys_to_the_first_as_hermes_does(hermes_home, env, two_servers):
    first, second = two_servers
    config = (f"model:\n  provider: custom\n  base_url: {first.base}/v1\ncustom_providers:\n"
              f"- name: Team\n  base_url: {first.base}/v1\n- name: team\n  base_url: {second.base}/v1\n")
    write_pool(hermes_home, "custom:team", [manual("aaaaaa", "one", KEY_1, 0)], config)
    listed = run_cli(["pool", "--list", "--check", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    doctor = run_cli(["doctor", "--check", "--json"], env)
    assert "Traceback" not in doctor.stderr
    assert len(first.received) == 2 and second.received == []


# -- 4, 5: every text from a file goes through the redactor -----------------------------------------


def test_dry_run_masks_keys_a_provider_echoed_into_hermes_error_fields(hermes_home, env):
    echoed = f"Incorrect API key provided: {KEY_2}. You can find your API key at https://x.example"
    write_pool(hermes_home, "openrouter", [manual("aaaaaa", "one", KEY_1, 0, last_status="exhausted",
                                                  last_error_message=echoed, last_error_reason=f"bad key {KEY_3}")])
    result = run_cli(["pool", "--non-interactive", "--strategy", "random", "--rename", "one", "uno", "--dry-run"], env)
    assert result.returncode == 0, result.stderr
    assert "bad key …3333" in result.stdout  # the diff's context shows this field
    assert_no_secret(result.stdout + result.stderr)
    from hermes_setup_pools.keys.files import render_auth

    rendered = render_auth(json.loads((hermes_home / "auth.json").read_text()))
    assert "Incorrect API key provided: …2222. You can find" in rendered and KEY_2 not in rendered


# -- 7: no lost update of config.yaml ----------------------------------------------------------------


def test_parallel_runs_setting_different_strategies_all_land(hermes_home, env):
    providers = ["openrouter", "anthropic", "deepseek", "xai", "gemini", "nvidia"]
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n# mine\n")

    def run(provider):
        return run_cli(["pool", "--non-interactive", "--provider", provider, "--strategy", "round_robin", "--yes"], env)

    with ThreadPoolExecutor(len(providers)) as pool:
        results = list(pool.map(run, providers))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    text = (hermes_home / "config.yaml").read_text()
    assert all(f"{p}: round_robin" in text for p in providers) and "# mine" in text


# -- 8: no silent no-op -----------------------------------------------------------------------------


def test_rename_of_an_entry_without_an_id_is_done(hermes_home, env):
    entry = manual("aaaaaa", "first", KEY_1, 0)
    del entry["id"]
    write_pool(hermes_home, "openrouter", [entry, manual("bbbbbb", "second", KEY_2, 1)])
    result = run_cli(["pool", "--rename", "first", "primary", "--yes"], env)
    assert result.returncode == 0 and "Nothing to change" not in result.stdout, result.stdout + result.stderr
    labels = [e["label"] for e in json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"]]
    assert labels == ["primary", "second"]


def test_move_where_two_entries_share_an_id_moves_the_one_named(hermes_home, env):
    write_pool(hermes_home, "openrouter", [manual("aaaaaa", "one", KEY_1, 0), manual("bbbbbb", "two", KEY_2, 1),
                                           manual("bbbbbb", "three", KEY_3, 2)])
    result = run_cli(["pool", "--move", "three", "--to", "1", "--yes"], env)
    assert result.returncode == 0, result.stderr
    pool = json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["openrouter"]
    assert [e["label"] for e in sorted(pool, key=lambda e: e["priority"])] == ["three", "one", "two"]


# -- 9: bounded reads --------------------------------------------------------------------------------


def test_dev_zero_as_a_key_file_stops_at_once_with_one_line(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    started = time.monotonic()
    result = run_cli(["pool", "--non-interactive", "--key-file", "/dev/zero", "--yes"], env, timeout=30)
    assert time.monotonic() - started < 20
    assert result.returncode == 1 and "longer than 16,384 characters" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_huge_line_on_standard_input_is_refused_without_reading_it_whole(hermes_home, env):
    (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
    child = subprocess.Popen([str(os.path.join(os.path.dirname(sys.executable), "hermes-setup-pools")), "pool",
                              "--non-interactive", "--key-file", "-", "--yes"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdin is not None
        for _ in range(300):  # up to 300 MB, but the reader stops after the first 16 KiB line
            child.stdin.write(b"x" * 1_000_000)
    except BrokenPipeError:
        pass
    _, err = child.communicate(timeout=60)
    assert child.returncode == 1 and b"longer than 16,384 characters" in err


# -- 10: deadlines -----------------------------------------------------------------------------------


def dripping_server(interval: float) -> tuple[socket.socket, int]:
    """A server that sends its status line and headers one byte every ``interval`` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                    conn.sendall(bytes([byte]))
                    time.sleep(interval)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def test_a_server_dripping_its_answer_is_cut_off_at_the_deadline_and_named():
    listener, port = dripping_server(0.2)
    try:
        started = time.monotonic()
        result = check_key("openai-api", f"http://127.0.0.1:{port}/v1", "sk-" + "e" * 45 + "9q9q", timeout=1.0)
        assert time.monotonic() - started < 3.0
    finally:
        listener.close()
    assert result.verdict == "unknown"
    assert result.describe() == f"! could not check with 127.0.0.1:{port}: no complete answer within 5 s"


def test_a_bulk_check_ends_by_its_own_deadline(monkeypatch):
    from hermes_setup_pools.check import http

    monkeypatch.setattr(http, "BULK_DEADLINE", 1.5)
    with FakeProvider() as slow:
        slow.answer = lambda request: Answer(200, {"data": []}, delay=30)
        started = time.monotonic()
        results = check_keys("openai-api", slow.base + "/v1", [f"sk-{i:03d}" + "e" * 45 for i in range(20)],
                             parallel=4, timeout=1.0)
        assert time.monotonic() - started < 6.0
        assert [r.verdict for r in results] == ["unknown"] * 20


# -- 12: small ones ----------------------------------------------------------------------------------


def test_a_config_yaml_with_a_byte_order_mark_is_read_and_the_mark_kept(hermes_home, env):
    (hermes_home / "config.yaml").write_bytes(b"\xef\xbb\xbfmodel:\n  provider: openrouter\n")
    result = run_cli(["pool", "--non-interactive", "--strategy", "random", "--yes"], env)
    assert result.returncode == 0, result.stderr
    assert (hermes_home / "config.yaml").read_bytes() == (b"\xef\xbb\xbfmodel:\n  provider: openrouter\n"
                                                          b"credential_pool_strategies:\n  openrouter: random\n")


def test_missing_parents_of_a_new_home_are_private(tmp_path, env):
    home = tmp_path / "new" / "deeper" / "hermes"
    result = run_cli(["pool", "--non-interactive", "--provider", "openrouter", "--strategy", "random", "--yes",
                      "--hermes-home", str(home)], env)
    assert result.returncode == 0, result.stderr
    for directory in (tmp_path / "new", tmp_path / "new" / "deeper", home):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


# -- a third round (an adversarial run on the second round's code) ------------------------------------


KEY_NAME = "sk-or-v1-" + "Ab3dE" * 10 + "Zz9Q"  # a key pasted as a custom provider's name
SHOWN_FORMS = (KEY_NAME, KEY_NAME.lower(), KEY_NAME[9:], KEY_NAME.lower()[9:])


def test_a_pool_named_by_a_key_is_never_shown_whole(hermes_home, env):
    # Hermes makes the pool key custom:<name lower-cased> and seeds a row whose source names the provider.
    config = (f"model:\n  provider: custom\n  base_url: http://127.0.0.1:9/v1\ncustom_providers:\n"
              f"- name: {KEY_NAME}\n  base_url: http://127.0.0.1:9/v1\n  api_key: {KEY_1}\n"
              f"credential_pool_strategies:\n  {KEY_NAME}: round_robin\n")
    pool_key = f"custom:{KEY_NAME.lower()}"
    seeded = {**manual("aaaaaa", "seeded", KEY_1, 0), "source": f"config:{KEY_NAME}"}
    write_pool(hermes_home, pool_key, [seeded, manual("bbbbbb", "ph", "changeme", 1)], config)
    runs = [run_cli(args, env) for args in (["pool", "--list"], ["pool", "--list", "--json"], ["doctor"],
                                            ["doctor", "--json"], ["doctor", "--fix", "--yes"])]
    assert json.loads(runs[1].stdout) and json.loads(runs[3].stdout)  # still JSON, masked inside
    for result in runs:
        assert "Traceback" not in result.stderr
        assert_no_secret(result.stdout + result.stderr, (*SHOWN_FORMS, KEY_1))
    assert "custom:…zz9q" in runs[0].stdout and "config:…Zz9Q" in runs[0].stdout
    assert [e["label"] for e in json.loads((hermes_home / "auth.json").read_text())["credential_pool"][pool_key]] == [
        "seeded"]  # the fix was made, and said without the name


def test_a_key_given_as_the_profile_is_refused_before_it_is_lower_cased_or_shown(hermes_home, env):
    mixed = "AIzaSy" + "EMarm5wsLqqvXjNtEid5y6DGLUPKtzlmL"  # lower-cased, it no longer looks random
    for args in (["-p", mixed, "pool", "--list"], ["pool", "--profile", mixed, "--list"]):
        result = run_cli(args, env)
        assert result.returncode == 2
        assert "looks like an API key" in result.stderr
        assert_no_secret(result.stdout + result.stderr, (mixed, mixed.lower(), mixed[6:].lower()))


def test_a_key_glued_to_a_name_and_equals_sign_is_masked_in_provider_text(hermes_home, env):
    from hermes_setup_pools.keys.detect import redact

    plain = "sk-or-v1-" + "0123456789abcdef" * 4  # a prefixed key, not random-looking enough to be caught alone
    assert redact(f"rejected key={plain} for user") == f"rejected key=…{plain[-4:]} for user"
    write_pool(hermes_home, "openrouter", [manual("aaaaaa", "one", KEY_1, 0, last_status="exhausted",
                                                  last_error_reason=f"key={plain}")])
    result = run_cli(["pool", "--non-interactive", "--reset", "one", "--dry-run"], env)
    assert result.returncode == 0, result.stderr
    assert_no_secret(result.stdout + result.stderr, (plain, KEY_1))
    assert f"key=…{plain[-4:]}" in result.stdout
