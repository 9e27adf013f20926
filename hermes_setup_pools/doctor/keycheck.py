"""``doctor --check``: ask each pool's provider whether the keys in it work."""

from __future__ import annotations

from pathlib import Path

from ..errors import SetupError
from ..pool.checking import KeyChecker, check_entries
from ..pool.discovery import discover
from ..pool.status import priority_order
from ..providers import resolve_target
from ..store.auth import load_auth
from ..store.config import load_config
from ..store.entries import entry_label
from .findings import Finding

_ADVICE = {
    "rejected": ("rejected-key", "replace its key (pool --replace) or remove it (pool --remove)"),
    "no_credit": ("no-credit", "top it up, or move it down the pool (pool --move … --to N)"),
    "unknown": ("check-failed", "run the check again later"),
}


def key_findings(home: Path) -> list[Finding]:
    """A finding for every key its provider rejects, reports out of credit, or could not be asked about."""
    try:
        auth, config = load_auth(home), load_config(home)
    except SetupError:
        return []  # already an "unreadable" finding
    findings = []
    for pool_key, pool in sorted(((auth or {}).get("credential_pool") or {}).items()):
        if not isinstance(pool, list):
            continue
        try:
            target = resolve_target(pool_key, config.data)
        except SetupError:
            continue
        if target.pool_key != pool_key:
            continue  # an alias pool Hermes never uses: orphan findings cover it
        state = discover(home, target, config, auth)
        if not KeyChecker(state).available:
            continue
        entries = priority_order(pool)
        results = check_entries(state, entries)
        for entry in entries:
            result = results.get(str(entry.get("id")))
            if result is not None and result.verdict in _ADVICE:
                code, advice = _ADVICE[result.verdict]
                findings.append(Finding(pool_key, code, entry_label(entry), f"{result.describe()}; {advice}", False,
                                        str(entry.get("id"))))
    return findings
