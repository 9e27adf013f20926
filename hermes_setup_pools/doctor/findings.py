"""What the doctor reports: a :class:`Finding`, and the checks of the files
and strategies of one Hermes home (the pools' own checks are in :mod:`.pools`).

Each finding names its pool and, for an entry, the entry itself without
ambiguity (label, position, id); says what is wrong; and either what to do by
hand (``advice``) or what ``--fix`` does (``fix``). Every text quoted from a
user's file goes through the redactor, so a key pasted in the wrong place is
never shown.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..display import shown
from ..keys.detect import quoted, redact
from ..pool.changes import Target
from ..pool.strategy import STRATEGIES, STRATEGIES_KEY, canonical_strategy
from ..providers import CUSTOM_PREFIX, custom_pools, is_canonical_id, lookup
from ..store.auth import auth_path
from ..store.config import ConfigFile
from ..store.files import StoreError
from ..store.preflight import leftovers


@dataclass(frozen=True)
class Finding:
    """One problem. ``fix`` (what ``--fix`` does) is empty for findings only a
    person can resolve; ``advice`` then says what to do."""

    pool: str | None
    code: str
    message: str
    advice: str = ""
    fix: str = ""
    target: Target | None = None
    fix_value: str | None = None  # what --fix writes (a strategy's canonical spelling, a new label)
    profile: str | None = None
    extra: tuple[Any, ...] = field(default=(), compare=False)
    note: bool = False  # worth knowing, but nothing is broken: no effect on the exit status

    @property
    def fixable(self) -> bool:
        """Whether ``--fix`` repairs it."""
        return bool(self.fix)

    @property
    def entry(self) -> str | None:
        """The entry's label (``None`` for a pool- or file-wide finding)."""
        return self.target.label if self.target else None

    @property
    def key(self) -> tuple[Any, ...]:
        """What makes two findings the same problem (used to re-check one under the lock)."""
        return (self.profile, self.pool, self.code, self.target, self.fix_value)

    def where(self) -> str:
        """``[profile ]pool: 'label' (#2, id 3fa2c1)``, terminal-safe and redacted."""
        parts = [f"profile {self.profile}" if self.profile else "", self.pool or "",
                 self.target.named() if self.target else ""]
        return redact(shown(": ".join(part for part in parts if part) or "hermes home"))

    def line(self) -> str:
        """One line: where, what is wrong, and what to do or what ``--fix`` does, then the code."""
        then = f"--fix: {self.fix}" if self.fix else self.advice
        text = redact(shown(self.message)) + (f"; {redact(shown(then))}" if then else "")
        return f"{self.where()}: {'note: ' if self.note else ''}{text} [{self.code}]"

    def as_json(self) -> dict[str, Any]:
        """The finding for ``doctor --json`` (every text redacted)."""
        target = self.target
        return {
            "profile": self.profile or "default",
            "pool": self.pool,
            "code": self.code,
            "entry": redact(target.label) if target else None,
            "entry_id": target.id if target else None,
            "position": target.position if target else None,
            "message": redact(self.message),
            "advice": redact(self.advice) or None,
            "fix": redact(self.fix) or None,
            "fixable": self.fixable,
            "severity": "note" if self.note else "problem",
        }


def unreadable(error: StoreError) -> Finding:
    """A file the doctor cannot read: reported, never rewritten."""
    return Finding(None, "unreadable", f"{error} (the doctor never rewrites it)")


def file_findings(home: Path, auth_readable: bool) -> list[Finding]:
    """auth.json's mode, a home others can write to, and temporary copies a killed writer left."""
    findings = []
    path = auth_path(home)
    if auth_readable and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o600:
            findings.append(Finding(None, "file-mode", f"{path} has mode {mode:o}, but it holds keys",
                                    fix="make auth.json 0600, as Hermes keeps it"))
    if home.is_dir() and stat.S_IMODE(home.stat().st_mode) & 0o022:
        findings.append(Finding(None, "file-mode", f"{home} can be written by other users",
                                advice=f"run `chmod go-w {home}`"))
    left = sorted(p.name for p in leftovers(home, path, home / "config.yaml"))
    if left:
        more = f" and {len(left) - 1} more" if len(left) > 1 else ""
        files = " and ".join(sorted({name.split(".tmp.")[0] for name in left}))
        copies, they, them = ("temporary copies", "they", "them") if len(left) > 1 else ("a temporary copy", "it", "it")
        locked = " under Hermes' lock" if "auth.json" in files else ""
        findings.append(Finding(None, "leftover", f"{left[0]}{more}: {copies} of {files} left by an interrupted "
                                f"write; {they} may hold keys", fix=f"remove {them}{locked}", extra=tuple(left)))
    return findings


def strategy_findings(config: ConfigFile) -> list[Finding]:
    """Strategies Hermes does not know (or spells differently) and strategies no pool reads."""
    try:
        strategies = config.mapping(STRATEGIES_KEY)
    except StoreError as exc:
        return [Finding(None, "unreadable", str(exc))]
    findings = []
    customs = set(custom_pools(config.data))
    for pool_key, value in strategies.items():
        key = str(pool_key)
        text = str(value)
        canonical = canonical_strategy(text)
        if text not in STRATEGIES:
            if canonical is not None:
                findings.append(Finding(key, "unknown-strategy", f"strategy {quoted(text)} is not spelled as Hermes "
                                        f"spells it ({canonical!r}); a Hermes that does not lower-case it silently "
                                        "uses fill_first", fix=f"write {canonical!r}", fix_value=canonical,
                                        extra=(value,)))
            else:
                findings.append(Finding(key, "unknown-strategy", f"strategy {quoted(text)} is not one Hermes knows, "
                                        "so it silently uses fill_first",
                                        advice=f"choose one of {', '.join(STRATEGIES)}"))
        provider = None if key.startswith(CUSTOM_PREFIX) else lookup(key)
        used = key in customs or (provider is not None and provider.can_pool and is_canonical_id(key))
        if not used:
            alias = provider is not None and provider.id != key
            better = f"; Hermes reads this provider's strategy under {provider.id!r}" if provider and alias else ""
            findings.append(Finding(key, "orphan-strategy", f"no provider uses the pool key {quoted(key)}, so this "
                                    f"strategy is never read{better}", advice="remove it from config.yaml or "
                                    "fix the pool key"))
    return findings
