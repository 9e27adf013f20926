"""Key files for non-interactive runs: one key per line, ``[label ]key``.

The key is the last field of a line and anything before it is the label (a
secret reference such as ``op://vault/item name/field`` runs to the end of
the line, spaces included); a
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

from ...errors import SetupError, UsageError
from ...keys.detect import MIN_KEY_LENGTH, REFERENCE_SCHEMES, looks_like_secret
from ...keys.rules import (
    COMMAND_WORDS,
    LABEL_IS_A_KEY,
    LABEL_TOO_LONG,
    MAX_KEY_LENGTH,
    MAX_LABEL_LENGTH,
    PLAIN,
    clean_label,
    is_command_line,
    key_problem,
    plain_key_problem,
)
from ...record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Patterns only some lines need are compiled on first use (re caches them).
_LINE_END = r"\r\n|\r|\n"
_COMMENT = r"(?:^|\s)#.*$"
# Characters str.splitlines() would break on but a key file does not.
_SEPARATORS = re.compile("[\u2028\u2029\u0085\x0b\x0c\x1c-\x1e]")
_KEY_FIRST = "the text before the key looks like a key itself; write `label key` (label first) or the key alone"
# A secret reference (op://vault/item/field): its path may hold spaces, so it runs to the end of the line.
_REFERENCE = r"(?:^|\s)((?:" + "|".join(REFERENCE_SCHEMES) + r")://\S.*)$"


class KeyLine(Record):
    """One usable line: its number, the label (``None`` for the default) and the key."""

    __slots__ = _fields = ("line", "label", "key")

    line: int
    label: str | None
    key: str

    def __init__(self, line: int, label: str | None, key: str) -> None:
        self.line = line
        self.label = label
        self.key = key

    def __repr__(self) -> str:  # never show the key
        return f"KeyLine(line={self.line}, label={self.label!r})"


#: Longest line read from a key file: a 64-character label, a key at its
#: 4096-character limit and a comment fit many times over.
MAX_LINE = 16 * 1024
#: Largest key file read (a million keys at about 70 characters each).
MAX_TOTAL = 96 * 1024 * 1024


def read_key_source(name: str) -> list[str]:
    """The lines of ``name`` (a path, or ``-`` for standard input), read a
    bounded line at a time: a line over :data:`MAX_LINE` characters or a file
    over :data:`MAX_TOTAL` stops the run with one line (``/dev/zero`` or a
    wrong file is never read whole into memory)."""
    import io

    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("--key-file - reads keys from a pipe, but standard input is a terminal")
        buffer = getattr(sys.stdin, "buffer", None)
        stream = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline=None) if buffer else sys.stdin
        return _bounded_lines(stream, "standard input")
    path = Path(name).expanduser()
    try:
        with open(path, encoding="utf-8-sig", newline=None) as handle:
            return _bounded_lines(handle, f"key file {name}")
    except FileNotFoundError:
        if looks_like_secret(name):
            raise UsageError(
                "--key-file takes a file name (or - for standard input), and that argument looks like a key; "
                "keys are never accepted on the command line"
            ) from None
        raise SetupError(f"key file {name} does not exist") from None
    except IsADirectoryError:
        raise SetupError(f"key file {name} is a directory") from None
    except OSError as exc:
        raise SetupError(f"cannot read key file {name}: {exc.strerror or exc}") from None


def _bounded_lines(stream: Any, where: str) -> list[str]:
    lines: list[str] = []
    total = 0
    try:
        while True:
            line = stream.readline(MAX_LINE + 1)
            if not line:
                return lines
            total += len(line)
            if len(line) > MAX_LINE and not line.endswith("\n"):
                raise SetupError(f"{where} line {len(lines) + 1} is longer than {MAX_LINE:,} characters; that is not a "
                                 "key file (one key per line); nothing was written")
            if total > MAX_TOTAL:
                raise SetupError(f"{where} is larger than {MAX_TOTAL // (1024 * 1024)} MiB; split it into smaller "
                                 "files; nothing was written")
            lines.append(line.rstrip("\n"))
    except UnicodeDecodeError:
        raise SetupError(f"{where} is not UTF-8 text; nothing was written") from None


def parse_key_lines(text: str | list[str], source: str = "key file", key_prefixes: tuple[str, ...] = ()) -> list[KeyLine]:
    """Parse a key file (its text, or its lines as :func:`read_key_source`
    returns them); a malformed line raises :class:`SetupError` naming its
    number (nothing was written). ``key_prefixes`` are the provider's usual key
    prefixes: a label carrying one is refused as a key in the label's place."""
    lines: list[KeyLine] = []
    if isinstance(text, str):
        raw_lines = re.split(_LINE_END, text)
        separators = _SEPARATORS.search(text) is not None  # none of them is a line end: one search for the file
    else:
        raw_lines = text
        separators = any(map(_SEPARATORS.search, text))
    plain = PLAIN.fullmatch
    for number, raw in enumerate(raw_lines, start=1):
        if separators and _SEPARATORS.search(raw):
            raise SetupError(f"{source} line {number}: holds a Unicode line separator inside the line; nothing was written")
        line = (re.sub(_COMMENT, "", raw) if "#" in raw else raw).strip()
        if not line:
            continue
        words = line.split()
        key = words.pop()
        label = line[: len(line) - len(key)].rstrip()
        # The usual line: a key of plain characters (keys.PLAIN), alone or after
        # words of plain characters and spaces. No quote, "=", ":", "$", control,
        # blank-looking or non-ASCII character can occur in it, so of
        # _parse_line's rules only these can refuse it, in the same order, each
        # word checked once; any other line takes every rule.
        usual = len(key) >= MIN_KEY_LENGTH and plain(key) is not None and (
            not label or (label.isascii() and label.isalnum()) or plain(label.replace(" ", "")) is not None)
        if not usual or (words and words[0].lower() in COMMAND_WORDS):
            lines.append(_parse_line(number, line, source, key_prefixes))
            continue
        if words and looks_like_secret(words[0], key_prefixes):
            raise SetupError(f"{source} line {number}: {_KEY_FIRST}; nothing was written")
        problem = plain_key_problem(key)
        if problem:
            raise SetupError(f"{source} line {number}: {problem}; nothing was written")
        if len(words) > 1 and any(looks_like_secret(word, key_prefixes) for word in words[1:]):
            raise SetupError(f"{source} line {number}: {LABEL_IS_A_KEY}; nothing was written")
        if len(label) > MAX_LABEL_LENGTH:
            raise SetupError(f"{source} line {number}: {LABEL_TOO_LONG}; nothing was written")
        lines.append(KeyLine(number, label or None, key))
    return lines


def _parse_line(number: int, line: str, source: str, key_prefixes: tuple[str, ...]) -> KeyLine:
    """Any other non-blank line (comment removed, stripped), every rule in turn."""
    where = f"{source} line {number}"
    reference = re.search(_REFERENCE, line)
    if reference is not None:  # `[label ]op://vault/item name/field`: the reference runs to the end of the line
        ref = reference.group(1)
        if len(ref) > MAX_KEY_LENGTH or not ref.isprintable():
            raise SetupError(f"{where}: that secret reference is too long or holds control characters; nothing was written")
        label, problem = clean_label(line[: reference.start(1)].strip(), key_prefixes)
        if problem:
            raise SetupError(f"{where}: {problem}; nothing was written")
        return KeyLine(number, label or None, ref)
    if is_command_line(line):
        # "export OPENROUTER_API_KEY=sk-…" would otherwise parse as label "export".
        raise SetupError(f"{where}: {key_problem(line) or 'that is a command line, not a key'}; nothing was written")
    key = line.rsplit(maxsplit=1)[-1]
    label_text = line[: len(line) - len(key)].strip()
    if label_text and looks_like_secret(label_text.split()[0], key_prefixes):
        raise SetupError(f"{where}: {_KEY_FIRST}; nothing was written")
    problem = key_problem(key)
    if problem:
        raise SetupError(f"{where}: {problem}; nothing was written")
    label, problem = clean_label(label_text, key_prefixes)
    if problem:
        raise SetupError(f"{where}: {problem}; nothing was written")
    return KeyLine(number, label or None, key)
