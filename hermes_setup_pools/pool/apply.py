"""How changes apply to a pool as it is on disk at the moment of writing.

Applying is pure: :func:`apply_changes` takes the entries and suppressed
sources read under Hermes' lock and returns new lists, plus what was done and
what had to be skipped (with a reason that never quotes a key). Changes to
existing entries name them by id and remember what they looked like (source
and key fingerprint), so an entry another process removed or changed in the
meantime is reported and skipped, never confused with a different one;
entries other processes added meanwhile are kept.
"""

from __future__ import annotations

from ..record import Record
from ..store.entries import STATUS_FIELDS, NewCredential, entry_fingerprint, entry_label, is_manual, new_entry, new_entry_id
from .changes import Add, Change, Move, NewId, Remove, Rename, Renumber, Replace, Reset, Target, ToEnv
from .status import priority_order

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Applied(Record):
    """The result of applying changes: the new pool, what was done, what was skipped."""

    __slots__ = _fields = ("entries", "suppressed", "done", "added", "skipped", "renumbered", "origins")
    __hash__ = None  # type: ignore[assignment]  # mutable

    entries: list[Any]
    suppressed: list[str]
    done: list[Change]
    added: list[dict[str, Any]]
    skipped: list[tuple[Change, str]]
    #: When priority values were renumbered: the old value of each entry, in the new order.
    renumbered: list[Any] | None
    #: For each object in ``entries``: its index in the entries given, ``None`` when added.
    origins: list[int | None]

    def __init__(self, entries: list[Any], suppressed: list[str], done: list[Change] | None = None,  # noqa: PLR0917 (positional, as before)
                 added: list[dict[str, Any]] | None = None, skipped: list[tuple[Change, str]] | None = None,
                 renumbered: list[Any] | None = None, origins: list[int | None] | None = None) -> None:
        self.entries = entries
        self.suppressed = suppressed
        self.done = [] if done is None else done
        self.added = [] if added is None else added
        self.skipped = [] if skipped is None else skipped
        self.renumbered = renumbered
        self.origins = [] if origins is None else origins

    @property
    def changed(self) -> bool:
        """Whether the pool differs from what was read (only then is it written)."""
        return bool(self.done)


class EditedPool:
    """A pool being edited, with the indexes the merge rules need: the entries
    given are copied, never changed."""

    def __init__(self, entries: list[Any], suppressed: list[str]) -> None:
        self.entries = [e.copy() if isinstance(e, dict) else e for e in entries]
        self.suppressed = list(suppressed)
        dicts = [e for e in self.entries if isinstance(e, dict)]
        self.before = {id(e): e.get("priority") for e in dicts}
        self.index = {id(e): i for i, e in enumerate(self.entries)}
        self.by_fingerprint = {fp: e for e in dicts if (fp := entry_fingerprint(e))}
        self.by_source = {e.get("source"): e for e in dicts if e.get("source")}
        self.labels = {str(e.get("label", "")).casefold() for e in dicts}
        self.ids = {e.get("id") for e in dicts}
        numbers = [e["priority"] for e in dicts if isinstance(e.get("priority"), (int, float))]
        self.priority = int(max(numbers, default=-1))

    def find(self, target: Target) -> tuple[dict[str, Any] | None, str]:
        """The entry ``target`` names, or why it cannot be used any more."""
        dicts = [e for e in self.entries if isinstance(e, dict)]
        same_id = [e for e in dicts if str(e.get("id") or "") == target.id]
        if not same_id:
            return None, f"{target.label!r} is no longer in the pool (removed by another program meanwhile)"
        same = [e for e in same_id if (str(e.get("source") or "manual"), entry_fingerprint(e)) == (target.source,
                                                                                               target.fingerprint)]
        if not same:
            return None, f"{target.label!r} was changed by another program meanwhile; run again to see it as it is now"
        if len(same) > 1:
            same = [e for e in same if entry_label(e) == target.label] or same
        if len(same) > 1 and target.position is not None:
            order = priority_order(self.entries)
            at = order[target.position - 1] if 0 < target.position <= len(order) else None
            same = [e for e in same if e is at] or same
        if len(same) > 1:
            return None, (f"{target.label!r} shares its id and key with another entry, so it cannot be told apart; "
                          "give the entries new ids first (hermes-setup-pools doctor --fix)")
        return same[0], ""

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

    def push(self, change: Change) -> str | dict[str, Any] | None:
        """Apply one change: the entry added, the reason it was skipped, or ``None`` (done)."""
        return self.add(change.cred, change.entry_id) if isinstance(change, Add) else self.apply(change)

    def apply(self, change: Change) -> str | None:
        """Apply one change to an existing entry; the reason it was skipped, or ``None``."""
        assert not isinstance(change, Add)
        if isinstance(change, Renumber):
            self.renumber()
            return None
        entry, why = self.find(change.target)
        if entry is None:
            return why
        if isinstance(change, Remove):
            self.entries.remove(entry)
            self._forget(entry)
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
            self._forget_key(entry)
            entry["access_token"] = change.cred.secret
            entry["auth_type"] = change.cred.auth_type
            entry.update(dict.fromkeys(STATUS_FIELDS))
            self.by_fingerprint[change.cred.fingerprint] = entry
        elif isinstance(change, Reset):
            if all(entry.get(name) is None for name in STATUS_FIELDS):
                return f"{change.target.label!r} has no cooldown or error to reset"
            entry.update(dict.fromkeys(STATUS_FIELDS))
        elif isinstance(change, ToEnv):
            if not is_manual(str(entry.get("source") or "manual")) or not entry.get("access_token"):
                return f"{change.target.label!r} no longer holds its key in auth.json"
            if change.cred.source in self.by_source:
                return f"{change.cred.source} is already in the pool"
            entry["source"] = change.cred.source
            del entry["access_token"]
            entry["secret_fingerprint"] = change.cred.fingerprint
            self.by_source[change.cred.source] = entry
        elif isinstance(change, NewId):
            entry["id"] = new_entry_id(self.ids | {e.get("id") for e in self.entries if isinstance(e, dict)})
            self.ids.add(entry["id"])
        return None

    def _forget_key(self, entry: dict[str, Any]) -> None:
        """The entry's key no longer counts as in the pool (removed, or replaced)."""
        fp = entry_fingerprint(entry)
        if fp is not None and self.by_fingerprint.get(fp) is entry:
            del self.by_fingerprint[fp]

    def _forget(self, entry: dict[str, Any]) -> None:
        """Take a removed entry out of the indexes, so its key, source and label
        are free again for a later change of the same run."""
        self._forget_key(entry)
        if self.by_source.get(entry.get("source")) is entry:
            del self.by_source[entry.get("source")]
        label = str(entry.get("label", "")).casefold()
        if not any(str(e.get("label", "")).casefold() == label for e in self.entries if isinstance(e, dict)):
            self.labels.discard(label)

    def renumber(self, order: list[dict[str, Any]] | None = None) -> None:
        """Priorities 0..n-1 in ``order`` (default: Hermes' order), as Hermes
        renumbers after a removal; the entries are written in that order."""
        order = priority_order(self.entries) if order is None else order
        for number, entry in enumerate(order):
            entry["priority"] = number
        self.entries = order + [e for e in self.entries if not isinstance(e, dict)]

    def renumbering(self) -> list[Any] | None:
        """The old priority of each entry that was there before, in the final
        order, when the values themselves changed (not just their order)."""
        kept = [e for e in priority_order(self.entries) if id(e) in self.before]
        old = [self.before[id(e)] for e in kept]
        new = [e.get("priority") for e in kept]

        def values(items: list[Any]) -> list[str]:
            return sorted(map(repr, items))

        return old if values(old) != values(new) else None


def apply_changes(entries: list[Any], suppressed: list[str], changes: tuple[Change, ...]) -> Applied:
    """Apply ``changes`` in order to a pool's ``entries``; entries no change
    touches are returned exactly as they were."""
    pool = EditedPool(entries, suppressed)
    result = Applied(pool.entries, pool.suppressed)
    for change in changes:
        outcome = pool.push(change)
        if isinstance(outcome, dict):
            result.added.append(outcome)
            result.done.append(change)
        elif outcome:
            result.skipped.append((change, outcome))
        else:
            result.done.append(change)
    result.entries, result.suppressed = pool.entries, pool.suppressed
    result.renumbered = pool.renumbering()
    result.origins = [pool.index.get(id(e)) for e in pool.entries]
    return result
