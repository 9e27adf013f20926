"""auth.json: read and check it, and read-modify-write one pool the way Hermes does.

Every read-modify-write holds Hermes' lock (:mod:`.lock`) and re-reads the
file once the lock is held; only ``credential_pool.<pool key>``,
``suppressed_sources.<pool key>`` and ``updated_at`` change, and only when
the edit changed something. A file that cannot be read, parsed or has the
wrong shape is never written.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..display import shown
from .entries import entry_label
from .files import StoreError, owner_of, read_bytes, write_atomic
from .lock import LOCK_TIMEOUT, auth_lock

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol, TypeVar

AUTH_FILE = "auth.json"
AUTH_STORE_VERSION = 1


def auth_path(home: Path) -> Path:
    """``$HERMES_HOME/auth.json``."""
    return Path(home) / AUTH_FILE


def load_auth(home: Path, pool_key: str | None = None) -> dict[str, Any] | None:
    """Parse auth.json and check its shape; ``None`` when the file does not exist.

    Raises :class:`StoreError` for an unreadable, empty or unparseable file, a
    top level that is not an object, a ``credential_pool`` that is not an
    object, or (when ``pool_key`` is given) that pool not being a list.
    """
    path = auth_path(home)
    raw = read_bytes(path)
    if raw is None:
        return None
    fix = "restore it or move it aside, then retry"
    if not raw.strip():
        raise StoreError(f"{path} is empty, which Hermes treats as corrupt; {fix}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StoreError(f"{path} is not UTF-8 text; {fix}") from None
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); {fix}") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path} holds a JSON {type(data).__name__}, expected an object")
    for section in ("credential_pool", "suppressed_sources"):
        value = data.get(section)
        if value is not None and not isinstance(value, dict):
            raise StoreError(f"{path}: {section} is a {type(value).__name__}, expected an object")
    if pool_key is not None:
        pool = (data.get("credential_pool") or {}).get(pool_key)
        if pool is not None and not isinstance(pool, list):
            raise StoreError(f"{path}: credential_pool.{pool_key} is a {type(pool).__name__}, expected a list")
        hidden = (data.get("suppressed_sources") or {}).get(pool_key)
        if hidden is not None and not isinstance(hidden, list):
            raise StoreError(f"{path}: suppressed_sources.{pool_key} is a {type(hidden).__name__}, expected a list")
    return data


def check_pool_loadable(entries: list[Any], path: Path, pool_key: str) -> None:
    """Raise :class:`StoreError` for a pool real Hermes could not use: an entry
    that is not an object, a priority that is not a number (Hermes sorts by
    it), or a label that is not text (``hermes auth list`` crashes on it)."""
    for index, entry in enumerate(entries, start=1):
        where = f"{path}: credential_pool.{pool_key} entry #{index}"
        if not isinstance(entry, dict):
            raise StoreError(f"{where} is a JSON {type(entry).__name__}, not an object; Hermes cannot load this pool. "
                             "Fix it by hand (or `hermes-setup-pools doctor`); nothing was written")
        name = shown(entry_label(entry))
        priority = entry.get("priority", 0)
        if not isinstance(priority, (int, float)):
            raise StoreError(f"{where} ({name!r}) has priority {shown(repr(priority))}, not a number; Hermes cannot "
                             "load this pool. Fix it with `hermes-setup-pools doctor --fix`; nothing was written")
        if "label" in entry and not isinstance(entry["label"], str):
            raise StoreError(f"{where} ({name!r}) has a label that is not text; `hermes auth list` would crash on it. "
                             "Fix it by hand; nothing was written")


def pool_entries(data: dict[str, Any] | None, pool_key: str) -> list[Any]:
    """The entries of one pool (a new list), empty when absent."""
    if not data:
        return []
    pool = (data.get("credential_pool") or {}).get(pool_key)
    return list(pool) if isinstance(pool, list) else []


def suppressed_sources(data: dict[str, Any] | None, pool_key: str) -> list[str]:
    """Sources the user removed (``hermes auth remove``); Hermes never re-seeds them."""
    if not data or not isinstance(data.get("suppressed_sources"), dict):
        return []
    value = data["suppressed_sources"].get(pool_key)
    return [str(item) for item in value] if isinstance(value, list) else []


def auth_text(data: dict[str, Any]) -> Iterator[str]:
    """auth.json as Hermes writes it (``json.dumps(data, indent=2)`` and a
    newline), in pieces, so a large pool is never held as one string."""
    if _c_make_encoder is None:  # no C accelerator: the standard encoder, piece by piece
        return itertools.chain(json.JSONEncoder(indent=2).iterencode(data), ("\n",))
    return itertools.chain.from_iterable(itertools.chain(_blocks(data, 0, set()), (("\n",),)))


# -- the same bytes, faster --------------------------------------------------------------------
#
# ``json.dumps(indent=2)`` runs the pure-Python encoder (before Python 3.14),
# several times slower than the C one, which cannot indent. A pool's entries
# are flat objects (scalars only; a key that is not a string is converted by
# both encoders alike), so the C encoder writes a run of them at once given
# ",\n" and the members' indentation as its item separator; the boundaries
# between entries are then re-indented with one replace (a raw newline never
# occurs inside an encoded string, so "}" + separator + "{" is always one), and
# the nesting above the entries is written here. Anything else (an entry with a
# nested value, another section such as ``providers``) is written by the
# standard encoder with its newlines shifted to its depth. The output is
# byte-identical to ``json.dumps(data, indent=2)``: tests/test_speed_auth_encoder.py
# checks it against arbitrary auth.json-shaped data.

_c_make_encoder: Callable[..., Any] | None = getattr(json.encoder, "c_make_encoder", None)
_encode_str: Callable[[str], str] = json.encoder.encode_basestring_ascii
_SCALARS = frozenset({str, int, float, bool, type(None)})
_DICT = frozenset({dict})
_ENCODERS: dict[int, Callable[[Any, int], Any]] = {}
#: Entries the C encoder writes in one call (a piece of about 64 KB).
_RUN = 128
#: write_atomic joins pieces in batches of a fixed count (65,536), so a long
#: piece is followed by one empty piece per this many characters: each batch,
#: and the memory it takes, stays near 4 MiB however large the pool.
_PIECE = 64
_EMPTY = ("",) * 4096


def _encoder(level: int) -> Callable[[Any, int], Any]:
    """The C encoder, writing each member of a flat object on its own line ``level`` deep."""
    encoder = _ENCODERS.get(level)
    if encoder is None:
        assert _c_make_encoder is not None
        encoder = _ENCODERS[level] = _c_make_encoder(
            None, json.JSONEncoder().default, _encode_str, None, ": ", ",\n" + "  " * level, False, False, True)
    return encoder


def _all_flat(objects: list[Any]) -> bool:
    """Every one a non-empty ``dict`` of scalars (str, int, float, bool, None)."""
    return (_DICT.issuperset(map(type, objects)) and all(objects)
            and _SCALARS.issuperset(map(type, itertools.chain.from_iterable(map(dict.values, objects)))))


def _flat_run(entries: list[dict[str, Any]], level: int) -> str:
    """Flat objects as the indenting encoder writes them as list items ``level`` deep."""
    outer, inner = "\n" + "  " * level, "\n" + "  " * (level + 1)
    body = "".join(_encoder(level + 1)(entries, 0))[2:-2]  # "[{" members, "}" "," inner "{" members … "}]"
    if len(entries) > 1:
        body = body.replace("}," + inner + "{", outer.join(("", "},", "{" + inner)))
    return f"{{{inner}{body}{outer}}}"


def _blocks(value: Any, level: int, open_: set[int]) -> Iterator[tuple[str, ...]]:
    """``json.dumps(value, indent=2)`` as it reads nested ``level`` deep (its
    newlines followed by ``2 × level`` spaces), in tuples of pieces."""
    kind = type(value)
    if kind is dict and value and all(type(key) is str for key in value):
        members: Iterable[tuple[str, Any]] = value.items()
    elif kind is list and value:
        members = [("", value[at: at + _RUN]) for at in range(0, len(value), _RUN)]  # runs of items
    else:
        text = json.dumps(value, indent=2)
        yield (text.replace("\n", "\n" + "  " * level) if level else text,)
        return
    if id(value) in open_:
        raise ValueError("Circular reference detected")
    open_.add(id(value))
    pad = "\n" + "  " * (level + 1)
    separator = ("{" if kind is dict else "[") + pad
    for key, item in members:
        if kind is dict:
            yield (f"{separator}{_encode_str(key)}: ",)
            separator = "," + pad
            yield from _blocks(item, level + 1, open_)
        elif _all_flat(item):  # a run of a list's items, all flat
            piece = separator + _flat_run(item, level + 1)
            separator = "," + pad
            yield (piece,)
            yield _EMPTY[: len(piece) // _PIECE]
        else:  # one by one
            for one in item:
                if _all_flat([one]):
                    yield (separator + _flat_run([one], level + 1),)
                else:
                    yield (separator,)
                    yield from _blocks(one, level + 1, open_)
                separator = "," + pad
    open_.discard(id(value))
    yield ("\n" + "  " * level + ("}" if kind is dict else "]"),)


if TYPE_CHECKING:  # types only: typing is not imported at run time

    class PoolEdit(Protocol):
        """What an edit of one pool produced: the new entries and suppressed
        sources, and whether anything changed (nothing is written otherwise)."""

        @property
        def entries(self) -> list[Any]: ...

        @property
        def suppressed(self) -> list[str]: ...

        @property
        def changed(self) -> bool: ...

    E = TypeVar("E", bound=PoolEdit)


def update_pool(
    home: Path, pool_key: str, edit: Callable[[list[Any], list[str]], E], *, timeout: float = LOCK_TIMEOUT,
    require_loadable: bool = True,
) -> E:
    """Read-modify-write one pool under Hermes' lock.

    ``edit(entries, suppressed)`` gets the pool as it is on disk *now* (read
    after the lock is taken) and returns a :class:`PoolEdit`. The file is
    written only when ``changed``; every other key, pool and entry stays exactly
    as it was, and ``updated_at`` is refreshed. A pool Hermes could not load is
    refused (``require_loadable=False`` is for the repair that fixes it).
    """
    with auth_lock(home, timeout=timeout):
        data = load_auth(home, pool_key)
        if data is None:
            data = {"version": AUTH_STORE_VERSION, "providers": {}}
        before = suppressed_sources(data, pool_key)
        entries = pool_entries(data, pool_key)
        if require_loadable:
            check_pool_loadable(entries, auth_path(home), pool_key)
        result = edit(entries, before)
        if not result.changed:
            return result
        data.setdefault("credential_pool", {})[pool_key] = result.entries
        if result.suppressed != before:
            data.setdefault("suppressed_sources", {})[pool_key] = result.suppressed
        from datetime import UTC, datetime

        data["updated_at"] = datetime.now(UTC).isoformat()
        write_atomic(auth_path(home), auth_text(data), 0o600, new_owner=owner_of(home))
        return result
