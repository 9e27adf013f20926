"""config.yaml: read and check it, and change one nested value in place.

Only the characters of the value change (see :mod:`.yaml_edit`); the new text
is parsed back and must equal the old data with exactly that one value
changed, or nothing is written. Comments, key order and quoting are the user's.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..record import Record
from .files import StoreError, owner_of, read_bytes, write_atomic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import yaml

CONFIG_FILE = "config.yaml"


def config_path(home: Path) -> Path:
    """``$HERMES_HOME/config.yaml``."""
    return Path(home) / CONFIG_FILE


class ConfigFile(Record):
    """config.yaml as read: its text (``None`` when missing), parsed data, mode."""

    __slots__ = _fields = ("path", "text", "data", "mode", "bom")

    path: Path
    text: str | None
    data: dict[str, Any]
    mode: int | None
    bom: bool  # the file starts with a UTF-8 byte-order mark (kept when written back)

    def __init__(self, path: Path, text: str | None, data: dict[str, Any], mode: int | None, bom: bool = False) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.mode = mode
        self.bom = bom

    def mapping(self, key: str) -> dict[str, Any]:
        """The top-level mapping ``key`` (empty when unset); :class:`StoreError`
        when it holds something else."""
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise StoreError(f"{self.path}: {key} is a {type(value).__name__}, expected a mapping")
        return value


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> StoreError:
    # str(exc) quotes the offending lines, which may hold an api_key: use only
    # the position and the parser's description of the problem.
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(exc, "problem", None) or type(exc).__name__
    return StoreError(f"{path} is not valid YAML{where}: {problem}; fix it and retry")


def load_config(home: Path, known: ConfigFile | None = None) -> ConfigFile:
    """Read and check config.yaml. A missing or comment-only file reads as ``{}``.

    Raises :class:`StoreError` for an unreadable file, invalid YAML, or a root
    that is not a mapping. ``known``: the file as read before; when it still
    holds the same text, its parsed data is taken instead of parsing it again.
    PyYAML is imported only when there is text to parse.
    """
    path = config_path(home)
    raw = read_bytes(path)
    if raw is None:
        return ConfigFile(path, None, {}, None)
    bom = raw.startswith(b"\xef\xbb\xbf")  # an editor's byte-order mark: Hermes reads past it
    try:
        text = raw[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{path} is not UTF-8 text") from None
    if known is not None and known.text == text and known.path == path:
        data: Any = known.data
    elif text.strip(" \r\n"):
        import yaml

        from .yaml_edit import load

        try:
            data = load(text)
        except yaml.YAMLError as exc:
            raise _yaml_problem(path, exc) from None
    else:
        data = None  # nothing but blank lines: what PyYAML makes of it
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StoreError(f"{path}: the top level is a {type(data).__name__}, expected a mapping")
    mode = os.stat(path).st_mode & 0o7777
    return ConfigFile(path, text, data, mode, bom)


def value_at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` in parsed config data (``None`` when any part is missing)."""
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def plan_nested_edit(config: ConfigFile, parent: str, key: str, value: str) -> str | None:
    """The new config.yaml text for ``<parent>.<key>: value`` (see :func:`plan_path_edit`)."""
    config.mapping(parent)  # a parent that is not a mapping is refused with its own message
    return plan_path_edit(config, (parent, key), value)


def plan_path_edit(config: ConfigFile, path: tuple[str, ...], value: str) -> str | None:
    """The new config.yaml text with ``value`` at ``path`` (``secrets.onepassword.env.VAR``),
    or ``None`` when the file already says exactly that.

    Raises :class:`StoreError` (and nothing may be written) unless the new text
    parses to exactly the old data with that one value changed.
    """
    parent = value_at(config.data, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] == value:
        return None
    # A commit plans its edit before writing anything and plans it again under
    # the lock; when the file has not changed, the edit checked then stands.
    checked = (config.text, path, value)
    if checked in _checked:
        return _checked[checked]
    new_text = _checked_edit(config, path, value)
    _checked.clear()  # only the last one is ever asked for again
    _checked[checked] = new_text
    return new_text


#: The last edit :func:`plan_path_edit` checked: (old text, path, value) → new text.
_checked: dict[tuple[str | None, tuple[str, ...], str], str] = {}


def _checked_edit(config: ConfigFile, path: tuple[str, ...], value: str) -> str:
    import copy

    import yaml

    from .yaml_edit import LayoutError, edit_path_text, load, yaml_scalar

    where = ".".join(path)
    by_hand = f"Set it by hand: {where} = {yaml_scalar(value)}"
    try:
        new_text = edit_path_text(config.text or "", path, value)
        parsed = load(new_text) or {}
    except LayoutError as exc:
        raise StoreError(f"{config.path}: {exc}; nothing was written. {by_hand}") from None
    except yaml.YAMLError:
        parsed = None
    expected = copy.deepcopy(config.data)
    node = expected
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    if parsed != expected:
        raise StoreError(f"{config.path} has a layout this tool cannot edit without risk; nothing was written. {by_hand}")
    return new_text


def write_config(config: ConfigFile, new_text: str) -> None:
    """Atomically replace config.yaml with ``new_text``, keeping its mode (0600 when new)."""
    mode = config.mode if config.mode is not None else 0o600
    payload = (b"\xef\xbb\xbf" if config.bom else b"") + new_text.encode("utf-8")
    write_atomic(config.path, payload, mode, new_owner=owner_of(config.path.parent))


_UNSET = object()


def set_config_value(home: Path, parent: str, key: str, value: str, *, expect: Any = _UNSET,
                     known: ConfigFile | None = None) -> bool:
    """Set ``<parent>.<key>`` in config.yaml (see :func:`set_config_path`)."""
    return set_config_path(home, (parent, key), value, expect=expect, known=known)


def set_config_path(home: Path, path: tuple[str, ...], value: str, *, expect: Any = _UNSET,
                    known: ConfigFile | None = None) -> bool:
    """Set the value at ``path`` in config.yaml. Returns whether it was written.

    Our writers of config.yaml take Hermes' lock (``auth.lock``) and re-read the
    file under it, so two runs setting two different keys both land (Hermes'
    own ``save_config`` only locks within its process). With ``expect``, the
    value is written only if the file still holds ``expect`` there (a fix
    decided before a question is not applied to a file changed meanwhile).
    ``known``: the file as read before (not parsed again while its text is the same).
    """
    from .lock import auth_lock

    with auth_lock(home):
        config = load_config(home, known)
        if len(path) == 2:
            config.mapping(path[0])
        if expect is not _UNSET and value_at(config.data, path) != expect:
            return False
        new_text = plan_path_edit(config, path, value)
        if new_text is None:
            return False
        write_config(config, new_text)
        return True
