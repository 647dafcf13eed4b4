"""The embedding cache: one float32 vector per (model, content hash), kept across runs.

The key is the text's content hash (``explorer.semantic.vectors.content_hash``), never
a claim id, so a claim that moved to another note, a renamed note or a re-index
finds its vector again, and a changed text can never be served a stale one. Vectors
of several models may sit side by side: a model change computes the new ones first
and prunes the old ones only once every claim has a new one (see explorer/indexing/stages.py).
No table here has a ``note`` column, so re-indexing a note never clears the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path

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


# --- The similarity stage's copy of the vectors, beside the store -----------------------
#
# An edit's similarity update compares the changed claims with every other claim, so it
# needs every vector; reading 100,000 of them out of SQLite is most of an edit's time.
# ``vector_matrix`` serves them from two append-only files beside the store instead:
# ``<store>.vectors/<model>.hashes`` (a header line, then one content hash a line) and
# ``<model>.f32`` (the vectors as float32 rows, in the same order). The store stays the
# source of truth: a vector is keyed by (model, content hash) and never changes once
# stored (the cache only ever adds the vectors of texts it lacks), so the files can only
# lack vectors, which are then read from the store and appended. The header names the
# model, the size and a token kept in the store's ``meta``: a file written for another
# store (or another copy of it) does not match and is rebuilt. A crash while appending
# leaves at most a partial last line or row, cut off on the next read: the vectors are
# flushed to disk before their hashes are written.

_HASH_CHARS = 32
_TOKEN_KEY = "vector_file_token"


def vector_dir(db: Database) -> Path | None:
    """Where the store's vector files live (None for an in-memory store)."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2] + ".vectors") if row and row[2] else None


def vector_matrix(db: Database, model: str) -> tuple[list[str], np.ndarray]:
    """``claim_vectors(db, model)`` with the rows in claim id order (an order a vault's
    history cannot change), served from the vector files beside the store where they
    hold them."""
    ids, rows, at = vector_rows(db, model)
    return ids, np.asarray(rows[at], dtype=np.float32)


def vector_rows(db: Database, model: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(ids, rows, at)``: :func:`vector_matrix`'s ids, the vector of ``ids[i]`` being
    ``rows[at[i]]``, where ``rows`` (the vector files, memory-mapped) may hold more
    vectors, in another order: no copy of every vector for an update that reads few."""
    rows = db.conn.execute(
        "SELECT id, embed_hash FROM claims WHERE embed_hash IS NOT NULL"
    ).fetchall()
    # Sorted here: ``ORDER BY id`` walks the id index and looks every row up, twice as
    # slow on a large store, and an edit's re-index pays it.
    rows.sort(key=itemgetter(0))
    folder = vector_dir(db)
    vectors = _VectorFile(db, folder, model) if folder is not None and rows else None
    try:
        index = vectors.load() if vectors is not None else None
        missing = sorted({h for _, h in rows if h not in index}) if index is not None else []
        if vectors is not None and missing:
            vectors.append(cached_vectors(db, model, missing))
            index = vectors.index
    except OSError:  # a folder it may not write to: the store alone serves them
        vectors = index = None
    if vectors is None or index is None:
        ids, matrix = claim_vectors(db, model)
        order = sorted(range(len(ids)), key=ids.__getitem__)
        return [ids[i] for i in order], matrix, np.array(order, dtype=np.int64)
    keep = [(cid, index[h]) for cid, h in rows if h in index]
    if not keep:
        return [], np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64)
    at = np.fromiter((i for _, i in keep), dtype=np.int64, count=len(keep))
    return [cid for cid, _ in keep], vectors.rows(), at


class _VectorFile:
    def __init__(self, db: Database, folder: Path, model: str) -> None:
        self.db, self.folder, self.model = db, folder, model
        name = hashlib.sha1(model.encode("utf-8")).hexdigest()[:12]
        self.hashes = folder / f"{name}.hashes"
        self.data = folder / f"{name}.f32"
        self.dim = 0
        self.index: dict[str, int] = {}

    def _token(self) -> str:
        row = self.db.conn.execute("SELECT value FROM meta WHERE key = ?", (_TOKEN_KEY,))
        found = row.fetchone()
        if found:
            return str(found[0])
        token = secrets.token_hex(8)
        with write_transaction(self.db):
            self.db.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_TOKEN_KEY, token)
            )
        return token

    def _header(self, dim: int) -> str:
        return f"explorer-vectors 1 {self._token()} {dim} {json.dumps(self.model)}\n"

    def load(self) -> dict[str, int]:
        """hash -> row of the vectors the files hold (empty when they do not match)."""
        self.index, self.dim = {}, 0
        try:
            text = self.hashes.read_text(encoding="ascii")
            size = self.data.stat().st_size
        except (OSError, UnicodeDecodeError):
            return self.index
        head, _, body = text.partition("\n")
        parts = head.split(" ", 4)
        if len(parts) != 5 or parts[:3] != ["explorer-vectors", "1", self._token()]:
            return self.index
        if parts[4] != json.dumps(self.model) or not parts[3].isdigit() or int(parts[3]) < 1:
            return self.index
        dim = int(parts[3])
        lines = body.split("\n")
        complete = len(lines) - 1  # the text after the last newline is not a whole line
        n = min(complete, size // (4 * dim))
        good = 0
        for line in lines[:n]:
            if len(line) != _HASH_CHARS:
                break
            good += 1
        self.dim = dim
        self.index = {h: i for i, h in enumerate(lines[:good])}
        if good != complete or good * 4 * dim != size:  # cut off what a crash left
            self._truncate(good)
        return self.index

    def _truncate(self, n: int) -> None:
        with self.data.open("r+b") as f:
            f.truncate(n * 4 * self.dim)
        head = self.hashes.read_text(encoding="ascii").partition("\n")[0]
        keep = list(self.index)[:n]
        _write_atomic(self.hashes, head + "\n" + "".join(h + "\n" for h in keep))

    def append(self, found: dict[str, np.ndarray]) -> None:
        """Add vectors read from the store (those of another size are left out)."""
        if not found:
            return
        if not self.dim:  # no usable files: start them
            self.dim = len(next(iter(found.values())))
            self.folder.mkdir(parents=True, exist_ok=True)
            self.data.write_bytes(b"")
            _write_atomic(self.hashes, self._header(self.dim))
            self.index = {}
        new = [(h, v) for h, v in found.items() if len(v) == self.dim and len(h) == _HASH_CHARS]
        if not new:
            return
        with self.data.open("ab") as f:
            f.write(np.stack([v for _, v in new]).astype("<f4").tobytes())
            f.flush()
            os.fsync(f.fileno())
        with self.hashes.open("a", encoding="ascii") as f:
            f.write("".join(h + "\n" for h, _ in new))
        for h, _ in new:
            self.index[h] = len(self.index)

    def rows(self) -> np.ndarray:
        n = len(self.index)
        return np.memmap(self.data, dtype="<f4", mode="r", shape=(n, self.dim))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="ascii")
    os.replace(tmp, path)
