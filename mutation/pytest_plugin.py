"""pytest plugin for mutation runs only (mutation/run.py puts it beside the
mutants, and ``[tool.mutmut] pytest_add_cli_args`` loads it).

Property tests run each mutant with at most ``MAX_EXAMPLES`` examples, drawn
the same way every time (``derandomize``) and never replayed from a database,
so a run is repeatable and a mutant is not killed or spared by luck. The full
example counts stay what CI runs.

Tests that use the ``env`` fixture run ``hermes-setup-pools`` (or Hermes) as a
child process, which imports the package as installed, never the mutants: they
cannot kill a mutant and only slow the run, so they are deselected.
"""

from __future__ import annotations

from typing import Any

MAX_EXAMPLES = 25


def pytest_collection_modifyitems(items: list[Any], config: Any) -> None:
    from hypothesis import settings

    subprocess_tests = [item for item in items if "env" in getattr(item, "fixturenames", ())]
    if subprocess_tests:
        config.hook.pytest_deselected(items=subprocess_tests)
        items[:] = [item for item in items if item not in subprocess_tests]
    for item in items:
        test = getattr(item, "obj", None)
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        if test is None or current is None or getattr(test, "_mutation_settings", False):
            continue
        test._hypothesis_internal_use_settings = settings(
            current, max_examples=min(current.max_examples, MAX_EXAMPLES), derandomize=True, database=None,
        )
        test._mutation_settings = True



def pytest_runtest_setup(item: Any) -> None:
    """Empty the C encoders cached by ``store/auth.py`` before each test: mutmut
    forks each mutant's run from a process whose earlier tests filled the cache
    with encoders built by the unmutated ``_encoder``, which would hide its mutants."""
    import sys

    auth = sys.modules.get("hermes_setup_pools.store.auth")
    cache = getattr(auth, "_ENCODERS", None)
    if isinstance(cache, dict):
        cache.clear()
