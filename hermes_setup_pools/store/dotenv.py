"""``$HERMES_HOME/.env`` as Hermes reads it, and the one rule for "which value
does ``.env`` or the process environment supply for this variable".

Every reader in the package (discovery, the pool table, the doctor, the key
check's base URL, numbered keys) asks :class:`Environment`, so they cannot
disagree. The rule is Hermes' ``get_env_prefer_dotenv`` (0.19 and newer): the
``.env`` value wins; an unresolved secret reference there (``op://…``) yields
to the value the process already has (Hermes resolves those into its
environment at start-up); otherwise the process environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

ENV_FILE = ".env"

#: Values in ``.env`` that name a secret elsewhere instead of holding it.
REFERENCE_PREFIXES = ("op://",)


def read_dotenv(home: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (optional ``export``, single or double quotes);
    empty when the file is missing or unreadable."""
    path = Path(home) / ENV_FILE
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        values[name.strip()] = _unquote(_strip_comment(value.strip()))
    return values


def _strip_comment(value: str) -> str:
    """An inline comment dropped as Hermes (0.22+, python-dotenv) drops it:
    after a closing quote, or after whitespace in an unquoted value."""
    if value[:1] in ("'", '"'):
        quote, i = value[0], 1
        while i < len(value):
            if quote == '"' and value[i] == "\\":
                i += 2
                continue
            if value[i] == quote:
                return value[: i + 1] if value[i + 1 :].lstrip().startswith("#") else value
            i += 1
        return value
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def env_line(name: str, value: str) -> str:
    """``NAME=value`` as Hermes writes it (``_quote_env_value``): double-quoted
    when the value holds ``#``, a quote or whitespace."""
    if value and ("#" in value or '"' in value or "'" in value or any(c.isspace() for c in value)):
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name}={value}"


def add_to_dotenv(home: Path, values: list[tuple[str, str]]) -> list[str]:
    """Append ``NAME=value`` lines to ``$HERMES_HOME/.env`` under Hermes' own
    lock (``.env.lock``), re-reading the file under it; returns the names written.

    Every other byte of the file (comments, order, other values) stays as it
    was; the file is replaced atomically, keeps its owner and is left 0600 (it
    holds keys). A name already set there to the same value is skipped; one set
    to another value meanwhile stops everything (:class:`StoreError`, nothing
    written). A file that is not UTF-8 text is never rewritten.
    """
    from .files import StoreError, owner_of, read_bytes, write_atomic
    from .lock import env_lock_path, file_lock

    path = Path(home) / ENV_FILE
    with file_lock(home, env_lock_path(home), holder="another Hermes process writing .env"):
        raw = read_bytes(path) or b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise StoreError(f"{path} is not UTF-8 text; nothing was written (fix it, then retry)") from None
        current = read_dotenv(home)
        lines = []
        for name, value in values:
            if name in current:
                if current[name] == value:
                    continue
                raise StoreError(f"{path}: {name} was set by another program meanwhile; nothing was written (run again "
                                 "to pick the next free name)")
            lines.append(env_line(name, value))
        if not lines:
            return []
        nl = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith(("\n", "\r")):
            text += nl
        text += nl.join(lines) + nl
        write_atomic(path, text.encode("utf-8"), 0o600, new_owner=owner_of(home))
        return [line.partition("=")[0] for line in lines]


def is_reference(value: str) -> bool:
    """True for a value that names a secret kept elsewhere (``op://vault/item/field``)."""
    return value.strip().startswith(REFERENCE_PREFIXES)


class EnvValue(tuple[str, str]):
    """A variable's value as Hermes would use it, and where it came from
    (``.env``, ``environment``, or ``""`` when unset): a pair, as the
    ``NamedTuple`` it was (written out: ``typing`` is not imported on a CI run)."""

    __slots__ = ()

    def __new__(cls, value: str, where: str) -> EnvValue:
        return tuple.__new__(cls, (value, where))

    @property
    def value(self) -> str:
        return self[0]

    @property
    def where(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"EnvValue(value={self[0]!r}, where={self[1]!r})"


class Environment:
    """``.env`` of one Hermes home plus the process environment, read once."""

    def __init__(self, home: Path, environ: Mapping[str, str] | None = None,
                 dotenv: Mapping[str, str] | None = None) -> None:
        self.home = Path(home)
        self.dotenv = dict(read_dotenv(home) if dotenv is None else dotenv)
        self.environ = os.environ if environ is None else environ

    def get(self, name: str) -> EnvValue:
        """What Hermes reads for ``name`` (see the module docstring)."""
        from_file = self.dotenv.get(name, "").strip()
        from_env = self.environ.get(name, "").strip()
        if from_file and not (is_reference(from_file) and from_env):
            return EnvValue(from_file, ".env")
        return EnvValue(from_env, "environment" if from_env else "")

    def value(self, name: str) -> str:
        """The value alone (``""`` when unset)."""
        return self.get(name).value

    def numbered(self, base: str) -> list[str]:
        """``base_2``, ``base_3`` … while each is set (Hermes stops at the first
        gap), as the Hermes releases that read numbered keys do."""
        names = []
        n = 2
        while self.value(f"{base}_{n}"):
            names.append(f"{base}_{n}")
            n += 1
        return names

    def expand(self, value: str) -> str:
        """``${VAR}`` in a config.yaml value replaced by the variable's value, as Hermes expands it."""
        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: self.value(m.group(1)), value).strip()
