"""What Hermes' own settings say about us: is the plugin enabled, is Hermes in
safe mode, and which home is Hermes using. Standard library only until
config.yaml really has to be parsed."""

from __future__ import annotations

import os
from pathlib import Path

from .. import HERMES_PLUGIN_NAME

_TRUTHY = {"1", "true", "yes", "on"}


def safe_mode() -> bool:
    """``HERMES_SAFE_MODE`` is set (Hermes then loads no plugins)."""
    return os.environ.get("HERMES_SAFE_MODE", "").strip().lower() in _TRUTHY


def plugin_enabled(hermes_home: os.PathLike[str] | str) -> bool:
    """True when config.yaml lists ``setup-pools`` in ``plugins.enabled`` (and not
    in ``plugins.disabled``), the way ``hermes plugins enable`` records it."""
    try:
        with open(os.path.join(hermes_home, "config.yaml"), encoding="utf-8") as handle:
            text = handle.read()
        if HERMES_PLUGIN_NAME not in text:
            return False  # the common case for a disabled plugin: no YAML parse at all
        import yaml  # Hermes is running, so its dependencies are importable

        # libyaml's loader when present (as Hermes reads config.yaml): the pure-Python
        # one would cost every `hermes setup` several milliseconds here.
        config = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except Exception:
        return False
    plugins = config.get("plugins") if isinstance(config, dict) else None
    if not isinstance(plugins, dict):
        return False
    enabled = plugins.get("enabled") or []
    disabled = plugins.get("disabled") or []
    return (
        isinstance(enabled, list)
        and HERMES_PLUGIN_NAME in enabled
        and not (isinstance(disabled, list) and HERMES_PLUGIN_NAME in disabled)
    )


def current_hermes_home() -> Path:
    """Hermes' own idea of its home (profile-aware), else ``$HERMES_HOME`` / ``~/.hermes``."""
    try:
        from hermes_constants import get_hermes_home

        return Path(get_hermes_home())
    except Exception:
        env = os.environ.get("HERMES_HOME", "").strip()
        return Path(env).expanduser() if env else Path.home() / ".hermes"
