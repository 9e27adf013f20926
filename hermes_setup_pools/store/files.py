"""File safety shared by every writer: read without surprises, replace
atomically, keep the owner.

A replaced file must look to every reader like the old file or the new one,
never a mix, and must stay readable by the user whose Hermes owns it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SetupError


class StoreError(SetupError):
    """A Hermes file cannot be used safely; the message names the file and the problem."""


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, ``None`` when it does not exist; :class:`StoreError` otherwise."""
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
