"""An entry's health as Hermes 0.19 computes it, and which key it uses next.

A pure restatement of ``agent/credential_pool.py`` (``_exhausted_until``,
``_available_entries``, the strategies) and of the labels ``hermes auth list``
prints, so the pool table says what Hermes would do without importing it.
"""

from __future__ import annotations

import time

from ..record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Cooldowns by HTTP status (seconds); everything else waits an hour.
_TTL = {401: 5 * 60, 429: 60 * 60}
_DEFAULT_TTL = 60 * 60
_RATE_WORDS = ("rate limit", "usage limit", "quota", "too many requests")
_RATE_REASONS = ("rate_limit", "usage_limit", "quota", "exhausted")
_AUTH_WORDS = ("unauthorized", "forbidden", "expired", "revoked", "invalid token", "authentication")
_AUTH_REASONS = ("invalid_token", "invalid_grant", "unauthorized", "forbidden", "auth")


def parse_timestamp(value: Any) -> float | None:
    """Hermes' ``_parse_absolute_timestamp``: epoch seconds or milliseconds, or ISO-8601."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
        return None if number <= 0 else (number / 1000.0 if number > 1e12 else number)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            from datetime import datetime

            try:
                return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
        return number / 1000.0 if number > 1e12 else number
    return None


def _status_at(entry: dict[str, Any]) -> float | None:
    # Hermes parses last_status_at only when it is a string; a number is used
    # as it is (epoch milliseconds then mean "exhausted for millennia").
    value = entry.get("last_status_at")
    if isinstance(value, str):
        return parse_timestamp(value)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value else None


def retry_at(entry: dict[str, Any]) -> float | None:
    """When an exhausted entry is tried again (epoch seconds); ``None`` when not exhausted."""
    if entry.get("last_status") != "exhausted":
        return None
    reset = parse_timestamp(entry.get("last_error_reset_at"))
    if reset is not None:
        return reset
    at = _status_at(entry)
    code = entry.get("last_error_code")
    ttl = _TTL.get(code, _DEFAULT_TTL) if isinstance(code, int) else _DEFAULT_TTL  # "401" (a string) gets the default
    return at + ttl if at else None


class EntryStatus(Record):
    """One entry's health: ``ok``, ``rate-limited``, ``auth failed``, ``exhausted``
    (each with the HTTP code and when it is retried), ``dead``, or ``no key``
    (a borrowed entry whose variable or config value is gone)."""

    __slots__ = _fields = ("kind", "code", "until", "available")

    kind: str
    code: int | None
    until: float | None
    available: bool

    def __init__(self, kind: str, code: int | None = None, until: float | None = None, available: bool = True) -> None:
        self.kind = kind
        self.code = code
        self.until = until
        self.available = available

    def describe(self, now: float | None = None) -> str:
        """One short phrase for the table: ``rate-limited (429), 59m left``."""
        now = time.time() if now is None else now
        text = self.kind + (f" ({self.code})" if self.code is not None else "")
        if self.kind in ("ok", "dead", "no key"):
            return self.kind
        if self.until is None or self.until <= now:
            return text + ", ready to retry"
        return f"{text}, {_left(self.until - now)} left"

    def retry_iso(self) -> str | None:
        """When it is retried, ISO-8601 UTC (``None`` when it is not waiting)."""
        if self.until is None:
            return None
        from datetime import UTC, datetime

        return datetime.fromtimestamp(self.until, tz=UTC).isoformat(timespec="seconds")


def _left(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def _kind(entry: dict[str, Any]) -> str:
    code = entry.get("last_error_code")
    reason = str(entry.get("last_error_reason") or "").lower()
    message = str(entry.get("last_error_message") or "").lower()
    if code == 429 or any(w in reason for w in _RATE_REASONS) or any(w in message for w in _RATE_WORDS):
        return "rate-limited"
    if code in (401, 403) or any(w in reason for w in _AUTH_REASONS) or any(w in message for w in _AUTH_WORDS):
        return "auth failed"
    return "exhausted"


def entry_status(entry: dict[str, Any], has_key: bool, now: float | None = None) -> EntryStatus:
    """The status of ``entry``; ``has_key`` says whether Hermes would have a
    secret for it (manual keys always; borrowed ones while their source is set)."""
    now = time.time() if now is None else now
    code = entry.get("last_error_code") if isinstance(entry.get("last_error_code"), int) else None
    if (entry.get("auth_type") or "api_key") == "api_key" and not has_key:
        return EntryStatus("no key", available=False)
    if entry.get("last_status") == "dead":
        return EntryStatus("dead", code, available=False)
    if entry.get("last_status") == "exhausted":
        until = retry_at(entry)
        waiting = until is not None and now < until
        return EntryStatus(_kind(entry), code, until, available=not waiting)
    return EntryStatus("ok")


def next_up(order: list[dict[str, Any]], statuses: list[EntryStatus], strategy: str) -> int | None:
    """The index (in ``order``, Hermes' priority order) of the key Hermes uses
    next: the first available one, or for ``least_used`` the available one that
    served the fewest requests; ``None`` for ``random`` or when none is available."""
    available = [i for i, status in enumerate(statuses) if status.available]
    if not available or (strategy == "random" and len(available) > 1):
        return None
    if strategy == "least_used" and len(available) > 1:
        def served(i: int) -> int:
            count = order[i].get("request_count")
            return count if isinstance(count, int) else 0

        return min(available, key=served)
    return available[0]


def priority_order(entries: list[Any]) -> list[dict[str, Any]]:
    """The entries that are objects, in Hermes' order: by priority, ties in file
    order. (A priority Hermes cannot sort, such as ``"4"``, counts as the number
    it spells, or goes last: the order a repair keeps.)"""
    dicts = [e for e in entries if isinstance(e, dict)]

    def key(entry: dict[str, Any]) -> float:
        value = entry.get("priority", 0)
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return float("inf")

    return sorted(dicts, key=key)


#: Hermes' rank of borrowed Anthropic sources (``_normalize_pool_priorities``):
#: every load of the anthropic pool puts manual keys first, then these.
ANTHROPIC_SOURCE_RANK = {
    "env:ANTHROPIC_TOKEN": 0,
    "env:CLAUDE_CODE_OAUTH_TOKEN": 1,
    "hermes_pkce": 2,
    "claude_code": 3,
    "env:ANTHROPIC_API_KEY": 4,
}


def hermes_order(pool_key: str, entries: list[Any]) -> list[dict[str, Any]]:
    """The entries in the order Hermes tries them after it loads the pool: by
    priority, except that Hermes re-ranks the anthropic pool on every load
    (manual keys first by priority, then borrowed ones by source rank)."""
    order = priority_order(entries)
    if pool_key != "anthropic":
        return order

    def manual(entry: dict[str, Any]) -> bool:
        source = str(entry.get("source") or "manual").strip().lower()
        return source == "manual" or source.startswith("manual:")

    def number(entry: dict[str, Any]) -> float:
        value = entry.get("priority", 0)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0

    seeded = sorted((e for e in order if not manual(e)),
                    key=lambda e: (ANTHROPIC_SOURCE_RANK.get(str(e.get("source")), len(ANTHROPIC_SOURCE_RANK)),
                                   number(e), str(e.get("label", ""))))
    return [e for e in order if manual(e)] + seeded
