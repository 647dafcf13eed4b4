"""Open a claim store safely, and write to it one transaction at a time.

Opening checks the file before anything is written to it: a file that is not SQLite,
an SQLite file of another program, or a store written by a newer explorer is refused
with an error naming the file, and its bytes are left exactly as they were.

A ``sqlite_utils.Database`` belongs to the thread that opened it (sqlite3 raises
if it crosses threads): open one per thread, or use :class:`PerThread`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from explorer.store import migrations
from explorer.store.errors import (
    NotAStoreError,
    NotSQLiteError,
    SchemaTooNewError,
    StoreMissingError,
)

SQLITE_MAGIC = b"SQLite format 3\x00"

# How long a writer waits for another one before SQLITE_BUSY. Index runs hold their
# write lock for one note at a time, so a GUI correction waits milliseconds.
BUSY_TIMEOUT_MS = 10_000


CACHE_KIB = 64 * 1024


def open_db(path: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (and create or migrate) the store at ``path``.

    Raises :class:`NotSQLiteError`, :class:`NotAStoreError`, :class:`SchemaTooNewError`,
    or :class:`StoreMissingError` (when ``create`` is false and there is no file).
    """
    path = Path(path).expanduser()
    exists = path.exists()
    if not exists and not create:
        raise StoreMissingError(f"no claim store at {path}: run `explorer index VAULT` first")
    if exists:
        check_file(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        if exists:
            _check_schema(conn, path)  # before the first write, WAL included
        db = Database(conn, execute_plugins=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        # Under WAL, NORMAL loses at most the last commits on power loss, never integrity;
        # it saves an fsync per note transaction.
        conn.execute("PRAGMA synchronous = NORMAL")
        # Claim ids are hashes, so inserts land all over the indexes; with SQLite's
        # default 2 MB page cache a large vault's index pages are read back from disk on
        # nearly every insert. 64 MiB (an upper bound, used as needed) keeps them in memory.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        migrations.migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def check_store(path: str | os.PathLike[str]) -> None:
    """Refuse, without writing anything, a file that ``open_db`` would refuse.

    A missing or empty file passes (it will become a store).
    """
    path = Path(path).expanduser()
    if not path.exists() or path.stat().st_size == 0:
        return
    check_file(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_schema(conn, path)
    finally:
        conn.close()


def check_file(path: Path) -> None:
    """Refuse a non-empty file whose header is not SQLite's. Reads 16 bytes, writes none."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise NotSQLiteError(f"{path} is not an SQLite database; it was left unchanged")


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as err:
        raise NotSQLiteError(f"{path} is not a readable SQLite database ({err})") from None
    newest = migrations.schema_version()
    if version > newest:
        raise SchemaTooNewError(
            f"{path} has schema version {version}, newer than this explorer knows "
            f"({newest}); update explorer to open it. The file was left unchanged."
        )
    if version == 0 and tables:
        raise NotAStoreError(
            f"{path} is an SQLite database of another program (tables: "
            f"{', '.join(sorted(tables)[:5])}); it was left unchanged"
        )


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at once (``BEGIN IMMEDIATE``).

    Taking it up front means a concurrent writer waits on the busy timeout instead of
    failing half-way when a read transaction tries to upgrade. Nested use becomes a
    savepoint, so a stage may call helpers that open their own transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


class PerThread:
    """One open store per thread, for a GUI that reads from several threads.

    >>> import tempfile, os
    >>> stores = PerThread(os.path.join(tempfile.mkdtemp(), "x.db"))
    >>> stores.get() is stores.get()
    True
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self.create = create
        self._local = threading.local()

    def get(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path, create=self.create)
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection (others close their own)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
