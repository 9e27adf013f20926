"""The pure planner: from a pool as it is on disk (:class:`PoolState`) and the
user's answers (:class:`Answers`) to a frozen :class:`Plan`.

Nothing here reads a file, asks a question or writes; the interactive and the
non-interactive paths only gather answers, and :mod:`.commit` writes a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from ..keys import fingerprint
from ..providers import auth_type_for
from ..store.entries import NewCredential, entry_fingerprint, entry_label, new_entry_id
from .changes import Add, Applied, Change, apply_changes
from .discovery import PoolState
from .strategy import STRATEGIES_KEY


class Answers(NamedTuple):
    """What the user asked for: the changes, in order, and the strategy to
    write (``None`` leaves config.yaml alone)."""

    changes: tuple[Change, ...] = ()
    strategy: str | None = None


@dataclass(frozen=True)
class Plan:
    """What a run will write. ``changes`` include the references to keys found
    in the environment or config when (and only when) there is a real change,
    because Hermes seeds those itself; ``strategy`` is ``None`` when
    config.yaml already says it."""

    state: PoolState
    changes: tuple[Change, ...]
    strategy: str | None

    @property
    def pool_key(self) -> str:
        """The pool this plan writes."""
        return self.state.pool_key

    @cached_property
    def preview(self) -> Applied:
        """The changes applied to the pool as it was read (the commit applies them
        again, under the lock, to the pool as it is then)."""
        return apply_changes(list(self.state.entries), list(self.state.suppressed), self.changes)

    @property
    def empty(self) -> bool:
        """True when writing this plan would change neither file."""
        return not self.preview.changed and self.strategy is None


def make_plan(state: PoolState, answers: Answers) -> Plan:
    """Turn answers into a plan (pure)."""
    strategy = answers.strategy
    if strategy is not None and state.config.mapping(STRATEGIES_KEY).get(state.pool_key) == strategy:
        strategy = None
    seeds: tuple[Change, ...] = ()
    if answers.changes or strategy is not None:
        seeds = tuple(Add(cred) for cred in state.new_references())
    return Plan(state, seeds + answers.changes, strategy)


def key_prefix_note(state: PoolState, key: str) -> str | None:
    """A warning when ``key`` lacks the provider's usual prefix (``sk-or-`` …)."""
    provider = state.target.provider
    prefixes = provider.key_prefixes if provider else ()
    if prefixes and not key.startswith(prefixes):
        return f"{state.pool_key} keys usually start with {' or '.join(prefixes)}"
    return None


class PoolIndex:
    """The pool as the user is shaping it: who holds each key (by
    fingerprint), which labels are taken, and the next default label. Both
    answer sources use it to refuse duplicates before anything is written."""

    def __init__(self, state: PoolState) -> None:
        self.state = state
        self.changes: list[Change] = []
        self._seeds = state.new_references()
        self._index(list(state.entries))

    def _index(self, entries: list[Any]) -> None:
        existing = [e for e in entries if isinstance(e, dict)]
        self.owners = {fp: entry_label(e) for e in existing if (fp := entry_fingerprint(e))}
        self.owners.update({c.fingerprint: c.label for c in self._seeds})
        self.labels = {str(e.get("label", "")).casefold() for e in existing} | {c.label.casefold() for c in self._seeds}
        self.count = len(existing) + len(self._seeds)
        self.ids: set[Any] = {e.get("id") for e in existing}

    def entries(self) -> list[Any]:
        """The pool as it would be with the changes so far (references to keys
        found elsewhere are not in it until something is written)."""
        return apply_changes(list(self.state.entries), list(self.state.suppressed), tuple(self.changes)).entries

    def owner(self, key: str) -> str | None:
        """The label of the entry that already holds ``key``."""
        return self.owners.get(fingerprint(key.strip()))

    def label_used(self, label: str) -> bool:
        """Whether an entry (or a key added in this run) has ``label``, ignoring case."""
        return label.casefold() in self.labels

    def default_label(self) -> str:
        """``api-key-<N>`` as Hermes numbers them, skipping labels in use."""
        n = self.count + 1
        while self.label_used(f"api-key-{n}"):
            n += 1
        return f"api-key-{n}"

    def credential(self, label: str, key: str) -> NewCredential:
        """A typed key as a manual credential of this pool."""
        target = self.state.target
        assert target.pool_key is not None
        return NewCredential(label, "manual", key.strip(), target.base_url, auth_type_for(target.pool_key, key.strip()))

    def add(self, label: str, key: str) -> NewCredential:
        """Record a typed key as a manual credential to add."""
        cred = self.credential(label, key)
        entry_id = new_entry_id(self.ids)
        self.ids.add(entry_id)
        self.changes.append(Add(cred, entry_id))
        self.owners[cred.fingerprint] = label
        self.labels.add(label.casefold())
        self.count += 1
        return cred

    def change(self, change: Change) -> None:
        """Record a change to an existing entry and re-index the pool it leaves."""
        self.changes.append(change)
        self._index(self.entries())
