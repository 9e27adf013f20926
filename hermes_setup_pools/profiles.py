"""Every Hermes profile under one root, listed as the installed Hermes lists them.

Hermes keeps profiles in ``<root>/profiles/<name>``; ``default`` is the root
itself. Newer Hermes (0.22+) lists only folders that carry one of its identity
files and are not tombstoned (``list_profile_names``); 0.19 lists every folder
with a valid name (``list_profiles``). Hermes' own function is used when it is
importable; without Hermes, the newest rules are followed.

A profile with no entries of its own for a pool reads the root's pool instead
(Hermes' ``read_credential_pool``, 0.19 and newer): :func:`borrows_root_pool`
says when, so a table can say which store each row comes from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT = "default"
_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # compiled on first use (re caches it)
#: Files that make a folder under profiles/ a profile (Hermes 0.22+).
IDENTITY_FILES = ("config.yaml", ".env", "SOUL.md", "profile.yaml", "auth.json", "state.db")


class Profile(Record):
    """One profile: its name (``default`` for the root) and its Hermes home."""

    __slots__ = _fields = ("name", "home")

    name: str
    home: Path

    def __init__(self, name: str, home: Path) -> None:
        self.name = name
        self.home = home


def profile_name(home: Path, root: Path) -> str:
    """The name of the profile whose home is ``home`` (``default`` for the root or any other home)."""
    home = Path(home).absolute()
    return home.name if home.parent == Path(root).absolute() / "profiles" else DEFAULT


def root_of(home: Path) -> Path:
    """The root that holds ``home``: its parent's parent for a profile home, else ``home`` itself."""
    home = Path(home).absolute()
    return home.parent.parent if home.parent.name == "profiles" else home


def _names_from_hermes(root: Path) -> list[str] | None:
    """Hermes' own listing of the profiles under ``root`` (``None`` when it has none)."""
    try:
        from hermes_cli import profiles as hermes_profiles
    except Exception:
        return None
    saved = os.environ.get("HERMES_HOME")
    os.environ["HERMES_HOME"] = str(root)  # Hermes finds its root from HERMES_HOME
    try:
        names_only: Any = getattr(hermes_profiles, "list_profile_names", None)
        if callable(names_only):
            return [str(name) for name in names_only()]
        full: Any = getattr(hermes_profiles, "list_profiles", None)
        return [str(p.name) for p in full()] if callable(full) else None
    except Exception:
        return None
    finally:
        if saved is None:
            os.environ.pop("HERMES_HOME", None)
        else:
            os.environ["HERMES_HOME"] = saved


def _names_by_rules(root: Path) -> list[str]:
    folder = root / "profiles"
    names = [DEFAULT]
    if folder.is_dir():
        names += [
            entry.name for entry in sorted(folder.iterdir())
            if entry.is_dir() and entry.name != DEFAULT and re.match(_NAME, entry.name)
            and any((entry / marker).exists() or (entry / marker).is_symlink() for marker in IDENTITY_FILES)
            and not (folder / ".deleted" / entry.name).exists()
        ]
    return names


def all_profiles(root: Path) -> list[Profile]:
    """``default`` (the root) and every profile under it, in Hermes' order."""
    root = Path(root).absolute()
    names = _names_from_hermes(root)
    if names is None:
        names = _names_by_rules(root)
    return [Profile(name, root if name == DEFAULT else root / "profiles" / name) for name in names
            if name == DEFAULT or (root / "profiles" / name).is_dir()]


def borrows_root_pool(home: Path, root: Path, own_entries: list[Any], root_entries: list[Any]) -> bool:
    """True when Hermes reads ``root``'s pool for this profile: it has no
    entries of its own for the pool and the root has some."""
    return Path(home).absolute() != Path(root).absolute() and not own_entries and bool(root_entries)
