"""API keys: fingerprints, masking, and the checks that refuse bad pastes.

Nothing in this module ever returns or raises with a whole key in it: error
messages describe the problem, and :func:`mask` keeps four characters at most.
"""

from __future__ import annotations

import hashlib
import re

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

# Unicode category Cc, without importing unicodedata (this module is on the
# start-up path of every non-interactive run).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s")
_ENV_ASSIGNMENT = re.compile(r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")
_COMMANDS = ("hermes ", "export ", "set ", "curl ", "echo ", "$ ", "setx ", "bearer ", "authorization:")
# Prefixes long or distinctive enough that a second occurrence inside one key
# means two keys were pasted together, not chance.
_KEY_PREFIXES = (
    "sk-or-v1-", "sk-ant-api", "sk-ant-oat", "sk-proj-", "github_pat_", "ghp_",
    "gho_", "hf_", "AIza", "xai-", "nvapi-",
)


def fingerprint(secret: str) -> str:
    """Hermes' fingerprint of a secret: ``sha256:`` + the first 16 hex digits."""
    digest = hashlib.sha256(secret.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"sha256:{digest[:16]}"


def mask(secret: str | None) -> str:
    """Show at most the last four characters: ``…wxyz`` (fewer for short keys)."""
    if not secret:
        return "—"
    if len(secret) >= 16:
        return "…" + secret[-4:]
    if len(secret) >= 8:
        return "…" + secret[-2:]
    return "…"


def key_problem(raw: str) -> str | None:
    """Return why ``raw`` cannot be an API key, or ``None`` when it can.

    The reason never quotes the key. Refused: empty input, whitespace or
    control characters inside, non-ASCII characters (usually a copy-paste
    artifact), surrounding quotes, shell commands and ``VAR=value`` lines,
    two keys pasted together, masked copies (``***``, ``…``) and placeholders.
    """
    key = raw.strip()
    if not key:
        return "the key is empty"
    if _CONTROL.search(key):
        return "the key contains control characters (a stray escape sequence or a copied newline?)"
    lowered = key.lower()
    if lowered.startswith(_COMMANDS) or _ENV_ASSIGNMENT.match(key):
        return "that looks like a command line or VAR=value, not a key; paste only the key itself"
    if _SPACE.search(key):
        if len(key.split()) == 2 and all(len(part) >= 16 for part in key.split()):
            return "that looks like two keys pasted together; add them one at a time"
        return "the key contains spaces; paste one key at a time, with nothing around it"
    if "***" in key or "…" in key:
        return "that is a masked copy of a key (it contains *** or …); paste the full key"
    if not key.isascii():
        return "the key contains non-ASCII characters (often a copy-paste artifact such as a smart quote)"
    if key[0] in "\"'`" or key[-1] in "\"'`":
        return "the key is wrapped in quotes; paste it without them"
    if lowered in PLACEHOLDERS or key.strip("<>[]{}").lower() in PLACEHOLDERS:
        return "that is a placeholder, not a real key"
    if key.startswith("<") and key.endswith(">"):
        return "that is a placeholder, not a real key"
    if len(set(key)) == 1:
        return "that is a placeholder, not a real key"
    for prefix in _KEY_PREFIXES:
        if key.startswith(prefix) and key.find(prefix, 16) > 0:
            return "that looks like two keys pasted together; add them one at a time"
    return None


def label_problem(label: str) -> str | None:
    """Return why ``label`` (already trimmed) cannot be used, or ``None``."""
    import unicodedata

    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in label):
        return "the label contains control characters"
    if len(label) > 64:
        return "the label is longer than 64 characters"
    return None


def looks_like_secret(text: str) -> bool:
    """True for a token that is probably an API key (used to keep keys out of
    error messages when someone passes a key where a file name was expected)."""
    token = text.strip()
    if token.startswith(_KEY_PREFIXES) or token.startswith("sk-"):
        return True
    return (
        len(token) >= 20
        and "/" not in token
        and not token.startswith(".")
        and bool(re.fullmatch(r"[A-Za-z0-9_\-.=+]+", token))
        and any(ch.isdigit() for ch in token)
        and any(ch.isalpha() for ch in token)
    )


def redact(text: str) -> str:
    """Replace every whitespace-separated token that looks like a key with its mask."""
    return re.sub(r"\S+", lambda m: mask(m.group()) if looks_like_secret(m.group()) else m.group(), text)
