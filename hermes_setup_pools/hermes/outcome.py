"""What the user is told when the step ends inside ``hermes setup``.

Hermes' next full-screen menu (Terminal Backend in the full wizard, the TTS
menu on 0.13–0.15) would wipe the step's ✓ lines at once, so at a terminal
the wrapper ends with one summary line and waits for Enter:

    Credential pool: added 1 key to openrouter, strategy round_robin — press Enter to continue
"""

from __future__ import annotations

import sys
from typing import Any

PROMPT = " — press Enter to continue (Ctrl-C leaves setup)"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def summary(title: str, result: Any) -> str:
    """One line saying what the step with ``title`` did (``result``: what its
    ``run`` returned; ``None`` when it was cancelled or failed)."""
    from ..pool.commit import PoolOutcome

    if not isinstance(result, PoolOutcome):
        return f"{title}: nothing was written by this step"
    if result.skipped_reason:
        return f"{title}: skipped"  # the step said why in the line just above
    from ..pool.changes import counts

    pool = result.pool_key or "the pool"
    parts = []
    if result.added:
        parts.append(f"added {_plural(len(result.added), 'key')} to {pool}")
    others = [words for words in counts(result.changes) if not words.startswith("added")]
    if others:
        parts.append(f"{', '.join(others)} in {pool}")
    if result.strategy:
        parts.append(f"strategy {result.strategy}" if parts else f"strategy {result.strategy} for {pool}")
    if not parts:
        return f"{title}: {pool} unchanged"
    return f"{title}: " + ", ".join(parts)


def interactive() -> bool:
    """A person can answer (standard input is a terminal)."""
    try:
        return bool(sys.stdin and sys.stdin.isatty())
    except (AttributeError, ValueError):
        return False


def pause(line: str) -> bool:
    """Show ``line`` and wait for Enter; False when Ctrl-C was pressed instead
    (the user leaves the setup). Ctrl-D or an unreadable input continue.
    Written to standard error, like the wrapper's other lines, so standard
    output carries only what the steps print."""
    from ..display import shown, wrap

    sys.stderr.write("\n" + wrap(f"{shown(line)}{PROMPT}", indent="  "))
    sys.stderr.flush()
    try:
        answered = sys.stdin.readline()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return False
    except Exception:
        answered = ""
    if not answered.endswith("\n"):
        sys.stderr.write("\n")
        sys.stderr.flush()
    return True
