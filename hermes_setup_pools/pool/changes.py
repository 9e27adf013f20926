"""The kinds of change a plan holds, and how each applies to a pool as it is
on disk at the moment of writing.

Applying is pure: :func:`apply_changes` takes the entries and suppressed
sources read under Hermes' lock and returns new lists, plus what was done and
what had to be skipped (with a reason that never quotes a key). Changes refer
to existing entries by id, so an entry another process removed or changed in
the meantime is reported, never confused with a different one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store.entries import NewCredential, entry_fingerprint, entry_label, new_entry, new_entry_id


@dataclass(frozen=True)
class Add:
    """Add a credential as a new entry at the end of the pool."""

    cred: NewCredential


#: Every kind of change a plan can hold.
Change = Add


@dataclass
class Applied:
    """The result of applying changes: the new pool, what was done, what was skipped."""

    entries: list[Any]
    suppressed: list[str]
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[Change, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the pool differs from what was read (only then is it written)."""
        return bool(self.added)


class _Pool:
    """A pool being edited, with the indexes the merge rules need."""

    def __init__(self, entries: list[Any], suppressed: list[str]) -> None:
        self.entries = list(entries)
        self.suppressed = list(suppressed)
        dicts = [e for e in self.entries if isinstance(e, dict)]
        self.by_fingerprint = {fp: e for e in dicts if (fp := entry_fingerprint(e))}
        self.by_source = {e.get("source"): e for e in dicts if e.get("source")}
        self.labels = {str(e.get("label", "")).casefold() for e in dicts}
        self.ids = {e.get("id") for e in dicts}
        numbers = [e["priority"] for e in dicts if isinstance(e.get("priority"), (int, float))]
        self.priority = int(max(numbers, default=-1))

    def free_label(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``-3`` … when another entry has it (another
        process may have added one since the plan was made)."""
        label, suffix = wanted, 2
        while label.casefold() in self.labels:
            label = f"{wanted}-{suffix}"
            suffix += 1
        return label

    def add(self, change: Add, result: Applied) -> None:
        cred = change.cred
        fp = cred.fingerprint
        if fp in self.by_fingerprint:
            result.skipped.append((change, f"already in the pool as {entry_label(self.by_fingerprint[fp])!r}"))
            return
        if not cred.is_manual and cred.source in self.by_source:
            owner = entry_label(self.by_source[cred.source])
            result.skipped.append((change, f"{cred.source} is already in the pool as {owner!r}"))
            return
        if cred.source in self.suppressed:
            result.skipped.append((change, f"{cred.source} was removed from this pool; not re-adding it"))
            return
        entry_id = new_entry_id(self.ids)
        self.priority += 1
        entry = new_entry(cred, entry_id, self.free_label(cred.label), self.priority)
        self.entries.append(entry)
        result.added.append(entry)
        self.by_fingerprint[fp] = entry
        self.by_source.setdefault(cred.source, entry)
        self.labels.add(entry["label"].casefold())
        self.ids.add(entry_id)


def apply_changes(entries: list[Any], suppressed: list[str], changes: tuple[Change, ...]) -> Applied:
    """Apply ``changes`` in order to a pool's ``entries``; existing entries no
    change touches are returned exactly as they were."""
    pool = _Pool(entries, suppressed)
    result = Applied(pool.entries, pool.suppressed)
    for change in changes:
        if isinstance(change, Add):
            pool.add(change, result)
    return result
