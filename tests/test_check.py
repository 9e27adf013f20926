"""The key check: a real HTTP server on 127.0.0.1 plays each provider, reached
through the base-URL settings a user would make (.env, the environment,
config.yaml), and we assert what it received and what the user is told."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hermes_setup_pools.check import USER_AGENT, CheckResult, check_key, check_keys, check_url_for, url_problem
from hermes_setup_pools.check.http import interpret
from hermes_setup_pools.check.specs import OPENAI_COMPATIBLE, spec_for
from hermes_setup_pools.check.urls import BASE_URL_ENV
from hermes_setup_pools.providers import resolve_target, target_from_config
from hermes_setup_pools.store.config import load_config
from hermes_setup_pools.store.dotenv import Environment

from conftest import ROOT
from fakeprovider import Answer, FakeProvider, Received
from helpers import CANARY

OR_KEY = "sk-or-v1-" + "a" * 52 + "7f3c"
ANT_KEY = "sk-ant-api03-" + "b" * 80 + "AAAA"
ANT_OAUTH = "sk-ant-oat01-" + "c" * 80 + "BBBB"
GEMINI_KEY = "AIzaSy" + "d" * 33
PLAIN_KEY = "sk-" + "e" * 45 + "9q9q"


@pytest.fixture(autouse=True)
def no_base_url_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No inherited base-URL overrides or proxies."""
    for var in (*BASE_URL_ENV.values(), "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as server:
        yield server


@pytest.fixture
def other() -> Iterator[FakeProvider]:
    """A second server on another port: must never hear from us."""
    with FakeProvider() as server:
        yield server


def write_config(home: Path, provider: str, extra: str = "") -> None:
    (home / "config.yaml").write_text(f"model:\n  provider: {provider}\n  default: some-model\n{extra}")


def base_url_for(
    home: Path, provider: str, var: str | None = None, url: str | None = None, *, env: pytest.MonkeyPatch | None = None
) -> str | None:
    """Set the provider's base URL the way a user would (in $HERMES_HOME/.env, or
    in the environment when ``env`` is given), then ask as the wizard will."""
    if var and url:
        if env is not None:
            env.setenv(var, url)
        else:
            (home / ".env").write_text(f"{var}={url}\n")
    write_config(home, provider)
    return check_url_for(target_from_config(load_config(home).data), Environment(home))


# -- where the check goes ------------------------------------------------------------------


def test_the_registry_url_is_used_when_nothing_overrides_it(hermes_home):
    assert base_url_for(hermes_home, "openrouter") == "https://openrouter.ai/api/v1"
    assert base_url_for(hermes_home, "anthropic") == "https://api.anthropic.com"
    assert base_url_for(hermes_home, "gemini") == "https://generativelanguage.googleapis.com/v1beta"
    assert check_url_for(resolve_target("fw", {}), Environment(hermes_home)) == "https://api.fireworks.ai/inference/v1"


def test_dotenv_wins_over_the_process_environment_as_in_hermes(hermes_home, monkeypatch):
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "https://from-env.example/v1")
    assert base_url_for(hermes_home, "deepseek") == "https://from-env.example/v1"
    (hermes_home / ".env").write_text('DEEPSEEK_BASE_URL="https://from-dotenv.example/v1/"\n')
    assert base_url_for(hermes_home, "deepseek") == "https://from-dotenv.example/v1"
    (hermes_home / ".env").write_text("DEEPSEEK_BASE_URL=\n")  # empty in .env: Hermes falls back to the environment
    assert base_url_for(hermes_home, "deepseek") == "https://from-env.example/v1"


def test_aliases_read_their_providers_variable(hermes_home, monkeypatch):
    monkeypatch.setenv("UPSTAGE_BASE_URL", "https://upstage-proxy.example/v1")
    assert check_url_for(resolve_target("solar", {}), Environment(hermes_home)) == "https://upstage-proxy.example/v1"


def test_a_custom_pool_uses_its_own_base_url(hermes_home):
    write_config(hermes_home, "custom:local", "custom_providers:\n  - name: Local\n    base_url: http://127.0.0.1:9/v1/\n")
    target = target_from_config(load_config(hermes_home).data)
    assert target.pool_key == "custom:local"
    assert check_url_for(target, Environment(hermes_home)) == "http://127.0.0.1:9/v1"


def test_no_pool_or_no_url_means_no_check(hermes_home):
    assert check_url_for(target_from_config({}), Environment(hermes_home)) is None
    assert base_url_for(hermes_home, "azure-foundry") is None  # its registry URL is empty
    assert check_key("azure-foundry", None, PLAIN_KEY).describe() == "– no check available for azure-foundry"


@pytest.mark.parametrize(("url", "problem"), [
    ("https://api.openai.com/v1", None),
    ("http://127.0.0.1:1234/v1", None),
    ("http://127.8.9.10/v1", None),
    ("http://[::1]:8080/v1", None),
    ("http://localhost:8080/v1", None),
    ("http://api.openai.com/v1", "base URL is not HTTPS"),
    ("http://127.0.0.1.nip.io/v1", "base URL is not HTTPS"),
    ("http://10.0.0.5/v1", "base URL is not HTTPS"),
    ("ftp://127.0.0.1/v1", "base URL is not HTTPS"),
    ("https://user:secret@api.example.com/v1", "credentials in the base URL"),
    ("not a url", "invalid base URL"),
    ("https://api.example.com:99999/v1", "invalid base URL"),
])
def test_only_https_or_loopback(url, problem):
    assert url_problem(url) == problem


def test_a_refused_url_sends_nothing(monkeypatch):
    connects: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connects.append(a))
    result = check_key("openrouter", "http://openrouter.example/api/v1", OR_KEY)
    assert (result.verdict, result.host, result.describe()) == ("unknown", "", "! could not check: base URL is not HTTPS")
    assert check_key("openrouter", "https://u:p@openrouter.ai/api/v1", OR_KEY).describe() == "! could not check: credentials in the base URL"
    assert connects == []


# -- each provider: what is asked, how, and what a valid key's answer says ------------------

class Valid(NamedTuple):
    """A provider answering a valid key: how it is reached, what it must receive, what the user sees."""

    provider: str
    var: str  # the base-URL variable a user sets
    prefix: str  # the path part of that base URL
    key: str
    path: str  # the request target the server must see
    header: str  # the header that must carry the key
    value: str
    body: Any
    described: str


VALID_CASES = [
    Valid("openrouter", "OPENROUTER_BASE_URL", "/api/v1", OR_KEY, "/api/v1/key", "authorization", f"Bearer {OR_KEY}",
          {"data": {"label": "sk-or-v1-a...", "limit": 10, "limit_remaining": 3.1, "usage": 6.9}}, "✓ valid · $3.10 of $10.00 left"),
    Valid("anthropic", "ANTHROPIC_BASE_URL", "", ANT_KEY, "/v1/models?limit=1", "x-api-key", ANT_KEY,
          {"data": [{"id": "claude-x", "type": "model"}], "has_more": True}, "✓ valid"),
    Valid("gemini", "GEMINI_BASE_URL", "/v1beta", GEMINI_KEY, "/v1beta/models?pageSize=1", "x-goog-api-key", GEMINI_KEY,
          {"models": [{"name": "models/gemini-x"}]}, "✓ valid"),
    Valid("deepseek", "DEEPSEEK_BASE_URL", "/v1", PLAIN_KEY, "/user/balance", "authorization", f"Bearer {PLAIN_KEY}",
          {"is_available": True, "balance_infos": [{"currency": "CNY", "total_balance": "12.50", "granted_balance": "0.00",
                                                     "topped_up_balance": "12.50"}]}, "✓ valid · balance 12.50 CNY"),
    Valid("xai", "XAI_BASE_URL", "/v1", "xai-" + "f" * 76, "/v1/api-key", "authorization", "Bearer xai-" + "f" * 76,
          {"name": "team key", "api_key_blocked": False, "api_key_disabled": False, "team_blocked": False}, "✓ valid"),
    Valid("openai-api", "OPENAI_BASE_URL", "/v1", PLAIN_KEY, "/v1/models", "authorization", f"Bearer {PLAIN_KEY}",
          {"object": "list", "data": []}, "✓ valid"),
    Valid("kimi-coding", "KIMI_BASE_URL", "/v1", PLAIN_KEY, "/v1/users/me/balance", "authorization", f"Bearer {PLAIN_KEY}",
          {"code": 0, "data": {"available_balance": 49.58894, "voucher_balance": 46.5, "cash_balance": 3.0}, "status": True},
          "✓ valid · balance 49.59 USD"),
    Valid("minimax", "MINIMAX_BASE_URL", "/anthropic", PLAIN_KEY, "/anthropic/v1/models", "authorization", f"Bearer {PLAIN_KEY}",
          {"data": [], "has_more": False}, "✓ valid"),
    Valid("kilocode", "KILOCODE_BASE_URL", "/api/gateway", PLAIN_KEY, "/api/profile/balance", "authorization", f"Bearer {PLAIN_KEY}",
          {"balance": 12.5, "isDepleted": False}, "✓ valid · balance 12.50 USD"),
    Valid("novita", "NOVITA_BASE_URL", "/openai/v1", PLAIN_KEY, "/openapi/v1/billing/balance/detail", "authorization",
          f"Bearer {PLAIN_KEY}", {"availableBalance": "1000000", "cashBalance": "800000"}, "✓ valid · balance 100.00 USD"),
    Valid("deepinfra", "DEEPINFRA_BASE_URL", "/v1/openai", PLAIN_KEY, "/v1/me?checklist=true", "authorization",
          f"Bearer {PLAIN_KEY}", {"uid": "u", "suspended": False, "checklist": {"stripe_balance": -5}}, "✓ valid · balance 5.00 USD"),
]


def assert_sent_properly(request: Received, path: str, header: str, value: str, key: str) -> None:
    assert request.method == "GET"
    assert request.path == path
    assert request.headers[header] == value
    assert key not in request.path and key[-12:] not in request.path  # never in the URL or its query
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["accept"] == "application/json"
    assert [name for name, v in request.headers.items() if key in v] == [header]  # only in that one header


@pytest.mark.parametrize("via", ["dotenv", "env"])
@pytest.mark.parametrize("case", VALID_CASES, ids=[c.provider for c in VALID_CASES])
def test_a_valid_key_is_asked_at_the_pools_own_url(hermes_home, fake, monkeypatch, via, case):
    fake.routes({case.path: Answer(200, case.body)})
    env = monkeypatch if via == "env" else None
    base_url = base_url_for(hermes_home, case.provider, case.var, fake.base + case.prefix, env=env)
    result = check_key(case.provider, base_url, case.key)
    assert result.describe() == case.described
    assert (result.verdict, result.host, result.status) == ("valid", fake.host, 200)
    assert len(fake.received) == 1
    assert_sent_properly(fake.received[0], case.path, case.header, case.value, case.key)


def test_anthropic_oauth_tokens_go_as_bearer_with_the_oauth_beta(hermes_home, fake):
    fake.routes({"/v1/models?limit=1": Answer(200, {"data": []})})
    base_url = base_url_for(hermes_home, "anthropic", "ANTHROPIC_BASE_URL", fake.base)
    assert check_key("anthropic", base_url, ANT_OAUTH).describe() == "✓ valid"
    request = fake.received[0]
    assert_sent_properly(request, "/v1/models?limit=1", "authorization", f"Bearer {ANT_OAUTH}", ANT_OAUTH)
    assert request.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "x-api-key" not in request.headers


def test_a_custom_endpoint_from_config_yaml_gets_models_with_bearer(hermes_home, fake):
    write_config(hermes_home, "custom", f"  base_url: {fake.base}/v1\ncustom_providers:\n  - name: Local LLM\n    base_url: {fake.base}/v1\n")
    target = target_from_config(load_config(hermes_home).data)
    assert target.pool_key == "custom:local-llm"
    fake.routes({"/v1/models": Answer(200, {"data": [{"id": "m"}]})})
    result = check_key(target.pool_key, check_url_for(target, Environment(hermes_home)), PLAIN_KEY)
    assert result.describe() == "✓ valid"
    assert_sent_properly(fake.received[0], "/v1/models", "authorization", f"Bearer {PLAIN_KEY}", PLAIN_KEY)


# -- rejected, out of credit, rate-limited, could not check --------------------------------

class Reply(NamedTuple):
    """A provider's answer and what it must mean ({host} in ``described`` is the fake server)."""

    provider: str
    var: str
    prefix: str
    answer: Answer
    verdict: str
    described: str


ANSWER_CASES = [
    # provider, variable, base path, answer, verdict, describe ({host} is the fake server)
    Reply("openrouter", "OPENROUTER_BASE_URL", "/api/v1", Answer(401, {"error": {"code": 401, "message": "No auth credentials found"}}),
     "rejected", "✗ rejected by {host} (401)"),
    Reply("gemini", "GEMINI_BASE_URL", "/v1beta", Answer(400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
     "status": "INVALID_ARGUMENT", "details": [{"reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}),
     "rejected", "✗ rejected by {host} (400)"),
    Reply("gemini", "GEMINI_BASE_URL", "/v1beta", Answer(400, {"error": {"code": 400, "message": "Invalid page size", "status": "INVALID_ARGUMENT"}}),
     "unknown", "! could not check with {host}: HTTP 400"),
    Reply("xai", "XAI_BASE_URL", "/v1", Answer(400, {"code": "Client specified an invalid argument",
     "error": "Incorrect API key provided: xa***ff. You can obtain an API key from https://console.x.ai."}),
     "rejected", "✗ rejected by {host} (400)"),
    Reply("xai", "XAI_BASE_URL", "/v1", Answer(200, {"api_key_blocked": True, "team_blocked": False}), "rejected", "✗ rejected by {host} (200)"),
    Reply("anthropic", "ANTHROPIC_BASE_URL", "", Answer(403, {"type": "error", "error": {"type": "permission_error", "message": "no"}}),
     "rejected", "✗ rejected by {host} (403)"),
    Reply("openai-api", "OPENAI_BASE_URL", "/v1", Answer(403, "<html>Request blocked by the firewall</html>"),
     "unknown", "! could not check with {host}: HTTP 403"),
    Reply("openrouter", "OPENROUTER_BASE_URL", "/api/v1", Answer(402, {"error": {"code": 402, "message": "Insufficient credits"}}),
     "no_credit", "! valid but out of credit"),
    Reply("openrouter", "OPENROUTER_BASE_URL", "/api/v1", Answer(200, {"data": {"limit": 10, "limit_remaining": 0, "usage": 10}}),
     "no_credit", "! valid but out of credit"),
    Reply("deepseek", "DEEPSEEK_BASE_URL", "/v1", Answer(200, {"is_available": False, "balance_infos": [
     {"currency": "CNY", "total_balance": "0.00", "granted_balance": "0.00", "topped_up_balance": "0.00"}]}),
     "no_credit", "! valid but out of credit"),
    Reply("kimi-coding", "KIMI_BASE_URL", "/v1", Answer(200, {"code": 0, "data": {"available_balance": -0.5}}),
     "no_credit", "! valid but out of credit"),
    Reply("minimax", "MINIMAX_BASE_URL", "/anthropic", Answer(200, {"base_resp": {"status_code": 1008, "status_msg": "insufficient balance"}}),
     "no_credit", "! valid but out of credit"),
    Reply("openai-api", "OPENAI_BASE_URL", "/v1", Answer(429, {"error": {"message": "Rate limit reached", "type": "requests"}}),
     "rate_limited", "✓ valid · rate-limited now (429)"),
    Reply("openai-api", "OPENAI_BASE_URL", "/v1", Answer(429, {"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}}),
     "no_credit", "! valid but out of credit"),
    Reply("zai", "GLM_BASE_URL", "/api/paas/v4", Answer(429, {"error": {"code": "1113", "message": "余额不足"}}),
     "no_credit", "! valid but out of credit"),
    Reply("deepseek", "DEEPSEEK_BASE_URL", "/v1", Answer(500, {"error": "internal"}), "unknown", "! could not check with {host}: HTTP 500"),
    Reply("openai-api", "OPENAI_BASE_URL", "/v1", Answer(404, "Not Found"), "unknown", "! could not check with {host}: HTTP 404"),
]


@pytest.mark.parametrize("case", ANSWER_CASES, ids=[f"{c.provider}-{c.answer.status}-{c.verdict}" for c in ANSWER_CASES])
def test_what_each_answer_means(hermes_home, fake, case):
    fake.answer = lambda request: case.answer
    result = check_key(case.provider, base_url_for(hermes_home, case.provider, case.var, fake.base + case.prefix), PLAIN_KEY)
    assert result.verdict == case.verdict
    assert result.describe() == case.described.format(host=fake.host)
    assert (result.status, result.host) == (case.answer.status, fake.host)
    assert len(fake.received) == 1


def test_the_exhausted_openrouter_key_still_reports_its_numbers(hermes_home, fake):
    fake.answer = lambda request: Answer(200, {"data": {"limit": 10, "limit_remaining": -0.2, "usage": 10.2}})
    result = check_key("openrouter", base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1"), OR_KEY)
    assert (result.verdict, result.credit) == ("no_credit", "$0.00 of $10.00 left")


def test_a_slow_answer_is_a_timeout_and_the_server_is_not_left_blocked(hermes_home, fake):
    fake.answer = lambda request: Answer(200, {"data": {}}, delay=30)
    base_url = base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1")
    started = time.monotonic()
    result = check_key("openrouter", base_url, OR_KEY, timeout=0.3)
    assert time.monotonic() - started < 2
    assert result.describe() == f"! could not check with {fake.host}: no complete answer within 5 s"
    assert (result.verdict, result.host, result.status) == ("unknown", fake.host, None)
    fake.stop()  # releases the sleeping handler at once
    assert fake.in_flight == 0


def test_a_redirect_to_another_host_is_refused_and_that_host_hears_nothing(hermes_home, fake, other):
    other.answer = lambda request: Answer(200, {"data": {"limit": None}})
    fake.answer = lambda request: Answer(302, b"", headers={"Location": other.base + "/api/v1/key"})
    result = check_key("openrouter", base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1"), OR_KEY)
    assert result.describe() == f"! could not check with {fake.host}: redirect to another host refused"
    assert (result.status, result.host) == (302, fake.host)
    assert len(fake.received) == 1
    assert other.received == []


@pytest.mark.parametrize("location", ["/api/v1/key/", "{base}/api/v1/other"])
def test_a_same_host_redirect_is_refused_too(hermes_home, fake, location):
    fake.answer = lambda request: Answer(307, b"", headers={"Location": location.format(base=fake.base)})
    result = check_key("openrouter", base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1"), OR_KEY)
    assert result.describe() == f"! could not check with {fake.host}: redirect refused"
    assert len(fake.received) == 1


def test_a_redirect_to_localhost_on_the_same_port_counts_as_another_host(hermes_home, fake):
    fake.answer = lambda request: Answer(301, b"", headers={"Location": f"http://localhost:{fake.port}/api/v1/key"})
    result = check_key("openrouter", base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1"), OR_KEY)
    assert result.describe() == f"! could not check with {fake.host}: redirect to another host refused"
    assert len(fake.received) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nothing_listening_is_connection_refused():
    port = free_port()
    result = check_key("openai-api", f"http://127.0.0.1:{port}/v1", PLAIN_KEY, timeout=2)
    assert result.describe() == f"! could not check with 127.0.0.1:{port}: connection refused"


def test_a_host_that_does_not_resolve(monkeypatch):
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert check_key("openai-api", "https://api.openai.example/v1", PLAIN_KEY).describe() == (
        "! could not check with api.openai.example: host not found")


def test_a_server_that_does_not_speak_tls_is_a_tls_error():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_in_plain_http() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_plain_http, daemon=True)
    thread.start()
    try:
        result = check_key("openai-api", f"https://127.0.0.1:{port}/v1", PLAIN_KEY, timeout=2)
    finally:
        listener.close()
        thread.join(timeout=5)
    assert result.describe() == f"! could not check with 127.0.0.1:{port}: TLS error"


@pytest.mark.parametrize(("provider", "var"), [
    ("copilot", "COPILOT_API_BASE_URL"), ("xiaomi", "XIAOMI_BASE_URL"), ("opencode-go", "OPENCODE_GO_BASE_URL"),
    ("huggingface", "HF_BASE_URL"), ("lmstudio", "LM_BASE_URL"),
])
def test_providers_without_a_check_send_nothing(hermes_home, fake, provider, var):
    result = check_key(provider, base_url_for(hermes_home, provider, var, fake.base + "/v1"), PLAIN_KEY)
    assert result.describe() == f"– no check available for {provider}"
    assert (result.verdict, result.host, result.status) == ("unsupported", "", None)
    assert result.reason  # says why, for a verbose mode
    assert fake.received == []


def test_oauth_providers_and_anthropic_style_azure_have_no_check():
    assert check_key("nous", "https://inference-api.nousresearch.com/v1", PLAIN_KEY).verdict == "unsupported"
    assert isinstance(spec_for("azure-foundry", "https://x.services.ai.azure.com/anthropic"), str)
    assert spec_for("azure-foundry", "https://x.openai.azure.com/openai/v1") != OPENAI_COMPATIBLE  # both api-key and Bearer


def test_a_kimi_code_key_is_checked_only_where_kimi_code_lives(hermes_home, fake):
    kimi_code_key = "sk-kimi-" + "g" * 40
    base_url = base_url_for(hermes_home, "kimi-coding", "KIMI_BASE_URL", fake.base + "/v1")
    assert check_key("kimi-coding", base_url, kimi_code_key).describe() == "– no check available for kimi-coding"
    assert fake.received == []  # the key is not moved to api.kimi.com either
    spec = spec_for("kimi-coding", "https://api.kimi.com/coding", kimi_code_key)
    assert not isinstance(spec, str)
    assert (spec.path, dict(spec.headers)) == ("v1/models", {"User-Agent": "claude-code/0.1.0"})


# -- many keys at once ---------------------------------------------------------------------


def test_fifty_keys_are_checked_in_parallel_and_come_back_in_order(hermes_home, fake):
    keys = [f"sk-or-v1-{i:04d}" + "k" * 48 + f"{i:04d}" for i in range(50)]

    def answer(request: Received) -> Answer:
        index = int(request.headers["authorization"][-4:])
        return Answer(200, {"data": {"limit": 10, "limit_remaining": index}}, delay=0.1) if index % 2 == 0 \
            else Answer(401, {"error": {"code": 401}}, delay=0.1)

    fake.answer = answer
    base_url = base_url_for(hermes_home, "openrouter", "OPENROUTER_BASE_URL", fake.base + "/api/v1")
    started = time.monotonic()
    results = check_keys("openrouter", base_url, keys)
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"50 checks of 100 ms took {elapsed:.1f} s: not parallel"
    assert 1 < fake.max_in_flight <= 8
    assert len(fake.received) == 50
    for i, result in enumerate(results):
        if i % 2:
            assert result.verdict == "rejected"
        else:
            assert result.verdict == ("valid" if i else "no_credit")
            assert result.credit == f"${i:.2f} of $10.00 left"
    assert check_keys("openrouter", base_url, []) == []


# -- the key never shows --------------------------------------------------------------------


def assert_key_absent(result: CheckResult, key: str) -> None:
    shown = " | ".join([result.describe(), repr(result), str(result), result.reason, result.host, result.credit or ""])
    for start in range(len(key) - 7):  # no 8-character piece of the key either
        assert key[start : start + 8] not in shown, shown


def echoing_answers(key: str) -> list[Answer]:
    """Answers that put the key everywhere a server can."""
    return [
        Answer(status, body, headers={"Location": f"https://evil.example/?k={key}", "X-Echo": key})
        for status in (200, 301, 400, 401, 402, 403, 429, 500, 503)
        for body in (
            {"error": {"message": f"Incorrect API key provided: {key}", "code": key}},
            {"data": {"label": key, "limit": key, "limit_remaining": key}},
            {"is_available": True, "balance_infos": [{"currency": key, "total_balance": "1"}]},
            f"<html>{key}</html>",
        )
    ]


@pytest.mark.parametrize("provider", ["openrouter", "deepseek", "xai", "gemini"])
def test_a_canary_key_never_appears_in_any_result(hermes_home, fake, capsys, caplog, provider):
    base_url = fake.base + "/v1"
    results = []
    for answer in echoing_answers(CANARY):
        fake.answer = lambda request, answer=answer: answer
        results.append(check_key(provider, base_url, CANARY))
    results.append(check_key(provider, base_url, CANARY + "\n"))  # a header cannot carry it: not sent
    results.append(check_key(provider, "http://evil.example/v1", CANARY))
    results.append(check_key(provider, f"http://127.0.0.1:{free_port()}/v1", CANARY))
    for result in results:
        assert_key_absent(result, CANARY)
    captured = capsys.readouterr()
    assert CANARY not in captured.out + captured.err + caplog.text
    assert all(CANARY not in r.path for r in fake.received)


_KEYS = st.builds(lambda body: "sk-" + body, st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=12, max_size=60))
_BODIES = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda key, text: f"{text}{key}{text}".encode(), st.just(""), st.text(max_size=40)),
    st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=15), inner, max_size=4), max_leaves=12),
)


@settings(max_examples=300, deadline=None)
@given(key=_KEYS, status=st.integers(100, 599), body=_BODIES, provider=st.sampled_from(
    ["openrouter", "deepseek", "xai", "kimi-coding", "minimax", "kilocode", "novita", "deepinfra", "gemini", "custom:x"]))
def test_no_answer_puts_the_key_in_a_result(key, status, body, provider):
    import json

    def with_key(value: Any) -> Any:  # plant the key in every string of a JSON body
        if isinstance(value, dict):
            return {k: with_key(v) for k, v in value.items()} | {"currency": key, "error": {"message": key, "code": key}}
        if isinstance(value, list):
            return [with_key(v) for v in value] + [key]
        return key if isinstance(value, str) else value

    raw = body if isinstance(body, bytes) else json.dumps(with_key(body)).encode()
    url = "https://api.example.com/v1/models"
    spec = spec_for(provider, url)
    assert not isinstance(spec, str)
    result = interpret(provider, spec, url, status, location=f"https://evil.example/{key}", body=raw)
    assert_key_absent(result, key)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=_KEYS, status=st.sampled_from([200, 302, 400, 401, 402, 403, 429, 500]))
def test_no_server_answer_puts_the_key_in_a_result(fake, key, status):
    fake.answer = lambda request: Answer(status, {"error": {"message": request.headers.get("authorization", "")}},
                                         headers={"Location": "/" + request.headers.get("authorization", "").replace(" ", "")})
    assert_key_absent(check_key("openrouter", fake.base + "/api/v1", key), key)


# -- the shapes and the import rule -------------------------------------------------------


def test_every_description_shape():
    host = "api.example.com"
    assert CheckResult("valid", "p", host, 200).describe() == "✓ valid"
    assert CheckResult("valid", "p", host, 200, credit="$3.10 of $10.00 left").describe() == "✓ valid · $3.10 of $10.00 left"
    assert CheckResult("rate_limited", "p", host, 429).describe() == "✓ valid · rate-limited now (429)"
    assert CheckResult("rejected", "p", host, 401).describe() == "✗ rejected by api.example.com (401)"
    assert CheckResult("no_credit", "p", host, 402).describe() == "! valid but out of credit"
    assert CheckResult("unknown", "p", host, reason="timeout").describe() == (
        "! could not check with api.example.com: no complete answer within 5 s")
    assert CheckResult("unknown", "p", host, 500, "HTTP 500").describe() == "! could not check with api.example.com: HTTP 500"
    assert CheckResult("unknown", "p", reason="invalid base URL").describe() == "! could not check: invalid base URL"
    assert CheckResult("unsupported", "copilot").describe() == "– no check available for copilot"


def test_the_check_is_standard_library_only_and_nothing_imports_it_until_asked():
    code = (
        "import sys\n"
        "import hermes_setup_pools.cli, hermes_setup_pools.pool.step, hermes_setup_pools.providers\n"
        "assert not [m for m in sys.modules if m.startswith('hermes_setup_pools.check')], 'imported eagerly'\n"
        "before = set(sys.modules)\n"
        "import hermes_setup_pools.check\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "third_party = new - set(sys.stdlib_module_names) - {'hermes_setup_pools'}\n"
        "assert not third_party, third_party\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
