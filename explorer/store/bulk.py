"""Lookup indexes set aside while a first index fills an empty store.

Claim, concept and reference ids are hashes, so every row a note adds lands at a
random place in the indexes that look rows up by them (``mentions(concept_id)``,
``concepts(fold, ...)``, ...): most of what the writer spends in SQLite on a first
index goes to keeping those in order, and the more so as the store outgrows the page
cache. Built once at the end from the finished tables, they cost a sort.

The indexes keyed by note are kept: notes are written in path order, so those grow
at their end, and the per-note deletes and the search index read through them. The
UNIQUE and PRIMARY KEY indexes are constraints and are never dropped.

The full-text search indexes (``claims_fts``, ``annotations_fts``) are filled the same
way: one pass over the finished tables instead of a few rows per note.

Nothing is lost when a run stops half-way: the store is sound without these indexes,
only slower to query (and search misses the new claims), and every index run puts
back what is missing before it writes (:func:`put_back`), so a crash is mended by the
next run.
"""

from __future__ import annotations

from sqlite_utils import Database

from explorer.store.meta import get_meta

# A meta key set while the search indexes lack the rows written since it was set.
SEARCH_PENDING = "search_index_pending"
SEARCH_TABLES = ("claims_fts", "annotations_fts")

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


def set_aside(db: Database) -> None:
    """Before a first index into an empty store (inside the caller's transaction): drop
    the lookup indexes and leave the search indexes to :func:`put_back`."""
    drop(db)
    db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (SEARCH_PENDING,))


def search_pending(db: Database) -> bool:
    """Whether the search indexes miss rows (a first index has not finished)."""
    return bool(get_meta(db, SEARCH_PENDING))


def put_back(db: Database) -> None:
    """Create the missing lookup indexes and fill the search indexes from the tables
    when they are behind (inside the caller's transaction). Cheap when nothing is
    missing: every index run calls it first."""
    restore(db)
    if search_pending(db):
        for table in SEARCH_TABLES:
            # An external-content index rebuilt from its table: every row, once.
            db.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        db.conn.execute("DELETE FROM meta WHERE key = ?", (SEARCH_PENDING,))
