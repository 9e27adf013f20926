"""What looks like a key, and how a key or anything shaped like one is shown:
masked (four characters at most), quoted only when it is not a key, redacted
wherever it stands in a message.

Nothing here ever returns a whole key.
"""

from __future__ import annotations

import itertools
import re

#: Shortest key accepted; anything shorter is a typo or a placeholder.
MIN_KEY_LENGTH = 8
#: Prefixes long or distinctive enough that a second occurrence inside one key
#: means two keys were pasted together, and that mark a token as a key.
KEY_PREFIXES = (
    "sk-or-v1-", "sk-ant-api", "sk-ant-oat", "sk-proj-", "github_pat_", "ghp_",
    "gho_", "hf_", "AIza", "xai-", "nvapi-",
)
# The characters of a key; ":" "/" "@" split URLs and paths into pieces, so a
# key inside ``https://user:KEY@host`` is still found.
_KEYISH = re.compile(r"[A-Za-z0-9_\-.=+]+")

#: Schemes of secret references Hermes' secret sources resolve (``op://vault/item/field``).
REFERENCE_SCHEMES = ("op", "pass")


def mask(secret: str | None) -> str:
    """Show at most the last four characters: ``…wxyz`` (fewer for short keys);
    a secret reference shows its scheme and vault only (``op://Private/…``)."""
    if not secret:
        return "—"
    scheme, sep, rest = secret.partition("://")
    if sep and scheme in REFERENCE_SCHEMES:
        return f"{scheme}://{rest.split('/', 1)[0]}/…"
    if len(secret) >= 16:
        return "…" + secret[-4:]
    if len(secret) >= 8:
        return "…" + secret[-2:]
    return "…"


def looks_like_secret(text: str, key_prefixes: tuple[str, ...] = ()) -> bool:
    """True for a token that is probably an API key: it carries a known key
    prefix (or one of ``key_prefixes``), or is long, unspaced and random-looking."""
    if len(text) < MIN_KEY_LENGTH:  # too short either way (the checks below only shorten it)
        return False
    token = text.strip().strip("'\"`")
    if token.startswith(KEY_PREFIXES) or token.startswith("sk-") or (key_prefixes and token.startswith(key_prefixes)):
        return len(token) >= MIN_KEY_LENGTH
    return len(token) >= 20 and bool(_KEYISH.fullmatch(token)) and not token.startswith(".") and _random_looking(token)


def _random_looking(token: str) -> bool:
    """Random keys switch between digits, upper and lower case far more often
    than words and identifiers do (``test_case_2``, ``OPENROUTER_API_KEY``)."""
    chars = [ch for ch in token if ch.isalnum()]
    if len(chars) < 16 or len(set(chars)) < 10:
        return False

    def kind(ch: str) -> int:
        return 0 if ch.isdigit() else 1 if ch.isupper() else 2

    switches = sum(kind(a) != kind(b) for a, b in itertools.pairwise(chars))
    return switches / (len(chars) - 1) >= 0.25


def quoted(value: str) -> str:
    """``value`` quoted for a message, unless it looks like a key: then only
    that it was one (a key typed into the wrong option is never echoed)."""
    if looks_like_secret(value) or any(looks_like_secret(part) for part in _KEYISH.findall(value)):
        return "(a value that looks like an API key; not shown)"
    return repr(value)


def redact(text: str) -> str:
    """Replace every key-shaped run of characters with its mask, wherever it
    stands (quoted, after ``=``, inside a URL, ending a sentence)."""

    def masked(match: re.Match[str]) -> str:
        token = match.group()
        start = 0
        while True:
            rest = token[start:]
            if looks_like_secret(rest):  # the whole token, or what follows one of its "=" (`key=sk-…`)
                body = rest.rstrip(".")  # a full stop after a key ends the sentence, not the key
                return token[:start] + mask(body) + rest[len(body):]
            start = token.find("=", start) + 1
            if not start:
                return token

    return _KEYISH.sub(masked, text)
