"""What exists for one pool, read from disk once: a :class:`PoolState`.

Three places, as Hermes 0.19 seeds them: the pool's entries in auth.json; the
provider's API-key env vars, from the process environment and
``$HERMES_HOME/.env`` (the ``.env`` value wins); and, for ``custom:<name>``
pools, ``custom_providers[].api_key`` and ``model.api_key``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..keys import fingerprint, mask
from ..providers import PoolTarget, auth_type_for, custom_pool_key
from ..store.auth import pool_entries, suppressed_sources
from ..store.config import ConfigFile
from ..store.dotenv import read_dotenv
from ..store.entries import NewCredential, entry_fingerprint
from .strategy import StrategyState, strategy_state


@dataclass(frozen=True)
class PoolState:
    """One pool as it is on disk, plus the keys found for it elsewhere.

    ``entries``: the pool in auth.json; ``found``: keys outside the pool (env
    vars, config) as reference credentials; ``where``: source → where it was
    found; ``known``: fingerprint → secret for every key we saw, so reference
    entries can be shown masked.
    """

    home: Path
    target: PoolTarget
    auth: dict[str, Any] | None
    config: ConfigFile
    entries: tuple[Any, ...]
    suppressed: tuple[str, ...]
    found: tuple[NewCredential, ...]
    strategy: StrategyState
    where: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)

    @property
    def pool_key(self) -> str:
        """The pool key (always set: a target without one never gets a state)."""
        assert self.target.pool_key is not None
        return self.target.pool_key

    def new_references(self) -> list[NewCredential]:
        """Found credentials the pool lacks (by fingerprint and by source), not suppressed."""
        have_fp = {fp for e in self.entries if (fp := entry_fingerprint(e))}
        have_src = {e.get("source") for e in self.entries if isinstance(e, dict)}
        return [
            c for c in self.found
            if c.fingerprint not in have_fp and c.source not in have_src and c.source not in self.suppressed
        ]

    def live_secret(self, entry: dict[str, Any]) -> str | None:
        """The key Hermes would send for ``entry``: a stored (manual) key, or a
        borrowed one's current value; ``None`` when it has none now."""
        token = entry.get("access_token")
        if isinstance(token, str) and token:
            return token
        return next((cred.secret for cred in self.found if cred.source == entry.get("source")), None)

    def masked(self, entry: dict[str, Any]) -> str:
        """The key of an existing entry, masked; ``(not stored)`` when we never saw the secret."""
        token = entry.get("access_token")
        if isinstance(token, str) and token:
            return mask(token)
        secret = self.known.get(str(entry.get("secret_fingerprint")))
        return mask(secret) if secret else "(not stored)"


def _env_value(name: str, dotenv: dict[str, str]) -> tuple[str, str]:
    """(value, where) for an env var: ``.env`` first, as Hermes does, except an
    unresolved ``op://`` reference yields to the resolved process value."""
    from_file = dotenv.get(name, "").strip()
    from_env = os.environ.get(name, "").strip()
    if from_file and not (from_file.startswith("op://") and from_env):
        return from_file, ".env"
    return from_env, "environment"


def _expand(value: str, dotenv: dict[str, str]) -> str:
    # config.yaml may say api_key: ${TOGETHER_API_KEY}; Hermes expands those.
    def repl(match: re.Match[str]) -> str:
        return _env_value(match.group(1), dotenv)[0]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", repl, value).strip()


def discover(home: Path, target: PoolTarget, config: ConfigFile, auth: dict[str, Any] | None) -> PoolState:
    """Collect the pool's entries and every key found for ``target`` elsewhere."""
    assert target.pool_key is not None
    dotenv = read_dotenv(home)
    found: list[NewCredential] = []
    where: dict[str, str] = {}
    for var in target.env_vars:
        value, origin = _env_value(var, dotenv)
        if value:
            found.append(NewCredential(var, f"env:{var}", value, target.base_url, auth_type_for(target.pool_key, value)))
            where[f"env:{var}"] = origin
    if target.custom is not None:
        name = str(target.custom.get("name", "")).strip()
        base_url = str(target.custom.get("base_url") or "").strip().rstrip("/")
        api_key = _expand(str(target.custom.get("api_key") or ""), dotenv)
        if api_key:
            found.append(NewCredential(name, f"config:{name}", api_key, base_url))
            where[f"config:{name}"] = "config.yaml custom_providers"
        model = config.mapping("model")
        model_key = next(
            (_expand(v, dotenv) for k in ("api_key", "api") if isinstance(v := model.get(k), str) and v.strip()),
            "",
        )
        if (
            str(model.get("provider") or "").strip().lower() == "custom"
            and model_key
            and custom_pool_key(config.data, model.get("base_url")) == target.pool_key
        ):
            url = str(model.get("base_url") or "").strip().rstrip("/")
            found.append(NewCredential("model_config", "model_config", model_key, url))
            where["model_config"] = "config.yaml model.api_key"
    return PoolState(
        home=Path(home),
        target=target,
        auth=auth,
        config=config,
        entries=tuple(pool_entries(auth, target.pool_key)),
        suppressed=tuple(suppressed_sources(auth, target.pool_key)),
        found=tuple(found),
        strategy=strategy_state(config, target.pool_key),
        where=where,
        known={fingerprint(c.secret): c.secret for c in found},
    )
