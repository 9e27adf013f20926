"""The kinds of change a plan holds: values that name an existing entry
(:class:`Target`) or carry a credential to add, in words a person reads.

How each change applies to a pool as it is on disk at the moment of writing is
:mod:`.apply`.
"""

from __future__ import annotations

from ..record import Record
from ..store.entries import NewCredential, entry_fingerprint, entry_label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Target(Record):
    """An existing entry a change refers to, as it was when the plan was made:
    its id (``""`` when it has none), label, source, key fingerprint and 1-based
    position in Hermes' order. The id finds it; the source and fingerprint prove
    it is still the same entry; label and position tell apart entries that
    share an id."""

    __slots__ = _fields = ("id", "label", "source", "fingerprint", "position")

    id: str
    label: str
    source: str
    fingerprint: str | None
    position: int | None

    def __init__(self, id: str, label: str, source: str, fingerprint: str | None, position: int | None = None) -> None:
        self.id = id
        self.label = label
        self.source = source
        self.fingerprint = fingerprint
        self.position = position

    @classmethod
    def of(cls, entry: dict[str, Any], position: int | None = None) -> Target:
        """The target for ``entry`` as it is now (``position``: where it stands in Hermes' order)."""
        return cls(str(entry.get("id") or ""), entry_label(entry), str(entry.get("source") or "manual"),
                   entry_fingerprint(entry), position)

    def named(self) -> str:
        """How messages name it: ``'label' (#2, id 3fa2c1)``."""
        where = ", ".join(part for part in (f"#{self.position}" if self.position else "",
                                            f"id {self.id}" if self.id else "no id") if part)
        from ..keys.detect import redact

        return f"{redact(self.label)!r} ({where})"


class _OnTarget(Record):
    """A change to one existing entry that needs nothing else."""

    __slots__ = _fields = ("target",)

    target: Target

    def __init__(self, target: Target) -> None:
        self.target = target


class _NewKeyFor(Record):
    """A change that gives one existing entry a credential."""

    __slots__ = _fields = ("target", "cred")

    target: Target
    cred: NewCredential

    def __init__(self, target: Target, cred: NewCredential) -> None:
        self.target = target
        self.cred = cred


class Add(Record):
    """Add a credential as a new entry at the end of the pool. ``entry_id``,
    chosen when the plan is made, lets later changes of the same plan (a move
    to the top, say) refer to the new entry."""

    __slots__ = _fields = ("cred", "entry_id")

    cred: NewCredential
    entry_id: str | None

    def __init__(self, cred: NewCredential, entry_id: str | None = None) -> None:
        self.cred = cred
        self.entry_id = entry_id


class Remove(_OnTarget):
    """Delete an entry; a borrowed one's source is also suppressed, as
    ``hermes auth remove`` records it, so Hermes does not seed it again."""

    __slots__ = ()


class Rename(Record):
    """Give an entry a new label."""

    __slots__ = _fields = ("target", "label")

    target: Target
    label: str

    def __init__(self, target: Target, label: str) -> None:
        self.target = target
        self.label = label


class Move(Record):
    """Move an entry to a 0-based position; priorities become 0..n-1 in the new order."""

    __slots__ = _fields = ("target", "position")

    target: Target
    position: int

    def __init__(self, target: Target, position: int) -> None:
        self.target = target
        self.position = position


class Replace(_NewKeyFor):
    """Give a manual entry a new secret: same id, label and position, status cleared."""

    __slots__ = ()


class Reset(_OnTarget):
    """Clear an entry's cooldown and error status (what ``hermes auth reset`` does)."""

    __slots__ = ()


class ToEnv(_NewKeyFor):
    """Move a manual entry's key out of auth.json into ``.env`` as the variable
    ``cred.source`` names: the entry becomes a reference row (same id, label,
    place and status; no secret, its fingerprint)."""

    __slots__ = ()


class NewId(_OnTarget):
    """Give an entry a fresh id (the repair for two entries sharing one)."""

    __slots__ = ()


class Renumber(Record):
    """Priorities 0..n-1 in Hermes' current order (the repair for missing,
    repeated or non-integer priorities)."""

    __slots__ = _fields = ()


#: Every kind of change a plan can hold.
Change = Add | Remove | Rename | Move | Replace | Reset | ToEnv | NewId | Renumber


def counts(done: list[Change]) -> list[str]:
    """What ``done`` did, in words a person reads: ``added 2``, ``removed 1``,
    ``moved 1 key to .env`` …"""
    def n(kind: type) -> int:
        return sum(isinstance(c, kind) for c in done)

    words = [f"{verb} {count}" for verb, kind in (("added", Add), ("removed", Remove), ("renamed", Rename),
                                                  ("moved", Move), ("replaced the key of", Replace), ("reset", Reset))
             if (count := n(kind))]
    if count := n(ToEnv):
        words.append(f"moved {count} {'key' if count == 1 else 'keys'} to .env")
    if count := n(NewId):
        words.append(f"gave {count} {'entry' if count == 1 else 'entries'} a new id")
    return words + (["renumbered the priorities"] if n(Renumber) else [])


def subject(change: Change) -> str:
    """How messages name what ``change`` acts on: a label, or ``priorities``."""
    if isinstance(change, Add):
        return change.cred.label
    if isinstance(change, Renumber):
        return "priorities"
    return change.target.label
