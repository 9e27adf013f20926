"""The kinds of change a plan holds, and how each applies to a pool as it is
on disk at the moment of writing.

Applying is pure: :func:`apply_changes` takes the entries and suppressed
sources read under Hermes' lock and returns new lists, plus what was done and
what had to be skipped (with a reason that never quotes a key). Changes to
existing entries name them by id and remember what they looked like (source
and key fingerprint), so an entry another process removed or changed in the
meantime is reported and skipped, never confused with a different one;
entries other processes added meanwhile are kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..store.entries import (
    STATUS_FIELDS,
    NewCredential,
    entry_fingerprint,
    entry_label,
    is_manual,
    new_entry,
    new_entry_id,
)
from .status import priority_order


class Target(NamedTuple):
    """An existing entry a change refers to: its id, and its label, source and
    key fingerprint when the plan was made."""

    id: str
    label: str
    source: str
    fingerprint: str | None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Target:
        """The target for ``entry`` as it is now."""
        return cls(str(entry.get("id")), entry_label(entry), str(entry.get("source") or "manual"), entry_fingerprint(entry))


class Add(NamedTuple):
    """Add a credential as a new entry at the end of the pool. ``entry_id``,
    chosen when the plan is made, lets later changes of the same plan (a move
    to the top, say) refer to the new entry."""

    cred: NewCredential
    entry_id: str | None = None


class Remove(NamedTuple):
    """Delete an entry; a borrowed one's source is also suppressed, as
    ``hermes auth remove`` records it, so Hermes does not seed it again."""

    target: Target


class Rename(NamedTuple):
    """Give an entry a new label."""

    target: Target
    label: str


class Move(NamedTuple):
    """Move an entry to a 0-based position; priorities become 0..n-1 in the new order."""

    target: Target
    position: int


class Replace(NamedTuple):
    """Give a manual entry a new secret: same id, label and position, status cleared."""

    target: Target
    cred: NewCredential


class Reset(NamedTuple):
    """Clear an entry's cooldown and error status (what ``hermes auth reset`` does)."""

    target: Target


#: Every kind of change a plan can hold.
Change = Add | Remove | Rename | Move | Replace | Reset


@dataclass
class Applied:
    """The result of applying changes: the new pool, what was done, what was skipped."""

    entries: list[Any]
    suppressed: list[str]
    done: list[Change] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[Change, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the pool differs from what was read (only then is it written)."""
        return bool(self.done)


class _Pool:
    """A pool being edited, with the indexes the merge rules need."""

    def __init__(self, entries: list[Any], suppressed: list[str]) -> None:
        self.entries = [copy.copy(e) if isinstance(e, dict) else e for e in entries]
        self.suppressed = list(suppressed)
        dicts = [e for e in self.entries if isinstance(e, dict)]
        self.by_fingerprint = {fp: e for e in dicts if (fp := entry_fingerprint(e))}
        self.by_source = {e.get("source"): e for e in dicts if e.get("source")}
        self.labels = {str(e.get("label", "")).casefold() for e in dicts}
        self.ids = {e.get("id") for e in dicts}
        numbers = [e["priority"] for e in dicts if isinstance(e.get("priority"), (int, float))]
        self.priority = int(max(numbers, default=-1))

    def find(self, target: Target) -> tuple[dict[str, Any] | None, str]:
        """The entry ``target`` names, or why it cannot be used any more."""
        entry = next((e for e in self.entries if isinstance(e, dict) and str(e.get("id")) == target.id), None)
        if entry is None:
            return None, f"{target.label!r} is no longer in the pool (removed by another program meanwhile)"
        if (str(entry.get("source") or "manual"), entry_fingerprint(entry)) != (target.source, target.fingerprint):
            return None, f"{target.label!r} was changed by another program meanwhile; run again to see it as it is now"
        return entry, ""

    def free_label(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``-3`` … when another entry has it."""
        label, suffix = wanted, 2
        while label.casefold() in self.labels:
            label = f"{wanted}-{suffix}"
            suffix += 1
        return label

    def add(self, cred: NewCredential, wanted_id: str | None) -> str | dict[str, Any]:
        fp = cred.fingerprint
        if fp in self.by_fingerprint:
            return f"already in the pool as {entry_label(self.by_fingerprint[fp])!r}"
        if not cred.is_manual and cred.source in self.by_source:
            return f"{cred.source} is already in the pool as {entry_label(self.by_source[cred.source])!r}"
        if cred.source in self.suppressed:
            return f"{cred.source} was removed from this pool; not re-adding it"
        entry_id = wanted_id if wanted_id and wanted_id not in self.ids else new_entry_id(self.ids)
        self.priority += 1
        entry = new_entry(cred, entry_id, self.free_label(cred.label), self.priority)
        self.entries.append(entry)
        self.by_fingerprint[fp] = entry
        self.by_source.setdefault(cred.source, entry)
        self.labels.add(entry["label"].casefold())
        self.ids.add(entry_id)
        return entry

    def apply(self, change: Change) -> str | None:
        """Apply one change to an existing entry; the reason it was skipped, or ``None``."""
        assert not isinstance(change, Add)
        entry, why = self.find(change.target)
        if entry is None:
            return why
        if isinstance(change, Remove):
            self.entries.remove(entry)
            source = str(entry.get("source") or "manual")
            if not is_manual(source) and source not in self.suppressed:
                self.suppressed.append(source)
            self.renumber()
        elif isinstance(change, Rename):
            if change.label.casefold() in self.labels - {str(entry.get("label", "")).casefold()}:
                return f"another entry is now labelled {change.label!r}"
            self.labels.discard(str(entry.get("label", "")).casefold())
            entry["label"] = change.label
            self.labels.add(change.label.casefold())
        elif isinstance(change, Move):
            order = priority_order(self.entries)
            order.remove(entry)
            order.insert(max(0, min(change.position, len(order))), entry)
            self.renumber(order)
        elif isinstance(change, Replace):
            if change.cred.fingerprint in self.by_fingerprint:
                return f"that key is already in the pool as {entry_label(self.by_fingerprint[change.cred.fingerprint])!r}"
            entry["access_token"] = change.cred.secret
            entry["auth_type"] = change.cred.auth_type
            entry.update(dict.fromkeys(STATUS_FIELDS))
            self.by_fingerprint[change.cred.fingerprint] = entry
        elif isinstance(change, Reset):
            if all(entry.get(name) is None for name in STATUS_FIELDS):
                return f"{change.target.label!r} has no cooldown or error to reset"
            entry.update(dict.fromkeys(STATUS_FIELDS))
        return None

    def renumber(self, order: list[dict[str, Any]] | None = None) -> None:
        """Priorities 0..n-1 in ``order`` (default: Hermes' order), as Hermes
        renumbers after a removal; the entries are written in that order."""
        order = priority_order(self.entries) if order is None else order
        for number, entry in enumerate(order):
            entry["priority"] = number
        self.entries = order + [e for e in self.entries if not isinstance(e, dict)]


def apply_changes(entries: list[Any], suppressed: list[str], changes: tuple[Change, ...]) -> Applied:
    """Apply ``changes`` in order to a pool's ``entries``; entries no change
    touches are returned exactly as they were."""
    pool = _Pool(entries, suppressed)
    result = Applied(pool.entries, pool.suppressed)
    for change in changes:
        outcome = pool.add(change.cred, change.entry_id) if isinstance(change, Add) else pool.apply(change)
        if isinstance(outcome, dict):
            result.added.append(outcome)
            result.done.append(change)
        elif outcome:
            result.skipped.append((change, outcome))
        else:
            result.done.append(change)
    result.entries, result.suppressed = pool.entries, pool.suppressed
    return result
