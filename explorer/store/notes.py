"""Write, refresh and remove one note's derived rows, each in one transaction.

A note's ``notes`` row and its sections, claims and links (and whatever the
pipeline's stages write) are committed together, so a crash never leaves a note
half-indexed: either the old version of the note is in the store, or the new one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from explorer.core.model import ParsedNote
from explorer.store.connection import write_transaction
from explorer.store.reattach import reattach_in_note

NoteStage = Callable[[Database, ParsedNote], None]


def text_hash(text: str) -> str:
    """Hash of a claim's text, blind to whitespace changes: the key for re-attachment.

    >>> text_hash("a  b\\n") == text_hash("a b")
    True
    """
    normal = " ".join(text.split())
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class NoteState:
    """What the store remembers of a note file, to decide whether to read it again."""

    size: int
    mtime_ns: int
    sha: str
    pipeline: str


def note_states(db: Database) -> dict[str, NoteState]:
    """Every stored note path with its stat, content hash and pipeline key."""
    rows = db.conn.execute("SELECT path, size, mtime_ns, sha, pipeline FROM notes")
    return {path: NoteState(size, mtime, sha, pipe) for path, size, mtime, sha, pipe in rows}


def derived_note_tables(db: Database) -> list[str]:
    """Tables cleared when a note is re-indexed: every table with a ``note`` column,
    except ``notes`` itself and the ``user_*`` tables.

    Finding them from the schema lets a later migration add per-note tables without
    touching this module.
    """
    found = []
    for table in db.table_names():
        if table == "notes" or table.startswith(("user_", "sqlite_")) or "_fts" in table:
            continue
        if "note" in db[table].columns_dict:
            found.append(table)
    return sorted(found)


def write_note(
    db: Database,
    parsed: ParsedNote,
    *,
    size: int,
    mtime_ns: int,
    sha: str,
    pipeline: str = "",
    stages: Iterable[NoteStage] = (),
    tables: list[str] | None = None,
    reattach: bool = True,
    search_index: bool = True,
) -> int:
    """Replace the stored version of ``parsed.path`` with ``parsed``; return its claim count.

    ``stages`` run inside the same transaction, after the claims are written, so their
    rows commit (or roll back) with the note's; a stage may delete or rewrite the note's
    claims (say, to move annotations out), and the note's claim count and the search
    index follow what it leaves. ``tables`` caches
    :func:`derived_note_tables` across a run. ``search_index`` off: the caller fills
    the search index later, for many notes at once (store/bulk.py).
    """
    path = parsed.path
    conn = db.conn
    stages = list(stages)
    with write_transaction(db):
        # A stage that decides its claims' columns before they exist (``claim_columns``:
        # column names, and claim id -> their values; claims it leaves out are not
        # stored) has them written once, whole, instead of inserted, then updated or
        # deleted.
        extra: tuple[str, ...] = ()
        decided: dict[str, tuple] | None = None
        for stage in stages:
            decide = getattr(stage, "claim_columns", None)
            if decide is not None:
                extra, decided = decide(db, parsed)
                break
        _delete_rows(db, path, tables)
        conn.execute(
            "INSERT INTO notes (path, title, size, mtime_ns, sha, pipeline, claim_count, tags, "
            "frontmatter, properties, warnings, indexed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                path,
                parsed.title,
                size,
                mtime_ns,
                sha,
                pipeline,
                len(parsed.claims),
                _json(parsed.tags),
                _json(parsed.frontmatter),
                _json(parsed.properties),
                _json(parsed.warnings),
                time.time(),
            ),
        )
        conn.executemany(
            "INSERT INTO sections (id, note, title, level, heading_path, parent_id, line, "
            "start_char, end_char) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.id,
                    path,
                    s.title,
                    s.level,
                    " > ".join(s.path),
                    s.parent_id,
                    s.line,
                    s.start,
                    s.end,
                )
                for s in parsed.sections
            ],
        )
        names: tuple[str, ...] = ("id", "note", "section_id", "parent_id", "block", "position")
        names += ("line", "end_line", "start_char", "end_char")
        rows: list[tuple] = [
            (c.id, path, c.section_id, c.parent_id, c.block, c.position)
            + (c.line, c.end_line, c.start, c.end)
            for c in parsed.claims
        ]
        if decided is None:
            names += ("text", "text_hash", "fragment")
            rows = [
                (*row, c.text, text_hash(c.text), int(c.fragment))
                for row, c in zip(rows, parsed.claims, strict=True)
            ]
        else:
            names += extra
            rows = [(*row, *decided[row[0]]) for row in rows if row[0] in decided]
        conn.executemany(
            f"INSERT INTO claims ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            rows,
        )
        conn.executemany(
            "INSERT INTO links (note, target, kind, alias, heading, block, claim_id, line, "
            "start_char, end_char) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    path,
                    k.target,
                    k.kind,
                    k.alias,
                    k.heading,
                    k.block,
                    k.claim_id,
                    k.line,
                    k.start,
                    k.end,
                )
                for k in parsed.links
            ],
        )
        for stage in stages:
            stage(db, parsed)
        if search_index:
            # Indexed from the rows as the stages left them (a stage may drop claims).
            conn.execute(
                "INSERT INTO claims_fts (rowid, text) SELECT seq, text FROM claims WHERE note = ?",
                (path,),
            )
        count = len(parsed.claims)
        if stages:
            count = conn.execute("SELECT COUNT(*) FROM claims WHERE note = ?", (path,)).fetchone()[
                0
            ]
            conn.execute("UPDATE notes SET claim_count = ? WHERE path = ?", (count, path))
        if reattach:
            reattach_in_note(db, path)
    return count


def touch_note(db: Database, path: str, *, size: int, mtime_ns: int) -> None:
    """Record a new stat for a note whose content hash did not change."""
    with write_transaction(db):
        db.conn.execute(
            "UPDATE notes SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path)
        )


def delete_note(db: Database, path: str, tables: list[str] | None = None) -> None:
    """Remove a note and its derived rows. User rows stay, waiting for re-attachment."""
    with write_transaction(db):
        _delete_rows(db, path, tables)


def _delete_rows(db: Database, path: str, tables: list[str] | None) -> None:
    # An external-content FTS5 index forgets a row only when told its old text.
    db.conn.execute(
        "INSERT INTO claims_fts (claims_fts, rowid, text) "
        "SELECT 'delete', seq, text FROM claims WHERE note = ?",
        (path,),
    )
    db.conn.execute(
        "INSERT INTO annotations_fts (annotations_fts, rowid, text) "
        "SELECT 'delete', seq, text FROM annotations WHERE note = ?",
        (path,),
    )
    for table in derived_note_tables(db) if tables is None else tables:
        db.conn.execute(f'DELETE FROM "{table}" WHERE note = ?', (path,))
    db.conn.execute("DELETE FROM notes WHERE path = ?", (path,))


def _json(value: object) -> str:
    # Front matter may hold dates and other YAML types: keep their text rather than fail.
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
