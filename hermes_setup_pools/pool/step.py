"""The credential-pool step: show the keys a provider already has, add more,
choose the rotation strategy, and write it all the way Hermes reads it.

This module only orchestrates: read the pool (:mod:`.discovery`), gather
answers (:mod:`.ask` at a terminal, :mod:`.batch` from flags), plan
(:mod:`.plan`, pure), show (:mod:`.render`), confirm, write (:mod:`.commit`).
Nothing is written before the user has seen a summary and confirmed it, and a
re-run with the same answers writes nothing at all.
"""

from __future__ import annotations

from ..display import plural, wrap
from ..errors import Cancelled, GoBack, SetupError, UsageError
from ..providers import PoolTarget, resolve_target, target_from_config
from ..steps import Context
from ..store.auth import auth_path, check_pool_loadable, load_auth, pool_entries
from ..store.config import ConfigFile, config_path, load_config
from ..store.lock import lock_path
from ..store.preflight import check_home, remove_leftovers
from .commit import PoolOutcome, commit
from .discovery import PoolState, discover
from .options import PoolOptions
from .plan import Plan, make_plan
from .show import render
from .show.table import show_pool


def run_pool(ctx: Context, options: PoolOptions) -> PoolOutcome:
    """Run the credential-pool step with ``options`` (see the module docstring)."""
    state = open_pool(ctx, options)
    if isinstance(state, PoolOutcome):
        return state
    if options.list:
        from .show.listing import run_list

        run_list(ctx, state, options)
        return PoolOutcome(state.pool_key)
    show_pool(ctx.echo, state)
    if ctx.interactive:
        plan = ask_and_confirm(ctx, state, options)
        return commit(plan, ctx.echo) if plan is not None else PoolOutcome(state.pool_key)
    plan = plan_changes(ctx, state, options)
    return write_plan(ctx, plan, options) if plan is not None else PoolOutcome(state.pool_key)


def open_pool(ctx: Context, options: PoolOptions) -> PoolState | PoolOutcome:
    """The pool this run works on, read and checked (or the outcome of a
    provider that cannot pool: a skip at a terminal, an error otherwise)."""
    config = load_config(ctx.hermes_home)
    target = resolve_target(options.provider, config.data) if options.provider else target_from_config(config.data)
    if target.pool_key is None:
        if not ctx.interactive:
            raise SetupError(f"credential pool: {target.reason}")
        ctx.echo(wrap(f"Credential pool: skipped — {target.reason}.", indent="  "))
        return PoolOutcome(None, skipped_reason=target.reason)
    state = _read_pool(ctx, target, config, options)
    if "env" in (options.store, options.move_to):
        from .envstore import assumption_note, env_store_problem

        if options.store == "env":
            flag, problem = "--store", env_store_problem(state, "keep --store auth (the default)")
        else:
            flag, problem = "--move-to", env_store_problem(state, "the keys can stay in auth.json")
        if problem:
            raise UsageError(f"{flag} env: {problem}")
        if note := assumption_note(state.features):
            ctx.echo(f"  Note: {note}.")
    return state


def ask_and_confirm(ctx: Context, state: PoolState, options: PoolOptions) -> Plan | None:
    """A person at a terminal: the questions, the summary and "Write these
    changes?"; ← at a question asks the one before it again (from the first,
    it is the wizard's business: :class:`~..errors.GoBack` goes up). ``None``
    when there is nothing to write."""
    from .answers import ask  # the prompt machinery loads only for a person at a terminal
    from .answers.replay import Replay

    replay = Replay(ctx.ask())
    checked: list[tuple[str, object]] = []  # key checks done, not sent again when questions are replayed
    while True:
        prompter = replay.round()
        echo = prompter.echo(ctx.echo)
        try:
            answers = ask.gather(prompter, state, echo, options.strategy, options.store, checked=checked)
            plan = make_plan(state, answers)
            if plan.empty:
                echo("Nothing to change: the pool and its strategy are already as chosen.")
                return None
            render.summary(echo, plan)
            if not prompter.confirm("Write these changes?", default=True):
                echo("Nothing was changed.")
                return None
            return plan
        except GoBack:
            if not replay.back():
                raise
            ctx.echo("  ← back to the previous question")
        except Cancelled as exc:
            raise Cancelled(exc.exit_code, nothing_written=True) from None


def plan_changes(ctx: Context, state: PoolState, options: PoolOptions) -> Plan | None:
    """The answers the flags give, planned, with the summary shown; ``None``
    when there is nothing to change."""
    from .answers import batch

    answers = batch.gather(options, state, ctx.echo)
    plan = make_plan(state, answers)
    if plan.empty:
        ctx.echo("Nothing to change: the pool and its strategy are already as chosen.")
        return None
    render.summary(ctx.echo, plan)
    return plan


def write_plan(ctx: Context, plan: Plan, options: PoolOptions) -> PoolOutcome:
    """Without questions: show the diff (``--dry-run``), or write when ``--yes`` says so."""
    if options.dry_run:
        render.dry_run(ctx.echo, plan)
        return PoolOutcome(plan.pool_key)
    if not options.yes:
        raise UsageError("nothing was written: add --yes to write these changes (or --dry-run to see the diff)")
    return commit(plan, ctx.echo)


def _read_pool(ctx: Context, target: PoolTarget, config: ConfigFile, options: PoolOptions) -> PoolState:
    """Everything the step needs from disk, checked before the first question:
    the home and both files can be read and replaced by their owner, and have
    a shape Hermes can load; leftovers of a killed writer are removed."""
    home = ctx.hermes_home
    assert target.pool_key is not None
    check_home(home, [auth_path(home), config_path(home), lock_path(home)])
    auth = load_auth(home, target.pool_key)
    check_pool_loadable(pool_entries(auth, target.pool_key), auth_path(home), target.pool_key)
    if not (options.dry_run or options.list):
        removed = remove_leftovers(home, auth_path(home), config_path(home))
        if removed:
            more = f" and {len(removed) - 2} more" if len(removed) > 2 else ""
            ctx.echo(f"Removed {plural(len(removed), 'leftover temporary file')} of an interrupted write: "
                     f"{', '.join(removed[:2])}{more}.")
    return discover(home, target, config, auth)
