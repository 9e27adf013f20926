"""Where a key check may go: the pool's own base URL, as Hermes would use it.

* ``custom:<name>`` pools: the custom provider's ``base_url`` (config.yaml).
* built-in providers: the provider's base-URL variable when it is set (read
  by the package's one rule, :class:`~hermes_setup_pools.store.dotenv.Environment`,
  which is Hermes' ``get_env_prefer_dotenv``), else the registry URL.

A check URL must be HTTPS; plain ``http`` is allowed only for loopback hosts
(``localhost``, 127.0.0.0/8, ``::1``), where nothing leaves the machine. A base
URL with credentials in it (``https://user:pw@host``) is refused.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit, urlunsplit

if TYPE_CHECKING:
    from ..providers import PoolTarget
    from ..store.dotenv import Environment

#: Hermes 0.19 ``ProviderConfig.base_url_env_var`` per pool key (plus
#: OPENROUTER_BASE_URL, which Hermes reads at run time). Providers missing here
#: (kimi-coding-cn, fireworks) have no override: the registry URL is used.
BASE_URL_ENV: dict[str, str] = {
    "openrouter": "OPENROUTER_BASE_URL",
    "openai-api": "OPENAI_BASE_URL",
    "lmstudio": "LM_BASE_URL",
    "copilot": "COPILOT_API_BASE_URL",
    "gemini": "GEMINI_BASE_URL",
    "zai": "GLM_BASE_URL",
    "kimi-coding": "KIMI_BASE_URL",
    "stepfun": "STEPFUN_BASE_URL",
    "arcee": "ARCEE_BASE_URL",
    "gmi": "GMI_BASE_URL",
    "minimax": "MINIMAX_BASE_URL",
    "minimax-cn": "MINIMAX_CN_BASE_URL",
    "anthropic": "ANTHROPIC_BASE_URL",
    "alibaba": "DASHSCOPE_BASE_URL",
    "alibaba-coding-plan": "ALIBABA_CODING_PLAN_BASE_URL",
    "deepseek": "DEEPSEEK_BASE_URL",
    "xai": "XAI_BASE_URL",
    "nvidia": "NVIDIA_BASE_URL",
    "opencode-zen": "OPENCODE_ZEN_BASE_URL",
    "opencode-go": "OPENCODE_GO_BASE_URL",
    "kilocode": "KILOCODE_BASE_URL",
    "huggingface": "HF_BASE_URL",
    "xiaomi": "XIAOMI_BASE_URL",
    "tencent-tokenhub": "TOKENHUB_BASE_URL",
    "ollama-cloud": "OLLAMA_BASE_URL",
    "azure-foundry": "AZURE_FOUNDRY_BASE_URL",
    "deepinfra": "DEEPINFRA_BASE_URL",
    "novita": "NOVITA_BASE_URL",
    "upstage": "UPSTAGE_BASE_URL",
}

#: Registry ids that are aliases of another provider (same URL, same variable).
POOL_KEY_ALIASES: dict[str, str] = {
    "deep-infra": "deepinfra", "deepinfra-ai": "deepinfra",
    "fireworks-ai": "fireworks", "fw": "fireworks",
    "novita-ai": "novita", "novitaai": "novita",
    "solar": "upstage",
}


def canonical(pool_key: str) -> str:
    """The provider id behind a pool key (``fw`` → ``fireworks``); ``custom:*`` unchanged."""
    key = pool_key.strip().lower()
    return POOL_KEY_ALIASES.get(key, key)


def check_url_for(target: PoolTarget, env: Environment) -> str | None:
    """The base URL Hermes would send this pool's keys to, or ``None`` when
    there is none (no pool, or a provider with no URL, such as azure-foundry
    without ``AZURE_FOUNDRY_BASE_URL``). Not yet checked for HTTPS: that is
    :func:`url_problem`'s job, applied by every check."""
    if target.pool_key is None:
        return None
    if target.custom is not None:
        return str(target.custom.get("base_url") or "").strip().rstrip("/") or None
    variable = BASE_URL_ENV.get(canonical(target.pool_key))
    override = env.value(variable) if variable else ""
    if override:
        return override.rstrip("/")
    return (target.base_url or "").strip().rstrip("/") or None


def is_loopback(hostname: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1``."""
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _split(url: str) -> SplitResult | None:
    if not url or not url.isascii() or any(ch <= " " or ch == "\x7f" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return None
    return parts if parts.hostname else None


def url_problem(url: str) -> str | None:
    """Why a check may not go to ``url`` (a short phrase), or ``None`` when it may."""
    parts = _split(url)
    if parts is None:
        return "invalid base URL"
    if parts.username is not None or parts.password is not None:
        return "credentials in the base URL"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return None
    return "base URL is not HTTPS"


def host_of(url: str) -> str:
    """``host[:port]`` as written in the URL, lower-cased (``""`` if unparsable)."""
    parts = _split(url)
    return parts.netloc.lower() if parts is not None else ""


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = _split(url)
    if parts is None or parts.hostname is None:
        return None
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    return parts.scheme.lower(), parts.hostname.lower(), port


def join(base: str, path: str) -> str:
    """The check URL: a ``path`` starting with ``/`` replaces the base URL's path
    (same origin); any other is appended to it. ``v1/…`` after a base ending in
    ``/v1`` does not repeat the ``v1``. A query in ``path`` is kept."""
    parts = urlsplit(base)
    rel_path, _, rel_query = path.partition("?")
    if rel_path.startswith("/"):
        new_path, query = rel_path, rel_query
    else:
        base_path = parts.path.rstrip("/")
        if base_path.endswith("/v1") and rel_path.startswith("v1/"):
            rel_path = rel_path[len("v1/") :]
        new_path = f"{base_path}/{rel_path}"
        query = "&".join(q for q in (parts.query, rel_query) if q)
    return urlunsplit((parts.scheme, parts.netloc, new_path, query, ""))
