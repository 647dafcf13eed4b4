"""The vector files beside a store (``store.vectors.vector_matrix``): the same vectors as
the store holds, whatever a crash or another store left in them."""

from __future__ import annotations

import numpy as np

from explorer.store import open_db
from explorer.store.vectors import claim_vectors, store_vectors, vector_dir, vector_matrix

MODEL = "hashing-8"


def _store(path, n: int = 6, seed: int = 0):
    db = open_db(path)
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(n, 8)).astype(np.float32)
    hashes = [f"{i:032x}" for i in range(n)]
    store_vectors(db, MODEL, hashes, matrix)
    with db.conn:
        db.conn.execute(
            "INSERT INTO notes (path, title, size, mtime_ns, sha, pipeline, claim_count, "
            "indexed_at) VALUES ('a.md', 'a', 1, 1, 's', 'p', ?, 0)",
            (n,),
        )
        db.conn.executemany(
            "INSERT INTO claims (id, note, block, position, line, end_line, start_char, "
            "end_char, text, text_hash, embed_hash) VALUES (?, 'a.md', 'b', ?, 1, 1, 0, 1, "
            "'t', 'h', ?)",
            [(f"clm:{(n - i):04d}", i, h) for i, h in enumerate(hashes)],
        )
    return db


def _expected(db):
    ids, matrix = claim_vectors(db, MODEL)
    order = np.argsort(ids)
    return [ids[i] for i in order], matrix[order]


def _same(db):
    got_ids, got = vector_matrix(db, MODEL)
    want_ids, want = _expected(db)
    assert got_ids == want_ids == sorted(want_ids)
    assert np.array_equal(got, want)


def test_rows_in_id_order_equal_the_stores_and_new_vectors_are_appended(tmp_path):
    db = _store(tmp_path / "s.db")
    _same(db)  # written
    folder = vector_dir(db)
    assert folder is not None and any(folder.glob("*.f32"))
    _same(db)  # read back
    store_vectors(db, MODEL, ["f" * 32], np.ones((1, 8), np.float32))
    db.conn.execute("UPDATE claims SET embed_hash = ? WHERE id = 'clm:0001'", ("f" * 32,))
    db.conn.commit()
    _same(db)  # the new vector was read from the store and appended
    db.close()


def test_a_torn_append_is_cut_off(tmp_path):
    db = _store(tmp_path / "s.db")
    _same(db)
    folder = vector_dir(db)
    assert folder is not None
    data = next(folder.glob("*.f32"))
    hashes = next(folder.glob("*.hashes"))
    with data.open("ab") as f:
        f.write(b"\0" * 13)  # half a row
    with hashes.open("a") as f:
        f.write("0123")  # half a line
    _same(db)
    assert data.stat().st_size % (8 * 4) == 0
    with hashes.open("a") as f:  # a line with no row behind it
        f.write("e" * 32 + "\n")
    _same(db)
    db.close()


def test_files_of_another_store_are_not_used(tmp_path):
    one = _store(tmp_path / "one.db", seed=1)
    _same(one)
    folder = vector_dir(one)
    one.close()
    other = _store(tmp_path / "other.db", seed=2)  # same hashes, other vectors
    target = vector_dir(other)
    assert folder is not None and target is not None
    target.mkdir()
    for f in folder.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    _same(other)
    other.close()


def test_a_folder_it_cannot_write_to_leaves_the_store_to_serve_them(tmp_path, monkeypatch):
    from explorer.store import vectors

    def refuse(self, found):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(vectors._VectorFile, "append", refuse)
    db = _store(tmp_path / "s.db")
    _same(db)
    db.close()
