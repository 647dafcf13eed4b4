"""Re-attach the user's corrections to claims whose id changed.

A claim id can change while its text survives: the note was renamed, or text around
the claim was edited in a way the parser's id reflects. Every user row stores the
claim's text hash and note path, so after an index run a row whose claim id no
longer exists is moved to a claim with the same text hash, preferring

1. a claim in the same note (done inside that note's transaction),
2. a claim in a note that replaced the row's note when it was deleted (a rename:
   same content, or same file name, see ``pipeline``),
3. the only claim anywhere with that text.

A row with no such claim is left as it is (an orphan): nothing the user wrote is
ever deleted by indexing, and it re-attaches if the text comes back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class Attachment:
    """One reference from a user table to a claim."""

    table: str
    id_col: str
    hash_col: str
    note_col: str


ATTACHMENTS = (
    Attachment("user_kinds", "claim_id", "text_hash", "note"),
    Attachment("user_annotations", "claim_id", "text_hash", "note"),
    Attachment("user_hidden", "claim_id", "text_hash", "note"),
    Attachment("user_hidden", "other_id", "other_text_hash", "other_note"),
    Attachment("user_edges", "claim_id", "text_hash", "note"),
    Attachment("user_edges", "other_id", "other_text_hash", "other_note"),
    Attachment("user_pins", "node_id", "text_hash", "note"),
)


def _orphans(db: Database, a: Attachment, note: str | None) -> list[tuple[int, str, str]]:
    sql = (
        f"SELECT u.rowid, u.{a.hash_col}, u.{a.note_col} FROM {a.table} u "
        f"WHERE u.{a.hash_col} != '' "
        f"AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = u.{a.id_col})"
    )
    params: tuple = ()
    if note is not None:
        sql += f" AND u.{a.note_col} = ?"
        params = (note,)
    return db.conn.execute(sql + " ORDER BY u.rowid", params).fetchall()


def _move(db: Database, a: Attachment, rowid: int, candidates: Sequence[tuple[str, str]]) -> bool:
    for claim_id, note in candidates:
        try:
            db.conn.execute(
                f"UPDATE {a.table} SET {a.id_col} = ?, {a.note_col} = ? WHERE rowid = ?",
                (claim_id, note, rowid),
            )
        except sqlite3.IntegrityError:
            continue  # that claim already carries such a row (duplicate sentences)
        return True
    return False


def reattach_in_note(db: Database, note: str) -> int:
    """Move ``note``'s orphaned user rows to claims of the same note with the same text."""
    moved = 0
    for a in ATTACHMENTS:
        for rowid, text_hash, _ in _orphans(db, a, note):
            candidates = db.conn.execute(
                "SELECT id, note FROM claims WHERE note = ? AND text_hash = ? ORDER BY position",
                (note, text_hash),
            ).fetchall()
            moved += _move(db, a, rowid, candidates)
    return moved


def reattach_orphans(db: Database, replaced: Mapping[str, Sequence[str]] | None = None) -> int:
    """Re-attach every orphaned user row it can; return how many moved.

    ``replaced`` maps a deleted note path to the notes that replaced it in this run.
    """
    replaced = replaced or {}
    orphans = [(a, row) for a in ATTACHMENTS for row in _orphans(db, a, None)]
    if not orphans:
        return 0
    # One pass over the claims for all wanted hashes (there is no index on text_hash:
    # it would slow every insert, and orphans are rare).
    wanted = sorted({row[1] for _, row in orphans})
    by_hash: dict[str, list[tuple[str, str]]] = {}
    db.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_hash (h TEXT PRIMARY KEY)")
    db.conn.execute("DELETE FROM wanted_hash")
    db.conn.executemany("INSERT OR IGNORE INTO wanted_hash VALUES (?)", [(h,) for h in wanted])
    rows = db.conn.execute(
        "SELECT c.text_hash, c.id, c.note FROM claims c JOIN wanted_hash w ON w.h = c.text_hash "
        "ORDER BY c.note, c.position"
    )
    for text_hash, claim_id, note in rows:
        by_hash.setdefault(text_hash, []).append((claim_id, note))
    moved = 0
    for a, (rowid, text_hash, note) in orphans:
        everywhere = by_hash.get(text_hash, [])
        ranked = [c for c in everywhere if c[1] == note]
        for new_note in replaced.get(note, ()):
            ranked += [c for c in everywhere if c[1] == new_note]
        if not ranked and len(everywhere) == 1:
            ranked = everywhere
        moved += _move(db, a, rowid, ranked)
    return moved


def orphan_count(db: Database) -> int:
    """User rows whose claim is not in the store right now."""
    return sum(len(_orphans(db, a, None)) for a in ATTACHMENTS)
