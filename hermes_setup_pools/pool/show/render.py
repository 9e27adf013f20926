"""What the user reads: the pool table, the summary of a plan, the ``--dry-run`` diff.

Every key is masked (four characters at most) before it gets here, and text
from files goes through :func:`hermes_setup_pools.display.shown`.
"""

from __future__ import annotations

from collections.abc import Callable

from ...display import named, plural, shown, wrap
from ...keys.detect import mask
from ...store.config import plan_nested_edit
from ...store.entries import STATUS_FIELDS, entry_fingerprint, entry_label, is_manual
from ..changes import Add, Change, Move, NewId, Remove, Rename, Renumber, Replace, subject
from ..discovery import PoolState
from ..plan import Plan
from ..status import hermes_order
from ..strategy import STRATEGIES_KEY
from .table import pool_rows, table_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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


def net_lines(plan: Plan) -> list[str]:
    """One line per entry the plan changes, saying its net change (an entry
    added, renamed twice and moved is one ``+`` line with its final label and
    place), in the order Hermes will try them; then the removals."""
    before = list(plan.state.entries)
    preview = plan.preview
    origin = {id(e): o for e, o in zip(preview.entries, preview.origins, strict=True)}
    moved = {(c.target.id, c.target.fingerprint) for c in preview.done if isinstance(c, Move)}
    lines = []
    in_env = dict(plan.env_values())
    for position, entry in enumerate(hermes_order(plan.pool_key, preview.entries), start=1):
        index = origin.get(id(entry))
        if index is None:
            was_moved = (str(entry.get("id") or ""), entry_fingerprint(entry)) in moved
            lines.append(_added(entry, position if was_moved else None, in_env))
            continue
        old = before[index]
        parts = _changed(old, entry, in_env)
        if (str(old.get("id") or ""), entry_fingerprint(old)) in moved:
            parts.append(f"move to position {position}")
        if parts:
            lines.append(f"~ {named(entry_label(old))}: {', '.join(parts)}")
    kept = {o for o in preview.origins if o is not None}
    return lines + [_removed(old) for index, old in enumerate(before) if isinstance(old, dict) and index not in kept]


def _changed(old: dict[str, Any], entry: dict[str, Any], in_env: dict[str, str]) -> list[str]:
    """What became of an entry that stays: its label, key (or where the key
    lives), status and id, in words."""
    parts = []
    if entry.get("label") != old.get("label"):
        parts.append(f"rename to {named(entry.get('label'))!r}")
    if entry.get("source") != old.get("source") and str(entry.get("source")).startswith("env:"):
        var = str(entry["source"])[4:]
        parts.append(f"its key {mask(in_env.get(var))} moves to .env as {named(var)} (auth.json keeps a reference, "
                     "no secret)")
    elif entry_fingerprint(entry) != entry_fingerprint(old):
        parts.append(f"new key {mask(entry.get('access_token'))} (status cleared)")
    elif any(old.get(f) is not None for f in STATUS_FIELDS) and all(entry.get(f) is None for f in STATUS_FIELDS):
        parts.append("reset its cooldown and error status")
    if entry.get("id") != old.get("id"):
        parts.append("a new id (it shared one with another entry)")
    return parts


def _removed(old: dict[str, Any]) -> str:
    source = str(old.get("source") or "manual")
    suffix = "" if is_manual(source) else f" and stop Hermes seeding {named(source)} again"
    return f"- {named(entry_label(old))}: remove it{suffix}"


def _added(entry: dict[str, Any], position: int | None, in_env: dict[str, str]) -> str:
    where = f" at position {position}" if position is not None else ""
    source = str(entry.get("source") or "manual")
    label = named(entry.get("label"))
    if is_manual(source):
        return f"+ {label}: manual key {mask(entry.get('access_token'))}{where}"
    if source[4:] in in_env:
        value = in_env[source[4:]]
        what = "reference" if mask(value).endswith("/…") else "key"
        return (f"+ {label}: new {what} {mask(value)} as {named(source[4:])} in .env, a reference in auth.json "
                f"(no secret){where}")
    return f"+ {label}: reference to {named(source)} (fingerprint only, no secret stored){where}"


def summary(echo: Echo, plan: Plan) -> None:
    """What writing ``plan`` will do: the net change of each entry, the
    strategy, every renumbering, and the pool as it will then be."""
    echo(f"About to write for pool {plan.pool_key}:")

    def say(where: str, text: str) -> None:
        echo(wrap(f"  {where:<11} {text}", indent=" " * 16))

    lines = net_lines(plan)
    for line in lines[:SUMMARY_LINES]:
        say("auth.json", line)
    if len(lines) > SUMMARY_LINES:
        say("auth.json", f"… and {len(lines) - SUMMARY_LINES:,} more (use --dry-run to see them all)")
    for change, reason in plan.preview.skipped:
        if not isinstance(change, Add):
            say("skipped", f"{named(subject(change))}: {shown(reason)}")
    if plan.strategy:
        say("config.yaml", f"{STRATEGIES_KEY}.{plan.pool_key} = {plan.strategy}")
    if plan.preview.renumbered is not None:
        say("auth.json", renumbering_line(plan.preview.renumbered))
    if any(not isinstance(change, Add) for change in plan.preview.done):
        echo("  The pool will then be:")
        rows = pool_rows(plan.preview.entries, plan.with_new_keys(), found=[], strategy=plan.strategy)
        for line in table_lines(rows, indent="    ")[1:]:
            echo(line)
    if plan.state.borrows_root and plan.preview.changed:
        echo(wrap(f"  Note: profile {plan.state.profile} reads the root's {plan.pool_key} pool today; writing gives it "
                  f"its own copy of the root's {plural(len(plan.state.root_entries), 'entry', 'entries')} with these "
                  "changes (as Hermes' own writes to it do); the root's pool is not changed.", indent="    "))
    from ..envstore import newly_read

    for var in newly_read(plan.state, [name for name, _ in plan.env_values()]):
        echo(wrap(f"  Note: {named(var)}, set already, is read from now on too: Hermes reads numbered keys up to the "
                  "first gap, and this fills it.", indent="    "))
    for note in leftover_notes(plan.changes, plan.state):
        echo(wrap(f"  Note: {note}.", indent="    "))


def dry_run(echo: Echo, plan: Plan) -> None:
    """A unified diff of each file the plan changes, secrets masked."""
    import copy

    from ...keys.files import render_auth, render_config

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
    for path, value in plan.bindings():
        echo(f"config.yaml: {'.'.join(path)} = {mask(value)} (added)")
    if plan.env_values():
        echo("--- .env (now)")
        echo("+++ .env (after)")
        for var, value in plan.env_values():
            echo(f"+{named(var)}={mask(value)}")
    echo("Dry run: nothing was written.")


def _diff(echo: Echo, before: str, after: str, name: str) -> None:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"{name} (now)", f"{name} (after)"
    )
    for line in lines:
        echo(line.rstrip("\n"))
