"""Writing a plan, each file under its own lock and re-read under it: the
config.yaml bindings of secret references, the keys kept in ``.env``, then
auth.json (applied to the pool as it is on disk then), then the strategy in
config.yaml.

Every config.yaml edit is checked before anything is written, so an edit that
would be refused leaves all the files as they were; a key written to ``.env``
is never lost by a later failure (Hermes reads it as a numbered key anyway).
"""

from __future__ import annotations

from ..display import named, plural, shown, wrap
from ..home import hermes_command, our_command
from ..keys.detect import mask
from ..record import Record
from ..store.auth import auth_path, update_pool
from ..store.config import config_path, load_config, plan_path_edit, set_config_path
from ..store.dotenv import ENV_FILE, add_to_dotenv
from ..store.files import StoreError, signals_deferred
from .apply import Applied, apply_changes
from .changes import Add, Change, counts, subject
from .plan import Plan
from .show.render import leftover_notes
from .strategy import STRATEGIES_KEY, check_strategy_edit, write_strategy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any


class PoolOutcome(Record):
    """What the step did (also the value stored in ``context.results``)."""

    __slots__ = _fields = ("pool_key", "skipped_reason", "added", "notes", "strategy", "auth_written", "config_written",
                           "changes", "env_written")
    __hash__ = None  # type: ignore[assignment]  # mutable

    pool_key: str | None
    skipped_reason: str
    added: list[str]  # labels
    notes: list[str]
    strategy: str | None  # written to config.yaml, or None
    auth_written: bool
    config_written: bool
    changes: list[Change]  # applied to auth.json
    env_written: list[str]  # variables added to .env

    def __init__(self, pool_key: str | None, skipped_reason: str = "", added: list[str] | None = None,  # noqa: PLR0917 (positional, as before)
                 notes: list[str] | None = None, strategy: str | None = None, auth_written: bool = False,
                 config_written: bool = False, changes: list[Change] | None = None,
                 env_written: list[str] | None = None) -> None:
        self.pool_key = pool_key
        self.skipped_reason = skipped_reason
        self.added = [] if added is None else added
        self.notes = [] if notes is None else notes
        self.strategy = strategy
        self.auth_written = auth_written
        self.config_written = config_written
        self.changes = [] if changes is None else changes
        self.env_written = [] if env_written is None else env_written


def commit(plan: Plan, echo: Callable[[str], None]) -> PoolOutcome:
    """Write ``plan`` and say what was written. Ctrl-C, SIGTERM and SIGHUP wait
    until both files are written, so a signal never splits the commit."""
    with signals_deferred():
        return _commit(plan, echo)


def _commit(plan: Plan, echo: Callable[[str], None]) -> PoolOutcome:
    home = plan.state.home
    pool_key = plan.pool_key
    outcome = PoolOutcome(pool_key)
    config = load_config(home, plan.state.config)  # re-read; parsed again only when it changed since
    if plan.strategy is not None:
        check_strategy_edit(config, pool_key, plan.strategy)
    for path, value in plan.bindings():
        plan_path_edit(config, path, value)  # refused now, before anything is written
    _write_env(plan, outcome, echo)

    def edit(entries: list[Any], suppressed: list[str]) -> Applied:
        if not entries and plan.state.borrows_root:
            # A profile still reading the root's pool gets its own copy of it
            # with the changes (what Hermes' own writes to such a profile do).
            entries = list(plan.state.root_entries)
        # The pool as read under the lock is usually the pool the plan was made
        # from: then the preview is the answer (a bulk load need not merge twice).
        if entries == list(plan.state.entries) and suppressed == list(plan.state.suppressed):
            return plan.preview
        return apply_changes(entries, suppressed, plan.changes)

    try:
        result = update_pool(home, pool_key, edit)
    except StoreError as exc:
        if not outcome.env_written:
            raise
        raise StoreError(f"{exc} — {', '.join(outcome.env_written)} were added to .env, and Hermes reads them as "
                         "numbered keys anyway (labelled by the variable's name)") from None
    outcome.auth_written = result.changed
    outcome.added = [entry["label"] for entry in result.added]
    outcome.changes = list(result.done)
    for change, reason in result.skipped:
        name = subject(change)
        outcome.notes.append(f"{name}: {reason}")
        echo(f"  = {named(name)}: {shown(reason)}; skipped")
    try:
        if plan.strategy is not None and write_strategy(home, pool_key, plan.strategy, config):
            outcome.config_written = True
            outcome.strategy = plan.strategy
    except StoreError as exc:
        if not outcome.auth_written:
            raise
        added = ", ".join(named(label) for label in outcome.added[:5]) + (" …" if len(outcome.added) > 5 else "")
        raise StoreError(
            f"{exc} — auth.json was written ({plural(len(outcome.added), 'credential')} added to {pool_key}: {added}), "
            f"but {STRATEGIES_KEY}.{pool_key} was not set. When config.yaml can be written again, finish with: "
            f"{finish_command(home, pool_key, plan.strategy)}"
        ) from None
    if outcome.auth_written:
        echo(wrap(f"✓ {_what_was_done(result.done, pool_key)} in {auth_path(home)}"))
        for note in leftover_notes(tuple(result.done), plan.state):
            echo(f"  Note: {note}.")
    if outcome.config_written:
        echo(wrap(f"✓ Set {STRATEGIES_KEY}.{pool_key} = {plan.strategy} in {config_path(home)}"))
    echo(wrap(f"  Check it with: {hermes_command(home, 'auth', 'list', pool_key)}", indent="    "))
    return outcome


def _write_env(plan: Plan, outcome: PoolOutcome, echo: Callable[[str], None]) -> None:
    """The reference bindings in config.yaml, then the new keys in ``.env``."""
    home = plan.state.home
    for path, value in plan.bindings():
        if set_config_path(home, path, value, known=plan.state.config):
            echo(wrap(f"✓ Set {'.'.join(path)} = {mask(value)} in {config_path(home)}"))
    values = plan.env_values()
    if values:
        outcome.env_written = add_to_dotenv(home, values)
        if outcome.env_written:
            echo(wrap(f"✓ Added {', '.join(outcome.env_written)} to {home / ENV_FILE} (mode 600)"))


def _what_was_done(done: list[Change], pool_key: str) -> str:
    added = sum(isinstance(c, Add) for c in done)
    if added == len(done):
        return f"Added {plural(added, 'credential')} to {pool_key}"
    return f"Changed {pool_key} ({', '.join(counts(done))})"


def finish_command(home: Path, pool_key: str, strategy: str | None) -> str:
    """The one command that sets the strategy a failed commit left unset."""
    return our_command(home, "pool", "--non-interactive", "--provider", pool_key, "--strategy", str(strategy), "--yes")
