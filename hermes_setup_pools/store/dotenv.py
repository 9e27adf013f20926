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
from typing import NamedTuple

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
        values[name.strip()] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def is_reference(value: str) -> bool:
    """True for a value that names a secret kept elsewhere (``op://vault/item/field``)."""
    return value.strip().startswith(REFERENCE_PREFIXES)


class EnvValue(NamedTuple):
    """A variable's value as Hermes would use it, and where it came from
    (``.env``, ``environment``, or ``""`` when unset)."""

    value: str
    where: str


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
