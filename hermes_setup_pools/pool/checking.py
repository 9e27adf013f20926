"""The key check as the pool step uses it: once per run, at the pool's own
base URL, for keys being added and (with ``--check``) keys already in the pool.

This module imports :mod:`hermes_setup_pools.check`, so the step imports this
one only when a check may happen: runs that never check load no network code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..check import CheckResult, check_key, check_keys, check_url_for
from ..check.specs import spec_for
from ..check.urls import host_of
from ..store.dotenv import Environment
from .discovery import PoolState

#: ``off`` turns the check off entirely (no question, no request): for
#: machines without network access, and for test suites.
SWITCH = "HERMES_SETUP_POOLS_KEY_CHECK"


def switched_off() -> bool:
    """True when ``HERMES_SETUP_POOLS_KEY_CHECK`` is off/0/no/false."""
    return os.environ.get(SWITCH, "").strip().lower() in {"off", "0", "no", "false"}


class KeyChecker:
    """Checks keys for one pool; ``host`` is where they would be sent and
    ``available`` whether this provider has a check at all."""

    def __init__(self, state: PoolState) -> None:
        self.pool_key = state.pool_key
        self.base_url = check_url_for(state.target, state.env or Environment(state.home))
        spec = spec_for(self.pool_key, self.base_url) if self.base_url else "no base URL"
        self.available = not isinstance(spec, str)
        self.host = host_of(self.base_url) if self.base_url else ""

    def check(self, key: str) -> CheckResult:
        """Check one key (at most 5 s)."""
        return check_key(self.pool_key, self.base_url, key)

    def check_all(self, keys: Sequence[str]) -> list[CheckResult]:
        """Check many keys, 8 at a time; results in the order given."""
        return check_keys(self.pool_key, self.base_url, keys)


def check_entries(state: PoolState, entries: list[dict[str, Any]]) -> list[CheckResult | None]:
    """Check the keys of existing entries: one result per entry, in order
    (``None`` for an entry Hermes has no key for now)."""
    checker = KeyChecker(state)
    secrets = [state.live_secret(e) for e in entries]
    results = iter(checker.check_all([secret for secret in secrets if secret]))
    return [next(results) if secret else None for secret in secrets]
