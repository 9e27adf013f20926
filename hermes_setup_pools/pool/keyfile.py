"""Key files for non-interactive runs: one key per line, ``[label ]key``.

The key is the last field of a line and anything before it is the label; a
line starting with ``#``, or the rest of a line after whitespace and ``#``, is
a comment and never part of a key or label. Lines end only at ``\\n``, ``\\r\\n``
or ``\\r``: a Unicode line separator inside a line is refused, never taken as a
line break. Keys never come from the command line itself, only from a file or
standard input; no message ever quotes a line's fields.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NamedTuple

from ..errors import SetupError, UsageError
from ..keys import clean_label, is_command_line, key_problem, looks_like_secret

_LINE_END = re.compile(r"\r\n|\r|\n")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
# Characters str.splitlines() would break on but a key file does not.
_SEPARATORS = re.compile("[\u2028\u2029\u0085\x0b\x0c\x1c-\x1e]")


class KeyLine(NamedTuple):
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


def parse_key_lines(text: str, source: str = "key file", key_prefixes: tuple[str, ...] = ()) -> list[KeyLine]:
    """Parse a key file; a malformed line raises :class:`SetupError` naming its
    number (nothing was written). ``key_prefixes`` are the provider's usual key
    prefixes: a label carrying one is refused as a key in the label's place."""
    lines: list[KeyLine] = []
    for number, raw in enumerate(_LINE_END.split(text), start=1):
        where = f"{source} line {number}"
        if _SEPARATORS.search(raw):
            raise SetupError(f"{where}: holds a Unicode line separator inside the line; nothing was written")
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if _is_command(line):
            raise SetupError(f"{where}: {key_problem(line) or 'that is a command line, not a key'}; nothing was written")
        fields = line.split()
        key = fields[-1]
        label_text = line[: len(line) - len(key)].strip()
        if label_text and looks_like_secret(label_text.split()[0], key_prefixes):
            raise SetupError(
                f"{where}: the text before the key looks like a key itself; write `label key` "
                "(label first) or the key alone; nothing was written"
            )
        problem = key_problem(key)
        if problem:
            raise SetupError(f"{where}: {problem}; nothing was written")
        label, problem = clean_label(label_text, key_prefixes)
        if problem:
            raise SetupError(f"{where}: {problem}; nothing was written")
        lines.append(KeyLine(number, label or None, key))
    return lines


def _is_command(line: str) -> bool:
    # "export OPENROUTER_API_KEY=sk-…" would otherwise parse as label "export".
    return is_command_line(line)
