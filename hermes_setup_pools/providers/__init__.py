"""Which pool key a provider uses, its API-key env vars, and whether it can pool.

The built-in table is Hermes 0.19.0's provider registry. Inside a Hermes
process (``hermes_cli.auth`` already imported) the live registry is used
instead, and for an id the table does not know we try importing it; we never
import Hermes just to answer for a provider we know, because that costs about
150 ms on every run of the non-interactive command.
"""

from __future__ import annotations

import sys

from ..errors import UsageError
from ..keys.detect import quoted
from ..record import Record
from .table import ALIASES, Provider
from .table import TABLE as _TABLE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CUSTOM_PREFIX = "custom:"

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
            from importlib import import_module

            module = import_module("hermes_cli.auth")
        except Exception:
            return None
    registry = getattr(module, "PROVIDER_REGISTRY", None) if module is not None else None
    return registry if isinstance(registry, dict) else None


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
        str(getattr(pconfig, "id", pid) or pid),
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


def poolable_names() -> list[str]:
    """Every provider id and alias that names a provider with an API-key pool
    (close-match suggestions never point at a provider of another kind)."""
    registry = _live_registry(import_if_missing=False) or {}
    names = set(_TABLE) | set(registry) | set(ALIASES)
    return sorted(name for name in names if (provider := lookup(name)) is not None and provider.can_pool)


def is_canonical_id(name: str) -> bool:
    """True when ``name`` is a built-in provider's own id (not an alias): Hermes
    then uses the built-in provider even if a custom provider has that name."""
    provider = lookup(name)
    return provider is not None and provider.id == name.strip().lower()


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


def custom_pools(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``custom:<name>`` → its ``custom_providers`` entry, for every custom
    provider. Names that differ only in case or spaces share one pool key, and
    Hermes uses the first such entry (its URL, its key): so does every caller."""
    pools: dict[str, dict[str, Any]] = {}
    for entry in custom_providers(config):
        pools.setdefault(CUSTOM_PREFIX + normalize_custom_name(entry["name"]), entry)
    return pools


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
    """The ``custom_providers`` entry behind a ``custom:<name>`` pool key (the first, as in Hermes)."""
    return custom_pools(config).get(pool_key)


class PoolTarget(Record):
    """The pool a run works on, or why there is none.

    ``pool_key`` is ``None`` when the provider cannot pool; ``reason`` then says
    why in one line, and ``error`` marks a problem (vs. a legitimate skip).
    """

    __slots__ = _fields = ("pool_key", "provider", "custom", "reason")

    pool_key: str | None
    provider: Provider | None
    custom: dict[str, Any] | None
    reason: str

    def __init__(self, pool_key: str | None, provider: Provider | None = None, custom: dict[str, Any] | None = None,
                 reason: str = "") -> None:
        self.pool_key = pool_key
        self.provider = provider
        self.custom = custom
        self.reason = reason

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
            "pick one with `hermes model`, or name the pool with `hermes-setup-pools pool --provider NAME`",
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
    """The pool for a provider named on the command line (or in ``model.provider``),
    resolved the way Hermes' runtime resolves it.

    A built-in provider's own id always means that provider, even when a
    custom provider has the same name; ``custom:<name>`` and a custom provider's
    name mean that custom provider, which also wins over a built-in *alias*
    (``kimi``); otherwise aliases map to their provider. An unknown name raises
    :class:`UsageError` with a close match among providers that can pool when it
    came from the command line, and is a skip reason when it came from config.yaml.
    """
    raw = name.strip()
    lowered = raw.lower()
    customs = custom_pools(config)
    if not lowered.startswith(CUSTOM_PREFIX) and is_canonical_id(lowered):
        provider = lookup(lowered)
        assert provider is not None
        return PoolTarget(provider.id, provider) if provider.can_pool else PoolTarget(
            None, provider, reason=why_not_poolable(provider)
        )
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
            None, reason=f"config.yaml names provider {quoted(raw)}, which this tool does not know; "
            "add keys with `hermes auth add <provider>`"
        )
    import difflib

    hint = difflib.get_close_matches(lowered, poolable_names() + list(customs), n=1, cutoff=0.6)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    raise UsageError(f"unknown provider {quoted(raw)}{suggestion}")


def auth_type_for(pool_key: str, secret: str) -> str:
    """``oauth`` for Anthropic OAuth tokens (``sk-ant-oat…``), as Hermes infers
    it; ``api_key`` otherwise."""
    return "oauth" if pool_key == "anthropic" and secret.startswith("sk-ant-oat") else "api_key"


def poolable_ids() -> list[str]:
    """The built-in provider ids that take API keys (for the built-in picker)."""
    return sorted(pid for pid, p in _TABLE.items() if p.can_pool)
