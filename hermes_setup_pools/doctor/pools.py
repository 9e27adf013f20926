"""The doctor's checks of one pool, read from a :class:`~..pool.discovery.PoolState`
(so the key Hermes would send for each entry has one answer everywhere).

Pure: the same function runs before the question and again under Hermes'
lock on the pool as it is then, so ``--fix`` applies only what is still true.
"""

from __future__ import annotations

from typing import Any

from ..display import plural
from ..keys.detect import looks_like_secret, redact
from ..keys.fingerprint import fingerprint
from ..keys.rules import is_placeholder
from ..pool.changes import Target
from ..pool.discovery import PoolState
from ..pool.status import priority_order
from ..store.entries import entry_label, is_manual
from .findings import Finding


def pool_findings(state: PoolState, raw: Any) -> list[Finding]:
    """Every finding for one pool (``raw``: the pool's value in auth.json)."""
    pool_key = state.pool_key
    if not isinstance(raw, list):
        return [Finding(pool_key, "unreadable", f"the pool is a {type(raw).__name__}, not a list; Hermes treats it as "
                        "empty and replaces it on its next write", advice="fix or remove it by hand")]
    findings = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            findings.append(Finding(pool_key, "bad-entry", f"entry #{index} is a JSON {type(item).__name__}, not an "
                                    "object; Hermes cannot load this pool", advice="remove it by hand"))
    order = priority_order(raw)
    targets = [Target.of(entry, position) for position, entry in enumerate(order, start=1)]
    findings += _priorities(pool_key, order)
    dropped: set[int] = set()
    first_with: dict[str, Target] = {}
    for position, (entry, target) in enumerate(zip(order, targets, strict=True), start=1):
        secret = state.live_secret(entry)
        fp = fingerprint(secret) if secret else None  # the key Hermes sends now, not a fingerprint stored earlier
        if fp and fp in first_with:
            dropped.add(position)
            findings.append(Finding(pool_key, "duplicate-key", f"holds the same key as {first_with[fp].named()}; Hermes "
                                    "marks only one copy when the key runs out, so rotation keeps coming back to it",
                                    fix="drop this later copy", target=target))
        elif fp:
            first_with[fp] = target
        if secret is not None and is_placeholder(secret) and position not in dropped:
            dropped.add(position)
            source = target.source
            where = f" ({source[4:]} in .env or the environment)" if source.startswith("env:") else ""
            findings.append(Finding(pool_key, "placeholder-key", f"its key is a placeholder{where}, which Hermes sends "
                                    "anyway", fix="remove the entry (and stop Hermes seeding it again)", target=target))
        findings += _entry_findings(state, entry, target, position in dropped)
    findings += _shared_ids(pool_key, targets, dropped)
    findings += _plaintext(state, order, dropped)
    findings += _numbered_gap(state)
    return findings


def _numbered_gap(state: PoolState) -> list[Finding]:
    """Numbered variables set past a gap: Hermes stops at the first missing number."""
    from ..pool.envstore import unread_numbered

    unread = unread_numbered(state)
    if not unread:
        return []
    return [Finding(state.pool_key, "numbered-gap", f"{', '.join(unread)} {'is' if len(unread) == 1 else 'are'} set, but "
                    "Hermes reads numbered keys only up to the first missing number, so it never uses "
                    f"{'it' if len(unread) == 1 else 'them'}", advice="fill the gap (or renumber them) in .env")]


def _plaintext(state: PoolState, order: list[dict[str, Any]], dropped: set[int]) -> list[Finding]:
    """One note for the keys this pool keeps in plain text in auth.json, where
    this Hermes could read them from ``.env`` instead (numbered keys)."""
    from ..pool.envstore import env_store_problem

    plain = [e for position, e in enumerate(order, start=1) if position not in dropped and is_manual(
        str(e.get("source") or "manual")) and e.get("access_token") and (e.get("auth_type") or "api_key") == "api_key"]
    if not plain or env_store_problem(state):
        return []
    labels = ", ".join(repr(redact(entry_label(e))) for e in plain[:3]) + (" …" if len(plain) > 3 else "")
    return [Finding(state.pool_key, "plaintext-key", f"{plural(len(plain), 'key')} stored in plain text in auth.json ({labels})",
                    advice=f"move {'it' if len(plain) == 1 else 'them'} to .env with `hermes-setup-pools pool --provider "
                    f"{state.pool_key} --move-to env` (the entries stay, as references)", note=True)]


def _entry_findings(state: PoolState, entry: dict[str, Any], target: Target, dropped: bool) -> list[Finding]:
    pool_key = state.pool_key
    findings = []
    if entry.get("last_status") == "dead":
        findings.append(Finding(pool_key, "dead", "Hermes marked this key dead (revoked or invalid) and never uses it",
                                advice="replace its key (pool --replace) or remove it (pool --remove)", target=target))
    source = target.source
    if source.startswith("env:") and state.live_secret(entry) is None:
        var = source[4:]
        unread = state.unread_variable(entry)
        if unread:
            findings.append(Finding(pool_key, "unread-env", f"{var} is set, but this Hermes reads only the provider's "
                                    "own variables, not numbered ones, so it lists this entry and never uses it",
                                    advice="upgrade Hermes, or put the key in the pool another way", target=target))
        else:
            findings.append(Finding(pool_key, "missing-env", f"{var} is set neither in the environment nor in .env, "
                                    "so Hermes lists this entry but never uses it",
                                    advice="set the variable or remove the entry", target=target))
    label = entry.get("label")
    if not dropped and isinstance(label, str) and any(looks_like_secret(word) for word in label.split()):
        findings.append(Finding(pool_key, "secret-label", "its label looks like an API key, and Hermes shows labels in "
                                "the clear (`hermes auth list`)", fix=f"rename it to {_safe_label(state, target)!r}",
                                target=target, fix_value=_safe_label(state, target)))
    return findings


def _safe_label(state: PoolState, target: Target) -> str:
    """A label for an entry whose label is a key: the variable's name for a borrowed key, else ``api-key-<N>``."""
    if target.source.startswith("env:"):
        return target.source[4:]
    taken = {str(e.get("label", "")).casefold() for e in state.entries if isinstance(e, dict)}
    n = target.position or 1
    while f"api-key-{n}" in taken:
        n += 1
    return f"api-key-{n}"


def _priorities(pool_key: str, entries: list[dict[str, Any]]) -> list[Finding]:
    values = [entry.get("priority") for entry in entries]
    bad = [entry_label(e) for e, v in zip(entries, values, strict=True) if not isinstance(v, int) or isinstance(v, bool)]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if not bad and len(numbers) == len(set(numbers)):
        return []
    what = f"missing or non-integer priorities ({', '.join(repr(b) for b in bad[:3])})" if bad else "repeated priorities"
    return [Finding(pool_key, "bad-priority", f"{what}: the order Hermes tries keys in is left to chance (or it "
                    "cannot load the pool)", fix="renumber the priorities 0..n-1 in the current order")]


def _shared_ids(pool_key: str, targets: list[Target], dropped: set[int]) -> list[Finding]:
    """Entries that share an id with an earlier one (and are not being dropped anyway)."""
    findings = []
    seen: dict[str, Target] = {}
    for position, target in enumerate(targets, start=1):
        if position in dropped:
            continue
        if target.id and target.id in seen:
            findings.append(Finding(pool_key, "duplicate-id", f"shares its id with {seen[target.id].named()}; a change "
                                    "by id (hermes auth remove, a cooldown) may hit the other one",
                                    fix="give this entry a new id", target=target))
        else:
            seen.setdefault(target.id, target)
    return findings
