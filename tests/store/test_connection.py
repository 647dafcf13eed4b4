"""Opening a store: creation, pragmas, refusals that leave a file untouched, threads."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from explorer.store import (
    NotAStoreError,
    NotSQLiteError,
    PerThread,
    SchemaTooNewError,
    StoreMissingError,
    open_db,
    schema_version,
)
from explorer.store.migrations import MIGRATIONS, current_version, migrate


def test_new_store_has_schema_wal_and_busy_timeout(tmp_path):
    db = open_db(tmp_path / "sub" / "s.db")
    assert current_version(db) == schema_version() == len(MIGRATIONS)
    assert db.journal_mode == "wal"
    assert db.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    for table in ("notes", "sections", "claims", "links", "claims_fts", "meta"):
        assert db[table].exists(), table
    for table in ("user_kinds", "user_annotations", "user_hidden"):
        assert db[table].exists(), table
    db.close()


def test_reopening_does_not_migrate_again(tmp_path):
    open_db(tmp_path / "s.db").close()
    db = open_db(tmp_path / "s.db")
    assert migrate(db) == []
    db.close()


def test_missing_store_is_not_created_when_reading(tmp_path):
    with pytest.raises(StoreMissingError, match="no claim store at .*nope.db"):
        open_db(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_refuses_a_file_that_is_not_sqlite_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "notes.db"
    original = b"this is my shopping list, not a database\n" * 100
    path.write_bytes(original)
    with pytest.raises(NotSQLiteError, match="notes.db is not an SQLite database"):
        open_db(path)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no -wal, no -shm


def _newer_store(path, version):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (path TEXT)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_refuses_a_schema_newer_than_the_code_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "future.db"
    _newer_store(path, schema_version() + 1)
    original = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match=r"future.db has schema version \d+, newer"):
        open_db(path)
    assert path.read_bytes() == original
    assert not (tmp_path / "future.db-wal").exists()


def test_refuses_another_programs_sqlite_database(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    original = path.read_bytes()
    with pytest.raises(NotAStoreError, match="another program .*invoices"):
        open_db(path)
    assert path.read_bytes() == original


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    db = open_db(path)
    assert current_version(db) == schema_version()
    db.close()


def test_adding_a_migration_is_appending_a_function(tmp_path):
    def m_extra(db):
        db.conn.execute("CREATE TABLE kinds (claim_id TEXT, note TEXT, kind TEXT)")

    db = open_db(tmp_path / "s.db")
    assert migrate(db, [*MIGRATIONS, m_extra]) == [len(MIGRATIONS) + 1]
    assert current_version(db) == len(MIGRATIONS) + 1
    assert db["kinds"].exists()
    db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path):
    def broken(db):
        db.conn.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    db = open_db(tmp_path / "s.db")
    with pytest.raises(RuntimeError):
        migrate(db, [*MIGRATIONS, broken])
    assert current_version(db) == len(MIGRATIONS)
    assert not db["half"].exists()
    db.close()


def test_a_connection_does_not_cross_threads_but_per_thread_gives_each_its_own(tmp_path):
    db = open_db(tmp_path / "s.db")
    errors, ids = [], []

    def use_foreign():
        try:
            db.conn.execute("SELECT 1")
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    t = threading.Thread(target=use_foreign)
    t.start()
    t.join()
    assert errors, "sqlite3 should refuse a connection made on another thread"

    stores = PerThread(tmp_path / "s.db")

    def use_own():
        own = stores.get()
        own.conn.execute("SELECT COUNT(*) FROM notes").fetchone()
        ids.append(id(own))
        stores.close()

    threads = [threading.Thread(target=use_own) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 3
    db.close()
