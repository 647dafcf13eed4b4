"""Numbered schema migrations, tracked with ``PRAGMA user_version``.

``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``. Adding a migration is
appending a function to the list: it gets the ``sqlite_utils.Database`` inside an open
transaction (DDL is transactional in SQLite, so a migration that fails leaves the
previous version intact) and must not commit.

Families of tables, never mixed:

* derived tables (``notes``, ``sections``, ``claims``, ``links``, ``claims_fts`` and any
  later table with a ``note`` column) are rebuilt note by note on every index. Only
  ``notes.write_note`` and ``notes.delete_note`` change ``claims``: they keep the
  external-content index ``claims_fts`` in step, one note at a time (cheaper than
  row triggers, and it lets a stage drop or rewrite claims before they are indexed);
* vault-wide derived tables (``vault_concepts``, ``concept_map``, ``sim_edges``) have
  no ``note`` column: the pipeline's vault stages rebuild them after the notes (after an
  edit, only what the edit reaches: triggers record the changed claims and concept
  candidates in ``claims_dirty`` and ``concepts_dirty``, see migration 6); and
  caches (``embeddings``, keyed by model and content hash; ``layouts`` and
  ``graph_layers``, keyed by graph fingerprint) that no index run clears, since their
  keys say when a row is stale;
* user tables (``user_*``) hold the user's corrections. No index run deletes them or
  changes them, except re-attaching a row to its claim's new id (see reattach.py). Each
  row keeps the claim's text hash and note path so that re-attachment is possible.

A derived table that a later migration adds and that has a ``note`` column (the
note's vault-relative path) is cleared for that note whenever the note is re-indexed
or deleted, with no further code: see ``notes.derived_note_tables``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database

Migration = Callable[[Database], None]


def _run(db: Database, script: str) -> None:
    # Statement by statement, because executescript() would commit the transaction.
    # complete_statement() knows that a trigger's inner ";" does not end it.
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.conn.execute(pending)
            pending = ""
    if pending.strip():
        db.conn.execute(pending)


def m001_claim_store(db: Database) -> None:
    """Notes, sections, claims, links, full-text search, and the user tables."""
    _run(
        db,
        """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE notes (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    claim_count INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    frontmatter TEXT NOT NULL DEFAULT '{}',
    properties TEXT NOT NULL DEFAULT '{}',
    warnings TEXT NOT NULL DEFAULT '[]',
    indexed_at REAL NOT NULL
);
CREATE TABLE sections (
    id TEXT PRIMARY KEY,
    note TEXT NOT NULL,
    title TEXT NOT NULL,
    level INTEGER NOT NULL,
    heading_path TEXT NOT NULL,
    parent_id TEXT,
    line INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
CREATE INDEX sections_note ON sections(note);
CREATE TABLE claims (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL,
    section_id TEXT,
    parent_id TEXT,
    block TEXT NOT NULL,
    position INTEGER NOT NULL,
    line INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL
);
CREATE INDEX claims_note ON claims(note);
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    note TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    alias TEXT,
    heading TEXT,
    block TEXT,
    claim_id TEXT,
    line INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
CREATE INDEX links_note ON links(note);
CREATE INDEX links_target ON links(target);
CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, content='claims', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE user_kinds (
    claim_id TEXT PRIMARY KEY,
    text_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    kind TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX user_kinds_note ON user_kinds(note);
CREATE TABLE user_annotations (
    id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    text TEXT NOT NULL,
    stance TEXT NOT NULL DEFAULT 'note',
    created_at REAL NOT NULL
);
CREATE INDEX user_annotations_claim ON user_annotations(claim_id);
CREATE INDEX user_annotations_note ON user_annotations(note);
CREATE TABLE user_hidden (
    id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    edge_type TEXT NOT NULL DEFAULT '',
    other_id TEXT NOT NULL DEFAULT '',
    other_text_hash TEXT NOT NULL DEFAULT '',
    other_note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    UNIQUE (claim_id, edge_type, other_id)
);
CREATE INDEX user_hidden_note ON user_hidden(note);
CREATE INDEX user_hidden_other_note ON user_hidden(other_note);
""",
    )


def m002_semantic(db: Database) -> None:
    """Kinds on claims; annotations, references, concepts; the vector cache; edges; layouts.

    Per-note tables (a ``note`` column, cleared with the note): ``annotations``,
    ``refs``, ``cites``, ``concepts``, ``mentions``. Vault-wide tables, rebuilt by the
    pipeline's vault stages and never cleared per note: ``vault_concepts`` and
    ``concept_map`` (which per-note candidate became which vault concept),
    ``sim_edges``. ``embeddings`` is a cache keyed by (model, content hash), kept
    across re-indexes so unchanged text is never embedded twice. ``layouts`` holds
    node positions per graph fingerprint for the graph layer.

    ``embeddings`` is a rowid table on purpose: its 1.5 KB rows would spill to overflow
    pages in a WITHOUT ROWID table (twice the file, half the read speed, measured).

    ``claims.kind`` is the computed kind; a user's correction lives in ``user_kinds``
    and wins when read (see ``store.semantic``).
    """
    _run(
        db,
        """
ALTER TABLE claims ADD COLUMN kind TEXT;
ALTER TABLE claims ADD COLUMN confidence REAL;
ALTER TABLE claims ADD COLUMN kind_source TEXT;
ALTER TABLE claims ADD COLUMN kind_reason TEXT;
ALTER TABLE claims ADD COLUMN embed_hash TEXT;
CREATE TABLE annotations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL,
    claim_id TEXT,
    origin_claim_id TEXT NOT NULL,
    section_id TEXT,
    text TEXT NOT NULL,
    stance TEXT NOT NULL,
    confidence REAL NOT NULL,
    how TEXT NOT NULL DEFAULT '',
    line INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text_hash TEXT NOT NULL
);
CREATE INDEX annotations_note ON annotations(note);
CREATE INDEX annotations_claim ON annotations(claim_id);
CREATE VIRTUAL TABLE annotations_fts USING fts5(
    text, content='annotations', content_rowid='seq',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE refs (
    note TEXT NOT NULL,
    id TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (note, id)
);
CREATE INDEX refs_id ON refs(id);
CREATE TABLE cites (
    note TEXT NOT NULL,
    claim_id TEXT,
    ref_id TEXT NOT NULL
);
CREATE INDEX cites_note ON cites(note);
CREATE TABLE concepts (
    note TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    term TEXT NOT NULL,
    variants TEXT NOT NULL DEFAULT '[]',
    in_heading INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (note, id)
);
CREATE TABLE mentions (
    note TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    concept_id TEXT NOT NULL
);
CREATE INDEX mentions_note ON mentions(note);
CREATE TABLE vault_concepts (
    id TEXT PRIMARY KEY,
    term TEXT NOT NULL,
    variants TEXT NOT NULL DEFAULT '[]',
    mentions INTEGER NOT NULL,
    in_heading INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE concept_map (
    candidate_id TEXT PRIMARY KEY,
    concept_id TEXT NOT NULL
);
CREATE TABLE embeddings (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, hash)
);
CREATE TABLE sim_edges (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('similar', 'duplicate', 'tension')),
    weight REAL NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, target, type)
);
CREATE TABLE layouts (
    version TEXT NOT NULL,
    layout TEXT NOT NULL,
    node TEXT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    PRIMARY KEY (version, layout, node)
) WITHOUT ROWID;
""",
    )


def m003_claim_fragments(db: Database) -> None:
    """``claims.fragment``: 1 for a claim that is not self-contained (a single term, a
    file name, a bare link, a formula; see core/fragments.py). It is a flag beside the
    kind, not a kind: a fragment still has one of the taxonomy's kinds, and the map
    hides fragments unless asked. Existing rows read 0 until their note is indexed
    again (the parser's new version re-reads every note)."""
    _run(db, "ALTER TABLE claims ADD COLUMN fragment INTEGER NOT NULL DEFAULT 0;\n")


def m004_voice(db: Database) -> None:
    """Whose voice a claim is in (``author`` or ``source``), how sure, and the claim an
    unmarked reaction of the author answers (``semantic.voice``). Computed per note like
    the kind; NULL until the note is analysed again."""
    _run(
        db,
        """
ALTER TABLE claims ADD COLUMN voice TEXT;
ALTER TABLE claims ADD COLUMN voice_confidence REAL;
ALTER TABLE claims ADD COLUMN answers TEXT;
""",
    )


def m005_user_curation(db: Database) -> None:
    """The user's decisions on the map: tensions accepted or dismissed, links of their
    own (or suggestions dismissed), saved views and pinned node positions.

    ``user_edges`` keys a decision by both ends' claim ids, text hashes and notes, so
    it follows the claims through a re-index like every other user row (reattach.py).
    ``edge_type`` is ``tension`` for a decision on a tension the program found, and
    ``link`` for a suggested link: ``accepted`` makes it an edge of the user's own
    (``user_link`` in the graph), ``dismissed`` stops suggesting it.
    ``user_views`` holds named views as JSON (filters, focus, layout, zoom, centre);
    ``user_pins`` a dragged node's position per layout, in layout coordinates.
    """
    _run(
        db,
        """
CREATE TABLE user_edges (
    id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    edge_type TEXT NOT NULL,
    other_id TEXT NOT NULL,
    other_text_hash TEXT NOT NULL,
    other_note TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'dismissed')),
    created_at REAL NOT NULL,
    UNIQUE (claim_id, edge_type, other_id)
);
CREATE INDEX user_edges_note ON user_edges(note);
CREATE INDEX user_edges_other_note ON user_edges(other_note);
CREATE TABLE user_views (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE user_pins (
    node_id TEXT NOT NULL,
    text_hash TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    layout TEXT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (node_id, layout)
);
""",
    )


def m006_incremental_vault_stages(db: Database) -> None:
    """What an edit's vault stages need to touch only the neighbourhood of a change.

    Indexes: ``sim_edges(target, source, type)`` (the primary key already serves
    ``source``), so the edges of a claim are found from either end without scanning
    every edge or leaving the index;
    ``concepts(id)`` (and its keys, below), ``mentions(concept_id)`` and ``concept_map(concept_id)`` for the
    concept merge of a few candidates.

    ``concepts.fold`` and ``concepts.ckey``: a candidate's folding key (its casefolded
    term when the term is in capitals, the term's initials when it has several words;
    see ``semantic.concepts.fold_key``) and its spelling key (``concept_key``), indexed,
    so the candidates that one candidate can merge or collide with are found without
    reading all of them (the three indexes hold all three keys: the search never reads
    the table). Existing rows are filled in here.

    ``claims_dirty`` and ``concepts_dirty``: filled by triggers in the same transaction
    as the note that changed them, and emptied by the vault stage that took them into
    account, in its own transaction; so a run that stops between the notes and the vault
    stages leaves the next run what to redo. They record nothing while there is nothing
    to update (no edges, no vault concepts yet: the stage then does a full pass). No
    ``note`` column: the pipeline never clears them per note.

    Similarity edges are turned to run from the smaller claim id to the larger (the
    order the similarity stage now uses), and the next index run recomputes them all
    once. No user row is touched.
    """
    from explorer.semantic.concepts import concept_key, fold_key

    _run(
        db,
        """
CREATE INDEX sim_edges_target ON sim_edges(target, source, type);
ALTER TABLE concepts ADD COLUMN fold TEXT;
ALTER TABLE concepts ADD COLUMN ckey TEXT;
CREATE INDEX mentions_concept ON mentions(concept_id);
CREATE INDEX concept_map_concept ON concept_map(concept_id);
CREATE TABLE claims_dirty (
    id TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE concepts_dirty (
    id TEXT NOT NULL,
    fold TEXT,
    ckey TEXT
);
CREATE TRIGGER claims_dirty_insert AFTER INSERT ON claims
WHEN EXISTS (SELECT 1 FROM sim_edges)
BEGIN
    INSERT OR IGNORE INTO claims_dirty (id) VALUES (new.id);
END;
CREATE TRIGGER claims_dirty_delete AFTER DELETE ON claims
WHEN EXISTS (SELECT 1 FROM sim_edges)
BEGIN
    INSERT OR IGNORE INTO claims_dirty (id) VALUES (old.id);
END;
CREATE TRIGGER concepts_dirty_insert AFTER INSERT ON concepts
WHEN EXISTS (SELECT 1 FROM vault_concepts)
BEGIN
    INSERT INTO concepts_dirty (id, fold, ckey) VALUES (new.id, new.fold, new.ckey);
END;
CREATE TRIGGER concepts_dirty_delete AFTER DELETE ON concepts
WHEN EXISTS (SELECT 1 FROM vault_concepts)
BEGIN
    INSERT INTO concepts_dirty (id, fold, ckey) VALUES (old.id, old.fold, old.ckey);
END;
""",
    )
    rows = db.conn.execute("SELECT rowid, term FROM concepts").fetchall()
    db.conn.executemany(
        "UPDATE concepts SET fold = ?, ckey = ? WHERE rowid = ?",
        [(fold_key(term), concept_key(term), rowid) for rowid, term in rows],
    )
    db.conn.execute("CREATE INDEX concepts_id ON concepts(id, fold, ckey)")
    db.conn.execute("CREATE INDEX concepts_fold ON concepts(fold, id, ckey)")
    db.conn.execute("CREATE INDEX concepts_ckey ON concepts(ckey, id, fold)")
    # Edges now run from the smaller claim id to the larger, and ties between equal
    # cosines are broken by claim id (not by the order the claims were stored in), so
    # that an updated store equals a fresh index: turn the stored edges round, and let
    # the next index run compare every claim once under the new rule.
    db.conn.execute("UPDATE sim_edges SET source = target, target = source WHERE source > target")
    db.conn.execute("DELETE FROM meta WHERE key = 'similarity_model'")


def m007_graph_layers(db: Database) -> None:
    """A cache of what the graph layer adds to a graph (communities, centrality,
    positions), keyed like ``layouts`` by what it was computed from: an export or a
    window after an index that changed nothing skips Louvain and PageRank."""
    _run(
        db,
        """
CREATE TABLE graph_layers (
    version TEXT PRIMARY KEY,
    layout TEXT NOT NULL,
    payload BLOB NOT NULL,
    updated_at REAL NOT NULL
);
""",
    )


def m008_sim_edge_ranks(db: Database) -> None:
    """``sim_edges.ranks``: whose top-k list each similar or duplicate pair is in (bit 1:
    its source's, bit 2: its target's). An update after an edit decides a pair with a
    claim whose list cannot change from that bit, instead of reading and ranking every
    edge of that claim. Stores written before have no bits (NULL): the next index run
    compares every claim once and writes them."""
    db.conn.execute("ALTER TABLE sim_edges ADD COLUMN ranks INTEGER")
    db.conn.execute("DELETE FROM meta WHERE key = 'similarity_model'")


# Append new migrations here; never edit or reorder one that has shipped.
MIGRATIONS: list[Migration] = [
    m001_claim_store,
    m002_semantic,
    m003_claim_fragments,
    m004_voice,
    m005_user_curation,
    m006_incremental_vault_stages,
    m007_graph_layers,
    m008_sim_edge_ranks,
]


def schema_version() -> int:
    """The schema version this code writes: the number of migrations."""
    return len(MIGRATIONS)


def current_version(db: Database) -> int:
    return db.conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations, each in its own transaction; return their numbers.

    The caller has already refused a database newer than ``migrations``.
    """
    steps = MIGRATIONS if migrations is None else migrations
    applied = []
    for number in range(current_version(db) + 1, len(steps) + 1):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if current_version(db) >= number:
                conn.execute("ROLLBACK")
                continue
            steps[number - 1](db)
            conn.execute(f"PRAGMA user_version = {int(number)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied
