"""What exists for one pool, read from disk once: a :class:`PoolState`.

Three places, as Hermes seeds them: the pool's entries in auth.json; the
provider's API-key variables, from ``$HERMES_HOME/.env`` and the process
environment (one rule: :class:`~hermes_setup_pools.store.dotenv.Environment`),
with their numbered siblings ``VAR_2``, ``VAR_3`` … and any persisted
``env:VAR`` row on the Hermes releases that read those; and, for
``custom:<name>`` pools, ``custom_providers[].api_key`` and ``model.api_key``.
"""

from __future__ import annotations

from pathlib import Path

from ..hermes.features import NO_HERMES, HermesFeatures, hermes_features
from ..keys.detect import mask
from ..profiles import profile_name, root_of
from ..providers import PoolTarget, auth_type_for, custom_pool_key
from ..record import Record
from ..store.auth import pool_entries, suppressed_sources
from ..store.config import ConfigFile
from ..store.dotenv import Environment
from ..store.entries import NewCredential, entry_fingerprint
from .strategy import StrategyState, strategy_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class PoolState(Record):
    """One pool as it is on disk, plus the keys found for it elsewhere.

    ``entries``: the pool in auth.json; ``found``: keys outside the pool (env
    vars, config) as reference credentials; ``where``: source → where it was
    found; ``env``: the environment they were read from; ``features``: what the
    installed Hermes reads (numbered keys or not). A changed copy: :meth:`_replace`.
    """

    __slots__ = _fields = ("home", "target", "auth", "config", "entries", "suppressed", "found", "strategy", "where",
                           "env", "features", "profile", "root_entries")

    home: Path
    target: PoolTarget
    auth: dict[str, Any] | None
    config: ConfigFile
    entries: tuple[Any, ...]
    suppressed: tuple[str, ...]
    found: tuple[NewCredential, ...]
    strategy: StrategyState
    where: dict[str, str]
    env: Environment | None
    features: HermesFeatures
    profile: str
    #: The root's entries for this pool when Hermes reads them for this profile
    #: (it has none of its own); empty otherwise.
    root_entries: tuple[Any, ...]

    def __init__(self, home: Path, target: PoolTarget, auth: dict[str, Any] | None, config: ConfigFile,  # noqa: PLR0917 (positional, as before)
                 entries: tuple[Any, ...], suppressed: tuple[str, ...], found: tuple[NewCredential, ...],
                 strategy: StrategyState, where: dict[str, str] | None = None, env: Environment | None = None,
                 features: HermesFeatures = NO_HERMES, profile: str = "default", root_entries: tuple[Any, ...] = ()) -> None:
        self.home = home
        self.target = target
        self.auth = auth
        self.config = config
        self.entries = entries
        self.suppressed = suppressed
        self.found = found
        self.strategy = strategy
        self.where = {} if where is None else where
        self.env = env
        self.features = features
        self.profile = profile
        self.root_entries = root_entries

    @property
    def borrows_root(self) -> bool:
        """Whether Hermes uses the root's pool for this profile (it has none of
        its own): ``entries`` are then the root's, and a write gives the profile
        its own copy of them with the changes, as Hermes' own writes do."""
        return bool(self.root_entries)

    @property
    def pool_key(self) -> str:
        """The pool key (always set: a target without one never gets a state)."""
        assert self.target.pool_key is not None
        return self.target.pool_key

    @property
    def used_entries(self) -> tuple[Any, ...]:
        """The entries Hermes reads for this pool: its own, or the root's it borrows."""
        return self.entries

    def new_references(self) -> list[NewCredential]:
        """Found credentials the pool lacks (by fingerprint and by source), not suppressed."""
        used = self.used_entries
        have_fp = {fp for e in used if (fp := entry_fingerprint(e))}
        have_src = {e.get("source") for e in used if isinstance(e, dict)}
        return [
            c for c in self.found
            if c.fingerprint not in have_fp and c.source not in have_src and c.source not in self.suppressed
        ]

    def live_secret(self, entry: dict[str, Any]) -> str | None:
        """The key Hermes would send for ``entry``: a stored (manual) key, or a
        borrowed one's current value; ``None`` when it has none now. The one
        answer to this question for the table, the doctor and the key check.

        A borrowed source's current value wins over a copy stored in the entry:
        Hermes seeds the entry again from it on every load."""
        current = next((cred.secret for cred in self.found if cred.source == entry.get("source")), None)
        if current:
            return current
        token = entry.get("access_token")
        return token if isinstance(token, str) and token else None

    def masked(self, entry: dict[str, Any]) -> str:
        """The key of an existing entry, masked; ``(not stored)`` when Hermes has none for it now."""
        secret = self.live_secret(entry)
        return mask(secret) if secret else "(not stored)"

    def unread_variable(self, entry: dict[str, Any]) -> str | None:
        """For an ``env:VAR`` row whose variable is set but which this Hermes
        never reads (a numbered key on a Hermes without numbered keys): ``VAR``."""
        source = str(entry.get("source") or "")
        if not source.startswith("env:") or self.env is None or self.live_secret(entry):
            return None
        var = source[4:]
        return var if self.env.value(var) else None


def env_candidates(target: PoolTarget, entries: list[Any], env: Environment, features: HermesFeatures) -> list[str]:
    """The variables Hermes reads for this pool, in its order: the provider's
    own, then (where this Hermes reads them) each one's numbered siblings and
    any other variable a persisted ``env:VAR`` row names (iot
    ``_env_key_var_candidates``)."""
    names = list(target.env_vars)
    if not features.numbered_env_keys:
        return names
    for base in target.env_vars:
        names += env.numbered(base)
    for entry in entries:
        source = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(source, str) and source.startswith("env:"):
            var = source[4:].strip()
            if var and var not in names:
                names.append(var)
    return names


def discover(home: Path, target: PoolTarget, config: ConfigFile, auth: dict[str, Any] | None, *,
             env: Environment | None = None, features: HermesFeatures | None = None) -> PoolState:
    """Collect the pool's entries and every key found for ``target`` elsewhere."""
    assert target.pool_key is not None
    env = Environment(home) if env is None else env
    features = hermes_features() if features is None else features
    entries = pool_entries(auth, target.pool_key)
    root = root_of(home)
    root_entries = _root_entries(home, root, target.pool_key) if not entries else []
    found: list[NewCredential] = []
    where: dict[str, str] = {}
    for var in env_candidates(target, entries or root_entries, env, features):
        got = env.get(var)
        value, origin = got.value, got.where
        if value:
            found.append(NewCredential(var, f"env:{var}", value, target.base_url, auth_type_for(target.pool_key, value)))
            where[f"env:{var}"] = origin
    if target.custom is not None:
        name = str(target.custom.get("name", "")).strip()
        base_url = str(target.custom.get("base_url") or "").strip().rstrip("/")
        api_key = env.expand(str(target.custom.get("api_key") or ""))
        if api_key:
            found.append(NewCredential(name, f"config:{name}", api_key, base_url))
            where[f"config:{name}"] = "config.yaml custom_providers"
        model = config.mapping("model")
        model_key = next(
            (env.expand(v) for k in ("api_key", "api") if isinstance(v := model.get(k), str) and v.strip()),
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
        entries=tuple(entries or root_entries),
        suppressed=tuple(suppressed_sources(auth, target.pool_key)),
        found=tuple(found),
        strategy=strategy_state(config, target.pool_key),
        where=where,
        env=env,
        features=features,
        profile=profile_name(home, root),
        root_entries=tuple(root_entries),
    )


def _root_entries(home: Path, root: Path, pool_key: str) -> list[Any]:
    """The root's entries for ``pool_key`` when ``home`` is a profile that has
    none (Hermes then reads the root's); empty otherwise or when unreadable."""
    if Path(home).absolute() == root:
        return []
    from ..store.auth import load_auth
    from ..store.files import StoreError

    try:
        return pool_entries(load_auth(root), pool_key)
    except StoreError:
        return []
