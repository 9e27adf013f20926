"""Hermes files rendered with every secret masked, for ``--dry-run`` diffs.

Masking goes by meaning, not by line shape. In auth.json every field Hermes
itself treats as secret (its list in ``agent/credential_persistence.py``,
plus anything named ``*_key``, ``*_token``, ``*_secret``, ``*_password``). In
config.yaml every value under such a key whatever the YAML style (block or
flow, quoted or not), ``Authorization``/``Bearer`` values, the password in a
URL such as ``https://user:KEY@host``, and any value or comment that looks
like a key.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..store.yaml_edit import LOADER
from .detect import looks_like_secret, mask, redact

# Hermes 0.19, agent/credential_persistence.py (_SECRET_VALUE_KEYS, _SECRET_VALUE_SUFFIXES,
# _SAFE_SECRETISH_METADATA_KEYS), plus config.yaml's ``model.api``.
_SECRET_KEYS = frozenset({
    "access_token", "refresh_token", "agent_key", "api_key", "apikey", "api_token", "auth_token",
    "authorization", "bearer_token", "client_secret", "credential", "credentials", "id_token",
    "oauth_token", "private_key", "secret_key", "session_token", "password", "secret", "token", "tokens",
    "api", "bearer", "x_api_key", "proxy_authorization",
})
_SECRET_SUFFIXES = (
    "_api_key", "_api_token", "_access_token", "_auth_token", "_refresh_token", "_bearer_token",
    "_client_secret", "_id_token", "_oauth_token", "_private_key", "_session_token", "_secret_key",
    "_password", "_secret", "_token", "_key",
)
_SAFE_KEYS = frozenset({
    "secret_fingerprint", "secret_source", "token_type", "scope", "client_id",
    "agent_key_id", "agent_key_expires_at", "agent_key_expires_in", "agent_key_reused", "agent_key_obtained_at",
    "expires_at", "expires_at_ms", "expires_in", "last_refresh",
    "last_status", "last_status_at", "last_error_code", "last_error_reason", "last_error_message", "last_error_reset_at",
})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_AUTH_SCHEME = re.compile(r"^\s*(bearer|basic|token)\s+\S", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:)(?P<secret>[^/@\s]+)(?=@)")


def secret_name(key: object) -> bool:
    """True for a field or mapping key whose value Hermes treats as a secret."""
    name = _CAMEL.sub("_", str(key).strip()).lower().replace("-", "_").replace(".", "_")
    if name in _SAFE_KEYS:
        return False
    return name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES)


def masked_value(value: str) -> str:
    """``value`` with its secret part masked: the whole value, or only the
    password of a URL."""
    if _URL_PASSWORD.search(value):
        return _URL_PASSWORD.sub(lambda m: m.group("head") + mask(m.group("secret")), value)
    return mask(value.strip())


def secret_value(value: str) -> bool:
    """True for a value that is a secret whatever its key: key-shaped, an
    ``Authorization`` scheme with credentials, or a URL with a password."""
    return looks_like_secret(value) or bool(_AUTH_SCHEME.match(value)) or bool(_URL_PASSWORD.search(value))


def _scrub(value: Any, secret: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v, secret or secret_name(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secret) for v in value]
    if isinstance(value, str) and (secret or secret_value(value)):
        return masked_value(value)
    if isinstance(value, str):
        # Any other text (labels, a provider's error message Hermes stored)
        # may quote a key: mask whatever in it is shaped like one.
        return redact(value)
    return value


def render_auth(data: dict[str, Any] | None) -> str:
    """auth.json as Hermes writes it, with every secret value masked."""
    if data is None:
        return ""
    return json.dumps(_scrub(data), indent=2, ensure_ascii=False) + "\n"


def _secret_spans(node: yaml.Node, secret: bool, spans: list[tuple[int, int, str]], seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if isinstance(node.value, str) and node.value and (secret or secret_value(node.value)):
            spans.append((node.start_mark.index, node.end_mark.index, masked_value(node.value)))
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _secret_spans(key, False, spans, seen)
            _secret_spans(value, secret or (isinstance(key, yaml.ScalarNode) and secret_name(key.value)), spans, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _secret_spans(item, secret, spans, seen)


def render_config(text: str) -> str:
    """config.yaml text with every secret value masked, wherever and however it is written."""
    try:
        root = yaml.compose(text, Loader=LOADER) if text.strip() else None
    except yaml.YAMLError:
        root = None
    spans: list[tuple[int, int, str]] = []
    if root is not None:
        _secret_spans(root, False, spans, set())
    for start, end, shown in sorted(spans, reverse=True):
        original = text[start:end]
        tail = original[len(original.rstrip("\n")):]  # a block scalar's span ends with its newline
        text = text[:start] + json.dumps(shown, ensure_ascii=False) + tail + text[end:]
    return redact(text)  # and whatever hides in comments
