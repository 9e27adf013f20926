"""The doctor's safe fixes, as changes applied by the pool manager's own path.

A fix never acts on what the doctor saw before its question: under Hermes'
lock each pool is read again, its findings are derived again from what is on
disk, and only the confirmed fixes that are still true are turned into
changes (:mod:`..pool.changes`) and applied. What changed since the question
is said, fix by fix. Entries are named by id, source, key fingerprint, label
and position together, so two entries sharing an id are never confused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from ..pool.apply import Applied, apply_changes
from ..pool.changes import Change, NewId, Remove, Rename, Renumber, subject
from ..pool.strategy import STRATEGIES_KEY
from ..store.auth import auth_path, update_pool
from ..store.config import set_config_value
from ..store.files import StoreError, signals_deferred
from .examine import Examination, examine
from .findings import Finding
from .pools import pool_findings

#: Findings fixed by a change to the pool, in the order their changes are applied.
_POOL_FIXES = ("duplicate-key", "placeholder-key", "secret-label", "duplicate-id", "bad-priority")


def change_for(finding: Finding) -> Change | None:
    """The pool change that fixes ``finding`` (``None`` for fixes outside auth.json's pools)."""
    target = finding.target
    if finding.code in ("duplicate-key", "placeholder-key") and target is not None:
        return Remove(target)
    if finding.code == "secret-label" and target is not None and finding.fix_value:
        return Rename(target, finding.fix_value)
    if finding.code == "duplicate-id" and target is not None:
        return NewId(target)
    if finding.code == "bad-priority":
        return Renumber()
    return None


def _ordered(findings: list[Finding]) -> list[Finding]:
    # Removals last position first, so an earlier removal never shifts the
    # position that tells a later one apart; renumbering last of all.
    def rank(finding: Finding) -> tuple[int, int]:
        position = finding.target.position if finding.target and finding.target.position else 0
        return _POOL_FIXES.index(finding.code), -position

    return sorted(findings, key=rank)


class _PoolFix(NamedTuple):
    """What the fix of one pool did, for update_pool (a PoolEdit) and the report."""

    applied: Applied
    stale: list[Finding]
    new: list[Finding]

    @property
    def entries(self) -> list[Any]:
        return self.applied.entries

    @property
    def suppressed(self) -> list[str]:
        return self.applied.suppressed

    @property
    def changed(self) -> bool:
        return self.applied.changed


def _fix_pool(exam: Examination, pool_key: str, confirmed: list[Finding], entries: list[Any],
              suppressed: list[str]) -> _PoolFix:
    """Re-derive the pool's findings from ``entries`` (read under the lock) and
    apply the confirmed fixes that are still true."""
    state = exam.states[pool_key]._replace(entries=tuple(entries), suppressed=tuple(suppressed))
    now = [f for f in pool_findings(state, entries) if f.fixable]
    keys = {f.key for f in now}
    still = [f for f in confirmed if f.key in keys]
    stale = [f for f in confirmed if f.key not in keys]
    asked = {f.key for f in confirmed}
    new = [f for f in now if f.key not in asked and f.code in _POOL_FIXES]
    changes = tuple(change for f in _ordered(still) if (change := change_for(f)) is not None)
    return _PoolFix(apply_changes(entries, suppressed, changes), stale, new)


def apply_fixes(exam: Examination, confirmed: list[Finding]) -> list[str]:
    """Apply the confirmed fixes that are still true; one line per change made,
    per fix no longer needed, and per new problem left for the next run."""
    lines: list[str] = []
    with signals_deferred():
        for pool_key in sorted({f.pool for f in confirmed if f.pool and f.code in _POOL_FIXES}):
            mine = [f for f in confirmed if f.pool == pool_key and f.code in _POOL_FIXES]

            def edit(entries: list[Any], suppressed: list[str], key: str = pool_key, wanted: list[Finding] = mine
                     ) -> _PoolFix:
                return _fix_pool(exam, key, wanted, entries, suppressed)

            lines += _report(pool_key, update_pool(exam.home, pool_key, edit, require_loadable=False))
        lines += _fix_strategies(exam.home, [f for f in confirmed if f.code == "unknown-strategy"])
        lines += _fix_files(exam, [f for f in confirmed if f.code in ("file-mode", "leftover")])
    return lines


def _report(pool_key: str, result: _PoolFix) -> list[str]:
    """What fixing one pool did: the changes made (one renumbering line for
    all), the fixes no longer needed, those skipped, and the new problems."""
    from ..pool.show.render import describe_change, renumbering_line

    applied = result.applied
    lines = [f"✓ {pool_key}: {describe_change(change)}" for change in applied.done
             if not (isinstance(change, Renumber) and applied.renumbered is not None)]
    if applied.renumbered is not None:
        lines.append(f"✓ {pool_key}: {renumbering_line(applied.renumbered)}")
    lines += [f"= {f.where()}: no longer needed (the pool changed since the question); left as it is"
              for f in result.stale]
    lines += [f"= {pool_key}: {subject(change)}: skipped: {reason}" for change, reason in applied.skipped]
    lines += [f"! {f.where()}: new since the question ({f.code}); not fixed, run the doctor again" for f in result.new]
    return lines


def _fix_strategies(home: Path, findings: list[Finding]) -> list[str]:
    lines = []
    for finding in findings:
        if finding.pool and finding.fix_value:
            written = set_config_value(home, STRATEGIES_KEY, finding.pool, finding.fix_value,
                                       expect=finding.extra[0] if finding.extra else None)
            lines.append(f"✓ {finding.pool}: strategy written as {finding.fix_value!r}" if written else
                         f"= {finding.pool}: strategy no longer needs fixing (config.yaml changed since the question)")
    return lines


def _fix_files(exam: Examination, findings: list[Finding]) -> list[str]:
    lines = []
    home = exam.home
    if any(f.code == "file-mode" for f in findings):
        path = auth_path(home)
        try:
            os.chmod(path, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot chmod {path}: {exc.strerror or exc}") from None
        lines.append(f"✓ {path} is now mode 600")
    if any(f.code == "leftover" for f in findings):
        from ..store.preflight import remove_leftovers

        removed = remove_leftovers(home, auth_path(home), home / "config.yaml")
        lines += [f"✓ removed the leftover {name}" for name in removed]
    return lines


def fix_home(home: Path, confirmed: list[Finding], profile: str | None = None) -> list[str]:
    """Re-read ``home`` and apply ``confirmed`` (findings from an earlier :func:`examine`)."""
    return apply_fixes(examine(home, profile), confirmed)
