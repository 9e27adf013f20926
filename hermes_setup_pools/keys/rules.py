"""Which pasted keys and labels are accepted: the checks that refuse bad
pastes (spaces, commands, quotes, placeholders, two keys at once, masked
copies) and labels that are invisible, too long or themselves a key. Every
reason describes the problem and never quotes the key.
"""

from __future__ import annotations

import re

from .detect import KEY_PREFIXES, MIN_KEY_LENGTH, looks_like_secret

#: Longest key accepted (real keys are well under 300 characters).
MAX_KEY_LENGTH = 4096
MAX_LABEL_LENGTH = 64

#: Values people paste when they mean "no key" or copy a template verbatim.
PLACEHOLDERS = frozenset(
    {
        "none", "null", "nil", "undefined", "changeme", "change-me", "change_me",
        "placeholder", "todo", "tbd", "dummy", "example", "test", "xxx", "key",
        "apikey", "api-key", "api_key", "secret", "token", "password",
        "your-api-key", "your_api_key", "yourapikey", "your-key", "your_key",
        "your-api-key-here", "your_api_key_here", "insert-key-here", "sk-...",
        "sk-xxx", "sk-or-...", "sk-ant-...",
    }
)
_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS))

# Unicode category Cc, without importing unicodedata (this module is on the
# start-up path of every non-interactive run).
# Compiled on first use (re caches them): a plain key never needs them.
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_SPACE = r"\s"
_ENV_ASSIGNMENT = r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*="
_COMMANDS = ("hermes ", "export ", "set ", "curl ", "echo ", "$ ", "setx ", "bearer ", "authorization:")
#: A first word (lower-cased) that makes a line a pasted command.
COMMAND_WORDS = frozenset({"export", "set", "setx", "hermes", "curl", "echo", "$", "bearer", "authorization:"})
# Characters that look like nothing (or like a space) on a terminal.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f")
#: A key made only of these characters, of a sane length, needs only the
#: placeholder, length and pasted-twice checks (:func:`plain_key_problem`).
PLAIN = re.compile(r"[A-Za-z0-9_\-.+/]{1,4096}")


def key_problem(raw: str) -> str | None:
    """Return why ``raw`` cannot be an API key, or ``None`` when it can.

    The reason never quotes the key. Refused: empty input, more than 4096
    characters, whitespace or control characters inside, non-ASCII characters
    (usually a copy-paste artifact), surrounding quotes, shell commands and
    ``VAR=value`` lines, two keys pasted together, masked copies (``***``,
    ``…``), placeholders and anything too short to be a key.
    """
    key = raw.strip()
    if PLAIN.fullmatch(key) and "=" not in key:
        return plain_key_problem(key)  # the common case: most checks below cannot apply
    if not key:
        return "the key is empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"the key is longer than {MAX_KEY_LENGTH} characters; paste one key, nothing around it"
    if re.search(_CONTROL, key) or "\u2028" in key or "\u2029" in key:
        return "the key contains control characters (a stray escape sequence or a copied newline?)"
    lowered = key.lower()
    if lowered.startswith(_COMMANDS) or re.match(_ENV_ASSIGNMENT, key):
        return "that looks like a command line or VAR=value, not a key; paste only the key itself"
    if re.search(_SPACE, key):
        if len(key.split()) == 2 and all(len(part) >= 16 for part in key.split()):
            return "that looks like two keys pasted together; add them one at a time"
        return "the key contains spaces; paste one key at a time, with nothing around it"
    if "***" in key or "…" in key:
        return "that is a masked copy of a key (it contains *** or …); paste the full key"
    if not key.isascii():
        return "the key contains non-ASCII characters (often a copy-paste artifact such as a smart quote)"
    if key[0] in "\"'`" or key[-1] in "\"'`":
        return "the key is wrapped in quotes; paste it without them"
    return _plain_key_problem(key)


def is_command_line(text: str) -> bool:
    """True for a pasted command rather than a key: ``export VAR=…``, ``hermes …``,
    ``curl …``, ``Authorization: Bearer …``, ``VAR=value``."""
    stripped = text.strip()
    first = stripped.split(maxsplit=1)[0].lower() if stripped else ""
    return (
        (stripped.lower() + " ").startswith(_COMMANDS)
        or first in COMMAND_WORDS
        or bool(re.match(_ENV_ASSIGNMENT, stripped))
        or "=" in first
    )


def is_placeholder(key: str) -> bool:
    """True for what people paste when they mean "no key": empty, ``none``,
    ``changeme``, ``<your-key>``, one character repeated, or a masked copy."""
    key = key.strip()
    lowered = key.lower()
    return (
        not key
        or lowered in PLACEHOLDERS
        or key.strip("<>[]{}").lower() in PLACEHOLDERS
        or (key.startswith("<") and key.endswith(">"))
        or len(set(key)) == 1
        or "***" in key
        or "…" in key
    )


def plain_key_problem(key: str) -> str | None:
    """:func:`key_problem` for a key of 1 to 4096 plain characters (letters,
    digits, ``-_.+/``): the placeholder, length and pasted-twice checks, the
    only ones that can apply to it."""
    # is_placeholder(key) for these characters (no space, bracket, "***" or "…" can occur in them)
    repeated = key[0] == key[-1] and key.count(key[0]) == len(key)
    if repeated or (len(key) <= _LONGEST_PLACEHOLDER and key.lower() in PLACEHOLDERS):
        return "that is a placeholder, not a real key"
    return _key_shape_problem(key)


def _plain_key_problem(key: str) -> str | None:
    """The checks that apply to a key with no whitespace, control characters or quotes."""
    if is_placeholder(key):
        return "that is a placeholder, not a real key"
    return _key_shape_problem(key)


def _key_shape_problem(key: str) -> str | None:
    if len(key) < MIN_KEY_LENGTH:
        return f"that is too short to be an API key (under {MIN_KEY_LENGTH} characters)"
    for prefix in KEY_PREFIXES:  # the first that matches (a plain loop: no generator per key)
        if key.startswith(prefix):
            if key.find(prefix, 16) > 0:
                return "that looks like two keys pasted together; add them one at a time"
            break
    return None


def clean_label(raw: str, key_prefixes: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """The label as it will be stored (trimmed, NFC-normalised) and why it cannot
    be used (``None`` when it can).

    Refused: control, format and bidi characters, line or paragraph separators,
    invisible or blank-looking characters (U+3164, U+2800, …), more than 64
    characters, and anything that looks like a key (it would be shown in the
    clear wherever Hermes lists the pool).
    """
    label = raw.strip()
    if label.isascii() and label.isprintable():  # the common case: nothing invisible is possible
        return _label_words_problem(label, key_prefixes)
    import unicodedata

    label = unicodedata.normalize("NFC", label)
    for ch in label:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            return label, "the label contains control or formatting characters"
        if ch in _INVISIBLE or (category == "Zs" and ch != " "):
            return label, f"the label contains an invisible or blank-looking character (U+{ord(ch):04X})"
    return _label_words_problem(label, key_prefixes)


LABEL_IS_A_KEY = "the label looks like an API key; labels are shown in the clear, so use a name"
LABEL_TOO_LONG = f"the label is longer than {MAX_LABEL_LENGTH} characters"


def _label_words_problem(label: str, key_prefixes: tuple[str, ...]) -> tuple[str, str | None]:
    if label and any(looks_like_secret(word, key_prefixes) for word in label.split()):
        return label, LABEL_IS_A_KEY
    if len(label) > MAX_LABEL_LENGTH:
        return label, LABEL_TOO_LONG
    return label, None


