"""Writing a note replaces exactly its own rows, atomically, with search kept in sync."""

from __future__ import annotations

import pytest
from helpers import assert_fts_matches_claims, line_parser

from explorer.store import delete_note, search, set_kind, write_note
from explorer.store.notes import derived_note_tables, note_states, text_hash, touch_note

A = "# Intro\nLLMs memorize programs.\n- They interpolate between them.\n  - Sub item about [[B]].\n"
B = "Transformers attend to tokens.\nSee https://example.org for more.\n"


def put(db, path, text, **kw):
    return write_note(db, line_parser(text, path), size=len(text), mtime_ns=1, sha="h", **kw)


def rows(db, table, note):
    return db.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE note = ?", (note,)).fetchone()[0]


def test_write_stores_note_sections_claims_links(db):
    assert put(db, "a.md", A) == 3
    note = db["notes"].get("a.md")
    assert note["claim_count"] == 3 and note["title"] == "a" and note["size"] == len(A)
    assert rows(db, "sections", "a.md") == 1
    assert rows(db, "claims", "a.md") == 3
    links = list(db["links"].rows_where("note = ?", ["a.md"]))
    assert [(k["target"], k["kind"], k["line"]) for k in links] == [("B", "wikilink", 4)]
    claims = list(db.query("SELECT text, parent_id, section_id FROM claims ORDER BY position"))
    assert claims[2]["parent_id"] is not None and claims[0]["section_id"] is not None


def test_replacing_a_note_touches_no_other_note(db):
    put(db, "a.md", A)
    put(db, "b.md", B)
    before_b = list(db.query("SELECT seq, id, text FROM claims WHERE note = 'b.md'"))
    put(db, "a.md", "A completely new sentence.\n")
    assert [r["text"] for r in db.query("SELECT text FROM claims WHERE note='a.md'")] == [
        "A completely new sentence."
    ]
    assert rows(db, "sections", "a.md") == 0 and rows(db, "links", "a.md") == 0
    assert list(db.query("SELECT seq, id, text FROM claims WHERE note = 'b.md'")) == before_b


def test_search_index_follows_replace_and_delete(db):
    put(db, "a.md", A)
    assert [h.note for h in search(db, "memorize")] == ["a.md"]
    put(db, "a.md", "Nothing about that any more.\n")
    assert search(db, "memorize") == []
    assert [h.note for h in search(db, "nothing")] == ["a.md"]
    delete_note(db, "a.md")
    assert search(db, "nothing") == []
    assert_fts_matches_claims(db)


def test_a_failing_stage_rolls_back_the_whole_note(db):
    put(db, "a.md", A)
    before = list(db.query("SELECT * FROM claims ORDER BY seq"))

    def broken_stage(database, parsed):
        database.conn.execute("UPDATE notes SET title = 'half' WHERE path = ?", (parsed.path,))
        raise RuntimeError("stage failed")

    with pytest.raises(RuntimeError):
        put(db, "a.md", "Entirely different text.\n", stages=[broken_stage])
    assert list(db.query("SELECT * FROM claims ORDER BY seq")) == before
    assert db["notes"].get("a.md")["title"] == "a"
    assert not db.conn.in_transaction


def test_stages_run_inside_the_note_transaction_and_their_rows_follow_the_note(db):
    db.conn.execute("CREATE TABLE kinds (claim_id TEXT, note TEXT, kind TEXT)")
    assert "kinds" in derived_note_tables(db)

    def kinds_stage(database, parsed):
        assert database.conn.in_transaction
        database.conn.executemany(
            "INSERT INTO kinds VALUES (?, ?, 'assertion')",
            [(c.id, parsed.path) for c in parsed.claims],
        )

    put(db, "a.md", A, stages=[kinds_stage])
    assert rows(db, "kinds", "a.md") == 3
    put(db, "a.md", "One claim now.\n", stages=[kinds_stage])
    assert rows(db, "kinds", "a.md") == 1  # old rows cleared with no code in the store
    delete_note(db, "a.md")
    assert rows(db, "kinds", "a.md") == 0


def test_delete_keeps_user_rows(db):
    put(db, "a.md", A)
    claim = db.conn.execute("SELECT id FROM claims WHERE note='a.md' LIMIT 1").fetchone()[0]
    set_kind(db, claim, "limitation")
    delete_note(db, "a.md")
    assert db["notes"].count == 0 and db["claims"].count == 0
    assert db["user_kinds"].count == 1


def test_touch_updates_only_the_stat(db):
    put(db, "a.md", A)
    touch_note(db, "a.md", size=99, mtime_ns=42)
    state = note_states(db)["a.md"]
    assert (state.size, state.mtime_ns, state.sha) == (99, 42, "h")
    assert rows(db, "claims", "a.md") == 3


def test_text_hash_ignores_whitespace_only():
    assert text_hash("LLMs  memorize\nprograms. ") == text_hash("LLMs memorize programs.")
    assert text_hash("LLMs memorize programs.") != text_hash("LLMs memorise programs.")


def test_a_stage_may_drop_claims_and_count_and_search_follow(db):
    def drop_annotations(database, parsed):
        database.conn.execute(
            "DELETE FROM claims WHERE note = ? AND text LIKE 'They%'", (parsed.path,)
        )

    assert put(db, "a.md", A, stages=[drop_annotations]) == 2
    assert db["notes"].get("a.md")["claim_count"] == 2
    assert search(db, "interpolate") == []
    assert [h.note for h in search(db, "memorize")] == ["a.md"]
    put(db, "a.md", A, stages=[drop_annotations])
    delete_note(db, "a.md")
    assert_fts_matches_claims(db)
