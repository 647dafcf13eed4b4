"""A first index sets the lookup indexes aside and builds them at the end, and fills the
search index per write group: same store, same schema, a search index that never lags
a commit, and the indexes come back after a failure or a crash."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import assert_fts_matches_claims, store_dump, write_vault

import explorer.indexing.pipeline as pipeline
from explorer.indexing.events import Summary
from explorer.indexing.stages import SemanticIndex
from explorer.store import bulk
from explorer.store.connection import open_db

NOTES = {
    f"n{i:02d}.md": (
        f"# Limits {i}\n\nLLMs cannot plan reliably over {i} steps. Not sure about this anymore."
        f"\n\n- Chain of thought helps large language models on arithmetic (Wei et al., 2022)."
        f"\n- See [[n{(i + 1) % 12:02d}]] and https://example.org/{i}.\n\n"
        "## References\n\n- Wei et al. Chain of thought prompting. "
        "https://arxiv.org/abs/2201.11903\n"
    )
    for i in range(12)
}


@pytest.fixture
def vault(tmp_path):
    root = tmp_path / "vault"
    write_vault(root, NOTES)
    return root


@pytest.fixture
def drops(monkeypatch):
    """How often the lookup indexes were set aside."""
    calls = []
    real = bulk.drop

    def drop(db):
        calls.append(1)
        real(db)

    monkeypatch.setattr(bulk, "drop", drop)
    return calls


def index(vault, db, stages=()):
    notes, vault_stages = SemanticIndex(vault).stages()
    events = list(
        pipeline.index_vault(vault, db, note_stages=[*notes, *stages], vault_stages=vault_stages)
    )
    assert isinstance(events[-1], Summary)
    return events[-1]


def schema(db_path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def test_the_list_is_what_the_migrations_create(tmp_path):
    db = open_db(tmp_path / "s.db")
    sql = dict(db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    db.close()
    for name, columns in bulk.LOOKUP_INDEXES.items():
        assert sql[name] == f"CREATE INDEX {name} ON {columns}"


def test_first_index_in_bulk_equals_the_plain_one(vault, tmp_path, monkeypatch, drops):
    plain, fast = tmp_path / "plain.db", tmp_path / "fast.db"
    monkeypatch.setattr(pipeline, "BULK_NOTES", 10**9)
    index(vault, plain)
    assert drops == []
    monkeypatch.setattr(pipeline, "BULK_NOTES", 1)
    summary = index(vault, fast)
    assert drops == [1]
    assert (summary.notes, summary.errors) == (12, 0)
    a, b = store_dump(plain), store_dump(fast)
    assert a == b
    assert a["concepts"] and a["mentions"] and a["refs"] and a["annotations"]
    assert schema(plain) == schema(fast)  # every index back, defined as before
    assert a["claims_fts"]  # the search index answers, as the plain one does
    store = open_db(fast)
    try:
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert_fts_matches_claims(store)
        found = store.conn.execute(
            "SELECT COUNT(*) FROM annotations_fts WHERE annotations_fts MATCH 'sure'"
        ).fetchone()[0]
        assert found == 12  # every note's annotation is searchable
    finally:
        store.close()


def test_a_store_with_notes_keeps_its_indexes(vault, tmp_path, monkeypatch, drops):
    monkeypatch.setattr(pipeline, "BULK_NOTES", 1)
    db = tmp_path / "s.db"
    index(vault, db)
    (vault / "n00.md").write_text("LLMs cannot count letters.\n", encoding="utf-8")
    (vault / "new.md").write_text("LLMs can write code.\n", encoding="utf-8")
    assert index(vault, db).indexed == 2
    assert drops == [1]  # only the first run, into the empty store


class Boom:
    """A note stage that stops the run (as Ctrl-C would) at its fifth note."""

    name = "boom"

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, db, parsed) -> None:
        self.seen += 1
        if self.seen == 5:
            raise KeyboardInterrupt


def test_a_run_that_stops_half_way_puts_the_indexes_back(vault, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BULK_NOTES", 1)
    db = tmp_path / "s.db"
    with pytest.raises(KeyboardInterrupt):
        index(vault, db, [Boom()])
    store = open_db(db)
    try:
        assert bulk.missing(store) == []
        assert store.conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 4
        assert_fts_matches_claims(store)  # the four notes written are searchable
    finally:
        store.close()


def test_the_next_run_mends_a_crash(vault, tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    index(vault, db)
    store = open_db(db)
    with store.conn:
        bulk.drop(store)  # what a process killed half-way through a first index leaves
    assert bulk.missing(store) == list(bulk.LOOKUP_INDEXES)
    store.close()
    assert index(vault, db).indexed == 0  # nothing changed, and yet
    store = open_db(db)
    try:
        assert bulk.missing(store) == []
        assert_fts_matches_claims(store)
    finally:
        store.close()
