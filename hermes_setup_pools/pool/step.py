"""The credential-pool step: show the keys a provider already has, add more,
choose the rotation strategy, and write it all the way Hermes reads it.

This module only orchestrates: read the pool (:mod:`.discovery`), gather
answers (:mod:`.ask` at a terminal, :mod:`.batch` from flags), plan
(:mod:`.plan`, pure), show (:mod:`.render`), confirm, write (:mod:`.commit`).
Nothing is written before the user has seen a summary and confirmed it, and a
re-run with the same answers writes nothing at all.
"""

from __future__ import annotations

from ..errors import SetupError, UsageError
from ..hookspecs import hookimpl
from ..providers import resolve_target, target_from_config
from ..steps import ANCHOR_STEP_ID, Context, Register, Step
from ..store.auth import load_auth
from ..store.config import load_config
from . import ask, batch, render
from .commit import PoolOutcome, commit
from .discovery import discover
from .options import PoolOptions
from .plan import make_plan

#: This step's id (other plugins order their steps around it).
POOL_STEP_ID = "credential_pool"


@hookimpl
def hermes_setup_register_steps(register: Register) -> None:
    """Register the credential-pool step, right after provider/model selection."""
    register(Step(id=POOL_STEP_ID, title="Credential pool", run=run, after=(ANCHOR_STEP_ID,)))


def run(ctx: Context) -> PoolOutcome:
    """The step as the setup flow runs it: interactive when the context is."""
    return run_pool(ctx, PoolOptions())


def run_pool(ctx: Context, options: PoolOptions) -> PoolOutcome:
    """Run the credential-pool step with ``options`` (see the module docstring)."""
    home = ctx.hermes_home
    config = load_config(home)
    target = resolve_target(options.provider, config.data) if options.provider else target_from_config(config.data)
    if target.pool_key is None:
        if not ctx.interactive:
            raise SetupError(f"credential pool: {target.reason}")
        ctx.echo(f"Credential pool: skipped — {target.reason}.")
        return PoolOutcome(None, skipped_reason=target.reason)
    auth = load_auth(home, target.pool_key)  # fail before asking anything
    state = discover(home, target, config, auth)
    render.show_pool(ctx.echo, state)

    if ctx.interactive:
        answers = ask.gather(ctx.ask(), state, ctx.echo, options.strategy)
    else:
        answers = batch.gather(options, state, ctx.echo)
    plan = make_plan(state, answers)
    if plan.empty:
        ctx.echo("Nothing to change: the pool and its strategy are already as chosen.")
        return PoolOutcome(plan.pool_key)
    render.summary(ctx.echo, plan)
    if options.dry_run:
        render.dry_run(ctx.echo, plan)
        return PoolOutcome(plan.pool_key)
    if ctx.interactive:
        if not ctx.ask().confirm("Write these changes?", default=True):
            ctx.echo("Nothing was changed.")
            return PoolOutcome(plan.pool_key)
    elif not options.yes:
        raise UsageError("nothing was written: add --yes to write these changes (or --dry-run to see the diff)")
    return commit(plan, ctx.echo)
