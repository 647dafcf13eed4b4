"""Write a note's meaning (kinds, annotations, references, concepts) and read it back.

``write_analysis`` runs inside the note's transaction (it is called by the semantic
note stage, see explorer/indexing/stages.py) and rewrites the note's claims to what the
semantic layer kept: annotations and bibliography entries leave the claims, a
parenthetical annotation is cut from its claim's text (same id).

Kinds. ``claims.kind`` holds the computed kind and is rewritten on every index; the
user's correction lives in ``user_kinds`` and is applied when reading
(``claim_kinds``, ``KIND_SQL``), never written over the computed one. Reading is the
place because a correction then shows at once, without a re-index, and clearing it
brings the computed kind back.

Vault-wide rows (``vault_concepts``, ``concept_map``, ``sim_edges``) are written by
the vault stages with :func:`write_vault_concepts` and :func:`write_sim_edges`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from sqlite_utils import Database

from explorer.core.model import ParsedNote
from explorer.semantic.kinds import resolve_kind
from explorer.semantic.types import Concept, Edge, KindLabel, NoteAnalysis
from explorer.store.connection import write_transaction
from explorer.store.notes import text_hash

LABEL_CHARS = 60

# The kind a claim shows, in SQL: the user's, else the computed one. Use with
# ``FROM claims c LEFT JOIN user_kinds u ON u.claim_id = c.id``.
KIND_SQL = "COALESCE(u.kind, c.kind)"
CONFIDENCE_SQL = "CASE WHEN u.kind IS NOT NULL THEN 1.0 ELSE c.confidence END"
KIND_SOURCE_SQL = "CASE WHEN u.kind IS NOT NULL THEN 'user' ELSE c.kind_source END"


def _label(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LABEL_CHARS else flat[: LABEL_CHARS - 1] + "…"


def write_analysis(
    db: Database,
    parsed: ParsedNote,
    analysis: NoteAnalysis,
    embed_hashes: Mapping[str, str],
) -> None:
    """Store ``analysis`` for ``parsed.path`` (its claims already written by write_note).

    ``embed_hashes`` maps each kept claim id to the content hash its vector is cached
    under. Must run inside the note's transaction.
    """
    path = parsed.path
    conn = db.conn
    kept = {c.id: c for c in analysis.claims}
    gone = [(c.id,) for c in parsed.claims if c.id not in kept]
    if gone:
        conn.executemany("DELETE FROM claims WHERE id = ?", gone)
    rows = []
    for c in analysis.claims:
        k = analysis.kinds.get(c.id)
        v = getattr(analysis, "voices", {}).get(c.id)
        rows.append(
            (
                v.voice if v else None,
                v.confidence if v else None,
                v.answers if v else None,
                c.text,
                text_hash(c.text),
                embed_hashes.get(c.id),
                k.kind if k else None,
                k.confidence if k else None,
                k.source if k else None,
                k.reason if k else None,
                int(c.fragment),
                c.id,
            )
        )
    conn.executemany(
        "UPDATE claims SET voice = ?, voice_confidence = ?, answers = ?, text = ?, text_hash = ?, "
        "embed_hash = ?, kind = ?, confidence = ?, kind_source = ?, kind_reason = ?, "
        "fragment = ? WHERE id = ?",
        rows,
    )
    conn.executemany(
        "INSERT OR IGNORE INTO annotations (id, note, claim_id, origin_claim_id, section_id, "
        "text, stance, confidence, how, line, start_char, end_char, text_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.id,
                path,
                a.target_claim_id,
                a.origin_claim_id,
                a.section_id,
                a.text,
                a.stance,
                a.confidence,
                a.how,
                a.line,
                a.start,
                a.end,
                text_hash(a.text),
            )
            for a in analysis.annotations
        ],
    )
    if analysis.annotations:
        conn.execute(
            "INSERT INTO annotations_fts (rowid, text) SELECT seq, text FROM annotations "
            "WHERE note = ?",
            (path,),
        )
    conn.executemany(
        "INSERT OR IGNORE INTO refs (note, id, key, label, text, url, kind, scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (path, r.id, r.key, _label(r.text), r.text, r.url, r.kind, r.scope)
            for r in analysis.references
        ],
    )
    cites: list[tuple[str, str | None, str]] = []
    for r in analysis.references:
        if r.scope == "note" or not r.claim_ids:
            # A bibliography entry is listed for the whole note, and a link outside any
            # kept claim belongs to no claim: the note cites them.
            cites.append((path, None, r.id))
        cites.extend((path, cid, r.id) for cid in r.claim_ids)
    conn.executemany("INSERT INTO cites (note, claim_id, ref_id) VALUES (?, ?, ?)", cites)
    conn.executemany(
        "INSERT OR IGNORE INTO concepts (note, id, label, term, variants, in_heading) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                path,
                c.id,
                _label(c.term),
                c.term,
                json.dumps(sorted(c.variants), ensure_ascii=False),
                int(c.in_heading),
            )
            for c in analysis.concepts
        ],
    )
    conn.executemany(
        "INSERT INTO mentions (note, claim_id, concept_id) VALUES (?, ?, ?)",
        [(path, cid, c.id) for c in analysis.concepts for cid in c.claim_ids],
    )


def claim_kinds(db: Database) -> dict[str, KindLabel]:
    """claim id -> the kind it shows: the user's correction wins (``resolve_kind``)."""
    users = {
        cid: KindLabel(cid, kind, 1.0, "user")
        for cid, kind in db.conn.execute("SELECT claim_id, kind FROM user_kinds")
    }
    out = {}
    rows = db.conn.execute(
        "SELECT id, kind, confidence, kind_source, kind_reason FROM claims WHERE kind IS NOT NULL"
    )
    for cid, kind, conf, source, reason in rows:
        computed = KindLabel(cid, kind, float(conf or 0.0), source or "default", reason or "")
        out[cid] = resolve_kind(users.get(cid), computed)
    for cid, user in users.items():
        if cid not in out:  # a claim indexed without kinds still shows the user's
            out[cid] = user
    return out


def note_concepts(db: Database) -> list[list[Concept]]:
    """Every note's concept candidates with the claims and annotations mentioning them."""
    by_note: dict[str, dict[str, Concept]] = {}
    for note, cid, term, variants, in_heading in db.conn.execute(
        "SELECT note, id, term, variants, in_heading FROM concepts ORDER BY note, rowid"
    ):
        by_note.setdefault(note, {})[cid] = Concept(
            cid, term, set(json.loads(variants)), [], bool(in_heading)
        )
    for note, claim_id, concept_id in db.conn.execute(
        "SELECT note, claim_id, concept_id FROM mentions ORDER BY note, rowid"
    ):
        c = by_note.get(note, {}).get(concept_id)
        if c is not None:
            c.claim_ids.append(claim_id)
    return [list(concepts.values()) for concepts in by_note.values()]


def write_vault_concepts(
    db: Database, concepts: Sequence[Concept], candidates: Iterable[Concept]
) -> None:
    """Replace the vault's concepts, and map every candidate id to the concept it joined.

    A candidate joins the concept whose variants hold its term (an expansion folded
    into its acronym) or that has its id.
    """
    by_id = {c.id: c.id for c in concepts}
    by_variant = {v.casefold(): c.id for c in concepts for v in c.variants}
    mapping = {}
    for cand in candidates:
        target = by_id.get(cand.id) or by_variant.get(cand.term.casefold())
        if target:
            mapping[cand.id] = target
    with write_transaction(db):
        db.conn.execute("DELETE FROM vault_concepts")
        db.conn.execute("DELETE FROM concept_map")
        db.conn.executemany(
            "INSERT INTO vault_concepts (id, term, variants, mentions, in_heading) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    c.id,
                    c.term,
                    json.dumps(sorted(c.variants), ensure_ascii=False),
                    len(c.claim_ids),
                    int(c.in_heading),
                )
                for c in concepts
            ],
        )
        db.conn.executemany(
            "INSERT INTO concept_map (candidate_id, concept_id) VALUES (?, ?)",
            sorted(mapping.items()),
        )


def write_sim_edges(db: Database, edges: Iterable[Edge]) -> int:
    """Replace every similar, duplicate and tension edge; return how many were written."""
    rows = [(e.source, e.target, e.type, float(e.weight), e.reason or "") for e in edges]
    with write_transaction(db):
        db.conn.execute("DELETE FROM sim_edges")
        db.conn.executemany(
            "INSERT OR REPLACE INTO sim_edges (source, target, type, weight, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def semantic_counts(db: Database) -> dict:
    """The semantic layer's numbers for ``stats``: kinds, annotations, sources, edges."""

    def rows(sql: str) -> dict:
        return {k: v for k, v in db.conn.execute(sql) if k is not None}

    kinds = rows(
        f"SELECT {KIND_SQL}, COUNT(*) FROM claims c "
        "LEFT JOIN user_kinds u ON u.claim_id = c.id GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    labelled, low = db.conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(({CONFIDENCE_SQL}) < 0.5), 0) FROM claims c "
        f"LEFT JOIN user_kinds u ON u.claim_id = c.id WHERE {KIND_SQL} IS NOT NULL"
    ).fetchone()
    stances = rows("SELECT stance, COUNT(*) FROM annotations GROUP BY stance ORDER BY stance")
    user_stances = rows(
        "SELECT stance, COUNT(*) FROM user_annotations GROUP BY stance ORDER BY stance"
    )
    edges = rows("SELECT type, COUNT(*) FROM sim_edges GROUP BY type ORDER BY type")
    return {
        "claims_by_kind": kinds,
        "kind_sources": rows(
            f"SELECT {KIND_SOURCE_SQL}, COUNT(*) FROM claims c "
            "LEFT JOIN user_kinds u ON u.claim_id = c.id GROUP BY 1 ORDER BY 1"
        ),
        "low_confidence_share": round(low / labelled, 4) if labelled else 0.0,
        "claims_by_voice": rows("SELECT voice, COUNT(*) FROM claims GROUP BY voice ORDER BY voice"),
        "reactions": _one(
            db, "SELECT COUNT(*) FROM claims WHERE answers IS NOT NULL AND answers != id"
        ),
        "annotations": sum(stances.values()),
        "annotations_by_stance": stances,
        "user_annotations_by_stance": user_stances,
        "references": _one(db, "SELECT COUNT(DISTINCT id) FROM refs"),
        "cites": _one(db, "SELECT COUNT(*) FROM cites"),
        "concepts": _one(db, "SELECT COUNT(*) FROM vault_concepts"),
        "concept_candidates": _one(db, "SELECT COUNT(DISTINCT id) FROM concepts"),
        "mentions": _one(db, "SELECT COUNT(*) FROM mentions"),
        "edges_by_type": {
            **{t: edges.get(t, 0) for t in ("similar", "duplicate", "tension")},
            "annotates": _one(db, "SELECT COUNT(*) FROM annotations WHERE claim_id IS NOT NULL")
            + _one(db, "SELECT COUNT(*) FROM user_annotations"),
            "cites": _one(db, "SELECT COUNT(*) FROM cites"),
            "mentions": _one(
                db,
                "SELECT COUNT(*) FROM mentions m JOIN concept_map cm "
                "ON cm.candidate_id = m.concept_id",
            ),
        },
    }


def _one(db: Database, sql: str) -> int:
    return int(db.conn.execute(sql).fetchone()[0] or 0)
