"""Key checks, masking, and mapping providers to pool keys."""

from __future__ import annotations

import pytest

from hermes_setup_pools.errors import SetupError
from hermes_setup_pools.keys.detect import looks_like_secret, mask, redact
from hermes_setup_pools.keys.fingerprint import fingerprint
from hermes_setup_pools.keys.rules import clean_label, key_problem
from hermes_setup_pools.providers import lookup, resolve_target, target_from_config

GOOD = "sk-or-v1-0123456789abcdef0123456789abcdef"


def test_fingerprint_matches_hermes_format():
    import hashlib

    assert fingerprint(GOOD) == "sha256:" + hashlib.sha256(GOOD.encode()).hexdigest()[:16]


@pytest.mark.parametrize("secret,shown", [(GOOD, "…cdef"), ("abcdefghij", "…ij"), ("abc", "…"), ("", "—")])
def test_mask_shows_four_characters_at_most(secret, shown):
    assert mask(secret) == shown


@pytest.mark.parametrize(
    "raw,reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        (f"{GOOD}\x1b[201~", "control characters"),
        (f"{GOOD} {GOOD}", "two keys pasted together"),
        (GOOD + GOOD, "two keys pasted together"),
        ("sk-or-v1-abc def", "spaces"),
        (f"export OPENROUTER_API_KEY={GOOD}", "command line"),
        (f"OPENROUTER_API_KEY={GOOD}", "command line"),
        (f"hermes auth add openrouter --api-key {GOOD}", "command line"),
        ("none", "placeholder"),
        ("NULL", "placeholder"),
        ("changeme", "placeholder"),
        ("<your-api-key>", "placeholder"),
        ("xxxxxxxxxxxxxxxx", "placeholder"),
        ("sk-or-***-abcd", "masked copy"),
        ("sk-or-…abcd", "masked copy"),
        (f'"{GOOD}"', "quotes"),
        ("sk-or-v1-abc\u200bdef", "non-ASCII"),
    ],
)
def test_bad_pastes_are_refused_without_quoting_the_key(raw, reason):
    problem = key_problem(raw)
    assert problem is not None and reason in problem
    assert GOOD not in problem and "abc" not in problem


@pytest.mark.parametrize("raw", [GOOD, "  " + GOOD + "\n", "AIzaSyA-1234567890abcdefghijklmnopqrstu", "lm-studio", "sk-ant-api03-" + "x1" * 40])
def test_real_looking_keys_pass(raw):
    assert key_problem(raw) is None


def test_label_rules():
    assert clean_label("team key")[1] is None
    assert "control" in clean_label("bad\x07label")[1]
    assert "64" in clean_label("x" * 65)[1]


def test_redact_masks_key_shaped_tokens_only():
    assert redact(f"unrecognized arguments: {GOOD} --yes") == "unrecognized arguments: …cdef --yes"
    assert redact("file /tmp/keys.txt missing") == "file /tmp/keys.txt missing"
    assert looks_like_secret("ghp_" + "a1" * 18)


# -- providers -------------------------------------------------------------


def config(provider, **model):
    return {"model": {"provider": provider, **model}}


@pytest.mark.parametrize("name,pool", [("openrouter", "openrouter"), ("anthropic", "anthropic"), ("gemini", "gemini"),
                                       ("claude", "anthropic"), ("OpenRouter", "openrouter"), ("google", "gemini")])
def test_provider_ids_and_aliases_map_to_pool_keys(name, pool):
    assert target_from_config(config(name)).pool_key == pool


def test_env_vars_follow_hermes_seeding_order():
    assert lookup("anthropic").env_vars == ("ANTHROPIC_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY")
    assert lookup("openrouter").base_url == "https://openrouter.ai/api/v1"


def test_custom_maps_to_the_entry_whose_base_url_matches():
    cfg = {
        "model": {"provider": "custom", "base_url": "https://api.together.xyz/v1/"},
        "custom_providers": [
            {"name": "Other", "base_url": "https://example.com/v1"},
            {"name": "Together AI", "base_url": "https://api.together.xyz/v1"},
        ],
    }
    target = target_from_config(cfg)
    assert target.pool_key == "custom:together-ai"
    assert target.base_url == "https://api.together.xyz/v1"


def test_custom_without_a_matching_entry_is_a_skip_reason():
    target = target_from_config({"model": {"provider": "custom", "base_url": "https://nowhere/v1"}})
    assert target.pool_key is None and "custom_providers" in target.reason


@pytest.mark.parametrize("provider", ["openai-codex", "xai-oauth", "qwen-oauth", "minimax-oauth", "nous"])
def test_oauth_only_providers_cannot_pool(provider):
    target = target_from_config(config(provider))
    assert target.pool_key is None
    assert "OAuth" in target.reason and f"hermes auth add {provider}" in target.reason


@pytest.mark.parametrize("provider,word", [("bedrock", "AWS"), ("copilot-acp", "external")])
def test_non_key_providers_cannot_pool(provider, word):
    target = target_from_config(config(provider))
    assert target.pool_key is None and word in target.reason


def test_no_provider_yet_is_a_skip_reason():
    for cfg in ({}, {"model": "gpt-4"}, {"model": {"provider": ""}}, {"model": {"provider": "auto"}}):
        target = target_from_config(cfg)
        assert target.pool_key is None and "no provider" in target.reason


def test_unknown_provider_in_config_is_a_skip_reason():
    target = target_from_config(config("frobnitz"))
    assert target.pool_key is None and "frobnitz" in target.reason


def test_unknown_provider_on_the_command_line_suggests_a_close_match():
    with pytest.raises(SetupError) as err:
        resolve_target("openruter", {})
    assert "did you mean 'openrouter'" in str(err.value)
    assert err.value.exit_code == 2


def test_custom_provider_by_display_name_or_pool_key():
    cfg = {"custom_providers": [{"name": "Together AI", "base_url": "https://api.together.xyz/v1"}]}
    assert resolve_target("Together AI", cfg).pool_key == "custom:together-ai"
    assert resolve_target("custom:together-ai", cfg).pool_key == "custom:together-ai"
    with pytest.raises(SetupError, match="did you mean 'custom:together-ai'"):
        resolve_target("custom:togther-ai", cfg)
