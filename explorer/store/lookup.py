"""Read one note or claim, and list what a note holds: for the GUI's detail views."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class NoteRow:
    path: str
    title: str
    claim_count: int
    tags: list[str]
    frontmatter: dict
    warnings: list[str]
    indexed_at: float


@dataclass(frozen=True, slots=True)
class ClaimRow:
    id: str
    note: str
    text: str
    line: int
    end_line: int
    block: str
    position: int
    section_id: str | None
    parent_id: str | None
    section: str  # heading path joined with " > ", "" when outside any section


_NOTE_COLS = "path, title, claim_count, tags, frontmatter, warnings, indexed_at"
_CLAIM_SQL = """
    SELECT c.id, c.note, c.text, c.line, c.end_line, c.block, c.position, c.section_id,
           c.parent_id, COALESCE(s.heading_path, '')
    FROM claims c LEFT JOIN sections s ON s.id = c.section_id
"""


def _note(row) -> NoteRow:
    path, title, count, tags, fm, warnings, at = row
    return NoteRow(path, title, count, json.loads(tags), json.loads(fm), json.loads(warnings), at)


def get_note(db: Database, path: str) -> NoteRow | None:
    row = db.conn.execute(f"SELECT {_NOTE_COLS} FROM notes WHERE path = ?", (path,)).fetchone()
    return None if row is None else _note(row)


def list_notes(db: Database) -> list[NoteRow]:
    return [_note(r) for r in db.conn.execute(f"SELECT {_NOTE_COLS} FROM notes ORDER BY path")]


def get_claim(db: Database, claim_id: str) -> ClaimRow | None:
    row = db.conn.execute(_CLAIM_SQL + " WHERE c.id = ?", (claim_id,)).fetchone()
    return None if row is None else ClaimRow(*row)


def claims_of_note(db: Database, path: str) -> list[ClaimRow]:
    rows = db.conn.execute(_CLAIM_SQL + " WHERE c.note = ? ORDER BY c.position", (path,))
    return [ClaimRow(*r) for r in rows]


def claim_at(db: Database, path: str, line: int) -> ClaimRow | None:
    """The claim covering ``line`` of a note (for jumping from an editor position)."""
    row = db.conn.execute(
        _CLAIM_SQL + " WHERE c.note = ? AND c.line <= ? AND c.end_line >= ? ORDER BY c.position",
        (path, line, line),
    ).fetchone()
    return None if row is None else ClaimRow(*row)
