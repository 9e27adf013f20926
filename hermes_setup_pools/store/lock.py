"""Hermes' lock around every read-modify-write of auth.json: an exclusive
``flock`` on the sibling file ``auth.lock``, polled every 50 ms for 15 s."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .files import StoreError

LOCK_TIMEOUT = 15.0
LOCK_POLL = 0.05


def lock_path(home: Path) -> Path:
    """``$HERMES_HOME/auth.lock``: the lock Hermes takes around every auth.json write."""
    return Path(home) / "auth.lock"


@contextmanager
def auth_lock(home: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold Hermes' exclusive lock on ``auth.lock``.

    Refuses a symlinked lock file rather than following it, and gives up after
    ``timeout`` seconds with a message saying another process holds the lock.
    """
    path = lock_path(home)
    refuse_link = f"{path} is a symbolic link; refusing to follow it (remove the link and retry)"
    if path.is_symlink():
        raise StoreError(refuse_link)
    Path(home).mkdir(mode=0o700, parents=True, exist_ok=True)  # a new home holds secrets: owner only
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(refuse_link) from None
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"timed out after {timeout:g} s waiting for {path}: another Hermes process "
                        "(a running gateway or hermes command) holds the lock; retry when it has finished"
                    ) from None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
