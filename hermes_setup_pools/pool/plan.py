"""The pure planner: from a pool as it is on disk (:class:`PoolState`) and the
user's answers (:class:`Answers`) to a frozen :class:`Plan`.

Nothing here reads a file, asks a question or writes; the interactive and the
non-interactive paths only gather answers, and :mod:`.commit` writes a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..keys import fingerprint
from ..providers import auth_type_for
from ..store.entries import NewCredential, entry_fingerprint, entry_label
from .changes import Add, Applied, Change, apply_changes
from .discovery import PoolState
from .strategy import STRATEGIES_KEY


@dataclass(frozen=True)
class Answers:
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


class PoolIndex:
    """The pool as the user is shaping it: who holds each key (by
    fingerprint), which labels are taken, and the next default label. Both
    answer sources use it to refuse duplicates before anything is written."""

    def __init__(self, state: PoolState) -> None:
        existing = [e for e in state.entries if isinstance(e, dict)]
        seeds = state.new_references()
        self.state = state
        self.owners = {fp: entry_label(e) for e in existing if (fp := entry_fingerprint(e))}
        self.owners.update({c.fingerprint: c.label for c in seeds})
        self.labels = {str(e.get("label", "")).casefold() for e in existing} | {c.label.casefold() for c in seeds}
        self.count = len(existing) + len(seeds)
        self.changes: list[Change] = []

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

    def add(self, label: str, key: str) -> NewCredential:
        """Record a typed key as a manual credential to add."""
        target = self.state.target
        assert target.pool_key is not None
        cred = NewCredential(label, "manual", key, target.base_url, auth_type_for(target.pool_key, key))
        self.changes.append(Add(cred))
        self.owners[cred.fingerprint] = label
        self.labels.add(label.casefold())
        self.count += 1
        return cred
