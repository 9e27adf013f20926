"""Which pool key a provider uses, its API-key env vars, and whether it can pool.

The built-in table is Hermes 0.19.0's provider registry. Inside a Hermes
process (``hermes_cli.auth`` already imported) the live registry is used
instead, and for an id the table does not know we try importing it; we never
import Hermes just to answer for a provider we know, because that costs about
150 ms on every run of the non-interactive command.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from typing import Any

from .errors import SetupError

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class Provider:
    """What the pool step needs to know about one provider."""

    id: str
    env_vars: tuple[str, ...] = ()
    base_url: str | None = None
    auth: str = "api_key"  # or oauth / aws / external_process
    key_prefixes: tuple[str, ...] = ()

    @property
    def can_pool(self) -> bool:
        return self.auth == "api_key"


def _p(pid: str, env: str, url: str | None, prefixes: tuple[str, ...] = ()) -> Provider:
    return Provider(pid, tuple(env.split()), url, "api_key", prefixes)


# Hermes 0.19.0: hermes_cli.auth.PROVIDER_REGISTRY (api_key_env_vars,
# inference_base_url, auth_type), plus openrouter which Hermes special-cases.
_TABLE: dict[str, Provider] = {
    p.id: p
    for p in (
        _p("openrouter", "OPENROUTER_API_KEY", OPENROUTER_BASE_URL, ("sk-or-",)),
        # Hermes seeds Anthropic in this order (tokens before the API key).
        _p("anthropic", "ANTHROPIC_TOKEN CLAUDE_CODE_OAUTH_TOKEN ANTHROPIC_API_KEY", "https://api.anthropic.com", ("sk-ant-",)),
        _p("openai-api", "OPENAI_API_KEY", "https://api.openai.com/v1", ("sk-",)),
        _p("gemini", "GOOGLE_API_KEY GEMINI_API_KEY", "https://generativelanguage.googleapis.com/v1beta", ("AIza",)),
        _p("deepseek", "DEEPSEEK_API_KEY", "https://api.deepseek.com/v1", ("sk-",)),
        _p("xai", "XAI_API_KEY", "https://api.x.ai/v1", ("xai-",)),
        _p("zai", "GLM_API_KEY ZAI_API_KEY Z_AI_API_KEY", "https://api.z.ai/api/paas/v4"),
        _p("kimi-coding", "KIMI_API_KEY KIMI_CODING_API_KEY", "https://api.moonshot.ai/v1", ("sk-",)),
        _p("kimi-coding-cn", "KIMI_CN_API_KEY", "https://api.moonshot.cn/v1", ("sk-",)),
        _p("minimax", "MINIMAX_API_KEY", "https://api.minimax.io/anthropic"),
        _p("minimax-cn", "MINIMAX_CN_API_KEY", "https://api.minimaxi.com/anthropic"),
        _p("alibaba", "DASHSCOPE_API_KEY", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", ("sk-",)),
        _p("alibaba-coding-plan", "ALIBABA_CODING_PLAN_API_KEY DASHSCOPE_API_KEY", "https://coding-intl.dashscope.aliyuncs.com/v1"),
        _p("copilot", "COPILOT_GITHUB_TOKEN GH_TOKEN GITHUB_TOKEN", "https://api.githubcopilot.com", ("gho_", "ghu_", "ghp_", "github_pat_")),
        _p("huggingface", "HF_TOKEN", "https://router.huggingface.co/v1", ("hf_",)),
        _p("nvidia", "NVIDIA_API_KEY", "https://integrate.api.nvidia.com/v1", ("nvapi-",)),
        _p("stepfun", "STEPFUN_API_KEY", "https://api.stepfun.ai/step_plan/v1"),
        _p("arcee", "ARCEEAI_API_KEY", "https://api.arcee.ai/api/v1"),
        _p("gmi", "GMI_API_KEY", "https://api.gmi-serving.com/v1"),
        _p("lmstudio", "LM_API_KEY", "http://127.0.0.1:1234/v1"),
        _p("opencode-zen", "OPENCODE_ZEN_API_KEY", "https://opencode.ai/zen/v1"),
        _p("opencode-go", "OPENCODE_GO_API_KEY", "https://opencode.ai/zen/go/v1"),
        _p("kilocode", "KILOCODE_API_KEY", "https://api.kilo.ai/api/gateway"),
        _p("xiaomi", "XIAOMI_API_KEY", "https://api.xiaomimimo.com/v1"),
        _p("tencent-tokenhub", "TOKENHUB_API_KEY", "https://tokenhub.tencentmaas.com/v1"),
        _p("ollama-cloud", "OLLAMA_API_KEY", "https://ollama.com/v1"),
        _p("azure-foundry", "AZURE_FOUNDRY_API_KEY", ""),
        _p("deepinfra", "DEEPINFRA_API_KEY", "https://api.deepinfra.com/v1/openai"),
        _p("deep-infra", "DEEPINFRA_API_KEY", "https://api.deepinfra.com/v1/openai"),
        _p("deepinfra-ai", "DEEPINFRA_API_KEY", "https://api.deepinfra.com/v1/openai"),
        _p("fireworks", "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1", ("fw_",)),
        _p("fireworks-ai", "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1", ("fw_",)),
        _p("fw", "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1", ("fw_",)),
        _p("novita", "NOVITA_API_KEY", "https://api.novita.ai/openai/v1", ("sk_",)),
        _p("novita-ai", "NOVITA_API_KEY", "https://api.novita.ai/openai/v1", ("sk_",)),
        _p("novitaai", "NOVITA_API_KEY", "https://api.novita.ai/openai/v1", ("sk_",)),
        _p("upstage", "UPSTAGE_API_KEY", "https://api.upstage.ai/v1", ("up_",)),
        _p("solar", "UPSTAGE_API_KEY", "https://api.upstage.ai/v1", ("up_",)),
        Provider("nous", (), "https://inference-api.nousresearch.com/v1", "oauth"),
        Provider("openai-codex", (), "https://chatgpt.com/backend-api/codex", "oauth"),
        Provider("xai-oauth", (), "https://api.x.ai/v1", "oauth"),
        Provider("qwen-oauth", (), "https://portal.qwen.ai/v1", "oauth"),
        Provider("minimax-oauth", (), "https://api.minimax.io/anthropic", "oauth"),
        Provider("copilot-acp", (), "acp://copilot", "external_process"),
        Provider("bedrock", (), "https://bedrock-runtime.us-east-1.amazonaws.com", "aws"),
    )
}

# A subset of Hermes' resolve_provider() aliases: names people type or leave
# in config.yaml by hand.
ALIASES = {
    "or": "openrouter", "open-router": "openrouter",
    "claude": "anthropic", "claude-code": "anthropic", "openai": "openai-api",
    "google": "gemini", "google-gemini": "gemini", "google-ai-studio": "gemini",
    "glm": "zai", "z-ai": "zai", "z.ai": "zai", "zhipu": "zai",
    "x-ai": "xai", "x.ai": "xai", "grok": "xai",
    "kimi": "kimi-coding", "moonshot": "kimi-coding", "kimi-cn": "kimi-coding-cn",
    "hf": "huggingface", "hugging-face": "huggingface",
    "github": "copilot", "github-copilot": "copilot",
    "lm-studio": "lmstudio", "lm_studio": "lmstudio",
    "kilo": "kilocode", "kilo-code": "kilocode", "mimo": "xiaomi",
    "tencent": "tencent-tokenhub", "tokenhub": "tencent-tokenhub",
    "ollama_cloud": "ollama-cloud", "aws": "bedrock", "aws-bedrock": "bedrock",
    "grok-oauth": "xai-oauth", "x-ai-oauth": "xai-oauth", "qwen-cli": "qwen-oauth",
}

_WHY_NOT = {
    "oauth": "{id} signs in with OAuth, not API keys, so there is no key pool to set up here; "
    "add more accounts with `hermes auth add {id}`",
    "aws": "{id} uses your AWS credentials, not API keys; there is nothing to pool",
    "external_process": "{id} runs an external agent process, not API keys; there is nothing to pool",
}


def _live_registry(import_if_missing: bool) -> dict[str, Any] | None:
    module = sys.modules.get("hermes_cli.auth")
    if module is None and import_if_missing:
        try:
            import hermes_cli.auth as module  # noqa: PLC0415 - optional, costly
        except Exception:
            return None
    return getattr(module, "PROVIDER_REGISTRY", None) if module is not None else None


def _from_registry(pid: str, pconfig: Any) -> Provider:
    auth = str(getattr(pconfig, "auth_type", "api_key"))
    kind = "api_key" if auth == "api_key" else "aws" if auth == "aws_sdk" else (
        "external_process" if auth == "external_process" else "oauth"
    )
    known = _TABLE.get(pid)
    env_vars = tuple(getattr(pconfig, "api_key_env_vars", ()) or ())
    if pid == "anthropic" and known is not None:
        env_vars = known.env_vars  # Hermes reorders these when seeding
    return Provider(
        pid,
        env_vars,
        getattr(pconfig, "inference_base_url", None),
        kind,
        known.key_prefixes if known else (),
    )


def lookup(provider_id: str) -> Provider | None:
    """The :class:`Provider` for a built-in provider id or alias, or ``None``.

    Not for ``custom`` / ``custom:<name>`` pools (see :func:`custom_pool_key`).
    """
    pid = ALIASES.get(provider_id.strip().lower(), provider_id.strip().lower())
    registry = _live_registry(import_if_missing=pid not in _TABLE)
    if registry and pid in registry and pid != "openrouter":
        return _from_registry(pid, registry[pid])
    return _TABLE.get(pid)


def known_ids() -> list[str]:
    """Every provider id we can name (for close-match suggestions)."""
    registry = _live_registry(import_if_missing=False) or {}
    return sorted(set(_TABLE) | set(registry) | set(ALIASES))


def why_not_poolable(provider: Provider) -> str:
    """One line: why this provider has no API-key pool."""
    return _WHY_NOT.get(provider.auth, "{id} does not use API keys").format(id=provider.id)


def normalize_custom_name(name: str) -> str:
    """Hermes' pool-key suffix for a custom provider: trimmed, lower-cased, spaces → '-'."""
    return name.strip().lower().replace(" ", "-")


def custom_providers(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The usable ``custom_providers`` entries of config.yaml (dicts with a name)."""
    entries = config.get("custom_providers")
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str) and e["name"].strip()]


def custom_pool_key(config: dict[str, Any], base_url: str | None) -> str | None:
    """``custom:<name>`` of the custom provider whose ``base_url`` matches (trailing
    ``/`` ignored), as Hermes computes it; ``None`` when none matches."""
    wanted = str(base_url or "").strip().rstrip("/")
    if not wanted:
        return None
    for entry in custom_providers(config):
        if str(entry.get("base_url") or "").strip().rstrip("/") == wanted:
            return CUSTOM_PREFIX + normalize_custom_name(entry["name"])
    return None


def custom_entry(config: dict[str, Any], pool_key: str) -> dict[str, Any] | None:
    """The ``custom_providers`` entry behind a ``custom:<name>`` pool key."""
    suffix = pool_key[len(CUSTOM_PREFIX) :]
    for entry in custom_providers(config):
        if normalize_custom_name(entry["name"]) == suffix:
            return entry
    return None


@dataclass(frozen=True)
class PoolTarget:
    """The pool a run works on, or why there is none.

    ``pool_key`` is ``None`` when the provider cannot pool; ``reason`` then says
    why in one line, and ``error`` marks a problem (vs. a legitimate skip).
    """

    pool_key: str | None
    provider: Provider | None = None
    custom: dict[str, Any] | None = None
    reason: str = ""

    @property
    def base_url(self) -> str | None:
        if self.custom is not None:
            return str(self.custom.get("base_url") or "").strip() or None
        return self.provider.base_url if self.provider else None

    @property
    def env_vars(self) -> tuple[str, ...]:
        return self.provider.env_vars if self.provider else ()


def target_from_config(config: dict[str, Any]) -> PoolTarget:
    """The pool for ``model.provider`` as config.yaml says right now."""
    model = config.get("model")
    provider = model.get("provider") if isinstance(model, dict) else None
    if not isinstance(provider, str) or not provider.strip() or provider.strip().lower() == "auto":
        return PoolTarget(
            None,
            reason="no provider is chosen yet (config.yaml has no model.provider); "
            "pick one with `hermes model`, then run `hermes-setup-pools pool`",
        )
    if provider.strip().lower() == "custom":
        base_url = model.get("base_url") if isinstance(model, dict) else None
        key = custom_pool_key(config, base_url)
        if key is None:
            return PoolTarget(
                None,
                reason="model.provider is custom, but no custom_providers entry has its base_url; "
                "name the endpoint with `hermes model`, or pass --provider custom:<name>",
            )
        return PoolTarget(key, custom=custom_entry(config, key))
    return resolve_target(provider, config, from_config=True)


def resolve_target(name: str, config: dict[str, Any], *, from_config: bool = False) -> PoolTarget:
    """The pool for a provider named on the command line (or found in config.yaml).

    Accepts provider ids and aliases, ``custom:<name>``, and a custom provider's
    display name. An unknown name raises :class:`SetupError` with a close-match
    suggestion when it came from the command line, and is a skip reason when
    it came from config.yaml.
    """
    raw = name.strip()
    lowered = raw.lower()
    customs = {CUSTOM_PREFIX + normalize_custom_name(e["name"]): e for e in custom_providers(config)}
    custom_key = lowered if lowered.startswith(CUSTOM_PREFIX) else CUSTOM_PREFIX + normalize_custom_name(raw)
    if custom_key in customs:
        return PoolTarget(custom_key, custom=customs[custom_key])
    provider = lookup(raw) if not lowered.startswith(CUSTOM_PREFIX) else None
    if provider is not None:
        if not provider.can_pool:
            return PoolTarget(None, provider, reason=why_not_poolable(provider))
        return PoolTarget(provider.id, provider)
    if from_config:
        return PoolTarget(
            None, reason=f"config.yaml names provider {raw!r}, which this tool does not know; "
            "add keys with `hermes auth add <provider>`"
        )
    choices = known_ids() + list(customs)
    hint = difflib.get_close_matches(lowered, choices, n=1, cutoff=0.6)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    raise SetupError(f"unknown provider {raw!r}{suggestion}", exit_code=2)


def auth_type_for(pool_key: str, secret: str) -> str:
    """``oauth`` for Anthropic OAuth tokens (``sk-ant-oat…``), as Hermes infers
    it; ``api_key`` otherwise."""
    return "oauth" if pool_key == "anthropic" and secret.startswith("sk-ant-oat") else "api_key"


def poolable_ids() -> list[str]:
    """The built-in provider ids that take API keys (for the built-in picker)."""
    return sorted(pid for pid, p in _TABLE.items() if p.can_pool)
