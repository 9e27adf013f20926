"""Issue #13 in the step: the key check at the prompt, --check for key files,
pool --list --check and doctor --check, against a fake provider on 127.0.0.1
reached through OPENROUTER_BASE_URL (or a custom provider's base_url), as a
user would point Hermes at it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

import helpers
from conftest import run_cli
from fakeprovider import Answer, FakeProvider, Received
from helpers import KEY_1, KEY_2, KEY_3, assert_no_secret

KEY_4 = "sk-or-v1-" + "4" * 52 + "4444"


def openrouter(request: Received) -> Answer:
    """OpenRouter's GET /key, by the key in the Authorization header."""
    key = request.headers.get("authorization", "").removeprefix("Bearer ")
    if request.path != "/api/v1/key":
        return Answer(404, {"error": "no route"})
    if key == KEY_2:
        return Answer(401, {"error": {"message": "No auth credentials found", "code": 401}})
    if key == KEY_3:
        return Answer(200, {"data": {"label": "x", "limit": 10, "limit_remaining": 0, "usage": 10}})
    if key == KEY_4:
        return Answer(200, {"data": {}}, delay=0.1)
    return Answer(200, {"data": {"label": "x", "limit": 10, "limit_remaining": 3.1, "usage": 6.9}})


@pytest.fixture
def fake(monkeypatch, hermes_home, env) -> Iterator[FakeProvider]:
    """The fake OpenRouter, with the check switched on for this test."""
    with FakeProvider() as server:
        server.answer = openrouter
        monkeypatch.delenv("HERMES_SETUP_POOLS_KEY_CHECK")
        env.pop("HERMES_SETUP_POOLS_KEY_CHECK")
        (hermes_home / "config.yaml").write_text("model:\n  provider: openrouter\n")
        (hermes_home / ".env").write_text(f"OPENROUTER_BASE_URL={server.base}/api/v1\n")
        yield server


def keys_sent(server: FakeProvider) -> list[str]:
    for request in server.received:
        assert request.path == "/api/v1/key" and "sk-" not in request.path  # the key never travels in a URL
    return [r.headers["authorization"].removeprefix("Bearer ") for r in server.received]


def run_step(home, answers):
    _, text, prompter = helpers.run_step(home, answers)
    return text, prompter


def pool(home):
    return json.loads((home / "auth.json").read_text())["credential_pool"]["openrouter"]


def test_each_typed_key_is_checked_after_one_question(fake, hermes_home):
    text, prompter = run_step(hermes_home, [
        KEY_1, True, "good",       # checked: valid, with credit
        KEY_2, False,              # rejected: not added (the user does not insist)
        KEY_3, "broke",            # out of credit: added, with the warning
        KEY_2, True, "insisted",   # rejected, but the user insists
        "", "fill_first", True,
    ])
    questions = [message for kind, message in prompter.asked if kind == "confirm"]
    assert questions.count(f"Check new keys with {fake.host} now?") == 1
    assert "✓ valid · $3.10 of $10.00 left" in text
    assert f"✗ rejected by {fake.host} (401)" in text
    assert "! valid but out of credit" in text
    assert [e["label"] for e in pool(hermes_home)] == ["good", "broke", "insisted"]
    assert keys_sent(fake) == [KEY_1, KEY_2, KEY_3, KEY_2]


def test_declining_the_check_sends_nothing(fake, hermes_home):
    run_step(hermes_home, [KEY_1, False, "", "", True])
    assert fake.received == [] and len(pool(hermes_home)) == 1


def test_without_check_a_non_interactive_run_sends_nothing(fake, hermes_home, env):
    result = run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env, input=f"{KEY_1}\n{KEY_2}\n")
    assert result.returncode == 0 and fake.received == []


def test_check_refuses_the_whole_file_naming_lines_not_keys(fake, hermes_home, env):
    result = run_cli(["pool", "--non-interactive", "--check", "--key-file", "-", "--yes"], env,
                     input=f"a {KEY_1}\nb {KEY_2}\nc {KEY_3}\n")
    assert result.returncode == 1
    assert f"line 2: ✗ rejected by {fake.host} (401)" in result.stderr and "nothing was written" in result.stderr
    assert_no_secret(result.stdout + result.stderr)
    assert not (hermes_home / "auth.json").exists()
    assert sorted(keys_sent(fake)) == sorted([KEY_1, KEY_2, KEY_3])


def test_check_adds_valid_and_out_of_credit_keys_with_a_warning(fake, hermes_home, env):
    result = run_cli(["pool", "--non-interactive", "--check", "--key-file", "-", "--yes"], env,
                     input=f"a {KEY_1}\nc {KEY_3}\n")
    assert result.returncode == 0, result.stderr
    assert "line 2: valid but out of credit (added anyway)" in result.stdout
    assert [e["label"] for e in pool(hermes_home)] == ["a", "c"]


def test_a_bulk_check_runs_eight_at_a_time(fake, hermes_home, env):
    keys = "".join(f"sk-or-v1-{i:04d}" + "4" * 48 + "4444\n" for i in range(50))

    def answer(request: Received) -> Answer:
        # hold each answer until eight requests are in flight (or a second has
        # passed), so the count below does not depend on thread timing
        deadline = time.monotonic() + 1.0
        while fake.in_flight < 8 and time.monotonic() < deadline and len(fake.received) <= 48:
            time.sleep(0.005)
        return Answer(200, {"data": {}})

    fake.answer = answer
    result = run_cli(["pool", "--non-interactive", "--check", "--key-file", "-", "--yes"], env, input=keys)
    assert result.returncode == 0, result.stderr
    assert len(fake.received) == 50 and fake.max_in_flight == 8


def test_list_check_and_doctor_check_ask_about_the_keys_already_in_the_pool(fake, hermes_home, env):
    env["HERMES_SETUP_POOLS_KEY_CHECK"] = "off"  # add without checking
    assert run_cli(["pool", "--non-interactive", "--key-file", "-", "--yes"], env,
                   input=f"good {KEY_1}\nbad {KEY_2}\nbroke {KEY_3}\n").returncode == 0
    env.pop("HERMES_SETUP_POOLS_KEY_CHECK")
    listed = run_cli(["pool", "--list", "--check", "--json"], env)
    checks = {e["label"]: e["check"]["verdict"] for e in json.loads(listed.stdout)}
    assert checks == {"good": "valid", "bad": "rejected", "broke": "no_credit"}
    doctor = run_cli(["doctor", "--check", "--json"], env)
    found = {(f["code"], f["entry"]) for f in json.loads(doctor.stdout)}
    assert found == {("rejected-key", "bad"), ("no-credit", "broke")} and doctor.returncode == 1
    assert_no_secret(listed.stdout + doctor.stdout)


def test_a_custom_endpoint_is_checked_at_its_own_models_url(monkeypatch, hermes_home):
    with FakeProvider() as server:
        server.routes({"/v1/models": Answer(200, {"data": [{"id": "m"}]})})
        monkeypatch.delenv("HERMES_SETUP_POOLS_KEY_CHECK")
        (hermes_home / "config.yaml").write_text(
            f"model: {{provider: custom, base_url: '{server.base}/v1'}}\n"
            f"custom_providers: [{{name: Local, base_url: '{server.base}/v1'}}]\n")
        text, _ = run_step(hermes_home, [KEY_1, True, "", "", True])
    assert "✓ valid" in text
    assert [r.path for r in server.received] == ["/v1/models"]
    assert server.received[0].headers["authorization"] == f"Bearer {KEY_1}"


# -- a key that could not be checked (#18.3): one rule for both paths, and what to do next --------


def test_at_the_prompt_a_key_that_could_not_be_checked_waits_for_a_decision(fake, hermes_home):
    answers = iter([Answer(500, {"error": "down"}), Answer(500, {"error": "down"})])
    fake.answer = lambda request: next(answers, None) or openrouter(request)
    text, prompter = run_step(hermes_home, [
        KEY_1, True, "retry",   # the host is down: check again …
        "skip",                 # … still down: do not add it
        KEY_1, "good",          # typed again: the host answers now
        "", True,
    ])
    question = f"Could not check this key with {fake.host}. What now?"
    assert [m for kind, m in prompter.asked if kind == "select"].count(question) == 2
    assert text.count(f"! could not check with {fake.host}: HTTP 500") == 2 and "✓ valid" in text
    assert [e["label"] for e in pool(hermes_home)] == ["good"]
    assert len(fake.received) == 3


def test_add_without_the_check_adds_it(fake, hermes_home):
    fake.answer = lambda request: Answer(503, {"error": "down"})
    run_step(hermes_home, [KEY_1, True, "add", "team", "", True])
    assert [e["label"] for e in pool(hermes_home)] == ["team"]


def test_with_check_a_key_that_could_not_be_checked_stops_the_run_and_says_what_next(fake, hermes_home, env):
    fake.answer = lambda request: Answer(503, {"error": "down"})
    result = run_cli(["pool", "--non-interactive", "--check", "--key-file", "-", "--yes"], env, input=f"{KEY_1}\n")
    assert result.returncode == 1 and not (hermes_home / "auth.json").exists()
    assert f"line 1: ! could not check with {fake.host}: HTTP 503; nothing was written" in result.stderr
    assert f"retry when {fake.host} answers, or add the keys without the check" in result.stderr
    assert "HERMES_SETUP_POOLS_KEY_CHECK=off" in result.stderr and result.stderr.count("\n") == 1
