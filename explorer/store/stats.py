"""Counts that describe a store, for ``explorer stats`` and the GUI's status line."""

from __future__ import annotations

import os

from sqlite_utils import Database

from explorer.store.meta import get_meta
from explorer.store.migrations import current_version
from explorer.store.reattach import orphan_count
from explorer.store.semantic import semantic_counts
from explorer.store.vectors import cache_counts


def _count(db: Database, sql: str) -> int:
    return int(db.conn.execute(sql).fetchone()[0] or 0)


def stats(db: Database) -> dict:
    """A JSON-ready summary of the store."""
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    by_block = dict(
        db.conn.execute("SELECT block, COUNT(*) FROM claims GROUP BY block ORDER BY block")
    )
    top = db.conn.execute(
        "SELECT path, claim_count FROM notes ORDER BY claim_count DESC, path LIMIT 5"
    ).fetchall()
    last = db.conn.execute("SELECT MAX(indexed_at) FROM notes").fetchone()[0]
    model = get_meta(db, "model")
    cached = cache_counts(db)
    claim_vectors = _count_vectors(db, model)
    return {
        "database": path,
        "vault": get_meta(db, "vault"),
        "schema_version": current_version(db),
        "notes": _count(db, "SELECT COUNT(*) FROM notes"),
        "sections": _count(db, "SELECT COUNT(*) FROM sections"),
        "claims": _count(db, "SELECT COUNT(*) FROM claims"),
        "fragments": _count(db, "SELECT COUNT(*) FROM claims WHERE fragment = 1"),
        "links": _count(db, "SELECT COUNT(*) FROM links"),
        "notes_with_warnings": _count(db, "SELECT COUNT(*) FROM notes WHERE warnings != '[]'"),
        "claims_by_block": by_block,
        "largest_notes": [{"path": p, "claims": n} for p, n in top],
        "user_kinds": _count(db, "SELECT COUNT(*) FROM user_kinds"),
        "user_annotations": _count(db, "SELECT COUNT(*) FROM user_annotations"),
        "user_hidden": _count(db, "SELECT COUNT(*) FROM user_hidden"),
        "user_rows_detached": orphan_count(db),
        **semantic_counts(db),
        "model": model,
        "model_path": get_meta(db, "model_path"),
        "claims_with_vectors": claim_vectors,
        "vectors_cached": cached,
        "last_indexed": last,
        "size_bytes": os.path.getsize(path) if path and os.path.exists(path) else 0,
    }


def _count_vectors(db: Database, model: str) -> int:
    if not model:
        return 0
    return int(
        db.conn.execute(
            "SELECT COUNT(*) FROM claims c JOIN embeddings e "
            "ON e.model = ? AND e.hash = c.embed_hash",
            (model,),
        ).fetchone()[0]
    )
