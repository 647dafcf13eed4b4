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
import re
from collections.abc import Iterable, Mapping, Sequence

from sqlite_utils import Database

from explorer.core.model import ParsedNote
from explorer.semantic.concepts import concept_key, concept_mapping, fold_key
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


# Characters json.dumps escapes (with ensure_ascii off); strings without them need none.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _json_strings(items: list[str]) -> str:
    """``json.dumps(items, ensure_ascii=False)`` for a list of strings, written directly
    when none needs escaping (every concept row has one; json.dumps costs more)."""
    if any(_JSON_ESCAPED.search(s) for s in items):
        return json.dumps(items, ensure_ascii=False)
    return "[" + ", ".join(f'"{s}"' for s in items) + "]"


def _label(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LABEL_CHARS else flat[: LABEL_CHARS - 1] + "…"


# The claim columns an analysis sets, in the order of analysis_columns' tuples.
ANALYSIS_COLUMNS = (
    "voice",
    "voice_confidence",
    "answers",
    "text",
    "text_hash",
    "embed_hash",
    "kind",
    "confidence",
    "kind_source",
    "kind_reason",
    "fragment",
)


def analysis_columns(analysis: NoteAnalysis, embed_hashes: Mapping[str, str]) -> dict[str, tuple]:
    """Kept claim id -> its values of ``ANALYSIS_COLUMNS`` (claims not listed are dropped)."""
    voices = getattr(analysis, "voices", {})
    out: dict[str, tuple] = {}
    for c in analysis.claims:
        k = analysis.kinds.get(c.id)
        v = voices.get(c.id)
        out[c.id] = (
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
        )
    return out


def write_analysis(
    db: Database,
    parsed: ParsedNote,
    analysis: NoteAnalysis,
    embed_hashes: Mapping[str, str],
    *,
    claims_stored: bool = False,
) -> None:
    """Store ``analysis`` for ``parsed.path`` (its claims already written by write_note).

    ``embed_hashes`` maps each kept claim id to the content hash its vector is cached
    under. ``claims_stored``: write_note already wrote the claims with
    :func:`analysis_columns` (and left out the dropped ones); else they are updated
    here. Must run inside the note's transaction.
    """
    path = parsed.path
    conn = db.conn
    if not claims_stored:
        kept = {c.id for c in analysis.claims}
        gone = [(c.id,) for c in parsed.claims if c.id not in kept]
        if gone:
            conn.executemany("DELETE FROM claims WHERE id = ?", gone)
        sets = ", ".join(f"{name} = ?" for name in ANALYSIS_COLUMNS)
        conn.executemany(
            f"UPDATE claims SET {sets} WHERE id = ?",
            [(*values, cid) for cid, values in analysis_columns(analysis, embed_hashes).items()],
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
        "INSERT OR IGNORE INTO concepts (note, id, label, term, variants, in_heading, fold, "
        "ckey) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                path,
                c.id,
                _label(c.term),
                c.term,
                _json_strings(sorted(c.variants)),
                int(c.in_heading),
                fold_key(c.term),
                concept_key(c.term),
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


def note_concepts(db: Database, ids: Iterable[str] | None = None) -> list[list[Concept]]:
    """Every note's concept candidates with the claims and annotations mentioning them
    (only the candidates ``ids`` when given), notes in path order."""
    by_note: dict[str, dict[str, Concept]] = {}
    where = ""
    params: tuple[str, ...] = ()
    if ids is not None:
        where, params = "WHERE {} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),)
    rows = db.conn.execute(
        "SELECT note, id, term, variants, in_heading FROM concepts "
        f"{where.format('id')} ORDER BY note, rowid",
        params,
    ).fetchall()
    # One JSON document for every row's variants: a json.loads per row was most of the
    # time of a re-index in a large vault.
    decoded = json.loads("[" + ",".join(r[3] for r in rows) + "]") if rows else []
    for (note, cid, term, _, in_heading), variants in zip(rows, decoded, strict=True):
        by_note.setdefault(note, {})[cid] = Concept(cid, term, set(variants), [], bool(in_heading))
    for note, claim_id, concept_id in db.conn.execute(
        "SELECT note, claim_id, concept_id FROM mentions "
        f"{where.format('concept_id')} ORDER BY note, rowid",
        params,
    ):
        c = by_note.get(note, {}).get(concept_id)
        if c is not None:
            c.claim_ids.append(claim_id)
    return [list(concepts.values()) for concepts in by_note.values()]


def merged_candidates(db: Database, ids: Iterable[str]) -> tuple[list[Concept], list[Concept]]:
    """The candidates ``ids`` as :func:`note_concepts` gives them, merged per id in SQL:
    ``(inputs, spellings)``.

    ``inputs`` holds one candidate per id, in the order of each id's first note, with
    the term of that note, every variant, whether any note has it in a heading and
    every claim mentioning it: ``semantic.concepts.vault_concepts([inputs])`` equals
    ``vault_concepts(note_concepts(db, ids))``. ``spellings`` holds each id's distinct
    terms, ordered by their last note, which is what ``concept_mapping`` reads of the
    candidates. An edit that touches a concept a thousand notes mention then reads a
    few rows per concept, not a thousand candidates and their mentions.
    """
    names = json.dumps(sorted(ids))
    # Concepts are unique per (note, id), and a bare column beside a lone min() or max()
    # comes from the row holding it: each id's first (last) note gives its term.
    first = db.conn.execute(
        "SELECT id, MIN(note), rowid, term FROM concepts "
        "WHERE id IN (SELECT value FROM json_each(?)) GROUP BY id",
        (names,),
    ).fetchall()
    heading = {
        r[0]
        for r in db.conn.execute(
            "SELECT DISTINCT id FROM concepts "
            "WHERE in_heading AND id IN (SELECT value FROM json_each(?))",
            (names,),
        )
    }
    variants: dict[str, set[str]] = {}
    for cid, variant in db.conn.execute(
        "SELECT DISTINCT c.id, v.value FROM concepts c, json_each(c.variants) v "
        "WHERE c.id IN (SELECT value FROM json_each(?))",
        (names,),
    ):
        variants.setdefault(cid, set()).add(variant)
    claims = {
        cid: json.loads(found)
        for cid, found in db.conn.execute(
            "SELECT m.concept_id, json_group_array(DISTINCT m.claim_id) FROM mentions m "
            "WHERE m.concept_id IN (SELECT value FROM json_each(?)) AND EXISTS "
            "(SELECT 1 FROM concepts c WHERE c.note = m.note AND c.id = m.concept_id) "
            "GROUP BY m.concept_id",
            (names,),
        )
    }
    # Within one note, candidates come in rowid order (note_concepts' ORDER BY).
    inputs = [
        Concept(cid, term, variants.get(cid, set()), claims.get(cid, []), cid in heading)
        for cid, _, _, term in sorted(first, key=lambda r: (r[1], r[2]))
    ]
    spellings = [
        Concept(cid, term, set(), [], False)
        for cid, term, _ in sorted(
            db.conn.execute(
                "SELECT id, term, MAX(note) FROM concepts "
                "WHERE id IN (SELECT value FROM json_each(?)) GROUP BY id, term",
                (names,),
            ).fetchall(),
            key=lambda r: (r[0], r[2]),
        )
    ]
    return inputs, spellings


def concept_closure(db: Database, limit: int) -> set[str] | None:
    """The candidate ids whose vault concepts the notes changed since the last merge
    (``concepts_dirty``) may have changed: every candidate linked to a changed one,
    directly or through others, by its id, its folding key or its spelling key. None
    when there are more than ``limit``: a full merge is then the better choice.

    The merge of these candidates alone gives exactly their part of a full merge: a
    candidate's concept, the acronym it folds into, the concepts whose variants its
    term matches all share one of those keys with it.
    """
    seeds = db.conn.execute("SELECT id, fold, ckey FROM concepts_dirty").fetchall()
    seen: dict[str, set[str]] = {"id": set(), "fold": set(), "ckey": set()}
    todo: dict[str, set[str]] = {"id": set(), "fold": set(), "ckey": set()}
    for row in seeds:
        for col, value in zip(("id", "fold", "ckey"), row, strict=True):
            if value is not None:
                todo[col].add(value)
    while any(todo.values()):
        found = []
        for col, values in todo.items():
            if not values:
                continue
            seen[col] |= values
            found += db.conn.execute(
                f"SELECT DISTINCT id, fold, ckey FROM concepts WHERE {col} IN "
                "(SELECT value FROM json_each(?))",
                (json.dumps(sorted(values)),),
            ).fetchall()
        todo = {"id": set(), "fold": set(), "ckey": set()}
        for row in found:
            for col, value in zip(("id", "fold", "ckey"), row, strict=True):
                if value is not None and value not in seen[col]:
                    todo[col].add(value)
        if len(seen["id"]) + len(todo["id"]) > limit:
            return None
    return seen["id"]


def write_vault_concepts(
    db: Database, concepts: Sequence[Concept], candidates: Iterable[Concept]
) -> None:
    """Replace the vault's concepts, and map every candidate id to the concept it joined
    (``semantic.concepts.concept_mapping``)."""
    _replace_vault_concepts(db, None, concepts, concept_mapping(concepts, candidates))


def update_vault_concepts(
    db: Database, ids: Iterable[str], concepts: Sequence[Concept], candidates: Iterable[Concept]
) -> None:
    """Replace the part of the vault's concepts that the candidates ``ids`` make (see
    :func:`concept_closure`): their concepts and mappings, by a merge of them alone."""
    _replace_vault_concepts(db, sorted(ids), concepts, concept_mapping(concepts, candidates))


def _replace_vault_concepts(
    db: Database, ids: list[str] | None, concepts: Sequence[Concept], mapping: dict[str, str]
) -> None:
    with write_transaction(db):
        if ids is None:
            db.conn.execute("DELETE FROM vault_concepts")
            db.conn.execute("DELETE FROM concept_map")
        else:
            names = json.dumps(ids)
            db.conn.execute(
                "DELETE FROM vault_concepts WHERE id IN (SELECT value FROM json_each(?))", (names,)
            )
            db.conn.execute(
                "DELETE FROM concept_map WHERE candidate_id IN (SELECT value FROM json_each(?))",
                (names,),
            )
        db.conn.executemany(
            "INSERT INTO vault_concepts (id, term, variants, mentions, in_heading) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    c.id,
                    c.term,
                    _json_strings(sorted(c.variants)),
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
        db.conn.execute("DELETE FROM concepts_dirty")


def write_sim_edges(
    db: Database, edges: Iterable[Edge], ranks: Mapping[tuple[str, str, str], int] | None = None
) -> int:
    """Replace every similar, duplicate and tension edge; return how many were written.

    ``ranks``: by (source, target, type), whose top-k the pair is in
    (``similarity.pair_ranks``); an edge it does not name is stored with 0, and with
    ``ranks=None`` every edge is stored with NULL (not known: the next index compares
    every claim again rather than update them)."""
    rows = _edge_rows(edges, ranks)
    with write_transaction(db):
        db.conn.execute("DELETE FROM sim_edges")
        db.conn.execute("DELETE FROM claims_dirty")  # every claim was compared
        db.conn.executemany(_INSERT_EDGE, rows)
    return len(rows)


_INSERT_EDGE = (
    "INSERT OR REPLACE INTO sim_edges (source, target, type, weight, reason, ranks) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _edge_rows(
    edges: Iterable[Edge], ranks: Mapping[tuple[str, str, str], int] | None
) -> list[tuple]:
    """``sim_edges`` rows of ``edges``, ranks as :func:`write_sim_edges` says."""
    return [
        (
            e.source,
            e.target,
            e.type,
            float(e.weight),
            e.reason or "",
            None if ranks is None else ranks.get((e.source, e.target, e.type), 0),
        )
        for e in edges
    ]


def sim_edge_rows(db: Database) -> list[tuple[str, str, str, float, str]]:
    """Every stored (source, target, type, weight, reason) edge."""
    return db.conn.execute("SELECT source, target, type, weight, reason FROM sim_edges").fetchall()


def update_sim_edges(
    db: Database,
    remove: Iterable[tuple[str, str, str]],
    add: Iterable[Edge],
    ranks: Mapping[tuple[str, str, str], int] | None = None,
) -> None:
    """Delete the (source, target, type) edges ``remove`` and write ``add`` (``ranks`` as
    for :func:`write_sim_edges`), in one transaction: what an incremental similarity
    pass changed."""
    with write_transaction(db):
        db.conn.executemany(
            "DELETE FROM sim_edges WHERE source = ? AND target = ? AND type = ?", list(remove)
        )
        db.conn.executemany(_INSERT_EDGE, _edge_rows(add, ranks))


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
