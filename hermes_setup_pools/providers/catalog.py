"""Names and usual models of the providers, for the built-in picker (used
only when Hermes is not installed; Hermes' own picker has its live lists).

Data from Hermes 0.19.0: ``hermes_cli.auth.PROVIDER_REGISTRY`` names and the
first models of ``hermes_cli.models._PROVIDER_MODELS`` / ``OPENROUTER_MODELS``.
"""

from __future__ import annotations

#: provider id → (the name Hermes shows, its usual models, most used first)
CATALOG: dict[str, tuple[str, tuple[str, ...]]] = {
    'alibaba': ('Qwen Cloud', ('qwen3.7-max', 'qwen3.7-plus', 'qwen3.6-plus', 'kimi-k2.5', 'qwen3.5-plus')),
    'alibaba-coding-plan': ('Alibaba Cloud (Coding Plan)', ('qwen3.7-plus', 'qwen3.6-plus', 'qwen3.5-plus', 'qwen3-max-2026-01-23', 'qwen3-coder-plus')),
    'anthropic': ('Anthropic', ('claude-fable-5', 'claude-sonnet-5', 'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6')),
    'arcee': ('Arcee AI', ('trinity-large-thinking', 'trinity-large-preview', 'trinity-mini')),
    'azure-foundry': ('Azure Foundry', ()),
    'copilot': ('GitHub Copilot', ('gpt-5.4', 'gpt-5.4-mini', 'gpt-5-mini', 'gpt-5.3-codex', 'gpt-5.2-codex')),
    'deepinfra': ('DeepInfra', ()),
    'deepseek': ('DeepSeek', ('deepseek-v4-pro', 'deepseek-v4-flash', 'deepseek-chat', 'deepseek-reasoner')),
    'fireworks': ('Fireworks AI', ()),
    'gemini': ('Google AI Studio', ('gemini-3.1-pro-preview', 'gemini-3-pro-preview', 'gemini-3.5-flash', 'gemini-3.1-flash-lite-preview')),
    'gmi': ('GMI Cloud', ('zai-org/GLM-5.1-FP8', 'deepseek-ai/DeepSeek-V3.2', 'moonshotai/Kimi-K2.5', 'google/gemini-3.1-flash-lite-preview', 'anthropic/claude-sonnet-5')),
    'huggingface': ('Hugging Face', ('moonshotai/Kimi-K2.5', 'Qwen/Qwen3.5-397B-A17B', 'Qwen/Qwen3.5-35B-A3B', 'deepseek-ai/DeepSeek-V3.2', 'MiniMaxAI/MiniMax-M2.5')),
    'kilocode': ('Kilo Code', ('anthropic/claude-opus-4.6', 'anthropic/claude-sonnet-4.6', 'openai/gpt-5.4', 'google/gemini-3-pro-preview', 'google/gemini-3-flash-preview')),
    'kimi-coding': ('Kimi / Moonshot', ('kimi-k3', 'kimi-k2.7-code', 'kimi-k2.6', 'kimi-k2.5', 'kimi-for-coding')),
    'kimi-coding-cn': ('Kimi / Moonshot (China)', ('kimi-k3', 'kimi-k2.7-code', 'kimi-k2.7-code-highspeed', 'kimi-k2.6', 'kimi-k2.5')),
    'lmstudio': ('LM Studio', ()),
    'minimax': ('MiniMax', ('MiniMax-M3', 'MiniMax-M2.7', 'MiniMax-M2.5', 'MiniMax-M2.1', 'MiniMax-M2')),
    'minimax-cn': ('MiniMax (China)', ('MiniMax-M3', 'MiniMax-M2.7', 'MiniMax-M2.5', 'MiniMax-M2.1', 'MiniMax-M2')),
    'novita': ('NovitaAI', ('moonshotai/kimi-k2.5', 'minimax/minimax-m2.7', 'zai-org/glm-5', 'deepseek/deepseek-v3-0324', 'deepseek/deepseek-r1-0528')),
    'nvidia': ('NVIDIA NIM', ('nvidia/nemotron-3-ultra-550b-a55b', 'nvidia/nemotron-3-super-120b-a12b', 'nvidia/nemotron-3-nano-omni-30b-a3b-reasoning', 'z-ai/glm-5.2', 'moonshotai/kimi-k2.6')),
    'ollama-cloud': ('Ollama Cloud', ()),
    'openai-api': ('OpenAI API', ('gpt-5.6-sol', 'gpt-5.6-sol-pro', 'gpt-5.6-terra', 'gpt-5.6-terra-pro', 'gpt-5.6-luna')),
    'opencode-go': ('OpenCode Go', ('kimi-k3', 'kimi-k2.7-code', 'kimi-k2.6', 'kimi-k2.5', 'glm-5.2')),
    'opencode-zen': ('OpenCode Zen', ('kimi-k2.5', 'kimi-k2.6', 'gpt-5.5', 'gpt-5.5-pro', 'gpt-5.4-pro')),
    'openrouter': ('OpenRouter', ('anthropic/claude-fable-5', 'anthropic/claude-opus-4.8', 'anthropic/claude-sonnet-5', 'anthropic/claude-haiku-4.5', 'openai/gpt-5.6-sol')),
    'stepfun': ('StepFun Step Plan', ('step-3.5-flash', 'step-3.5-flash-2603')),
    'tencent-tokenhub': ('Tencent TokenHub', ('hy3-preview',)),
    'upstage': ('Upstage Solar', ()),
    'xai': ('xAI', ('grok-build-0.1', 'grok-composer-2.5-fast', 'grok-4.5', 'grok-4.3', 'grok-4.20-0309-reasoning')),
    'xiaomi': ('Xiaomi MiMo', ('mimo-v2.5-pro', 'mimo-v2.5', 'mimo-v2-pro', 'mimo-v2-omni', 'mimo-v2-flash')),
    'zai': ('Z.AI / GLM', ('glm-5.2', 'glm-5.1', 'glm-5', 'glm-5v-turbo', 'glm-5-turbo')),
}
