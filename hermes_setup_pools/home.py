"""Which Hermes home a command works on, resolved the way Hermes resolves it.

Order: ``--hermes-home DIR``; ``--profile NAME`` (``<root>/profiles/NAME``);
``HERMES_HOME`` when it names a profile directory; the sticky profile in
``<root>/active_profile`` (``hermes profile use NAME``); ``HERMES_HOME``;
``~/.hermes``. The root is ``~/.hermes``, or ``HERMES_HOME`` when that lies
elsewhere (Docker's ``/opt/data``), or the parent of a profile directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import UsageError
from .keys.detect import looks_like_secret, quoted

_PROFILE_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # compiled on first use (re caches it)


def default_home() -> Path:
    """``~/.hermes``."""
    return Path.home() / ".hermes"


def hermes_root() -> Path:
    """The directory that holds ``profiles/`` and ``active_profile``."""
    env = os.environ.get("HERMES_HOME", "").strip()
    if not env:
        return default_home()
    path = Path(env).expanduser()
    if path.parent.name == "profiles":
        return path.parent.parent
    try:
        path.resolve().relative_to(default_home().resolve())
        return default_home()
    except ValueError:
        return path


def _active_profile(root: Path) -> str | None:
    try:
        name = (root / "active_profile").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name and name != "default" and re.match(_PROFILE_NAME, name) else None


def profile_home(name: str) -> Path:
    """``<root>/profiles/<name>`` (``default`` is the root itself)."""
    if looks_like_secret(name):  # before lower-casing it: a lower-cased key no longer looks like one
        raise UsageError("--profile takes a profile name, and that argument looks like an API key; "
                         "keys are never accepted on the command line")
    canonical = name.strip().lower()
    if not re.match(_PROFILE_NAME, canonical):
        raise UsageError(f"{quoted(name)} is not a profile name (lower-case letters, digits, '-' and '_')")
    root = hermes_root()
    if canonical == "default":
        return root
    home = root / "profiles" / canonical
    if not home.is_dir():
        raise UsageError(f"profile {canonical!r} does not exist; create it with: hermes profile create {canonical}")
    return home


def resolve_home(explicit: str | None = None, profile: str | None = None) -> Path:
    """The Hermes home for ``--hermes-home`` / ``--profile`` / the environment."""
    if explicit:
        if any(looks_like_secret(part) for part in Path(explicit).parts):
            raise UsageError("--hermes-home takes a directory, and that argument looks like an API key; "
                             "keys are never accepted on the command line")
        return Path(explicit).expanduser().absolute()
    if profile:
        return profile_home(profile).absolute()
    env = os.environ.get("HERMES_HOME", "").strip()
    if env and Path(env).parent.name == "profiles":
        return Path(env).expanduser().absolute()
    active = _active_profile(hermes_root())
    if active and (hermes_root() / "profiles" / active).is_dir():
        return (hermes_root() / "profiles" / active).absolute()
    return Path(env).expanduser().absolute() if env else default_home()


def hermes_command(home: Path, *args: str) -> str:
    """A ``hermes …`` command line that works on ``home`` when pasted: with
    ``-p NAME`` for a profile, ``HERMES_HOME=…`` for any other non-default home."""
    import shlex

    line = shlex.join(["hermes", *args])
    home = Path(home).absolute()
    if home == resolve_home():
        return line
    root = hermes_root().absolute()
    if home.parent == root / "profiles":
        return shlex.join(["hermes", "-p", home.name, *args])
    return f"HERMES_HOME={shlex.quote(str(home))} {line}"


def our_command(home: Path, *args: str) -> str:
    """A ``hermes-setup-pools …`` command line for ``home`` (``--hermes-home`` added when needed)."""
    import shlex

    extra = [] if Path(home).absolute() == resolve_home() else ["--hermes-home", str(home)]
    return shlex.join(["hermes-setup-pools", *args, *extra])
