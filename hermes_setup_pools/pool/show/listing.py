"""``pool --list [--json] [--check]``: show one pool, change nothing."""

from __future__ import annotations

from ...display import shown, wrap
from ...steps import Context
from ..discovery import PoolState
from ..options import PoolOptions
from .table import as_json, pool_rows, show_pool


def run_list(ctx: Context, state: PoolState, options: PoolOptions) -> None:
    """Print the pool (a table, or JSON with ``options.json``); with
    ``options.check``, ask the provider about each key first."""
    rows = pool_rows(list(state.used_entries), state)
    checks = None
    if options.check:
        from ..checking import check_entries

        checks = check_entries(state, [row.entry for row in rows])
    if options.json:
        ctx.echo(as_json(rows, checks))
        return
    show_pool(ctx.echo, state, rows=rows)
    for row, result in zip(rows, checks or [], strict=False):
        if result is not None:
            ctx.echo(wrap(f"  #{row.position} {shown(row.label)}: {result.describe()}", indent="      "))
