"""Keep the round-robin order the pool step showed through the rest of the wizard.

With ``round_robin`` Hermes moves the key it picks to the end of the pool and
renumbers the priorities every time anything calls ``CredentialPool.select()``
(``agent/credential_pool.py``), and writes that to auth.json at once. The
wizard's later sections call it without sending a request: the vision-backend
check (``auxiliary_client.get_available_vision_backends``, in 0.13–0.15's model
section and in every setup summary), image/video-generation availability
(iot's Tools section), the runtime-provider resolution. How many times depends
on the release, the path (Full, Quick, Blank Slate, ``hermes setup model``) and
the user's answers, so after the wizard ``hermes auth list`` started at
whichever key that count left first.

The wrapper records the order the step wrote and, when the wizard's process
ends, puts the pool back into it if, and only if, the pool still holds exactly
those entries in the same cyclic order (i.e. only Hermes' rotations happened)
and the strategy is still round_robin. Nothing else in the pool changes
(request counts and status stay as Hermes left them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

_pending: dict[tuple[str, str], tuple[str, ...]] = {}
_registered_pid: int | None = None


class _Edit(NamedTuple):
    entries: list[Any]
    suppressed: list[str]
    changed: bool


def _order(entries: list[Any]) -> tuple[str, ...] | None:
    """Entry ids by priority (Hermes' stable sort), ``None`` for a pool we do not touch."""
    if not all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries):
        return None
    return tuple(e["id"] for e in sorted(entries, key=lambda e: e.get("priority", 0)))


def remember(home: Path, pool_key: str) -> None:
    """Record the pool's order as it is now on disk (right after the step wrote it)
    and arrange for :func:`restore` to run when this process ends."""
    from ..store.auth import load_auth, pool_entries

    order = _order(pool_entries(load_auth(home, pool_key), pool_key))
    if not order or len(order) < 2:
        return
    _pending[(str(home), pool_key)] = order
    global _registered_pid
    if _registered_pid != os.getpid():
        import atexit

        atexit.register(_restore_all)
        _registered_pid = os.getpid()


def _restore_all() -> None:
    if _registered_pid != os.getpid():  # a forked child inherits the handler: not its business
        return
    for (home, pool_key), order in list(_pending.items()):
        try:
            restore(Path(home), pool_key, order)
        except Exception as exc:  # a failure here only loses the order, never a key
            from ..keys.detect import redact

            print(f"hermes-setup-pools: could not restore the order of {pool_key}: {redact(str(exc))}",
                  file=sys.stderr, flush=True)
    _pending.clear()


def _is_rotation(current: tuple[str, ...], order: tuple[str, ...]) -> bool:
    return len(current) == len(order) and any(current == order[i:] + order[:i] for i in range(len(order)))


def restore(home: Path, pool_key: str, order: tuple[str, ...]) -> bool:
    """Give the entries of ``pool_key`` the priorities 0..n-1 in ``order`` when
    the pool is a round_robin rotation of it; True when auth.json was written."""
    from ..pool.strategy import strategy_state
    from ..store.auth import update_pool
    from ..store.config import load_config

    if strategy_state(load_config(home), pool_key).effective != "round_robin":
        return False

    def edit(entries: list[Any], suppressed: list[str]) -> _Edit:
        current = _order(entries)
        if current is None or current == order or not _is_rotation(current, order):
            return _Edit(entries, suppressed, False)
        rank = {entry_id: n for n, entry_id in enumerate(order)}
        fixed = sorted(({**e, "priority": rank[e["id"]]} for e in entries), key=lambda e: e["priority"])
        return _Edit(fixed, suppressed, True)

    return update_pool(home, pool_key, edit).changed
