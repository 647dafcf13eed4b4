"""The embedding cache: one float32 vector per (model, content hash), kept across runs.

The key is the text's content hash (``explorer.semantic.vectors.content_hash``), never
a claim id, so a claim that moved to another note, a renamed note or a re-index
finds its vector again, and a changed text can never be served a stale one. Vectors
of several models may sit side by side: a model change computes the new ones first
and prunes the old ones only once every claim has a new one (see explorer/indexing/stages.py).
No table here has a ``note`` column, so re-indexing a note never clears the cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sqlite_utils import Database

from explorer.semantic.vectors import pack_vector
from explorer.store.connection import write_transaction

# Well under SQLite's default limit of 32,766 host parameters.
_CHUNK = 900


def cached_vectors(db: Database, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """hash -> vector for those of ``hashes`` the cache holds for ``model``."""
    wanted = list(dict.fromkeys(hashes))
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i : i + _CHUNK]
        marks = ",".join("?" * len(part))
        rows = db.conn.execute(
            f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({marks})",
            (model, *part),
        )
        for h, blob in rows:
            out[h] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return out


def store_vectors(db: Database, model: str, hashes: Sequence[str], matrix: np.ndarray) -> None:
    """Cache ``matrix[i]`` as the vector of ``hashes[i]`` under ``model``."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if len(hashes) != len(matrix):
        raise ValueError(f"{len(hashes)} hashes for {len(matrix)} vectors")
    if not len(hashes):
        return
    dim = int(matrix.shape[1])
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (model, hash, dim, vector) VALUES (?, ?, ?, ?)",
            [(model, h, dim, pack_vector(v)) for h, v in zip(hashes, matrix, strict=True)],
        )


def claim_vectors(
    db: Database, model: str, *, include_hidden: bool = True
) -> tuple[list[str], np.ndarray]:
    """Ids of the claims that have a vector under ``model``, and those vectors as rows.

    One query and one allocation: about 0.1 s for 100,000 claims, so a search loads
    it once and keeps it (``explorer.semantic.similarity.VectorIndex``).
    """
    hidden = (
        ""
        if include_hidden
        else "AND c.id NOT IN (SELECT claim_id FROM user_hidden WHERE edge_type = '')"
    )
    rows = db.conn.execute(
        "SELECT c.id, e.dim, e.vector FROM claims c "
        "JOIN embeddings e ON e.model = ? AND e.hash = c.embed_hash "
        f"WHERE 1 {hidden} ORDER BY c.seq",
        (model,),
    ).fetchall()
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    dim = rows[0][1]
    rows = [r for r in rows if r[1] == dim]  # a model's vectors share one size
    matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dim)
    return [r[0] for r in rows], matrix.astype(np.float32)


def has_vectors(db: Database, model: str) -> bool:
    """Whether any claim of the store has a vector under ``model``."""
    if not model:
        return False
    row = db.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM claims c JOIN embeddings e "
        "ON e.model = ? AND e.hash = c.embed_hash)",
        (model,),
    ).fetchone()
    return bool(row[0])


def claims_without_vectors(db: Database, model: str) -> int:
    """How many claims have no vector under ``model`` (all of them when ``model`` is empty)."""
    return int(
        db.conn.execute(
            "SELECT COUNT(*) FROM claims c WHERE c.embed_hash IS NULL OR NOT EXISTS "
            "(SELECT 1 FROM embeddings e WHERE e.model = ? AND e.hash = c.embed_hash)",
            (model,),
        ).fetchone()[0]
    )


def cache_counts(db: Database) -> dict[str, int]:
    """model -> vectors cached for it."""
    return dict(db.conn.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model"))


def prune_models(db: Database, keep: str) -> int:
    """Delete the cached vectors of every model but ``keep``; return how many went."""
    with write_transaction(db):
        cur = db.conn.execute("DELETE FROM embeddings WHERE model != ?", (keep,))
    return cur.rowcount
