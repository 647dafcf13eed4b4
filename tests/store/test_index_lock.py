"""The index lock file is removed when the lock is released (issue 15, point 10)."""

from __future__ import annotations

import os
import threading

import pytest

from explorer.indexing.pipeline import run_index
from explorer.store import IndexBusyError, index_lock
from explorer.store.lock import lock_path

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the lock file stays on Windows")


def test_no_lock_file_is_left_after_an_index(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("A claim of the note.\n")
    db = tmp_path / "store.db"
    run_index(vault, db)
    assert db.exists()
    assert not lock_path(db).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store.db")) in (
        ["store.db"],
        ["store.db", "store.db-shm", "store.db-wal"],
    )


def test_a_lock_file_left_by_a_killed_run_is_reused_and_removed(tmp_path):
    db = tmp_path / "store.db"
    lock_path(db).write_text("")  # what a killed indexer leaves behind
    with index_lock(db) as path:
        assert path.exists()
    assert not path.exists()


def test_a_waiting_run_locks_the_path_anew_after_the_file_was_removed(tmp_path):
    """B waits on A's file; A removes it on release; B must then hold the lock on the
    path, so that a third run C is refused (not given a fresh, unlocked file)."""
    db = tmp_path / "store.db"
    got_it, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_b() -> None:
        try:
            with index_lock(db, timeout=10):
                got_it.set()
                release.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with index_lock(db):
        b = threading.Thread(target=run_b)
        b.start()
        assert not got_it.wait(0.5)  # B is waiting on A's file
    assert got_it.wait(10)
    with pytest.raises(IndexBusyError), index_lock(db):  # C
        pass
    release.set()
    b.join(10)
    assert not errors
    assert not lock_path(db).exists()
