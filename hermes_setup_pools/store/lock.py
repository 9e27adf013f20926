"""Hermes' locks: around every read-modify-write of auth.json an exclusive
``flock`` on the sibling file ``auth.lock``, around every write of ``.env``
one on ``.env.lock`` (Hermes 0.22+), each polled every 50 ms for 15 s.

Inside a Hermes process that already holds the lock in this thread (a plugin
running within one of Hermes' own locked sections), taking it again on a new
file descriptor would wait on ourselves for the whole timeout. Hermes' lock is
re-entrant per thread, so ours is too: it recognises Hermes' holder and joins it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import time
from pathlib import Path

from .files import StoreError, give_to, make_home, owner_of

LOCK_TIMEOUT = 15.0
LOCK_POLL = 0.05


def lock_path(home: Path) -> Path:
    """``$HERMES_HOME/auth.lock``: the lock Hermes takes around every auth.json write."""
    return Path(home) / "auth.lock"


def held_by_hermes_here(home: Path) -> bool:
    """True when this thread is inside Hermes' own auth-store lock for ``home``.

    Reads Hermes' private per-thread holder table (``hermes_cli.auth``,
    0.18–0.19); when a Hermes release renames it, this answers False and the
    lock is taken normally.
    """
    module = sys.modules.get("hermes_cli.auth")
    holders = getattr(module, "_auth_target_lock_holders", None)
    if not isinstance(holders, dict):
        return False
    key = str((Path(home) / "auth.json").resolve(strict=False))
    return int(getattr(holders.get(key), "depth", 0) or 0) > 0


class auth_lock:  # used as a function: `with auth_lock(home):`
    """Hold Hermes' exclusive lock on ``auth.lock`` (joined, not taken again,
    when this thread is inside Hermes' own locked section)."""

    def __init__(self, home: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.home, self.timeout = home, timeout
        self.held: file_lock | None = None

    def __enter__(self) -> None:
        if held_by_hermes_here(self.home):
            return  # this thread already holds it (Hermes' lock is re-entrant per thread)
        held = file_lock(self.home, lock_path(self.home), self.timeout,
                         "another Hermes process (a running gateway or hermes command)")
        held.__enter__()
        self.held = held

    def __exit__(self, *exc: object) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            held.__exit__(*exc)


def env_lock_path(home: Path) -> Path:
    """``$HERMES_HOME/.env.lock``: the lock Hermes (0.22+) takes around every ``.env`` write."""
    return Path(home) / ".env.lock"


class file_lock:  # used as a function: `with file_lock(home, path):`
    """Hold an exclusive ``flock`` on ``path`` in the Hermes home ``home``.

    Refuses a symlinked lock file rather than following it, creates a missing
    one owned like the Hermes home, and gives up after ``timeout`` seconds with
    a message naming who holds it. (A class rather than a generator: importing
    ``contextlib`` costs every run more than this.)
    """

    def __init__(self, home: Path, path: Path, timeout: float = LOCK_TIMEOUT, holder: str = "another process") -> None:
        self.home, self.path, self.timeout, self.holder = home, path, timeout, holder
        self.fd: int | None = None

    def __enter__(self) -> None:
        home, path, timeout, holder = self.home, self.path, self.timeout, self.holder
        refuse_link = f"{path} is a symbolic link; refusing to follow it (remove the link and retry)"
        if path.is_symlink():
            raise StoreError(refuse_link)
        make_home(home)
        owner = owner_of(home)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StoreError(refuse_link) from None
            raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from None
        try:
            if os.fstat(fd).st_uid != owner[0]:
                give_to(fd, owner)  # a lock file root created must stay openable by the home's owner
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"timed out after {timeout:g} s waiting for {path}: {holder} holds the lock; "
                            "retry when it has finished"
                        ) from None
                    time.sleep(LOCK_POLL)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
