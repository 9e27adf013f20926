"""``doctor --check``: ask each pool's provider whether the keys in it work."""

from __future__ import annotations

from ..pool.changes import Target
from ..pool.checking import KeyChecker, check_entries
from ..pool.discovery import PoolState
from ..pool.status import priority_order
from .findings import Finding

_ADVICE = {
    "rejected": ("rejected-key", "replace its key (pool --replace) or remove it (pool --remove)"),
    "no_credit": ("no-credit", "top it up, or move it down the pool (pool --move … --to N)"),
    "unknown": ("check-failed", "run `doctor --check` again when the provider can be reached"),
}


def key_findings(states: dict[str, PoolState]) -> list[Finding]:
    """A finding for every key its provider rejects, reports out of credit, or
    could not be asked about. Only pools Hermes uses are checked (an alias
    pool Hermes never reads is an orphan finding instead), each at the base URL
    Hermes would send its keys to."""
    findings = []
    for pool_key, state in sorted(states.items()):
        if state.target.provider is None and state.target.custom is None:
            continue
        if not KeyChecker(state).available:
            continue
        entries = priority_order(list(state.entries))
        results = check_entries(state, entries)
        for position, (entry, result) in enumerate(zip(entries, results, strict=True), start=1):
            if result is not None and result.verdict in _ADVICE:
                code, advice = _ADVICE[result.verdict]
                findings.append(Finding(pool_key, code, result.describe(), advice=advice,
                                        target=Target.of(entry, position)))
    return findings
