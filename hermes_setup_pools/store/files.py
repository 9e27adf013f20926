"""File safety shared by every writer: read without surprises, replace
atomically, keep the owner.

A replaced file must look to every reader like the old file or the new one,
never a mix, and must stay readable by the user whose Hermes owns it: a run as
root (``sudo``, ``docker exec``) over a user's home leaves every file owned by
that user.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import SetupError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
else:
    try:  # the C module behind `signal`: the same calls, without the enums `signal` builds on import
        import _signal as signal
    except ImportError:  # not CPython
        import signal


class StoreError(SetupError):
    """A Hermes file cannot be used safely; the message names the file and the problem."""


Owner = tuple[int, int]


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


def existing_ancestor(path: Path) -> Path:
    """``path`` itself when it exists, else its nearest existing parent."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def owner_of(path: Path) -> Owner:
    """(uid, gid) of ``path``, or of its nearest existing parent when it does not exist yet."""
    st = os.stat(existing_ancestor(path))
    return st.st_uid, st.st_gid


def user_name(uid: int) -> str:
    """The login name for ``uid`` (``uid N`` when there is none)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return f"uid {uid}"


def give_to(fd_or_path: int | Path, owner: Owner | None) -> None:
    """Hand a file we just created to ``owner`` (only root can, and only root needs to)."""
    if owner is None or os.geteuid() != 0 or owner == (os.geteuid(), os.getegid()):
        return
    if isinstance(fd_or_path, int):
        os.fchown(fd_or_path, *owner)
    else:
        os.chown(fd_or_path, *owner, follow_symlinks=False)


def make_home(home: Path) -> None:
    """Create the Hermes home (mode 0700, it holds secrets) owned like its
    parent directory; parents that did not exist are made 0700 too."""
    home = Path(home)
    if home.is_dir():
        return
    owner = owner_of(home)
    missing = []
    probe = Path(os.path.abspath(home))
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    try:
        for directory in reversed(missing):
            directory.mkdir(mode=0o700, exist_ok=True)
            give_to(directory, owner)
    except OSError as exc:
        raise StoreError(f"cannot create {home}: {exc.strerror or exc}") from None


def _write_all(fd: int, payload: bytes | Iterable[str]) -> None:
    if isinstance(payload, bytes):
        chunks: Iterable[bytes] = (payload,)
    else:
        # Text in pieces (a JSON encoder's output): written in batches, so a
        # large file never exists in memory as one string and its bytes at once.
        pieces = iter(payload)
        chunks = iter(lambda: "".join(itertools.islice(pieces, 65536)).encode("utf-8"), b"")
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            written = os.write(fd, view)
            view = view[written:]


def write_atomic(target: Path, payload: bytes | Iterable[str], mode: int, *, new_owner: Owner | None = None) -> None:
    """Replace ``target`` with ``payload`` so that readers see the old or the new
    file, never a mix.

    A symlinked target is written through to the file it points at (the link
    stays a link). The replacement keeps the old file's owner and group; a new
    file gets ``new_owner`` (the Hermes home's owner). Any failure (full disk,
    quota, read-only file system, I/O error) raises :class:`StoreError` naming
    the file, with the original untouched and no temporary file left.
    """
    real = Path(os.path.realpath(target))
    directory = real.parent
    owner: Owner | None
    try:
        st = os.stat(real)
        owner = (st.st_uid, st.st_gid)
    except FileNotFoundError:
        owner = new_owner
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from None
    tmp = directory / f"{real.name}.tmp.{os.getpid()}.{os.urandom(8).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        try:
            _write_all(fd, payload)
            give_to(fd, owner)
            os.fchmod(fd, mode)  # exact mode whatever the umask
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {target}: {exc.strerror or exc}; it was left as it was") from None
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # the rename is done; a directory that cannot be fsynced (some network file systems) is not an error
    finally:
        os.close(dir_fd)


class signals_deferred:  # used as a function: `with signals_deferred():`
    """Hold SIGINT, SIGTERM and SIGHUP back while the block runs (they are
    delivered when it ends), so two files written together are never split.

    Two guards, because a signal mask is per thread: the main thread's mask
    holds them back there, and while the block runs a handler that only records
    them stands in for the usual one, for a signal the kernel hands to another
    thread (Hermes and the key check run threads). Both kinds are delivered,
    to the usual handlers, when the block ends."""

    def __init__(self) -> None:
        self.previous: set[int] | None = None
        self.handlers: dict[int, object] = {}
        self.pending: list[int] = []

    def _record(self, signum: int, frame: object) -> None:
        self.pending.append(signum)

    def __enter__(self) -> None:
        import threading

        held = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        if threading.current_thread() is threading.main_thread():  # handlers can be set only there
            for signum in held:
                try:
                    self.handlers[signum] = signal.signal(signum, self._record)
                except (OSError, ValueError, TypeError):
                    pass
        try:
            self.previous = signal.pthread_sigmask(signal.SIG_BLOCK, set(held))
        except (AttributeError, OSError, ValueError):
            self.previous = None  # no signal masks here: the recording handlers are the guard

    def __exit__(self, *exc: object) -> None:
        handlers, self.handlers = self.handlers, {}
        for signum, handler in handlers.items():
            if handler is not None:  # None: a handler set outside Python, which cannot be put back
                signal.signal(signum, handler)  # type: ignore[arg-type]
        if self.previous is not None:
            previous, self.previous = self.previous, None
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # what the mask held back arrives now
        pending, self.pending = self.pending, []
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)
