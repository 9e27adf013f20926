"""Writing a plan: auth.json first (under Hermes' lock, applied to the pool as
it is on disk then), then config.yaml (re-read immediately before its edit).

config.yaml is checked before auth.json is touched, so an edit that would be
refused leaves both files as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..store.auth import auth_path, update_pool
from ..store.config import config_path, load_config
from .changes import Add, apply_changes
from .plan import Plan
from .strategy import STRATEGIES_KEY, check_strategy_edit, write_strategy


@dataclass
class PoolOutcome:
    """What the step did (also the value stored in ``context.results``)."""

    pool_key: str | None
    skipped_reason: str = ""
    added: list[str] = field(default_factory=list)  # labels
    notes: list[str] = field(default_factory=list)
    strategy: str | None = None  # written to config.yaml, or None
    auth_written: bool = False
    config_written: bool = False


def commit(plan: Plan, echo: Callable[[str], None]) -> PoolOutcome:
    """Write ``plan`` and say what was written."""
    home = plan.state.home
    pool_key = plan.pool_key
    outcome = PoolOutcome(pool_key)
    if plan.strategy is not None:
        check_strategy_edit(load_config(home), pool_key, plan.strategy)
    result = update_pool(home, pool_key, lambda entries, suppressed: apply_changes(entries, suppressed, plan.changes))
    outcome.auth_written = result.changed
    outcome.added = [entry["label"] for entry in result.added]
    for change, reason in result.skipped:
        if isinstance(change, Add):
            outcome.notes.append(f"{change.cred.label}: {reason}")
            echo(f"  = {change.cred.label}: {reason}; skipped")
    if plan.strategy is not None and write_strategy(home, pool_key, plan.strategy):
        outcome.config_written = True
        outcome.strategy = plan.strategy
    if outcome.auth_written:
        echo(f"✓ Added {len(result.added)} credential(s) to {pool_key} in {auth_path(home)}")
    if outcome.config_written:
        echo(f"✓ Set {STRATEGIES_KEY}.{pool_key} = {plan.strategy} in {config_path(home)}")
    echo(f"  Check it with: hermes auth list {pool_key}")
    return outcome
