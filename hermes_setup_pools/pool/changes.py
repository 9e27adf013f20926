"""The kinds of change a plan holds: values that name an existing entry
(:class:`Target`) or carry a credential to add, in words a person reads.

How each change applies to a pool as it is on disk at the moment of writing is
:mod:`.apply`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..store.entries import NewCredential, entry_fingerprint, entry_label


class Target(NamedTuple):
    """An existing entry a change refers to, as it was when the plan was made:
    its id (``""`` when it has none), label, source, key fingerprint and 1-based
    position in Hermes' order. The id finds it; the source and fingerprint prove
    it is still the same entry; label and position tell apart entries that
    share an id."""

    id: str
    label: str
    source: str
    fingerprint: str | None
    position: int | None = None

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


class ToEnv(NamedTuple):
    """Move a manual entry's key out of auth.json into ``.env`` as the variable
    ``cred.source`` names: the entry becomes a reference row (same id, label,
    place and status; no secret, its fingerprint)."""

    target: Target
    cred: NewCredential


class NewId(NamedTuple):
    """Give an entry a fresh id (the repair for two entries sharing one)."""

    target: Target


class Renumber(NamedTuple):
    """Priorities 0..n-1 in Hermes' current order (the repair for missing,
    repeated or non-integer priorities)."""


#: Every kind of change a plan can hold.
Change = Add | Remove | Rename | Move | Replace | Reset | ToEnv | NewId | Renumber


def counts(done: list[Change]) -> list[str]:
    """What ``done`` did, in words a person reads: ``added 2``, ``removed 1``, …"""
    kinds = [("added", Add), ("removed", Remove), ("renamed", Rename), ("moved", Move), ("replaced the key of", Replace),
             ("reset", Reset), ("moved to .env", ToEnv), ("gave a new id to", NewId)]
    words = [f"{verb} {n}" for verb, kind in kinds if (n := sum(isinstance(c, kind) for c in done))]
    return words + (["renumbered the priorities"] if any(isinstance(c, Renumber) for c in done) else [])


def subject(change: Change) -> str:
    """How messages name what ``change`` acts on: a label, or ``priorities``."""
    if isinstance(change, Add):
        return change.cred.label
    if isinstance(change, Renumber):
        return "priorities"
    return change.target.label
