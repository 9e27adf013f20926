"""Read one Hermes home once and find everything the doctor reports.

An unreadable file becomes a finding (it is never rewritten); every pool in
auth.json is read as a :class:`~..pool.discovery.PoolState`, through the same
discovery and the same environment rule as the pool step, so the doctor and
the pool table cannot disagree about which key an entry has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SetupError
from ..hermes.features import hermes_features
from ..pool.discovery import PoolState, discover
from ..providers import PoolTarget, resolve_target, target_from_config
from ..store.auth import load_auth
from ..store.config import ConfigFile, config_path, load_config
from ..store.dotenv import Environment
from ..store.files import StoreError
from .findings import Finding, file_findings, strategy_findings, unreadable
from .pools import pool_findings


@dataclass
class Examination:
    """What the doctor read and found: the findings, and each pool's state
    (the fixes re-check findings against these under the lock)."""

    home: Path
    findings: list[Finding] = field(default_factory=list)
    states: dict[str, PoolState] = field(default_factory=dict)
    profile: str | None = None


def pool_target(pool_key: str, config: dict[str, Any]) -> PoolTarget:
    """The target Hermes uses for a pool key in auth.json; a bare one (no
    provider, no variables) for a key no provider resolves to, such as an alias."""
    try:
        target = resolve_target(pool_key, config)
    except SetupError:
        return PoolTarget(pool_key)
    return target if target.pool_key == pool_key else PoolTarget(pool_key)


def examine(home: Path, profile: str | None = None) -> Examination:
    """Every finding for the Hermes home at ``home``."""
    result = Examination(Path(home), profile=profile)
    auth: dict[str, Any] | None = None
    config = ConfigFile(config_path(home), None, {}, None)
    auth_readable = True
    try:
        auth = load_auth(home)
    except StoreError as exc:
        auth_readable = False
        result.findings.append(unreadable(exc))
    try:
        config = load_config(home)
        config_readable = True
    except StoreError as exc:
        config_readable = False
        result.findings.append(unreadable(exc))
    env = Environment(home)
    features = hermes_features()
    pools = dict((auth or {}).get("credential_pool") or {})
    configured = target_from_config(config.data).pool_key if config_readable else None
    if configured is not None and configured not in pools:
        pools[configured] = []  # the provider's keys in .env and the environment are Hermes' pool too
    for pool_key in sorted(pools):
        state = discover(home, pool_target(str(pool_key), config.data), config, auth, env=env, features=features)
        result.states[str(pool_key)] = state
        result.findings += pool_findings(state, pools[pool_key])
    if config_readable:
        result.findings += strategy_findings(config)
    result.findings += file_findings(Path(home), auth_readable)
    if profile is not None:
        result.findings = [_in_profile(f, profile) for f in result.findings]
    return result


def _in_profile(finding: Finding, profile: str) -> Finding:
    from dataclasses import replace

    return replace(finding, profile=profile)
