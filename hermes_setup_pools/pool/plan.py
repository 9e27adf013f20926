"""The pure planner: from a pool as it is on disk (:class:`PoolState`) and the
user's answers (:class:`Answers`) to a frozen :class:`Plan`.

Nothing here reads a file, asks a question or writes; the interactive and the
non-interactive paths only gather answers, and :mod:`.commit` writes a plan.
"""

from __future__ import annotations

from ..keys.fingerprint import fingerprint
from ..providers import auth_type_for
from ..record import Record
from ..store.entries import NewCredential, entry_fingerprint, entry_label, new_entry_id
from .apply import Applied, EditedPool, apply_changes
from .changes import Add, Change, ToEnv
from .discovery import PoolState
from .strategy import STRATEGIES_KEY

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Answers(Record):
    """What the user asked for: the changes, in order, and the strategy to
    write (``None`` leaves config.yaml alone)."""

    __slots__ = _fields = ("changes", "strategy")

    changes: tuple[Change, ...]
    strategy: str | None

    def __init__(self, changes: tuple[Change, ...] = (), strategy: str | None = None) -> None:
        self.changes = changes
        self.strategy = strategy


class Plan(Record):
    """What a run will write. ``changes`` include the references to keys found
    in the environment or config when (and only when) there is a real change,
    because Hermes seeds those itself; ``strategy`` is ``None`` when
    config.yaml already says it."""

    _fields = ("state", "changes", "strategy")
    __slots__ = (*_fields, "_preview")

    state: PoolState
    changes: tuple[Change, ...]
    strategy: str | None

    def __init__(self, state: PoolState, changes: tuple[Change, ...], strategy: str | None) -> None:
        self.state = state
        self.changes = changes
        self.strategy = strategy
        self._preview: Applied | None = None

    @property
    def pool_key(self) -> str:
        """The pool this plan writes."""
        return self.state.pool_key

    @property
    def preview(self) -> Applied:
        """The changes applied to the pool as it was read (the commit applies them
        again, under the lock, to the pool as it is then); computed once."""
        if self._preview is None:
            self._preview = apply_changes(list(self.state.entries), list(self.state.suppressed), self.changes)
        return self._preview

    @property
    def empty(self) -> bool:
        """True when writing this plan would change neither file."""
        return not self.preview.changed and self.strategy is None and not self.env_values()

    def env_values(self) -> list[tuple[str, str]]:
        """The ``.env`` lines this plan adds: a variable and its key (or reference)
        for each added ``env:VAR`` credential whose variable is not set yet."""
        env = self.state.env
        values = []
        for change in self.changes:
            if isinstance(change, Add | ToEnv) and change.cred.source.startswith("env:"):
                var = change.cred.source[4:]
                if env is None or not env.value(var):
                    values.append((var, change.cred.secret))
        return values

    def bindings(self) -> list[tuple[tuple[str, ...], str]]:
        """The config.yaml values that bind a reference kept in ``.env`` to the
        Hermes source that resolves it: ``secrets.onepassword.env.VAR = op://…``."""
        from .envstore import reference_source

        found: list[tuple[tuple[str, ...], str]] = []
        for var, value in self.env_values():
            source = reference_source(value)
            if source is not None:
                found.append((("secrets", source.name, "env", var), value.strip()))
        return found

    def with_new_keys(self) -> PoolState:
        """The state with the keys this plan puts in ``.env`` known, so the pool
        as it will be shows them as keys Hermes has."""
        new = tuple(c.cred for c in self.changes if isinstance(c, Add | ToEnv) and (c.cred.source[4:], c.cred.secret)
                    in self.env_values())
        return self.state._replace(found=self.state.found + new) if new else self.state


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
    """A warning when ``key`` lacks the provider's usual prefix (``sk-or-`` …),
    naming the provider whose keys it does look like when its prefix says so
    (an Anthropic key pasted into the OpenRouter pool)."""
    from .envstore import reference_source

    provider = state.target.provider
    prefixes = provider.key_prefixes if provider else ()
    if not prefixes or key.startswith(prefixes) or reference_source(key) is not None:
        return None
    usual = f"{state.pool_key} keys usually start with {' or '.join(prefixes)}"
    other = _provider_with_prefix(key)
    return f"{usual}; this one looks like a key for {other[0]} ({other[1]})" if other else f"{usual}; this one does not"


def _provider_with_prefix(key: str) -> tuple[str, str] | None:
    """The one provider whose distinctive prefix ``key`` carries, as
    ``("anthropic", "sk-ant-")``; ``None`` when no prefix, or a shared one
    (``sk-`` is OpenAI's, DeepSeek's, Kimi's …), says whose it is."""
    from ..providers.table import TABLE

    owners: dict[str, set[str]] = {}
    for provider in TABLE.values():
        for prefix in provider.key_prefixes:
            owners.setdefault(prefix, set()).add(provider.id)
    matching = [prefix for prefix in owners if key.startswith(prefix) and len(owners[prefix]) == 1]
    if not matching:
        return None
    prefix = max(matching, key=len)
    [pid] = owners[prefix]
    return pid, prefix


class PoolIndex:
    """The pool as the user is shaping it: who holds each key (by
    fingerprint), which labels are taken, and the next default label. Both
    answer sources use it to refuse duplicates before anything is written."""

    def __init__(self, state: PoolState, store: str = "auth") -> None:
        from .envstore import EnvNames

        self.state = state
        self.store = store
        self.store_asked = False  # the interactive step asks once where keys live
        self.env_names = EnvNames(state)
        self.changes: list[Change] = []
        self._seeds = state.new_references()
        self._edited: EditedPool | None = None  # the changes so far applied, one at a time (see entries())
        self._applied = 0
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
        found elsewhere are not in it until something is written): a copy, as
        :func:`apply_changes` gives it, kept up to date one change at a time."""
        if self._edited is None or self._applied > len(self.changes):
            self._edited, self._applied = EditedPool(list(self.state.entries), list(self.state.suppressed)), 0
        for change in self.changes[self._applied:]:
            self._edited.push(change)
        self._applied = len(self.changes)
        return [e.copy() if isinstance(e, dict) else e for e in self._edited.entries]

    def owner(self, key: str) -> str | None:
        """The label of the entry that already holds ``key``."""
        return self.owners.get(fingerprint(key.strip()))

    def label_used(self, label: str) -> bool:
        """Whether an entry (or a key added in this run) has ``label``, ignoring case."""
        return label.casefold() in self.labels

    def default_label(self, key: str = "") -> str:
        """``api-key-<N>`` as Hermes numbers them, skipping labels in use; for a
        key kept in ``.env``, the variable's name (as Hermes labels those)."""
        if self.in_env(key):
            name = self.env_names.peek()
            if not self.label_used(name):
                return name
        n = self.count + 1
        while self.label_used(f"api-key-{n}"):
            n += 1
        return f"api-key-{n}"

    def in_env(self, key: str) -> bool:
        """Whether ``key`` is kept in ``.env`` (the run stores keys there, or it is a reference)."""
        from .envstore import reference_source

        return self.store == "env" or (bool(key) and reference_source(key) is not None)

    def credential(self, label: str, key: str, source: str = "manual") -> NewCredential:
        """A typed key as a credential of this pool (``manual``: stored in auth.json)."""
        target = self.state.target
        assert target.pool_key is not None
        return NewCredential(label, source, key.strip(), target.base_url, auth_type_for(target.pool_key, key.strip()))

    def add(self, label: str, key: str) -> NewCredential:
        """Record a typed key as a credential to add: a manual entry, or a
        numbered ``.env`` variable with a reference row when kept in ``.env``."""
        source = f"env:{self.env_names.next()}" if self.in_env(key) else "manual"
        cred = self.credential(label, key, source)
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
