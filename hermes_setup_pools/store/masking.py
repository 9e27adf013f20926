"""Hermes files rendered with every secret masked, for ``--dry-run`` diffs."""

from __future__ import annotations

import json
import re
from typing import Any

from ..keys import mask

_SECRET_FIELD = re.compile(r"(token|key|secret|password|credential)", re.IGNORECASE)
_YAML_SECRET_LINE = re.compile(r"^(\s*-?\s*[\w.-]*(?:key|token|secret|password)[\w.-]*\s*:\s*)(\S.*)$", re.IGNORECASE)


def render_auth(data: dict[str, Any] | None) -> str:
    """auth.json as Hermes writes it, with every secret value masked."""

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


def render_config(text: str) -> str:
    """config.yaml text with secret-looking values masked."""
    return "".join(
        _YAML_SECRET_LINE.sub(lambda m: m.group(1) + mask(m.group(2).strip("'\"")), line.rstrip("\r\n")) + "\n"
        for line in text.splitlines(keepends=True)
    )
