"""The user's corrections: a claim's kind, own annotations, hidden claims and edges.

These rows live in the ``user_*`` tables, which indexing never deletes. Each row
records the claim's text hash and note so it can follow the claim when its id
changes (see reattach.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlite_utils import Database

from explorer.core.model import STANCES
from explorer.store.connection import write_transaction


class UnknownClaimError(KeyError):
    """No claim with that id in the store."""

    def __str__(self) -> str:
        return f"no claim with id {self.args[0]!r} in the store"


@dataclass(frozen=True, slots=True)
class Annotation:
    id: int
    claim_id: str
    note: str
    text: str
    stance: str
    created_at: float


def _claim_key(db: Database, claim_id: str) -> tuple[str, str]:
    row = db.conn.execute("SELECT text_hash, note FROM claims WHERE id = ?", (claim_id,)).fetchone()
    if row is None:
        raise UnknownClaimError(claim_id)
    return row[0], row[1]


def set_kind(db: Database, claim_id: str, kind: str) -> None:
    """Record the user's kind for a claim (replacing an earlier correction)."""
    if not kind.strip():
        raise ValueError("a kind cannot be empty")
    with write_transaction(db):
        text_hash, note = _claim_key(db, claim_id)
        db.conn.execute(
            "INSERT INTO user_kinds (claim_id, text_hash, note, kind, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(claim_id) DO UPDATE SET "
            "kind = excluded.kind, text_hash = excluded.text_hash, note = excluded.note, "
            "updated_at = excluded.updated_at",
            (claim_id, text_hash, note, kind.strip(), time.time()),
        )


def clear_kind(db: Database, claim_id: str) -> bool:
    """Forget the user's kind for a claim; True if there was one."""
    with write_transaction(db):
        cur = db.conn.execute("DELETE FROM user_kinds WHERE claim_id = ?", (claim_id,))
    return cur.rowcount > 0


def user_kinds(db: Database) -> dict[str, str]:
    """claim id -> kind the user chose."""
    return dict(db.conn.execute("SELECT claim_id, kind FROM user_kinds"))


def add_annotation(db: Database, claim_id: str, text: str, stance: str = "note") -> int:
    """Attach the user's own annotation to a claim; return its id."""
    if stance not in STANCES:
        raise ValueError(f"stance must be one of {', '.join(STANCES)}, not {stance!r}")
    if not text.strip():
        raise ValueError("an annotation cannot be empty")
    with write_transaction(db):
        text_hash, note = _claim_key(db, claim_id)
        cur = db.conn.execute(
            "INSERT INTO user_annotations (claim_id, text_hash, note, text, stance, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (claim_id, text_hash, note, text.strip(), stance, time.time()),
        )
    assert cur.lastrowid is not None  # an INSERT always sets it
    return int(cur.lastrowid)


def delete_annotation(db: Database, annotation_id: int) -> bool:
    """Delete one of the user's annotations (the user's act, never an index run's)."""
    with write_transaction(db):
        cur = db.conn.execute("DELETE FROM user_annotations WHERE id = ?", (annotation_id,))
    return cur.rowcount > 0


def annotations(db: Database, claim_id: str | None = None) -> list[Annotation]:  # type: ignore[no-redef]  # the name of __future__.annotations
    """The user's annotations, of one claim or all, oldest first."""
    sql = "SELECT id, claim_id, note, text, stance, created_at FROM user_annotations"
    params: tuple = ()
    if claim_id is not None:
        sql += " WHERE claim_id = ?"
        params = (claim_id,)
    return [Annotation(*row) for row in db.conn.execute(sql + " ORDER BY id", params)]


def hide(db: Database, node_id: str, edge_type: str = "", other_id: str = "") -> None:
    """Hide a claim (``hide(db, claim_id)``) or an edge (``hide(db, src, type, dst)``).

    For an edge, at least one end should be a claim so the row can follow it; an edge
    between two notes is stored too but keyed by the note ids.
    """
    if bool(edge_type) != bool(other_id):
        raise ValueError("an edge needs both its type and its other end")
    with write_transaction(db):
        text_hash, note = _node_key(db, node_id, must_be_claim=not edge_type)
        other_hash, other_note = _node_key(db, other_id) if other_id else ("", "")
        db.conn.execute(
            "INSERT OR IGNORE INTO user_hidden (claim_id, text_hash, note, edge_type, other_id, "
            "other_text_hash, other_note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (node_id, text_hash, note, edge_type, other_id, other_hash, other_note, time.time()),
        )


def unhide(db: Database, node_id: str, edge_type: str = "", other_id: str = "") -> bool:
    """Show again what :func:`hide` hid; True if it was hidden."""
    with write_transaction(db):
        cur = db.conn.execute(
            "DELETE FROM user_hidden WHERE claim_id = ? AND edge_type = ? AND other_id = ?",
            (node_id, edge_type, other_id),
        )
    return cur.rowcount > 0


def hidden_claims(db: Database) -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT claim_id FROM user_hidden WHERE edge_type = ''")}


def hidden_edges(db: Database) -> set[tuple[str, str, str]]:
    """(source, type, target) of every hidden edge."""
    sql = "SELECT claim_id, edge_type, other_id FROM user_hidden WHERE edge_type != ''"
    return {tuple(r) for r in db.conn.execute(sql)}


def _node_key(db: Database, node_id: str, must_be_claim: bool = False) -> tuple[str, str]:
    row = db.conn.execute("SELECT text_hash, note FROM claims WHERE id = ?", (node_id,)).fetchone()
    if row is not None:
        return row[0], row[1]
    if must_be_claim:
        raise UnknownClaimError(node_id)
    note = node_id.removeprefix("note:") if node_id.startswith("note:") else ""
    return "", note
