"""Small key/value facts about a store: the vault it indexes, the model in use."""

from __future__ import annotations

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
