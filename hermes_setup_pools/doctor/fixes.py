"""The doctor's safe fixes, applied under Hermes' lock through the same
storage rules as every other write: drop the later copy of a duplicated key,
drop placeholder keys (suppressing a borrowed source so Hermes does not seed
it again), renumber priorities, write a strategy's canonical spelling, and
make auth.json 0600. Anything else is left for the user."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pool.status import priority_order
from ..pool.strategy import STRATEGIES_KEY
from ..store.auth import auth_path, update_pool
from ..store.config import set_config_value
from ..store.entries import is_manual
from ..store.files import StoreError, signals_deferred
from .findings import Finding


@dataclass
class _PoolFix:
    """A PoolEdit for store.auth.update_pool."""

    entries: list[Any]
    suppressed: list[str]
    done: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.done)


def _fix_pool(findings: list[Finding]) -> Callable[[list[Any], list[str]], _PoolFix]:
    drop = {f.entry_id for f in findings if f.code in ("duplicate-key", "placeholder-key") and f.entry_id}
    renumber = any(f.code == "bad-priority" for f in findings)

    def edit(entries: list[Any], suppressed: list[str]) -> _PoolFix:
        result = _PoolFix(list(entries), list(suppressed))
        for entry in entries:
            if isinstance(entry, dict) and str(entry.get("id") or "") in drop:
                result.entries.remove(entry)
                source = str(entry.get("source") or "manual")
                if not is_manual(source) and source not in result.suppressed:
                    result.suppressed.append(source)
                result.done.append(f"dropped {entry.get('label') or entry.get('id')!r}")
        if renumber or result.done:
            order = priority_order(result.entries)
            if renumber or [e.get("priority") for e in order] != list(range(len(order))):
                order = [dict(e) for e in order]
                for number, entry in enumerate(order):
                    entry["priority"] = number
                result.entries = order + [e for e in result.entries if not isinstance(e, dict)]
                if renumber:
                    result.done.append("renumbered priorities 0..n-1")
        return result

    return edit


def apply_fixes(home: Path, findings: list[Finding]) -> list[str]:
    """Apply every fixable finding; returns one line per change made."""
    done: list[str] = []
    with signals_deferred():
        for pool_key in sorted({f.pool for f in findings if f.fixable and f.pool and f.code != "unknown-strategy"}):
            result = update_pool(home, pool_key, _fix_pool([f for f in findings if f.pool == pool_key]),
                                 require_loadable=False)
            done += [f"{pool_key}: {line}" for line in result.done]
        for finding in findings:
            canonical = finding.fix_value
            wanted = finding.fixable and finding.code == "unknown-strategy" and finding.pool and canonical
            if wanted and set_config_value(home, STRATEGIES_KEY, str(finding.pool), str(canonical)):
                done.append(f"{finding.pool}: strategy written as {canonical!r}")
        if any(f.fixable and f.code == "file-mode" for f in findings):
            path = auth_path(home)
            try:
                os.chmod(path, 0o600)
            except OSError as exc:
                raise StoreError(f"cannot chmod {path}: {exc.strerror or exc}") from None
            done.append(f"{path} is now mode 600")
    return done
