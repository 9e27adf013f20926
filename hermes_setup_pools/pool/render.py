"""What the user reads: the pool table, the summary of a plan, the ``--dry-run`` diff.

Every key is masked (four characters at most) before it gets here, and text
from files goes through :func:`hermes_setup_pools.display.shown`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..display import named, shown
from ..keys import mask
from ..store.config import plan_nested_edit
from ..store.entries import is_manual
from .changes import Add, Change, Move, NewId, Remove, Rename, Renumber, Replace, subject
from .discovery import PoolState
from .plan import Plan
from .strategy import STRATEGIES_KEY
from .table import pool_rows, table_lines

Echo = Callable[[str], None]

#: Lines of a summary shown before "… and N more" (bulk loads add thousands).
SUMMARY_LINES = 12


def describe_change(change: Change) -> str:
    """One line for a change, naming entries by label, keys masked."""
    if isinstance(change, Renumber):
        return "~ priorities renumbered 0..n-1 in the current order"
    if isinstance(change, Add):
        cred = change.cred
        if cred.is_manual:
            return f"+ {named(cred.label)}: manual key {mask(cred.secret)}"
        return f"+ {named(cred.label)}: reference to {named(cred.source)} (fingerprint only, no secret stored)"
    label = named(change.target.label)
    if isinstance(change, Remove):
        source = change.target.source
        suffix = "" if is_manual(source) else f" and stop Hermes seeding {named(source)} again"
        return f"- {label}: remove it{suffix}"
    if isinstance(change, Rename):
        return f"~ {label}: rename to {named(change.label)!r}"
    if isinstance(change, Move):
        return f"~ {label}: move to position {change.position + 1}"
    if isinstance(change, Replace):
        return f"~ {label}: new key {mask(change.cred.secret)} (same place, status cleared)"
    if isinstance(change, NewId):
        return f"~ {named(change.target.named())}: a new id (it shared one with another entry)"
    return f"~ {label}: reset its cooldown and error status"


def renumbering_line(old: list[Any]) -> str:
    """The line saying priorities were renumbered (``old``: each entry's old value, in the new order)."""
    was = ", ".join(shown(repr(value)) for value in old)
    return f"~ priorities renumbered 0..{len(old) - 1} in the order shown (were {was})"


def leftover_notes(changes: tuple[Change, ...], state: PoolState) -> list[str]:
    """What the user still has to do after removing a borrowed key."""
    notes = []
    for change in changes:
        if isinstance(change, Remove) and change.target.source.startswith("env:"):
            var = change.target.source[4:]
            where = state.where.get(change.target.source)
            if where:
                place = "$HERMES_HOME/.env" if where == ".env" else "the environment (your shell)"
                notes.append(f"{var} is still set in {place}; Hermes will not use it for this pool any more, but "
                             "remove it there if you no longer want it at all")
        elif isinstance(change, Remove) and change.target.source.startswith("config:"):
            notes.append("the api_key in config.yaml's custom_providers is unchanged; remove it there if you want")
    return notes


def summary(echo: Echo, plan: Plan) -> None:
    """What writing ``plan`` will do, one line per change."""
    echo("")
    echo(f"About to write for pool {plan.pool_key}:")
    done = plan.preview.done
    for change in done[:SUMMARY_LINES]:
        echo(f"  auth.json   {describe_change(change)}")
    if len(done) > SUMMARY_LINES:
        echo(f"  auth.json   … and {len(done) - SUMMARY_LINES:,} more (use --dry-run to see them all)")
    for change, reason in plan.preview.skipped:
        if not isinstance(change, Add):
            echo(f"  skipped     {shown(subject(change))}: {shown(reason)}")
    if plan.strategy:
        echo(f"  config.yaml {STRATEGIES_KEY}.{plan.pool_key} = {plan.strategy}")
    if plan.preview.renumbered is not None:
        echo(f"  auth.json   {renumbering_line(plan.preview.renumbered)}")
    if any(not isinstance(change, Add) for change in plan.preview.done):
        echo("  The pool will then be:")
        rows = pool_rows(plan.preview.entries, plan.state, found=[], strategy=plan.strategy)
        for line in table_lines(rows)[1:]:
            echo("  " + line)
    for note in leftover_notes(plan.changes, plan.state):
        echo(f"  Note: {note}.")


def dry_run(echo: Echo, plan: Plan) -> None:
    """A unified diff of each file the plan changes, secrets masked."""
    from ..store.masking import render_auth, render_config

    state = plan.state
    if plan.preview.changed:
        after: dict[str, Any] = copy.deepcopy(state.auth) if state.auth else {"version": 1, "providers": {}}
        after.setdefault("credential_pool", {})[plan.pool_key] = plan.preview.entries
        if plan.preview.suppressed != list(state.suppressed):
            after.setdefault("suppressed_sources", {})[plan.pool_key] = plan.preview.suppressed
        after["updated_at"] = "<now>"
        _diff(echo, render_auth(state.auth), render_auth(after), "auth.json")
    if plan.strategy:
        new_text = plan_nested_edit(state.config, STRATEGIES_KEY, plan.pool_key, plan.strategy) or ""
        _diff(echo, render_config(state.config.text or ""), render_config(new_text), "config.yaml")
    echo("Dry run: nothing was written.")


def _diff(echo: Echo, before: str, after: str, name: str) -> None:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"{name} (now)", f"{name} (after)"
    )
    for line in lines:
        echo(line.rstrip("\n"))
