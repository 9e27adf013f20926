"""The pool as the user sees it: one row per credential Hermes would have,
in the order Hermes tries them, as a table that fits the terminal and as JSON.

Rows are the pool's entries in auth.json, then the keys found in ``.env``,
the environment or config.yaml that Hermes adds to the pool the next time it
loads it (so the table shows what ``hermes auth list`` will show). Labels and
every other text from the files are redacted and terminal-safe; keys are masked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from ...display import shown, table, wrap
from ...keys.detect import mask, redact
from ...record import Record
from ...store.entries import NewCredential, entry_fingerprint, new_entry
from ..discovery import PoolState
from ..status import EntryStatus, entry_status, hermes_order, next_up

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Echo = Callable[[str], None]


class Row(Record):
    """One credential as the user sees it (never a secret)."""

    __slots__ = _fields = ("position", "entry", "key", "status", "next", "in_pool", "where", "store", "profile")

    position: int  # 1-based, Hermes' order
    entry: dict[str, Any]
    key: str  # masked
    status: EntryStatus
    next: bool
    in_pool: bool  # False: found elsewhere, Hermes adds it at its next load
    where: str  # for a found key: .env, environment, config.yaml …
    store: str  # "root": the root's entry, which Hermes reads for a profile with none of its own
    profile: str

    def __init__(self, position: int, entry: dict[str, Any], key: str, status: EntryStatus, next: bool,  # noqa: PLR0917 (positional, as before)
                 in_pool: bool = True, where: str = "", store: str = "own", profile: str = "default") -> None:
        self.position = position
        self.entry = entry
        self.key = key
        self.status = status
        self.next = next
        self.in_pool = in_pool
        self.where = where
        self.store = store
        self.profile = profile

    @property
    def label(self) -> str:
        """The label, with anything key-shaped in it masked."""
        return redact(str(self.entry.get("label", "")))

    def as_json(self) -> dict[str, Any]:
        """The row for ``--list --json``."""
        count = self.entry.get("request_count")
        return {
            "profile": self.profile,
            "store": self.store if self.in_pool else None,
            "id": self.entry.get("id") if self.in_pool else None,
            "label": self.label,
            "source": self.entry.get("source") or "manual",
            "auth_type": self.entry.get("auth_type") or "api_key",
            "position": self.position,
            "in_pool": self.in_pool,
            "found_in": self.where or None,
            "status": self.status.kind if self.in_pool else "new",
            "status_code": self.status.code,
            "retry_at": self.status.retry_iso(),
            "request_count": count if isinstance(count, int) else 0,
            "next": self.next,
            "key": self.key,
            "fingerprint": entry_fingerprint(self.entry),
        }


def pool_rows(entries: list[Any], state: PoolState, *, found: list[NewCredential] | None = None,
              strategy: str | None = None, now: float | None = None) -> list[Row]:
    """The rows of ``entries`` (the pool as read, or as a plan would leave it),
    then ``found`` (keys Hermes will add; default: the ones the pool lacks now),
    with ``←`` on the key Hermes uses next under ``strategy`` (default: the
    one config.yaml sets)."""
    now = time.time() if now is None else now
    found = state.new_references() if found is None else found
    order = hermes_order(state.pool_key, entries)
    extra = [new_entry(cred, "", cred.label, 0) for cred in found]
    statuses = [entry_status(entry, state.live_secret(entry) is not None, now) for entry in order]
    statuses += [EntryStatus("ok") for _ in extra]
    up = next_up([*order, *extra], statuses, strategy or state.strategy.effective)
    store = "root" if state.borrows_root and entries == list(state.root_entries) else "own"
    rows = [Row(i + 1, entry, state.masked(entry), status, i == up, store=store, profile=state.profile)
            for i, (entry, status) in enumerate(zip(order, statuses, strict=False))]
    for j, (cred, entry) in enumerate(zip(found, extra, strict=True)):
        i = len(order) + j
        rows.append(Row(i + 1, entry, mask(cred.secret), statuses[i], i == up, in_pool=False,
                        where=state.where.get(cred.source, ""), profile=state.profile))
    return rows


def _status(row: Row, now: float) -> str:
    return f"new ({row.where or 'found'})" if not row.in_pool else row.status.describe(now)


def table_lines(rows: list[Row], width: int | None = None, now: float | None = None, indent: str = "  ") -> list[str]:
    """The pool table (``←`` marks the key Hermes uses next), fitted to ``width``."""
    now = time.time() if now is None else now
    cells = [
        (f"#{row.position}", shown(row.label), shown(row.entry.get("id") or "—"), shown(row.entry.get("source") or "manual"),
         row.key, shown(_status(row, now)), str(row.entry.get("request_count") or 0), "←" if row.next else "")
        for row in rows
    ]
    header = ("#", "label", "id", "source", "key", "status", "requests", "")
    # Too wide: drop the request count, cut the source (an env row's label
    # repeats its variable), then the label and the status; the id (what
    # names an entry without doubt) goes last.
    return table(header, cells, width, indent=indent,
                 fit=(("drop", 6), ("shrink", 3), ("shrink", 1), ("shrink", 5), ("drop", 2)))


def as_json(rows: list[Row], checks: list[Any] | None = None) -> str:
    """``--list --json``: a JSON array, one object per row (with ``--check``,
    each gains ``check``: the verdict and its one-line description)."""
    return json.dumps(json_items(rows, checks), indent=2, ensure_ascii=False)


def json_items(rows: list[Row], checks: list[Any] | None = None) -> list[dict[str, Any]]:
    """The objects :func:`as_json` writes, for a caller that joins several pools' rows."""
    items = []
    for index, row in enumerate(rows):
        item = row.as_json()
        result = checks[index] if checks is not None and index < len(checks) else None
        if result is not None:
            item["check"] = {"verdict": result.verdict, "result": result.describe(), "credit": result.credit}
        items.append(item)
    return items


def show_pool(echo: Echo, state: PoolState, width: int | None = None, rows: list[Row] | None = None) -> None:
    """The pool table, the keys left out, and the strategy (``rows``: the
    pool's rows when the caller has built them already)."""
    pool_key = state.pool_key
    profile = f" (profile {state.profile})" if state.profile != "default" else ""
    echo(f"◆ Credential pool: {pool_key}{profile}")
    if rows is None:
        rows = pool_rows(list(state.used_entries), state)
    if rows:
        for line in table_lines(rows, width):
            echo(line)
    if state.borrows_root:
        echo(wrap(f"  from the root's auth.json: profile {state.profile} has no {pool_key} keys of its own, so Hermes "
                  "uses the root's; keys you add here give this profile its own pool", width, indent="  "))
    if any(not row.in_pool for row in rows):
        echo(wrap("  new: found outside auth.json; Hermes adds it to the pool the next time it loads it "
                  "(this step adds it with your changes)", width, indent="  "))
    for cred in state.found:
        if cred.source in state.suppressed:
            echo(wrap(f"  {mask(cred.secret)} {shown(cred.source)} was removed from this pool earlier (suppressed); "
                      "Hermes leaves it out", width, indent="    "))
    if not rows:
        env = ", ".join(state.target.env_vars) or "none"
        echo(wrap(f"  No keys yet (looked in auth.json, .env and the environment: {env}).", width, indent="    "))
    echo(wrap(f"  Rotation strategy: {state.strategy.describe(pool_key)}", width, indent="    "))
