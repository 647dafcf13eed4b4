"""Small key/value facts about a store: the vault it indexes, the model in use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from explorer.store.connection import write_transaction


def get_meta(db: Database, key: str, default: str = "") -> str:
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_meta(db: Database, key: str, value: str) -> None:
    with write_transaction(db):
        db.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def peek_meta(path: str | os.PathLike[str], key: str, default: str = "") -> str:
    """``key`` from the store at ``path`` without creating, migrating or locking it.

    For choices made before a run opens the store (the model it was indexed with);
    any problem with the file gives ``default`` and is left for ``open_db`` to report.
    """
    p = Path(path).expanduser()
    if not p.is_file() or p.stat().st_size == 0:
        return default
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return default
    return default if row is None else row[0]
