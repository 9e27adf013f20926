"""Rotation strategies, as Hermes reads ``credential_pool_strategies.<pool key>``."""

from __future__ import annotations

from ..errors import UsageError
from ..keys.detect import quoted
from ..record import Record
from ..store.config import ConfigFile, plan_nested_edit, set_config_value
from ..store.files import StoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

STRATEGIES = ("fill_first", "round_robin", "least_used", "random")
DEFAULT_STRATEGY = "fill_first"
STRATEGIES_KEY = "credential_pool_strategies"

#: One line per strategy, shown next to it in the menu.
STRATEGY_HELP = {
    "fill_first": "first key until rate-limited or out of credit, then the next",
    "round_robin": "take turns: each request goes to the next key in order",
    "least_used": "each request to the key that has served the fewest",
    "random": "a key picked at random for each request",
}


class StrategyState(Record):
    """The strategy config.yaml holds for a pool, as Hermes would read it."""

    __slots__ = _fields = ("raw", "effective", "unknown")

    raw: Any  # the value in the file, None when unset
    effective: str  # what Hermes uses
    unknown: bool  # a value Hermes silently replaces with fill_first

    def __init__(self, raw: Any, effective: str, unknown: bool) -> None:
        self.raw = raw
        self.effective = effective
        self.unknown = unknown

    def describe(self, pool_key: str) -> str:
        """One line for the pool table."""
        if self.unknown:
            return (
                f"config.yaml has {STRATEGIES_KEY}.{pool_key} = {quoted(str(self.raw))}, which Hermes does not know; "
                f"it silently uses {DEFAULT_STRATEGY} instead"
            )
        if self.raw is None:
            return f"{DEFAULT_STRATEGY} (Hermes' default; not set in config.yaml)"
        return self.effective


def strategy_state(config: ConfigFile, pool_key: str) -> StrategyState:
    """What Hermes makes of ``credential_pool_strategies.<pool_key>`` (Hermes
    lower-cases the value and falls back to fill_first for anything else)."""
    raw = config.mapping(STRATEGIES_KEY).get(pool_key)
    if raw is None or raw == "":
        return StrategyState(None, DEFAULT_STRATEGY, False)
    normalized = str(raw).strip().lower()
    if normalized in STRATEGIES:
        return StrategyState(raw, normalized, False)
    return StrategyState(raw, DEFAULT_STRATEGY, True)


def canonical_strategy(name: str) -> str | None:
    """The strategy ``name`` means (case and ``-``/``_`` forgiven), or ``None``."""
    canonical = name.strip().lower().replace("-", "_")
    return canonical if canonical in STRATEGIES else None


def normalize_strategy(name: str) -> str:
    """The canonical strategy name for ``name``; :class:`UsageError` when it names none."""
    canonical = canonical_strategy(name)
    if canonical is None:
        raise UsageError(f"unknown strategy {quoted(name)}: choose one of {', '.join(STRATEGIES)}")
    return canonical


def check_strategy_edit(config: ConfigFile, pool_key: str, strategy: str) -> None:
    """Raise :class:`StoreError` unless config.yaml can take the strategy
    (checked before auth.json is written, so a refusal leaves both files alone)."""
    if strategy not in STRATEGIES:
        raise StoreError(f"refusing to write unknown strategy {strategy!r}")
    plan_nested_edit(config, STRATEGIES_KEY, pool_key, strategy)


def write_strategy(home: Path, pool_key: str, strategy: str, known: ConfigFile | None = None) -> bool:
    """Write ``credential_pool_strategies.<pool_key>: strategy`` into config.yaml,
    re-reading the file right before the edit (``known``: the file as read
    before, not parsed again while unchanged). Returns whether it was written."""
    if strategy not in STRATEGIES:
        raise StoreError(f"refusing to write unknown strategy {strategy!r}")
    return set_config_value(home, STRATEGIES_KEY, pool_key, strategy, known=known)
