"""Find the credentials that already exist for a pool.

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

from .keys import fingerprint, mask
from .providers import PoolTarget, auth_type_for, custom_pool_key
from .store import ENV_FILE, NewCredential, entry_fingerprint, pool_entries, suppressed_sources


def read_dotenv(home: Path) -> dict[str, str]:
    """``$HERMES_HOME/.env`` as Hermes reads it (``KEY=VALUE``, optional
    ``export``, single or double quotes); empty when the file is missing."""
    path = Path(home) / ENV_FILE
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[7:]
        name, _, value = line.partition("=")
        values[name.strip()] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


@dataclass
class Discovery:
    """What exists for one pool.

    ``entries``: the pool in auth.json now; ``found``: keys outside the pool
    (env vars, config) as reference credentials; ``known``: every secret we saw,
    by fingerprint, so existing reference entries can be shown masked.
    """

    target: PoolTarget
    entries: list[Any]
    found: list[NewCredential]
    suppressed: set[str]
    known: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # source -> "environment" / ".env" / "config.yaml"

    def new_references(self) -> list[NewCredential]:
        """Found credentials the pool lacks (by fingerprint and by source), not suppressed."""
        have_fp = {fp for e in self.entries if (fp := entry_fingerprint(e))}
        have_src = {e.get("source") for e in self.entries if isinstance(e, dict)}
        return [
            c for c in self.found
            if c.fingerprint not in have_fp and c.source not in have_src and c.source not in self.suppressed
        ]

    def masked(self, entry: dict[str, Any]) -> str:
        """The key of an existing entry, masked; ``—`` when we never saw the secret."""
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


def discover(home: Path, target: PoolTarget, config: dict[str, Any], auth: dict[str, Any] | None) -> Discovery:
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
        model = config.get("model") if isinstance(config.get("model"), dict) else {}
        model_key = next(
            (_expand(v, dotenv) for k in ("api_key", "api") if isinstance(v := model.get(k), str) and v.strip()),
            "",
        )
        if (
            str(model.get("provider") or "").strip().lower() == "custom"
            and model_key
            and custom_pool_key(config, model.get("base_url")) == target.pool_key
        ):
            url = str(model.get("base_url") or "").strip().rstrip("/")
            found.append(NewCredential("model_config", "model_config", model_key, url))
            where["model_config"] = "config.yaml model.api_key"
    entries = pool_entries(auth, target.pool_key)
    known = {fingerprint(c.secret): c.secret for c in found}
    return Discovery(target, entries, found, suppressed_sources(auth, target.pool_key), known, where)
