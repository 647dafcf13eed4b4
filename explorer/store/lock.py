"""One indexer per store: an advisory lock file beside the database.

SQLite already serialises writers, so two index runs could not corrupt the file, but
they would interleave and redo each other's work. ``<db>.index-lock`` is locked with the
operating system's advisory lock, which the kernel drops when the process dies, so a
killed indexer never leaves the store locked.

The lock file is removed when the lock is released (before unlocking, so no other run
can hold a lock on a file that is already gone): a run that was waiting on the removed
file sees, once it gets the lock, that the path no longer names the file it locked, and
starts again on the path. Only a killed indexer leaves the (empty) file behind, and the
next run reuses it. On Windows an open file cannot be removed, so the file stays there.

The name is not ``<db>.lock`` on purpose: the desktop window holds a QLockFile there
(one window per store), and the window's own index runs must not collide with it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from explorer.store.errors import IndexBusyError

if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".index-lock")


@contextlib.contextmanager
def index_lock(db_path: str | os.PathLike[str], timeout: float = 0.0) -> Iterator[Path]:
    """Hold the store's index lock; wait up to ``timeout`` seconds, then raise IndexBusyError."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"the index is busy: another explorer is indexing into {db_path} "
                        f"(lock {path}); try again when it finishes"
                    )
                time.sleep(0.1)
            if not _names_fd(path, fd):
                # The holder we waited for removed the file: lock the path anew.
                _unlock(fd)
                continue
            try:
                yield path
            finally:
                if os.name != "nt":
                    with contextlib.suppress(OSError):
                        path.unlink()
                _unlock(fd)
            return
        finally:
            os.close(fd)


def _names_fd(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the open file ``fd`` (not removed, not replaced)."""
    if os.name == "nt":  # pragma: no cover - the file is never removed there
        return True
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
