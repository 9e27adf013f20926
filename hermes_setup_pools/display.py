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
