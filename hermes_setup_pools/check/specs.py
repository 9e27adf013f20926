"""Per provider: the cheapest authenticated request that spends no tokens.

Sources: Hermes 0.19's own probes of each provider and the providers' API
references (balance and key endpoints). Every check is one ``GET``. A ``path`` starting
with ``/`` is taken from the base URL's origin (same scheme, host and port);
any other is appended to the base URL.

A provider maps to a string instead of a :class:`CheckSpec` when no check is
possible: the string says why, and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from . import answers
from .answers import Parser
from .urls import canonical

#: How the key travels: ``bearer`` Authorization: Bearer; ``anthropic`` x-api-key
#: for API keys, Bearer + the OAuth beta for OAuth tokens; ``x-goog-api-key``
#: Gemini (never ``?key=``); ``azure`` both ``api-key`` and Bearer.
Auth = Literal["bearer", "anthropic", "x-goog-api-key", "azure"]


@dataclass(frozen=True)
class CheckSpec:
    """One provider's check: ``GET path`` with the key sent as ``auth`` says,
    ``headers`` added (they may replace our User-Agent), and ``parse`` reading
    the body before the generic rules."""

    path: str = "models"
    auth: Auth = "bearer"
    headers: tuple[tuple[str, str], ...] = ()
    parse: Parser | None = None


#: OpenAI-compatible providers and custom endpoints: ``GET {base}/models``.
OPENAI_COMPATIBLE = CheckSpec()
_ANTHROPIC_VERSION = ("anthropic-version", "2023-06-01")
_PUBLIC_MODELS = "its model list answers without a key, so it proves nothing"

CHECKS: dict[str, CheckSpec | str] = {
    "openrouter": CheckSpec(path="key", parse=answers.openrouter_key),  # /models is public
    "anthropic": CheckSpec(path="v1/models?limit=1", auth="anthropic", headers=(_ANTHROPIC_VERSION,)),
    "openai-api": OPENAI_COMPATIBLE,
    "gemini": CheckSpec(path="models?pageSize=1", auth="x-goog-api-key"),
    "deepseek": CheckSpec(path="/user/balance", parse=answers.deepseek_balance),
    "xai": CheckSpec(path="api-key", parse=answers.xai_api_key),
    "zai": OPENAI_COMPATIBLE,
    "kimi-coding": CheckSpec(path="users/me/balance", parse=answers.moonshot_balance("USD")),
    "kimi-coding-cn": CheckSpec(path="users/me/balance", parse=answers.moonshot_balance("CNY")),
    "minimax": CheckSpec(path="v1/models", headers=(_ANTHROPIC_VERSION,), parse=answers.minimax),
    "minimax-cn": CheckSpec(path="v1/models", headers=(_ANTHROPIC_VERSION,), parse=answers.minimax),
    "alibaba": OPENAI_COMPATIBLE,
    "alibaba-coding-plan": OPENAI_COMPATIBLE,
    "stepfun": OPENAI_COMPATIBLE,
    "arcee": OPENAI_COMPATIBLE,
    "gmi": OPENAI_COMPATIBLE,
    "tencent-tokenhub": OPENAI_COMPATIBLE,
    "fireworks": OPENAI_COMPATIBLE,
    "upstage": OPENAI_COMPATIBLE,
    "azure-foundry": CheckSpec(auth="azure"),
    "kilocode": CheckSpec(path="/api/profile/balance", parse=answers.kilo_balance),
    "deepinfra": CheckSpec(path="/v1/me?checklist=true", parse=answers.deepinfra_me),  # /models is public
    "novita": CheckSpec(path="/openapi/v1/billing/balance/detail", parse=answers.novita_balance),
    "copilot": "GitHub tokens are exchanged on api.github.com, not on the pool's host",
    "opencode-go": "it has no model list or account endpoint",
    "xiaomi": "its model list answers 401 even for a valid key",
    "huggingface": _PUBLIC_MODELS,
    "nvidia": _PUBLIC_MODELS,
    "opencode-zen": _PUBLIC_MODELS,
    "ollama-cloud": "no endpoint is known to need the key (its model lists may be public)",
    "lmstudio": "LM Studio accepts any key unless its own authentication is switched on",
}

#: ``sk-kimi-`` keys live on Kimi Code (``https://api.kimi.com/coding``), which
#: answers 403 to any client not calling itself a coding agent. Used only when
#: the pool's base URL already is that host: a key never moves host.
KIMI_CODE_HOST = "api.kimi.com"
KIMI_CODE = CheckSpec(path="v1/models", headers=(("User-Agent", "claude-code/0.1.0"),))


def spec_for(pool_key: str, base_url: str, key: str = "") -> CheckSpec | str:
    """The check for a pool at ``base_url``, or why there is none. ``key`` only
    picks between variants (a Kimi Code key); it never changes the host."""
    if pool_key.strip().lower().startswith("custom:"):
        return OPENAI_COMPATIBLE
    provider = canonical(pool_key)
    path = urlsplit(base_url).path.rstrip("/")
    on_kimi_code = (urlsplit(base_url).hostname or "").lower() == KIMI_CODE_HOST
    if provider == "kimi-coding" and on_kimi_code:
        return KIMI_CODE
    if provider == "kimi-coding" and key.startswith("sk-kimi-"):
        return "Kimi Code keys (sk-kimi-) are served by api.kimi.com, not by this base URL"
    if provider == "azure-foundry" and path.endswith("/anthropic"):
        return "Anthropic-style Azure endpoints have no request that spends no tokens"
    return CHECKS.get(provider, "no check is known for this provider")


def is_anthropic_oauth(key: str) -> bool:
    """Hermes' ``_is_oauth_token``: ``sk-ant-`` but not ``sk-ant-api…``, or ``eyJ…``, or ``cc-…``."""
    return (key.startswith("sk-ant-") and not key.startswith("sk-ant-api")) or key.startswith(("eyJ", "cc-"))


def auth_headers(auth: Auth, key: str) -> dict[str, str]:
    """The header(s) that carry ``key``: never the URL."""
    if auth == "x-goog-api-key":
        return {"x-goog-api-key": key}
    if auth == "azure":
        return {"api-key": key, "Authorization": f"Bearer {key}"}
    if auth == "anthropic" and not is_anthropic_oauth(key):
        return {"x-api-key": key}
    if auth == "anthropic":
        return {"Authorization": f"Bearer {key}", "anthropic-beta": "oauth-2025-04-20"}
    return {"Authorization": f"Bearer {key}"}
