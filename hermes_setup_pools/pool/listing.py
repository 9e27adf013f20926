"""The pool as a table and as JSON: position, label, source, masked key,
status as Hermes computes it, requests served, and the key Hermes uses next."""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

from ..display import shown
from ..keys import mask
from ..store.entries import entry_fingerprint
from .discovery import PoolState
from .status import EntryStatus, entry_status, next_up, priority_order


class Row(NamedTuple):
    """One entry of the pool as the user sees it (never a secret)."""

    position: int  # 1-based, Hermes' order
    entry: dict[str, Any]
    key: str  # masked
    status: EntryStatus
    next: bool

    def as_json(self) -> dict[str, Any]:
        """The entry for ``--list --json``."""
        count = self.entry.get("request_count")
        return {
            "id": self.entry.get("id"),
            "label": self.entry.get("label"),
            "source": self.entry.get("source") or "manual",
            "auth_type": self.entry.get("auth_type") or "api_key",
            "position": self.position,
            "status": self.status.kind,
            "status_code": self.status.code,
            "retry_at": self.status.retry_iso(),
            "request_count": count if isinstance(count, int) else 0,
            "next": self.next,
            "key": self.key,
            "fingerprint": entry_fingerprint(self.entry),
        }


def has_key(entry: dict[str, Any], state: PoolState) -> bool:
    """Whether Hermes would have a secret for ``entry``: a manual key is stored;
    a borrowed one needs its variable or config value to be set now."""
    return state.live_secret(entry) is not None


def pool_rows(entries: list[Any], state: PoolState, now: float | None = None) -> list[Row]:
    """The rows of ``entries`` (the pool as read, or as a plan would leave it)."""
    now = time.time() if now is None else now
    order = priority_order(entries)
    statuses = [entry_status(entry, has_key(entry, state), now) for entry in order]
    up = next_up(order, statuses, state.strategy.effective)
    return [
        Row(i + 1, entry, state.masked(entry), status, i == up)
        for i, (entry, status) in enumerate(zip(order, statuses, strict=True))
    ]


def table(rows: list[Row], now: float | None = None) -> list[str]:
    """The lines of the pool table (``←`` marks the key Hermes uses next)."""
    now = time.time() if now is None else now
    cells = [
        (f"#{row.position}", shown(row.entry.get("label", "")), shown(row.entry.get("source") or "manual"), row.key,
         row.status.describe(now), str(row.entry.get("request_count") or 0), "←" if row.next else "")
        for row in rows
    ]
    header = ("#", "label", "source", "key", "status", "requests", "")
    widths = [max(len(str(c[i])) for c in [header, *cells]) for i in range(len(header))]
    return ["  " + "  ".join(str(c[i]).ljust(widths[i]) for i in range(len(header))).rstrip() for c in [header, *cells]]


def as_json(rows: list[Row], checks: dict[str, Any] | None = None) -> str:
    """``--list --json``: a JSON array, one object per entry (with ``--check``,
    each gains ``check``: the verdict and its one-line description)."""
    items = []
    for row in rows:
        item = row.as_json()
        result = (checks or {}).get(str(row.entry.get("id")))
        if result is not None:
            item["check"] = {"verdict": result.verdict, "result": result.describe(), "credit": result.credit}
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def found_rows(state: PoolState) -> list[str]:
    """Keys found in the environment, .env or config.yaml that are not in the pool."""
    lines = []
    for cred in state.new_references():
        where = state.where.get(cred.source, "")
        var = f" as {cred.source[4:]}" if cred.source.startswith("env:") else ""
        lines.append(f"  +  {mask(cred.secret)}  found in {shown(where)}{shown(var)}, not in the pool yet "
                     f"(added as {shown(cred.label)!r} with your changes)")
    for cred in state.found:
        if cred.source in state.suppressed:
            lines.append(f"  -  {mask(cred.secret)}  {shown(cred.source)} was removed from this pool earlier "
                         "(suppressed); left out")
    return lines
