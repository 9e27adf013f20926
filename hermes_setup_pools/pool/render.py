"""What the user reads: the pool table, the summary of a plan, the ``--dry-run`` diff.

Every key is masked (four characters at most) before it gets here.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from typing import Any

from ..keys import mask
from ..store.config import plan_nested_edit
from ..store.masking import render_auth, render_config
from .discovery import PoolState
from .plan import Plan
from .strategy import STRATEGIES_KEY

Echo = Callable[[str], None]

#: Lines of a summary shown before "… and N more" (bulk loads add thousands).
SUMMARY_LINES = 12


def show_pool(echo: Echo, state: PoolState) -> None:
    """The pool table: each entry and each key found elsewhere, masked."""
    pool_key = state.pool_key
    echo("")
    echo(f"◆ Credential pool: {pool_key}")
    rows: list[tuple[str, str, str, str]] = []
    for entry in state.entries:
        if isinstance(entry, dict):
            rows.append((str(entry.get("label", "")), str(entry.get("source", "")), state.masked(entry), ""))
    for cred in state.new_references():
        where = state.where.get(cred.source, "")
        rows.append((cred.label, cred.source, mask(cred.secret), f"found in {where}, not in the pool yet"))
    for cred in state.found:
        if cred.source in state.suppressed:
            rows.append((cred.label, cred.source, mask(cred.secret), "removed with `hermes auth remove`; left out"))
    if rows:
        width = max(len(r[0]) for r in rows) + 2
        swidth = max(len(r[1]) for r in rows) + 2
        echo(f"  {'label':<{width}}{'source':<{swidth}}key")
        for label, source, key, note in rows:
            echo(f"  {label:<{width}}{source:<{swidth}}{key}{'   ' + note if note else ''}".rstrip())
    else:
        env = ", ".join(state.target.env_vars) or "none"
        echo(f"  No keys yet (looked in auth.json, .env and the environment: {env}).")
    echo(f"  Rotation strategy: {state.strategy.describe(pool_key)}")
    if state.strategy.unknown:
        echo(f"  ! {state.strategy.describe(pool_key)}.")


def summary(echo: Echo, plan: Plan) -> None:
    """What writing ``plan`` will do, one line per change."""
    echo("")
    echo(f"About to write for pool {plan.pool_key}:")
    added = plan.preview.added
    for entry in added[:SUMMARY_LINES]:
        if entry["source"] == "manual":
            what = f"manual key {mask(entry['access_token'])}"
        else:
            what = f"reference to {entry['source']} (fingerprint only, no secret stored)"
        echo(f"  auth.json   + {entry['label']}: {what}")
    if len(added) > SUMMARY_LINES:
        echo(f"  auth.json   + … and {len(added) - SUMMARY_LINES:,} more (use --dry-run to see them all)")
    if plan.strategy:
        echo(f"  config.yaml   {STRATEGIES_KEY}.{plan.pool_key} = {plan.strategy}")


def dry_run(echo: Echo, plan: Plan) -> None:
    """A unified diff of each file the plan changes, secrets masked."""
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
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"{name} (now)", f"{name} (after)"
    )
    for line in lines:
        echo(line.rstrip("\n"))
