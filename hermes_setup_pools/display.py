"""Text from files and plugins made safe for a terminal.

Labels, sources and names come from auth.json and config.yaml, which anyone
with write access to them (or a careless copy-paste) may have filled with
escape sequences: ANSI colours, OSC titles and hyperlinks, cursor moves that
hide lines, bidi overrides that reorder what is shown. :func:`shown` makes
every such character visible as an escape (``\\x1b``, ``\\u202e``) instead of
sending it to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported on a CI run
    from typing import TextIO

# C0 and C1 controls (newline and tab included), DEL, and the Unicode format
# characters a terminal would act on or render invisibly: bidi embeddings,
# overrides and isolates, marks, zero-width characters, line and paragraph
# separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` with every control, bidi and invisible formatting character
    escaped; printable text (any script) is unchanged."""
    return _UNSAFE.sub(_escape, str(text))


def shown_lines(text: str) -> str:
    """Like :func:`shown`, keeping newlines (for multi-line output)."""
    return "\n".join(shown(line) for line in text.split("\n"))


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to lay text out in: ``COLUMNS`` when set, else the terminal's
    (``stream``'s, standard output by default); ``None`` (no limit) when it
    goes to a pipe or file, so a script reads one line per item."""
    import os
    import sys

    stream = sys.stdout if stream is None else stream
    try:
        columns = int(os.environ.get("COLUMNS", "") or 0)
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            if not stream.isatty():
                return None
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            return None
    return max(columns, 40)


def wrap(text: str, width: int | None = None, indent: str = "    ") -> str:
    """``text`` wrapped at word boundaries to ``width`` (the terminal's by
    default; not wrapped when there is none), later lines indented by
    ``indent``; words and quoted names are never split."""
    width = terminal_width() if width is None else width
    if width is None or len(text) <= width:
        return text
    lines, line = [], ""
    for match in _SPACED_WORD.finditer(text):
        space, word = match.group(1).replace("\n", " ").replace("\t", " "), match.group(2)
        if line and len(line) + len(space) + len(word) > width:
            lines.append(line)
            line = indent + word
        else:  # the spaces between words stay as written (aligned columns, the caller's indent)
            line += space + word
    lines.append(line)
    return "\n".join(lines)


#: A word: a run of non-blank characters, where a name in quotes counts as
#: one character. An opening quote does not follow a letter (``Hermes' lock``
#: opens no quote) and a closing one is not followed by one (``don't``).
_SPACED_WORD = re.compile(r"(\s*)((?:(?<!\w)'[^'\n]+'(?!\w)|(?<!\w)\"[^\"\n]+\"(?!\w)|`[^`\n]+`|\S)+)")


def say(message: str) -> None:
    """Print ``message`` for the user on standard error: anything shaped like
    a key masked, terminal-safe, wrapped to the terminal."""
    import sys

    from .keys.detect import redact

    print(wrap(shown_lines(redact(message)), terminal_width(sys.stderr), indent="  "), file=sys.stderr, flush=True)


def cut(text: str, width: int) -> str:
    """``text`` shortened to ``width`` characters with a trailing ``…``."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], width: int | None = None, *, indent: str = "  ",
          fit: Sequence[tuple[str, int]] = ()) -> list[str]:
    """Lines of a table that fits ``width`` (the terminal's by default). While
    too wide, ``fit`` is followed in order: ``("drop", i)`` leaves column ``i``
    out, ``("shrink", i)`` cuts its cells with ``…`` (never below its header or
    6 characters). A row is never split across lines. Cells must already be
    terminal-safe text."""
    width = terminal_width() if width is None else width
    width = width if width is not None else 1 << 30
    columns = list(range(len(header)))
    sizes = {i: max(len(row[i]) for row in [header, *rows]) for i in columns}

    def total() -> int:
        shown_columns = [i for i in columns if sizes[i]]
        return len(indent) + sum(sizes[i] for i in shown_columns) + 2 * (len(shown_columns) - 1)

    for how, i in fit:
        if total() <= width or i not in columns:
            continue
        if how == "drop":
            columns.remove(i)
        else:
            sizes[i] = max(len(header[i]), 6, sizes[i] - (total() - width))
    lines = []
    for row in [header, *rows]:
        cells = [cut(row[i], sizes[i]).ljust(sizes[i]) for i in columns if sizes[i]]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def named(text: object) -> str:
    """A name quoted from a user's file (a label, a source, a value): terminal-safe,
    with anything shaped like a key masked (a key pasted as a label is never shown)."""
    from .keys.detect import redact

    return shown(redact(str(text)))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 key``, ``2 keys`` (``nouns``: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"
