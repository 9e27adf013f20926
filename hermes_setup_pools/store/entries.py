"""What a pool entry is: the fields Hermes 0.19 writes, a credential to add,
and how an entry's secret is recognised (its fingerprint)."""

from __future__ import annotations

import os

from ..keys.fingerprint import fingerprint
from ..record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Fields Hermes 0.19 writes as ``null`` for a new entry and clears on reset.
STATUS_FIELDS = (
    "last_status",
    "last_status_at",
    "last_error_code",
    "last_error_reason",
    "last_error_message",
    "last_error_reset_at",
)



def is_manual(source: str) -> bool:
    """``manual`` / ``manual:*``: Hermes owns the secret and stores it in the entry."""
    return source == "manual" or source.startswith("manual:")


class NewCredential(Record):
    """A credential to add to a pool.

    ``source`` is ``manual`` for a key the user typed (stored with the key, as
    Hermes rotates with it) or a borrowed source (``env:VAR``, ``config:NAME``,
    ``model_config``) stored as a reference: fingerprint, no secret.
    """

    _fields = ("label", "source", "secret", "base_url", "auth_type")
    __slots__ = (*_fields, "fingerprint")

    label: str
    source: str
    secret: str
    base_url: str | None
    auth_type: str
    #: Hermes' fingerprint of the secret, computed once (bulk loads compare thousands).
    fingerprint: str

    def __init__(self, label: str, source: str, secret: str, base_url: str | None = None,
                 auth_type: str = "api_key") -> None:
        self.label = label
        self.source = source
        self.secret = secret
        self.base_url = base_url
        self.auth_type = auth_type
        self.fingerprint = fingerprint(secret)

    @property
    def is_manual(self) -> bool:
        """Whether the secret is stored in the entry."""
        return is_manual(self.source)

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"NewCredential(label={self.label!r}, source={self.source!r}, secret=<{len(self.secret)} chars>)"


def entry_fingerprint(entry: Any) -> str | None:
    """The fingerprint of an entry's secret: computed from ``access_token`` for
    entries that hold one, else the stored ``secret_fingerprint``."""
    if not isinstance(entry, dict):
        return None
    token = entry.get("access_token")
    if isinstance(token, str) and token:
        return fingerprint(token)
    stored = entry.get("secret_fingerprint")
    return stored if isinstance(stored, str) and stored.startswith("sha256:") else None


def new_entry_id(taken: set[Any]) -> str:
    """A fresh 6-hex-digit id no entry in ``taken`` has (Hermes' id format)."""
    entry_id = os.urandom(3).hex()
    while entry_id in taken:
        entry_id = os.urandom(3).hex()
    return entry_id


def new_entry(cred: NewCredential, entry_id: str, label: str, priority: int) -> dict[str, Any]:
    """A pool entry for ``cred`` with Hermes 0.19's fields, in its order."""
    entry: dict[str, Any] = {
        "id": entry_id,
        "label": label,
        "auth_type": cred.auth_type,
        "priority": priority,
        "source": cred.source,
    }
    if cred.is_manual:
        entry["access_token"] = cred.secret
    entry.update(dict.fromkeys(STATUS_FIELDS))
    if cred.base_url is not None:
        entry["base_url"] = cred.base_url
    entry["request_count"] = 0
    if not cred.is_manual:
        entry["secret_fingerprint"] = cred.fingerprint
    return entry


def entry_label(entry: Any) -> str:
    """How messages name an entry: its label, else its source, else its id."""
    if not isinstance(entry, dict):
        return "(not an object)"
    return str(entry.get("label") or entry.get("source") or entry.get("id") or "(unnamed)")
