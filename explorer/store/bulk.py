"""Lookup indexes set aside while a first index fills an empty store.

Claim, concept and reference ids are hashes, so every row a note adds lands at a
random place in the indexes that look rows up by them (``mentions(concept_id)``,
``concepts(fold, ...)``, ...): most of what the writer spends in SQLite on a first
index goes to keeping those in order, and the more so as the store outgrows the page
cache. Built once at the end from the finished tables, they cost a sort.

The indexes keyed by note are kept: notes are written in path order, so those grow
at their end, and the per-note deletes and the search index read through them. The
UNIQUE and PRIMARY KEY indexes are constraints and are never dropped.

The search index of the claims is filled per write group instead of per note, in the
same transaction (:func:`index_new_claims`), so it never lags what is committed.

Nothing is lost when a run stops half-way: the store is sound without the lookup
indexes, only slower to query, and every index run puts back the missing ones before
it writes (:func:`restore`), so a crash is mended by the next run.
"""

from __future__ import annotations

from sqlite_utils import Database

# name -> columns, as the migrations create them (a test compares the two).
LOOKUP_INDEXES: dict[str, str] = {
    "links_target": "links(target)",
    "annotations_claim": "annotations(claim_id)",
    "refs_id": "refs(id)",
    "mentions_concept": "mentions(concept_id)",
    "concepts_id": "concepts(id, fold, ckey)",
    "concepts_fold": "concepts(fold, id, ckey)",
    "concepts_ckey": "concepts(ckey, id, fold)",
}


def drop(db: Database) -> None:
    """Drop the lookup indexes (inside the caller's transaction)."""
    for name in LOOKUP_INDEXES:
        db.conn.execute(f"DROP INDEX IF EXISTS {name}")


def missing(db: Database) -> list[str]:
    """The lookup indexes the store does not have."""
    have = {
        name for (name,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    return [name for name in LOOKUP_INDEXES if name not in have]


def restore(db: Database) -> list[str]:
    """Create the lookup indexes that are missing (inside the caller's transaction);
    return their names."""
    absent = missing(db)
    for name in absent:
        db.conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {LOOKUP_INDEXES[name]}")
    return absent


def index_new_claims(db: Database, after: int) -> int:
    """Add the claims with ``seq`` above ``after`` to the search index (inside the
    caller's transaction, so the index never lags what is committed); return the
    highest ``seq`` now indexed. One statement per write group of a first index costs
    a fraction of one per note: FTS5 merges its new terms once."""
    top = db.conn.execute("SELECT MAX(seq) FROM claims").fetchone()[0] or 0
    if top > after:
        db.conn.execute(
            "INSERT INTO claims_fts (rowid, text) SELECT seq, text FROM claims WHERE seq > ?",
            (after,),
        )
    return max(top, after)
