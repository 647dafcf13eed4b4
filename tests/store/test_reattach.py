"""User rows survive every re-index and follow their claim's text to its new id."""

from __future__ import annotations

from helpers import positional_parser

from explorer.indexing.pipeline import run_index
from explorer.store import add_annotation, hide, open_db, set_kind


def claim_id(db, text):
    return db.conn.execute("SELECT id FROM claims WHERE text = ?", (text,)).fetchone()[0]


def user_rows(db):
    return {
        "kinds": list(db.query("SELECT claim_id, note, kind FROM user_kinds")),
        "ann": list(db.query("SELECT claim_id, note, text FROM user_annotations")),
        "hidden": list(db.query("SELECT claim_id, note, other_id FROM user_hidden")),
    }


def test_edit_that_changes_ids_keeps_corrections_in_the_same_note(tmp_path):
    vault, dbp = tmp_path / "v", tmp_path / "s.db"
    vault.mkdir()
    note = vault / "n.md"
    note.write_text("LLMs can plan.\nLLMs cannot count.\n")
    run_index(vault, dbp, parse=positional_parser)
    db = open_db(dbp)
    old = claim_id(db, "LLMs cannot count.")
    set_kind(db, old, "limitation")
    add_annotation(db, old, "Not any more.", stance="revise")
    hide(db, claim_id(db, "LLMs can plan."), "similar", old)

    note.write_text("A new first line.\nLLMs can plan.\nLLMs cannot count.\n")
    summary = run_index(vault, dbp, parse=positional_parser)
    new = claim_id(db, "LLMs cannot count.")
    assert new != old  # the parser's ids moved with the position
    assert summary.indexed == 1
    rows = user_rows(db)
    assert rows["kinds"] == [{"claim_id": new, "note": "n.md", "kind": "limitation"}]
    assert rows["ann"][0]["claim_id"] == new
    assert rows["hidden"] == [
        {"claim_id": claim_id(db, "LLMs can plan."), "note": "n.md", "other_id": new}
    ]
    db.close()


def test_renamed_note_keeps_its_corrections(tmp_path):
    vault, dbp = tmp_path / "v", tmp_path / "s.db"
    (vault / "sub").mkdir(parents=True)
    (vault / "old.md").write_text("Planning is hard.\nWorkspaces broadcast.\n")
    (vault / "other.md").write_text("Planning is hard.\n")  # the same text elsewhere
    run_index(vault, dbp, parse=positional_parser)
    db = open_db(dbp)
    old = db.conn.execute(
        "SELECT id FROM claims WHERE note = 'old.md' AND text = 'Planning is hard.'"
    ).fetchone()[0]
    set_kind(db, old, "assertion")

    (vault / "old.md").rename(vault / "sub" / "renamed.md")
    summary = run_index(vault, dbp, parse=positional_parser)
    assert summary.removed == 1 and summary.reattached == 1
    (row,) = user_rows(db)["kinds"]
    # The same text exists in other.md too; the note that replaced old.md wins.
    assert row["note"] == "sub/renamed.md"
    (expected,) = db.conn.execute(
        "SELECT id FROM claims WHERE note = 'sub/renamed.md' AND text = 'Planning is hard.'"
    ).fetchone()
    assert row["claim_id"] == expected
    db.close()


def test_deleted_note_leaves_user_rows_waiting_until_the_text_returns(tmp_path):
    vault, dbp = tmp_path / "v", tmp_path / "s.db"
    vault.mkdir()
    (vault / "a.md").write_text("A unique claim about qualia.\n")
    run_index(vault, dbp, parse=positional_parser)
    db = open_db(dbp)
    cid = claim_id(db, "A unique claim about qualia.")
    add_annotation(db, cid, "Keep this thought.")
    before = user_rows(db)

    (vault / "a.md").unlink()
    run_index(vault, dbp, parse=positional_parser)
    assert db["claims"].count == 0
    assert user_rows(db) == before  # not deleted, not changed

    (vault / "notes").mkdir()
    (vault / "notes" / "qualia.md").write_text("Intro.\nA unique claim about qualia.\n")
    summary = run_index(vault, dbp, parse=positional_parser)
    assert summary.reattached == 1
    (ann,) = user_rows(db)["ann"]
    assert ann["note"] == "notes/qualia.md"
    assert ann["claim_id"] == claim_id(db, "A unique claim about qualia.")
    db.close()


def test_reindex_never_deletes_or_changes_user_rows_that_still_match(tmp_path):
    vault, dbp = tmp_path / "v", tmp_path / "s.db"
    vault.mkdir()
    (vault / "a.md").write_text("One.\nTwo claims.\n")
    run_index(vault, dbp, parse=positional_parser)
    db = open_db(dbp)
    set_kind(db, claim_id(db, "Two claims."), "question")
    before = user_rows(db)
    for _ in range(2):
        run_index(vault, dbp, parse=positional_parser, force=True)
        assert user_rows(db) == before
    db.close()
