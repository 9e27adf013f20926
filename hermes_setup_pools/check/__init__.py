"""Check keys as they are added: valid, rejected, or out of credit, asked at
the provider the pool really uses and nowhere else.

``urls``    where a check may go: the pool's base URL as Hermes uses it; HTTPS or loopback
``specs``   per provider, the request that spends no tokens (path, auth header)
``answers`` how providers answer: balance readers and the generic status rules
``http``    the request itself (no redirects, 5 s timeout) and the parallel bulk check
``result``  :class:`CheckResult` and its one-line description

Use::

    from hermes_setup_pools.check import check_keys, check_url_for
    from hermes_setup_pools.store.dotenv import Environment

    base_url = check_url_for(target, Environment(home))
    for result in check_keys(target.pool_key, base_url, keys):
        print(result.describe())       # "✓ valid · $3.10 of $10.00 left"

Standard library only. The pool step reaches it through
:mod:`hermes_setup_pools.pool.checking`, which it imports only when a check may
happen, so runs that never check load no network code.
"""

from __future__ import annotations

from .http import DEFAULT_TIMEOUT, USER_AGENT, check_key, check_keys
from .result import CheckResult, Verdict
from .urls import check_url_for, url_problem

__all__ = [
    "DEFAULT_TIMEOUT", "USER_AGENT", "CheckResult", "Verdict", "check_key", "check_keys", "check_url_for", "url_problem",
]
