"""``$HERMES_HOME/.env`` as Hermes reads it."""

from __future__ import annotations

import re
from pathlib import Path

ENV_FILE = ".env"


def read_dotenv(home: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (optional ``export``, single or double quotes);
    empty when the file is missing or unreadable."""
    path = Path(home) / ENV_FILE
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except (FileNotFoundError, IsADirectoryError, PermissionError):
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
