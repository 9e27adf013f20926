"""The built-in provider table: Hermes 0.19.0's provider registry as data.

Used when Hermes is not importable (and to avoid importing it, which costs
about 150 ms); :mod:`hermes_setup_pools.providers` prefers the live registry
inside a Hermes process.
"""

from __future__ import annotations

from ..record import Record

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"


class Provider(Record):
    """What the pool step needs to know about one provider."""

    __slots__ = _fields = ("id", "env_vars", "base_url", "auth", "key_prefixes")

    id: str
    env_vars: tuple[str, ...]
    base_url: str | None
    auth: str  # or oauth / aws / external_process
    key_prefixes: tuple[str, ...]

    def __init__(self, id: str, env_vars: tuple[str, ...] = (), base_url: str | None = None, auth: str = "api_key",
                 key_prefixes: tuple[str, ...] = ()) -> None:
        self.id = id
        self.env_vars = env_vars
        self.base_url = base_url
        self.auth = auth
        self.key_prefixes = key_prefixes

    @property
    def can_pool(self) -> bool:
        return self.auth == "api_key"


def _p(pid: str, env: str, url: str | None, prefixes: tuple[str, ...] = ()) -> Provider:
    return Provider(pid, tuple(env.split()), url, "api_key", prefixes)


# Hermes 0.19.0: hermes_cli.auth.PROVIDER_REGISTRY (api_key_env_vars,
# inference_base_url, auth_type), plus openrouter which Hermes special-cases.
TABLE: dict[str, Provider] = {
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
        _p("fireworks", "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1", ("fw_",)),
        _p("novita", "NOVITA_API_KEY", "https://api.novita.ai/openai/v1", ("sk_",)),
        _p("upstage", "UPSTAGE_API_KEY", "https://api.upstage.ai/v1", ("up_",)),
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
    # alias keys of Hermes' registry (their ProviderConfig.id is the canonical one)
    "deep-infra": "deepinfra", "deepinfra-ai": "deepinfra", "fireworks-ai": "fireworks", "fw": "fireworks",
    "novita-ai": "novita", "novitaai": "novita", "solar": "upstage",
}
