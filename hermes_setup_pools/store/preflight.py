"""Before the first question: can this run read and write the Hermes home as
its owner would want?

Checked up front, so a read-only home, a file that belongs to someone else or
a symbolic link into another user's files fails before anyone types a key.
Also removes what a killed writer left behind: temporary copies that may hold
keys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .dotenv import ENV_FILE
from .files import StoreError, existing_ancestor, owner_of, user_name
from .lock import auth_lock

_OUR_TEMP = r"\.tmp\.(\d+)\.[0-9a-f]{16}$"  # compiled on first use (re caches it)


def check_home(home: Path, files: Iterable[Path]) -> None:
    """Raise :class:`StoreError` unless this process can replace each of
    ``files`` in ``home`` and keep its owner.

    A non-root user may only write files (and a home) that are its own; root
    may write anything, and :mod:`.files` gives what it writes to the home's
    owner. A symbolic link is written through only when its target belongs to
    the home's owner.
    """
    home = Path(home)
    euid = os.geteuid()
    base = existing_ancestor(home)
    if not base.is_dir():
        raise StoreError(f"{base} is not a directory, so {home} cannot be a Hermes home")
    home_uid = owner_of(home)[0]
    if euid not in (0, home_uid):
        raise StoreError(_not_yours(base, home_uid))
    if not os.access(base, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write in {base}: {_why_not_writable(base)}")
    for path in files:
        target = path
        if path.is_symlink():
            target = Path(os.path.realpath(path))
            if target.exists() and os.stat(target).st_uid != home_uid:
                raise StoreError(
                    f"{path} is a symbolic link to {target}, which belongs to {user_name(os.stat(target).st_uid)}, "
                    f"not to the owner of {home} ({user_name(home_uid)}); refusing to write through it"
                )
        if not target.exists():
            continue
        st = os.stat(target)
        if euid not in (0, st.st_uid):
            raise StoreError(_not_yours(target, st.st_uid))
        if not os.access(target, os.R_OK):
            raise StoreError(f"cannot read {target}: permission denied")
        if target.parent != base and not os.access(target.parent, os.W_OK | os.X_OK):
            raise StoreError(f"cannot replace {target}: {_why_not_writable(target.parent)}")
        if not os.access(target, os.W_OK):
            raise StoreError(f"cannot replace {target}: {_why_not_writable(target)}")


def _not_yours(path: Path, uid: int) -> str:
    name = user_name(uid)
    return (
        f"{path} belongs to {name}, and files written now would not; run this as {name} "
        f"(for example `sudo -u {name} hermes-setup-pools …`) or as root"
    )


def _why_not_writable(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "the file system is read-only"
    except OSError:
        pass
    return "permission denied"


def leftovers(home: Path, auth_file: Path, config_file: Path) -> list[Path]:
    """The temporary copies killed writers left behind (they may hold keys).

    auth.json's: every ``auth.json.tmp.*``, since every writer (Hermes and us)
    holds Hermes' lock while its temporary file exists, so one found outside
    a write is a leftover. config.yaml's and ``.env``'s: only our own pattern
    whose process is gone (Hermes' own writers may be at work on them).
    """
    found = _temporaries(Path(os.path.realpath(auth_file)))
    for path in (config_file, Path(home) / ENV_FILE):
        found += _abandoned(path)
    return found


def remove_leftovers(home: Path, auth_file: Path, config_file: Path) -> list[str]:
    """Remove what :func:`leftovers` finds; returns the names removed
    (auth.json's while holding Hermes' lock, found again under it)."""
    removed: list[str] = []
    auth_real = Path(os.path.realpath(auth_file))
    if _temporaries(auth_real):
        with auth_lock(home):
            for leftover in _temporaries(auth_real):
                removed += _unlink(leftover)
    for path in (config_file, Path(home) / ENV_FILE):
        for leftover in _abandoned(path):
            removed += _unlink(leftover)
    return removed


def _abandoned(path: Path) -> list[Path]:
    """Our own temporary copies of ``path`` whose writer is gone."""
    found = []
    for leftover in _temporaries(Path(os.path.realpath(path))):
        match = re.search(_OUR_TEMP, leftover.name)
        if match and not _running(int(match.group(1))):
            found.append(leftover)
    return found


def _temporaries(path: Path) -> list[Path]:
    """The files named ``<path's name>.tmp.*`` next to it: what ``glob`` finds,
    without compiling a pattern for it on every run."""
    prefix = f"{path.name}.tmp."
    try:
        with os.scandir(path.parent) as entries:
            return [path.parent / entry.name for entry in entries if entry.name.startswith(prefix)]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []


def _unlink(path: Path) -> list[str]:
    try:
        path.unlink()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(f"cannot remove the leftover {path} (it may hold a key): {exc.strerror or exc}") from None
    return [path.name]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
