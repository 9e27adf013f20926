"""Answers from flags and a key file, for CI and Docker: nothing is asked."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import SetupError
from .ask import key_prefix_note
from .discovery import PoolState
from .keyfile import parse_key_lines, read_key_source
from .options import PoolOptions
from .plan import Answers, PoolIndex

#: Lines of per-key notes shown before "… and N more" (bulk loads add thousands).
NOTE_LINES = 12


def gather(options: PoolOptions, state: PoolState, echo: Callable[[str], None]) -> Answers:
    """The answers ``options`` give: keys from ``--key-file``, ``--strategy``."""
    pool = PoolIndex(state)
    if options.key_file:
        name = "standard input" if options.key_file == "-" else options.key_file
        skipped = 0
        prefixes = state.target.provider.key_prefixes if state.target.provider else ()
        lines = parse_key_lines(read_key_source(options.key_file), source=name, key_prefixes=prefixes)
        if not lines:
            raise SetupError(f"no keys in {name} (only blank or comment lines); nothing was written")
        for line in lines:
            owner = pool.owner(line.key)
            if owner:
                skipped += 1
                if skipped <= NOTE_LINES:
                    echo(f"  = line {line.line}: already in the pool as {owner!r}; skipped")
                continue
            note = key_prefix_note(state, line.key)
            if note:
                echo(f"  ! line {line.line}: {note}; this one does not (added anyway)")
            label = line.label or pool.default_label()
            if pool.label_used(label):
                raise SetupError(
                    f"{name} line {line.line}: the label {label!r} is already used in this pool; nothing was written"
                )
            pool.add(label, line.key)
        if skipped > NOTE_LINES:
            echo(f"  = … {skipped - NOTE_LINES:,} more lines already in the pool; skipped")
    return Answers(tuple(pool.changes), options.strategy)
