"""The doctor's checks: every pool in auth.json and every strategy in config.yaml.

Each finding names the pool, the entry (by label or id), what is wrong and
what to do; ``fixable`` marks the ones ``--fix`` repairs safely.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..display import shown
from ..keys import is_placeholder
from ..pool.status import priority_order
from ..pool.strategy import STRATEGIES, STRATEGIES_KEY, canonical_strategy
from ..providers import CUSTOM_PREFIX, custom_pools, is_canonical_id, lookup
from ..store.auth import auth_path, load_auth
from ..store.config import ConfigFile, load_config
from ..store.dotenv import read_dotenv
from ..store.entries import entry_fingerprint, entry_label, is_manual
from ..store.files import StoreError


@dataclass(frozen=True)
class Finding:
    """One problem: where, which code, what to do, and whether ``--fix`` repairs it."""

    pool: str | None
    code: str
    entry: str | None
    message: str
    fixable: bool
    entry_id: str | None = None
    fix_value: str | None = None  # what --fix writes (a strategy's canonical spelling)

    def line(self) -> str:
        """``pool: 'label': message [code]``, terminal-safe."""
        where = ": ".join(shown(part) for part in (self.pool, repr(self.entry) if self.entry else None) if part)
        fix = " (fixable with --fix)" if self.fixable else ""
        return f"{where or 'hermes home'}: {shown(self.message)}{fix} [{self.code}]"

    def as_json(self) -> dict[str, Any]:
        """The finding for ``doctor --json``."""
        return {"pool": self.pool, "code": self.code, "entry": self.entry, "message": self.message,
                "fixable": self.fixable}


@dataclass
class Home:
    """What the doctor read: the files (``None`` when unreadable) and the live environment."""

    path: Path
    auth: dict[str, Any] | None
    config: ConfigFile | None
    env: dict[str, str]
    findings: list[Finding]


def read_home(home: Path) -> Home:
    """Read both files, turning an unreadable one into a finding instead of an error."""
    findings: list[Finding] = []
    auth: dict[str, Any] | None = None
    config: ConfigFile | None = None
    try:
        auth = load_auth(home)
    except StoreError as exc:
        findings.append(Finding(None, "unreadable", None, f"{exc} (the doctor never rewrites it)", False))
    try:
        config = load_config(home)
    except StoreError as exc:
        findings.append(Finding(None, "unreadable", None, f"{exc} (the doctor never rewrites it)", False))
    env = {**{k: v for k, v in os.environ.items() if v.strip()}, **{k: v for k, v in read_dotenv(home).items() if v.strip()}}
    return Home(Path(home), auth, config, env, findings)


def check(home: Path) -> list[Finding]:
    """Every finding for the Hermes home at ``home``."""
    state = read_home(home)
    findings = list(state.findings)
    findings += _file_modes(state)
    pools = (state.auth or {}).get("credential_pool") or {}
    for pool_key in sorted(pools):
        findings += _pool(state, pool_key, pools[pool_key])
    if state.config is not None:
        findings += _strategies(state.config)
    return findings


def _file_modes(state: Home) -> list[Finding]:
    findings = []
    path = auth_path(state.path)
    if state.auth is not None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o600:
            findings.append(Finding(None, "file-mode", None, f"{path} has mode {mode:o}; it holds keys, so Hermes "
                                    "keeps it 0600", True))
    if state.path.is_dir() and stat.S_IMODE(state.path.stat().st_mode) & 0o022:
        findings.append(Finding(None, "file-mode", None, f"{state.path} can be written by other users; run "
                                f"`chmod go-w {state.path}`", False))
    return findings


def _live_secret(entry: dict[str, Any], state: Home) -> str | None:
    """The key Hermes would use for ``entry`` now (borrowed ones from the environment)."""
    source = str(entry.get("source") or "manual")
    if is_manual(source) or entry.get("access_token"):
        token = entry.get("access_token")
        return token if isinstance(token, str) else None
    if source.startswith("env:"):
        return state.env.get(source[4:])
    return None


def _placeholder(secret: str | None) -> bool:
    return secret is not None and is_placeholder(secret)


def _pool(state: Home, pool_key: str, pool: Any) -> list[Finding]:
    if not isinstance(pool, list):
        return [Finding(pool_key, "unreadable", None, f"the pool is a {type(pool).__name__}, not a list; Hermes treats "
                        "it as empty and replaces it on its next write", False)]
    findings = []
    for index, entry in enumerate(pool, start=1):
        if not isinstance(entry, dict):
            findings.append(Finding(pool_key, "bad-entry", f"#{index}", f"entry #{index} is a JSON {type(entry).__name__},"
                                    " not an object; Hermes cannot load this pool. Remove it by hand", False))
    entries = priority_order(pool)
    findings += _priorities(pool_key, entries)
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        name, entry_id = entry_label(entry), str(entry.get("id") or "")
        source = str(entry.get("source") or "manual")
        secret = _live_secret(entry, state)
        fp = entry_fingerprint(entry)
        if fp and fp in seen:
            findings.append(Finding(pool_key, "duplicate-key", name, f"holds the same key as {entry_label(seen[fp])!r}; "
                                    "Hermes marks only the first copy when the key runs out, so rotation keeps "
                                    "coming back to it. --fix drops this later copy", True, entry_id))
        elif fp:
            seen[fp] = entry
        if _placeholder(secret):
            where = f" ({source[4:]} in .env or the environment)" if source.startswith("env:") else ""
            findings.append(Finding(pool_key, "placeholder-key", name, f"its key is a placeholder{where}, which Hermes "
                                    "sends anyway. --fix removes the entry (and stops Hermes seeding it again)",
                                    True, entry_id))
        if entry.get("last_status") == "dead":
            findings.append(Finding(pool_key, "dead", name, "Hermes marked this key dead (revoked or invalid) and never "
                                    "uses it; replace its key (pool --replace) or remove it (pool --remove)", False,
                                    entry_id))
        if source.startswith("env:") and not secret:
            findings.append(Finding(pool_key, "missing-env", name, f"{source[4:]} is set neither in the environment nor in "
                                    ".env, so Hermes lists this entry but never uses it; set the variable or remove the "
                                    "entry", False, entry_id))
    return findings


def _priorities(pool_key: str, entries: list[dict[str, Any]]) -> list[Finding]:
    values = [entry.get("priority") for entry in entries]
    bad = [entry_label(e) for e, v in zip(entries, values, strict=True) if not isinstance(v, int) or isinstance(v, bool)]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    repeated = len(numbers) != len(set(numbers))
    if not bad and not repeated:
        return []
    what = f"missing or non-integer priorities ({', '.join(repr(b) for b in bad[:3])})" if bad else "repeated priorities"
    return [Finding(pool_key, "bad-priority", None, f"{what}: the order Hermes tries keys in is left to chance (or it "
                    "cannot load the pool). --fix renumbers them 0..n-1 in the current order", True)]


def _strategies(config: ConfigFile) -> list[Finding]:
    try:
        strategies = config.mapping(STRATEGIES_KEY)
    except StoreError as exc:
        return [Finding(None, "unreadable", None, str(exc), False)]
    findings = []
    customs = set(custom_pools(config.data))
    for pool_key, value in strategies.items():
        key = str(pool_key)
        normalized = str(value).strip().lower()
        if normalized not in STRATEGIES:
            canonical = canonical_strategy(normalized)
            fixable = canonical is not None
            hint = f"--fix writes {canonical!r}" if fixable else f"choose one of {', '.join(STRATEGIES)}"
            findings.append(Finding(key, "unknown-strategy", None, f"strategy {str(value)!r} is not one Hermes knows, so it "
                                    f"silently uses fill_first; {hint}", fixable, fix_value=canonical))
        provider = None if key.startswith(CUSTOM_PREFIX) else lookup(key)
        used = key in customs or (provider is not None and provider.can_pool and is_canonical_id(key))
        if not used:
            alias = provider is not None and provider.id != key
            better = f"; Hermes reads this provider's strategy under {provider.id!r}" if provider and alias else ""
            findings.append(Finding(key, "orphan-strategy", None, f"no provider uses the pool key {key!r}, so this strategy "
                                    f"is never read{better}", False))
    return findings
