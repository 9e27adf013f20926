"""auth.json and config.yaml: read, check, lock, merge and write them the way
Hermes does, and never corrupt or lose anything.

The rules, all from Hermes 0.19's own code (README: "What gets written"):

* every read-modify-write of auth.json holds an exclusive ``flock`` on the
  sibling ``auth.lock`` (50 ms polls, 15 s timeout) and re-reads the file once
  the lock is held; only ``credential_pool.<pool key>`` and ``updated_at`` change;
* writes go to a unique ``<name>.tmp.<pid>.<hex>`` file created exclusive with
  mode 0600 in the target's directory, are fsynced, ``os.replace``-d onto the
  target (through a symlink to its target) and the directory is fsynced;
* a file that cannot be read, parsed or has the wrong shape is never written;
* config.yaml is edited in place: only the text of
  ``credential_pool_strategies.<pool key>`` changes, and the result is parsed
  back and compared before it replaces the file.
"""

from __future__ import annotations

import copy
import errno
import fcntl
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from .errors import SetupError
from .keys import fingerprint, mask
from .yaml_edit import LayoutError, edit_nested_text, yaml_key, yaml_scalar

AUTH_FILE = "auth.json"
CONFIG_FILE = "config.yaml"
ENV_FILE = ".env"
LOCK_TIMEOUT = 15.0
LOCK_POLL = 0.05
AUTH_STORE_VERSION = 1

STRATEGIES = ("fill_first", "round_robin", "least_used", "random")
DEFAULT_STRATEGY = "fill_first"
STRATEGIES_KEY = "credential_pool_strategies"

# Fields Hermes 0.19 always writes for an entry, in its order.
_STATUS_FIELDS = (
    "last_status",
    "last_status_at",
    "last_error_code",
    "last_error_reason",
    "last_error_message",
    "last_error_reset_at",
)


class StoreError(SetupError):
    """A Hermes file cannot be used safely; the message names the file and the problem."""


# --------------------------------------------------------------------------
# Small file helpers
# --------------------------------------------------------------------------


def auth_path(home: Path) -> Path:
    """``$HERMES_HOME/auth.json``."""
    return Path(home) / AUTH_FILE


def lock_path(home: Path) -> Path:
    """``$HERMES_HOME/auth.lock``: the lock Hermes takes around every auth.json write."""
    return auth_path(home).with_suffix(".lock")


def config_path(home: Path) -> Path:
    """``$HERMES_HOME/config.yaml``."""
    return Path(home) / CONFIG_FILE


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes, ``None`` when it does not exist; StoreError otherwise."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(f"{path} is a symbolic link to a missing file; fix or remove the link") from None
        return None
    except IsADirectoryError:
        raise StoreError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None


def write_atomic(target: Path, payload: bytes, mode: int) -> None:
    """Replace ``target`` with ``payload`` so that readers see the old or the new
    file, never a mix. A symlinked target is written through to the file it
    points at (the link stays a link)."""
    real = Path(os.path.realpath(target))
    directory = real.parent
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"{real.name}.tmp.{os.getpid()}.{os.urandom(8).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)  # exact mode whatever the umask
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --------------------------------------------------------------------------
# auth.json
# --------------------------------------------------------------------------


@contextmanager
def auth_lock(home: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold Hermes' exclusive lock on ``auth.lock`` (polled every 50 ms).

    Refuses a symlinked lock file rather than following it, and gives up after
    ``timeout`` seconds with a message saying another process holds the lock.
    """
    path = lock_path(home)
    if path.is_symlink():
        raise StoreError(f"{path} is a symbolic link; refusing to follow it (remove the link and retry)")
    Path(home).mkdir(mode=0o700, parents=True, exist_ok=True)  # a new home holds secrets: owner only
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(f"{path} is a symbolic link; refusing to follow it (remove the link and retry)") from None
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"timed out after {timeout:g} s waiting for {path}: another Hermes process "
                        "(a running gateway or hermes command) holds the lock; retry when it has finished"
                    ) from None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def load_auth(home: Path, pool_key: str | None = None) -> dict[str, Any] | None:
    """Parse auth.json and check its shape; ``None`` when the file does not exist.

    Raises :class:`StoreError` for an unreadable, empty or unparseable file, a
    top level that is not an object, a ``credential_pool`` that is not an object,
    or (when ``pool_key`` is given) that pool not being a list.
    """
    path = auth_path(home)
    raw = _read_bytes(path)
    if raw is None:
        return None
    if not raw.strip():
        raise StoreError(f"{path} is empty; Hermes would treat it as corrupt. Restore it or move it aside, then retry")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StoreError(f"{path} is not UTF-8 text; restore it or move it aside, then retry") from None
    except json.JSONDecodeError as exc:
        raise StoreError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "restore it or move it aside, then retry"
        ) from None
    if not isinstance(data, dict):
        raise StoreError(f"{path} holds a JSON {type(data).__name__}, expected an object")
    pools = data.get("credential_pool")
    if pools is not None and not isinstance(pools, dict):
        raise StoreError(f"{path}: credential_pool is a {type(pools).__name__}, expected an object")
    if pool_key is not None and isinstance(pools, dict):
        pool = pools.get(pool_key)
        if pool is not None and not isinstance(pool, list):
            raise StoreError(f"{path}: credential_pool.{pool_key} is a {type(pool).__name__}, expected a list")
    return data


def pool_entries(data: dict[str, Any] | None, pool_key: str) -> list[Any]:
    """The entries of one pool (a copy), empty when absent."""
    if not data:
        return []
    pool = (data.get("credential_pool") or {}).get(pool_key)
    return list(pool) if isinstance(pool, list) else []


def suppressed_sources(data: dict[str, Any] | None, pool_key: str) -> set[str]:
    """Sources the user removed with ``hermes auth remove``; never re-seed them."""
    if not data or not isinstance(data.get("suppressed_sources"), dict):
        return set()
    value = data["suppressed_sources"].get(pool_key)
    return {str(item) for item in value} if isinstance(value, list) else set()


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


@dataclass(frozen=True)
class NewCredential:
    """A credential to add to a pool.

    ``source`` is ``manual`` for a key the user typed (stored with the key, as
    Hermes rotates with it) or a borrowed source (``env:VAR``, ``config:NAME``,
    ``model_config``) stored as a reference: fingerprint, no secret.
    """

    label: str
    source: str
    secret: str
    base_url: str | None = None
    auth_type: str = "api_key"

    @property
    def is_manual(self) -> bool:
        return self.source == "manual" or self.source.startswith("manual:")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.secret)

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"NewCredential(label={self.label!r}, source={self.source!r}, secret=<{len(self.secret)} chars>)"


@dataclass
class MergeResult:
    """What a merge did: the new entry list, the entries added, the credentials
    skipped (with the reason, which never quotes a key)."""

    entries: list[Any]
    added: list[dict[str, Any]]
    skipped: list[tuple[NewCredential, str]]


def _new_entry(cred: NewCredential, entry_id: str, label: str, priority: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": entry_id,
        "label": label,
        "auth_type": cred.auth_type,
        "priority": priority,
        "source": cred.source,
    }
    if cred.is_manual:
        entry["access_token"] = cred.secret
    entry.update({name: None for name in _STATUS_FIELDS})
    if cred.base_url is not None:
        entry["base_url"] = cred.base_url
    entry["request_count"] = 0
    if not cred.is_manual:
        entry["secret_fingerprint"] = cred.fingerprint
    return entry


def merge_credentials(
    entries: list[Any], additions: list[NewCredential], suppressed: set[str] = frozenset()
) -> MergeResult:
    """Add ``additions`` to a pool's ``entries`` without duplicates.

    A credential whose fingerprint is already in the pool, a borrowed source
    the pool already has, a suppressed source, or a repeat within
    ``additions`` is skipped with a reason naming the existing entry's label.
    New entries take priority max+1 and a fresh 6-hex id; a label already in
    use (another process may have added one) gets a ``-2``, ``-3`` … suffix.
    Existing entries are returned as they were, untouched.
    """
    merged = list(entries)
    dicts = [entry for entry in entries if isinstance(entry, dict)]
    by_fingerprint = {fp: e for e in dicts if (fp := entry_fingerprint(e))}
    by_source = {e.get("source"): e for e in dicts if e.get("source")}
    labels = {str(e.get("label", "")).casefold() for e in dicts}
    ids = {e.get("id") for e in dicts}
    priority = max((e["priority"] for e in dicts if isinstance(e.get("priority"), int)), default=-1)
    result = MergeResult(merged, [], [])
    for cred in additions:
        fp = cred.fingerprint
        if fp in by_fingerprint:
            label = by_fingerprint[fp].get("label") or by_fingerprint[fp].get("source")
            result.skipped.append((cred, f"already in the pool as {label!r}"))
            continue
        if not cred.is_manual and cred.source in by_source:
            label = by_source[cred.source].get("label") or cred.source
            result.skipped.append((cred, f"{cred.source} is already in the pool as {label!r}"))
            continue
        if cred.source in suppressed:
            result.skipped.append((cred, f"{cred.source} was removed with `hermes auth remove`; not re-adding it"))
            continue
        label = cred.label
        suffix = 2
        while label.casefold() in labels:
            label = f"{cred.label}-{suffix}"
            suffix += 1
        entry_id = os.urandom(3).hex()
        while entry_id in ids:
            entry_id = os.urandom(3).hex()
        priority += 1
        entry = _new_entry(cred, entry_id, label, priority)
        merged.append(entry)
        result.added.append(entry)
        by_fingerprint[fp] = entry
        by_source.setdefault(cred.source, entry)
        labels.add(label.casefold())
        ids.add(entry_id)
    return result


def _auth_payload(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def update_pool(
    home: Path,
    pool_key: str,
    change: Callable[[list[Any], set[str]], MergeResult],
    *,
    timeout: float = LOCK_TIMEOUT,
) -> MergeResult:
    """Read-modify-write one pool under Hermes' lock.

    ``change(entries, suppressed)`` gets the pool as it is on disk *now* (read
    after the lock is taken) and returns a :class:`MergeResult`. The file is
    written only when something was added; every other key, pool and existing
    entry is kept exactly as it was, and ``updated_at`` is refreshed.
    """
    with auth_lock(home, timeout=timeout):
        data = load_auth(home, pool_key)
        created = data is None
        if created:
            data = {"version": AUTH_STORE_VERSION, "providers": {}}
        result = change(pool_entries(data, pool_key), suppressed_sources(data, pool_key))
        if not result.added:
            return result
        pools = data.setdefault("credential_pool", {})
        from datetime import datetime, timezone

        pools[pool_key] = result.entries
        data["updated_at"] = datetime.now(timezone.utc).isoformat()
        write_atomic(auth_path(home), _auth_payload(data), 0o600)
        return result


def render_auth(data: dict[str, Any] | None) -> str:
    """auth.json as Hermes writes it, with every secret value masked (for diffs)."""
    def scrub(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: scrub(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, str) and _SECRET_FIELD.search(key) and key != "secret_fingerprint":
            return mask(value)
        return value

    if data is None:
        return ""
    return json.dumps(scrub(data), indent=2, ensure_ascii=False) + "\n"


_SECRET_FIELD = re.compile(r"(token|key|secret|password|credential)", re.IGNORECASE)


# --------------------------------------------------------------------------
# config.yaml
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigFile:
    """config.yaml as read: its text (``None`` when missing), parsed data, mode."""

    path: Path
    text: str | None
    data: dict[str, Any]
    mode: int | None


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> StoreError:
    # str(exc) quotes the offending lines, which may hold an api_key: use only
    # the position and the parser's description of the problem.
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or type(exc).__name__
    return StoreError(f"{path} is not valid YAML{where}: {problem}; fix it and retry")


def load_config(home: Path) -> ConfigFile:
    """Read and check config.yaml. A missing or comment-only file reads as ``{}``.

    Raises :class:`StoreError` for an unreadable file, invalid YAML, a root
    that is not a mapping, or a ``credential_pool_strategies`` that is neither
    empty nor a mapping.
    """
    path = config_path(home)
    raw = _read_bytes(path)
    if raw is None:
        return ConfigFile(path, None, {}, None)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_problem(path, exc) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StoreError(f"{path}: the top level is a {type(data).__name__}, expected a mapping")
    strategies = data.get(STRATEGIES_KEY)
    if strategies is not None and not isinstance(strategies, dict):
        raise StoreError(f"{path}: {STRATEGIES_KEY} is a {type(strategies).__name__}, expected a mapping")
    mode = os.stat(path).st_mode & 0o7777
    return ConfigFile(path, text, data, mode)


@dataclass(frozen=True)
class StrategyState:
    """The strategy config.yaml holds for a pool, as Hermes would read it."""

    raw: Any  # the value in the file, None when unset
    effective: str  # what Hermes uses
    unknown: bool  # a value Hermes silently replaces with fill_first

    def describe(self, pool_key: str) -> str:
        if self.unknown:
            return (
                f"config.yaml has {STRATEGIES_KEY}.{pool_key} = {self.raw!r}, which Hermes does not know; "
                f"it silently uses {DEFAULT_STRATEGY} instead"
            )
        if self.raw is None:
            return f"{DEFAULT_STRATEGY} (Hermes' default; not set in config.yaml)"
        return self.effective


def strategy_state(config: dict[str, Any], pool_key: str) -> StrategyState:
    """What Hermes makes of ``credential_pool_strategies.<pool_key>``."""
    strategies = config.get(STRATEGIES_KEY) or {}
    raw = strategies.get(pool_key) if isinstance(strategies, dict) else None
    if raw is None or raw == "":
        return StrategyState(None, DEFAULT_STRATEGY, False)
    normalized = str(raw).strip().lower()
    if normalized in STRATEGIES:
        return StrategyState(raw, normalized, False)
    return StrategyState(raw, DEFAULT_STRATEGY, True)


def normalize_strategy(name: str) -> str:
    """The canonical strategy name for ``name`` (case and ``-``/``_`` forgiven)."""
    canonical = name.strip().lower().replace("-", "_")
    if canonical not in STRATEGIES:
        raise SetupError(f"unknown strategy {name!r}: choose one of {', '.join(STRATEGIES)}", exit_code=2)
    return canonical


def plan_nested_edit(config: ConfigFile, parent: str, key: str, value: str) -> str | None:
    """The new config.yaml text for ``<parent>.<key>: value``, or ``None`` when the
    file already says exactly that.

    The edit is verified: the new text must parse to exactly the old data with
    that one value changed, or :class:`StoreError` is raised and nothing is written.
    """
    current = config.data.get(parent)
    if current is not None and not isinstance(current, dict):
        raise StoreError(f"{config.path}: {parent} is a {type(current).__name__}, expected a mapping")
    if isinstance(current, dict) and current.get(key) == value:
        return None
    try:
        new_text = edit_nested_text(config.text or "", parent, key, value)
        parsed = yaml.safe_load(new_text) or {}
    except LayoutError as exc:
        raise StoreError(f"{config.path}: {exc}; nothing was written. Set {parent}.{key} by hand") from None
    except yaml.YAMLError:
        parsed = None
        new_text = ""
    expected = copy.deepcopy(config.data)
    if not isinstance(expected.get(parent), dict):
        expected[parent] = {}
    expected[parent][key] = value
    if parsed != expected:
        raise StoreError(
            f"{config.path} has a layout this tool cannot edit without risk; nothing was written. "
            f"Add `{yaml_key(key)}: {yaml_scalar(value)}` under `{parent}:` by hand"
        )
    return new_text


def plan_strategy_edit(config: ConfigFile, pool_key: str, strategy: str) -> str | None:
    """The new config.yaml text with ``credential_pool_strategies.<pool_key>`` set
    (``None`` when already set). Only canonical strategy names are written."""
    if strategy not in STRATEGIES:
        raise StoreError(f"refusing to write unknown strategy {strategy!r}")
    return plan_nested_edit(config, STRATEGIES_KEY, pool_key, strategy)


def write_config(config: ConfigFile, new_text: str) -> None:
    """Atomically replace config.yaml with ``new_text``, keeping its mode (0600 when new)."""
    mode = config.mode if config.mode is not None else 0o600
    write_atomic(config.path, new_text.encode("utf-8"), mode)


def set_config_value(home: Path, parent: str, key: str, value: str) -> bool:
    """Set ``<parent>.<key>`` in config.yaml, re-reading the file immediately
    before writing (never a stale snapshot). Returns whether it was written."""
    config = load_config(home)
    new_text = plan_nested_edit(config, parent, key, value)
    if new_text is None:
        return False
    write_config(config, new_text)
    return True


def set_strategy(home: Path, pool_key: str, strategy: str) -> bool:
    """Write ``credential_pool_strategies.<pool_key>: strategy`` into config.yaml
    (see :func:`set_config_value`). Returns whether the file was written."""
    if strategy not in STRATEGIES:
        raise StoreError(f"refusing to write unknown strategy {strategy!r}")
    return set_config_value(home, STRATEGIES_KEY, pool_key, strategy)
