"""Key files for non-interactive runs: one key per line, ``[label ]key``.

The key is the last whitespace-separated field, anything before it is the
label; blank lines and ``#`` lines are skipped. Keys never come from the
command line itself, only from a file or standard input.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import SetupError, UsageError
from ..keys import key_problem, label_problem, looks_like_secret


@dataclass(frozen=True)
class KeyLine:
    """One usable line: its number, the label (``None`` for the default) and the key."""

    line: int
    label: str | None
    key: str

    def __repr__(self) -> str:  # never show the key
        return f"KeyLine(line={self.line}, label={self.label!r})"


def read_key_source(name: str) -> str:
    """The text of ``name`` (a path, or ``-`` for standard input)."""
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("--key-file - reads keys from a pipe, but standard input is a terminal")
        return sys.stdin.read()
    path = Path(name).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if looks_like_secret(name):
            raise UsageError(
                "--key-file takes a file name (or - for standard input), and that argument looks like a key; "
                "keys are never accepted on the command line"
            ) from None
        raise SetupError(f"key file {name} does not exist") from None
    except UnicodeDecodeError:
        raise SetupError(f"key file {name} is not UTF-8 text") from None
    except OSError as exc:
        raise SetupError(f"cannot read key file {name}: {exc.strerror or exc}") from None


def parse_key_lines(text: str, source: str = "key file") -> list[KeyLine]:
    """Parse a key file; a malformed line raises :class:`SetupError` naming it."""
    lines: list[KeyLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        key = fields[-1]
        label = line[: line.rfind(key)].strip() or None
        problem = key_problem(line if _is_command(line) else key)
        if problem:
            raise SetupError(f"{source} line {number}: {problem}; nothing was written")
        if label is not None and (problem := label_problem(label)):
            raise SetupError(f"{source} line {number}: {problem}; nothing was written")
        lines.append(KeyLine(number, label, key))
    return lines


def _is_command(line: str) -> bool:
    # "export OPENROUTER_API_KEY=sk-…" would otherwise parse as label "export".
    first = line.split(maxsplit=1)[0].lower()
    return first in {"export", "set", "setx", "hermes", "curl", "echo", "$"} or "=" in line.split(maxsplit=1)[0]
