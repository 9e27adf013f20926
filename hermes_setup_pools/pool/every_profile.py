"""``pool --all-profiles``: one pool command for every Hermes profile under a root.

``--list [--json]`` shows each profile's pool (its configured provider, or
``--provider``), every row naming its profile and the store it comes from.
Adding keys or setting a strategy non-interactively puts the same keys and
strategy into every profile that uses the provider: one summary per profile,
then one confirmation for all of them (``--yes``), then each profile is
written under its own locks.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..display import plural, say, wrap
from ..errors import SetupError, UsageError
from ..profiles import Profile, all_profiles
from ..providers import resolve_target, target_from_config
from ..steps import Context
from ..store.config import load_config
from ..store.files import StoreError
from .discovery import PoolState
from .options import PoolOptions
from .plan import Plan
from .show.table import json_items, pool_rows, show_pool
from .step import open_pool, plan_changes


def _uses(profile: Profile, pool_key: str) -> bool:
    """Whether the profile's model is this pool's provider, or it has entries in the pool."""
    try:
        config = load_config(profile.home)
        target = target_from_config(config.data)
    except (StoreError, SetupError):
        return False
    if target.pool_key == pool_key:
        return True
    from ..store.auth import load_auth, pool_entries

    try:
        return bool(pool_entries(load_auth(profile.home), pool_key))
    except StoreError:
        return False


def _header(ctx: Context, profile: Profile) -> None:
    ctx.echo(f"── profile {profile.name} ({profile.home})")


def _states(ctx: Context, root: Path, options: PoolOptions) -> list[tuple[Profile, Context, PoolState]]:
    """Each profile's pool: ``--provider``'s, or the provider the profile is set up with."""
    found = []
    for profile in all_profiles(root):
        sub = Context(profile.home, interactive=False, out=ctx.out)
        if options.provider is None:
            target = target_from_config(load_config(profile.home).data)
            if target.pool_key is None:
                say(f"── profile {profile.name}: skipped: {target.reason}")  # not in --json's one JSON document
                continue
            state = open_pool(sub, options._replace(provider=target.pool_key))
        else:
            state = open_pool(sub, options)
        if isinstance(state, PoolState):
            found.append((profile, sub, state))
    return found


def list_every_profile(ctx: Context, root: Path, options: PoolOptions) -> None:
    """``--list [--json] --all-profiles``."""
    states = _states(ctx, root, options)
    if options.json:
        rows = []
        for _, _, state in states:
            rows += json_items(pool_rows(list(state.used_entries), state))
        ctx.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for profile, _, state in states:
        _header(ctx, profile)
        show_pool(ctx.echo, state)


def change_every_profile(ctx: Context, root: Path, options: PoolOptions) -> None:
    """The same keys and strategy into every profile that uses ``--provider``."""
    from .commit import commit
    from .show.render import dry_run

    if options.provider is None:
        raise UsageError("--all-profiles writes to every profile that uses one provider: name it with --provider")
    pool_key = resolve_target(options.provider, {}).pool_key or options.provider
    if options.key_file:  # read once, used for every profile
        from .answers.keyfile import read_key_source

        options = options._replace(key_lines=tuple(read_key_source(options.key_file)))
    plans: list[tuple[Profile, Plan]] = []
    for profile in all_profiles(root):
        if not _uses(profile, pool_key):
            ctx.echo(wrap(f"── profile {profile.name}: skipped: neither its model nor its auth.json uses {pool_key}",
                          indent="   "))
            continue
        sub = Context(profile.home, interactive=False, out=ctx.out)
        _header(ctx, profile)
        state = open_pool(sub, options)
        if not isinstance(state, PoolState):
            continue
        show_pool(ctx.echo, state)
        plan = plan_changes(sub, state, options)
        if plan is not None:
            plans.append((profile, plan))
    if not plans:
        ctx.echo(f"Nothing to change in any profile that uses {pool_key}.")
        return
    if options.dry_run:
        for profile, plan in plans:
            _header(ctx, profile)
            dry_run(ctx.echo, plan)
        return
    if not options.yes:
        raise UsageError(f"nothing was written: add --yes to write these changes to {plural(len(plans), 'profile')} "
                         "(or --dry-run to see the diffs)")
    for profile, plan in plans:
        _header(ctx, profile)
        commit(plan, ctx.echo)
