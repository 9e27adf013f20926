"""A key's fingerprint, as Hermes computes it: how two entries are known to
hold the same key without either key being stored twice or shown."""

from __future__ import annotations

try:  # the builtin module: no OpenSSL to load for one hash (hashlib would give the same digest)
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]


def fingerprint(secret: str) -> str:
    """Hermes' fingerprint of a secret: ``sha256:`` + the first 16 hex digits."""
    digest = sha256(secret.encode("utf-8", errors="surrogatepass")).hexdigest()
    return f"sha256:{digest[:16]}"


