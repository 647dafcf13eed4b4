"""The semantic layer wired into the index: pipeline stages that analyse and store meaning.

The pure ``explorer.semantic`` package knows nothing of SQLite; ``explorer.store``
knows nothing of models. This module joins them for ``pipeline.index_vault``:

* :class:`SemanticStage` (per note, inside the note's transaction): the claims the
  semantic layer keeps, their vectors from the cache, then kinds, annotations,
  references and concepts written with ``store.semantic.write_analysis``. Its
  ``prepare`` embeds the new texts of a whole chunk of notes first, in length-sorted
  slices, with progress events.
* vault stages, after all notes: :class:`ModelStage` (switch the store to a new model
  once every claim has a vector of it, then drop the old model's vectors),
  :class:`ConceptStage` (concepts across notes), :class:`SimilarityStage` (similar,
  duplicate and tension edges).

Embedding is cached by (model name, content hash) through :class:`CachedEmbedder`,
which also serves the kind prototypes' example texts and annotation texts, so a
re-index, a renamed note or text moved between notes sends nothing to the model
twice. A model that cannot be loaded degrades the run to kinds by rules only; the
notes written meanwhile get a pipeline key that says so, and are analysed again, with
vectors, by the next run that has a working model.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from explorer.core.model import ParsedNote
from explorer.indexing.events import Changes, Progress
from explorer.semantic.analyse import Analyser
from explorer.semantic.concepts import vault_concepts
from explorer.semantic.embedder import EmbedderError, TextEmbedder
from explorer.semantic.similarity import (
    DEFAULT_K,
    DEFAULT_THRESHOLD,
    RANK_A,
    RANK_B,
    cap_within_notes,
    decide_pairs,
    pairs_above,
    ranked_similarity_edges,
    tension_edges,
)
from explorer.semantic.taxonomy import Taxonomy, default_taxonomy, taxonomy_for_vault
from explorer.semantic.types import Edge, NoteAnalysis
from explorer.semantic.vectors import content_hash
from explorer.store.connection import write_transaction
from explorer.store.meta import get_meta, set_meta
from explorer.store.semantic import (
    ANALYSIS_COLUMNS,
    KIND_SQL,
    analysis_columns,
    claim_kinds,
    concept_closure,
    merged_candidates,
    note_concepts,
    update_sim_edges,
    update_vault_concepts,
    write_analysis,
    write_sim_edges,
    write_vault_concepts,
)
from explorer.store.vectors import (
    cached_vectors,
    claims_without_vectors,
    prune_models,
    store_vectors,
    vector_rows,
)

# Bump when what the semantic stage stores changes, so every note is analysed again.
SEMANTIC_VERSION = "2"  # 2: calibrated kind confidence
# Texts per encode call in ``prepare``: large enough that the model's per-call cost
# vanishes, small enough for a progress event every few seconds on 2 CPU cores.
SLICE = 256
# Environment variable naming the model for every command (a path, "default" or
# "hashing"), below --model and above the store's remembered choice.
MODEL_ENV = "EXPLORER_MODEL"


def taxonomy_fingerprint(taxonomy: Taxonomy) -> str:
    """Short digest of a taxonomy's kinds and cues: a changed taxonomy re-analyses notes."""
    return hashlib.sha1(repr(taxonomy.kinds).encode("utf-8")).hexdigest()[:10]


class CachedEmbedder:
    """An embedder behind the store's vector cache: only unseen texts reach the model.

    Bind it to the run's connection with :meth:`bind` (the pipeline opens the store on
    its own thread). ``encoded`` counts the texts sent to the model.
    """

    def __init__(self, inner: TextEmbedder, *, slice_size: int = SLICE) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.slice_size = slice_size
        self.db: Database | None = None
        self.encoded = 0

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def bind(self, db: Database) -> None:
        self.db = db

    def lookup(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        assert self.db is not None, "bind() the cache to a store first"
        return cached_vectors(self.db, self.name, hashes)

    def _embed(self, hashes: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        matrix = np.asarray(self.inner.encode(list(texts)), dtype=np.float32)
        self.encoded += len(texts)
        assert self.db is not None, "bind() the cache to a store first"
        store_vectors(self.db, self.name, list(hashes), matrix)
        return matrix

    def ensure(self, texts: Iterable[str]) -> Iterator[Progress]:
        """Embed and cache those of ``texts`` the cache lacks, yielding progress.

        Sorted by length first, so every slice pads little (as one big encode call
        would), and each slice is committed on its own: a cancel keeps what was done.
        """
        unique = {content_hash(t): t for t in texts}
        have = set(self.lookup(unique))
        missing = sorted(((h, t) for h, t in unique.items() if h not in have), key=_length)
        total = len(missing)
        if not total:
            return
        yield Progress("embed", 0, total, message=f"embedding {total} new texts")
        for i in range(0, total, self.slice_size):
            part = missing[i : i + self.slice_size]
            self._embed([h for h, _ in part], [t for _, t in part])
            yield Progress("embed", min(i + self.slice_size, total), total)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (the embedder interface), from the cache where it can."""
        texts = list(texts)
        hashes = [content_hash(t) for t in texts]
        found = self.lookup(hashes)
        todo = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
        if todo:
            found.update(zip(todo, self._embed(list(todo), list(todo.values())), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes]).astype(np.float32)


def _length(item: tuple[str, str]) -> int:
    return len(item[1])


class SemanticIndex:
    """The semantic stages of one index run, and what happened to the model in it.

    ``embedder`` is ``None`` for kinds by rules only (``--no-embed``, or no usable
    model); ``embed_error`` holds the model's error when it failed to load mid-run.
    """

    def __init__(
        self,
        vault: str | Path | None = None,
        *,
        embedder: TextEmbedder | None = None,
        taxonomy: Taxonomy | None = None,
        slice_size: int = SLICE,
        prune_old_vectors: bool = True,
        model_source: str | None = None,
    ) -> None:
        if taxonomy is None:
            taxonomy = taxonomy_for_vault(vault) if vault is not None else default_taxonomy()
        self.taxonomy = taxonomy
        self.cache = CachedEmbedder(embedder, slice_size=slice_size) if embedder else None
        self.model_source = model_source if model_source is not None else _source(embedder)
        self.embed_error: str | None = None
        self.note_stage = SemanticStage(self)
        self.model_stage = ModelStage(self, prune_old_vectors)
        self.concept_stage = ConceptStage()
        self.similarity_stage = SimilarityStage(self)

    def stages(self) -> tuple[list, list]:
        return [self.note_stage], [self.model_stage, self.concept_stage, self.similarity_stage]

    def degrade(self, error: Exception) -> str:
        """Go on without the model: kinds by rules only, no vectors."""
        self.embed_error = (
            f"{error}; indexing goes on without embeddings (kinds by rules only, no "
            "meaning search, no similarity edges for new text)"
        )
        self.cache = None
        self.note_stage.analyser = Analyser(self.taxonomy, None)
        return self.embed_error


class SemanticStage:
    """Per note: vectors from the cache, then kinds, annotations, references, concepts."""

    name = "semantic"

    def __init__(self, index: SemanticIndex) -> None:
        self.index = index
        self.analyser = Analyser(index.taxonomy, index.cache)
        base = f"{SEMANTIC_VERSION}.{taxonomy_fingerprint(index.taxonomy)}"
        model = index.cache.name if index.cache else "rules"
        # Stage ids go into the pipeline key, joined by ";".
        self.version = f"{base}.{model}".replace(";", ",")
        self._rules_id = f"{self.name}@{base}.rules"
        self._id = f"{self.name}@{self.version}"
        self._kept: dict[int, list] = {}  # segment() of the notes prepare() saw
        # Analyses done by worker processes: id(note) -> (note, analysis).
        self._analysed: dict[int, tuple[ParsedNote, NoteAnalysis]] = {}
        # Analyses whose claims write_note stored (claim_columns), for __call__: id(note)
        # -> (note, analysis, vector hashes). Emptied by prepare(), so a note whose
        # transaction failed in between is not kept past its chunk.
        self._written: dict[int, tuple[ParsedNote, NoteAnalysis, dict[str, str]]] = {}

    def task(self) -> AnalysisTask:
        """What a worker process needs to analyse a note as :meth:`__call__` would."""
        cache = self.index.cache
        if cache is None:
            return AnalysisTask(self.index.taxonomy, None)
        examples = [e for kind in self.index.taxonomy.kinds for e in kind.examples]
        # Before the first prepare() (not bound yet) nothing is embedded: no examples.
        vectors = cache.lookup(map(content_hash, examples)) if cache.db is not None else {}
        return AnalysisTask(self.index.taxonomy, cache.name, cache.dim, vectors)

    def table(self, note: ParsedNote) -> dict[str, np.ndarray]:
        """The cached vectors of a prepared note's texts, by content hash (for its task)."""
        kept = self._kept.get(id(note))
        if kept is None or self.index.cache is None:
            return {}
        texts = [c.text for c in kept] + [c.text for c in note.claims]
        return self.index.cache.lookup({content_hash(t) for t in texts})

    def take(self, note: ParsedNote, analysis: NoteAnalysis) -> None:
        """Keep a worker's analysis of ``note`` for the call that writes it."""
        self._analysed[id(note)] = (note, analysis)

    def _texts(self, note: ParsedNote) -> list[str]:
        # The kept claims, plus the parser's texts: a whole-sentence annotation is one
        # of those, and the annotation stage embeds it to find its target by meaning.
        kept = self._kept[id(note)] = self.analyser.segment(note)
        return [c.text for c in kept] + [c.text for c in note.claims]

    def prepare(self, db: Database, notes: Sequence[ParsedNote]) -> Iterator[Progress]:
        """Embed the new texts of a chunk of notes at once (see pipeline docstring)."""
        cache = self.index.cache
        self._kept.clear()
        self._written.clear()
        if cache is None:
            return
        cache.bind(db)
        # The kinds' example texts too: their prototypes are embedded on first use.
        texts = [e for kind in self.index.taxonomy.kinds for e in kind.examples]
        texts += [t for note in notes for t in self._texts(note)]
        try:
            yield from cache.ensure(texts)
        except EmbedderError as err:
            yield Progress("embed", 0, 0, message=self.index.degrade(err), level="error")

    def claim_columns(self, db: Database, parsed: ParsedNote) -> tuple[tuple, dict[str, tuple]]:
        """The note's kept claims with their analysis, for write_note to store them
        once (then ``__call__`` writes the rest of the same analysis)."""
        result = self._analysis(db, parsed)
        hashes = {c.id: content_hash(c.text) for c in result.claims}
        self._written[id(parsed)] = (parsed, result, hashes)
        return ANALYSIS_COLUMNS, analysis_columns(result, hashes)

    def __call__(self, db: Database, parsed: ParsedNote) -> None:
        written = self._written.pop(id(parsed), None)
        if written is not None and written[0] is parsed:
            _, result, hashes = written
            stored = True
        else:
            result = self._analysis(db, parsed)
            hashes = {c.id: content_hash(c.text) for c in result.claims}
            stored = False
        if self.index.cache is None and self._id != self._rules_id:
            # Analysed without vectors: a later run with a working model redoes it.
            db.conn.execute(
                "UPDATE notes SET pipeline = replace(pipeline, ?, ?) WHERE path = ?",
                (self._id, self._rules_id, parsed.path),
            )
        write_analysis(db, parsed, result, hashes, claims_stored=stored)

    def _analysis(self, db: Database, parsed: ParsedNote) -> NoteAnalysis:
        """A worker's analysis of the note, else one made here (with vectors if it can)."""
        cache = self.index.cache
        result = None
        done = self._analysed.pop(id(parsed), None)
        if done is not None and done[0] is parsed:
            result = done[1]
        elif cache is not None:
            cache.bind(db)
            try:
                kept = self._kept.pop(id(parsed), None) or self.analyser.segment(parsed)
                hashes = {c.id: content_hash(c.text) for c in kept}
                found = cache.lookup(hashes.values())
                todo = [c for c in kept if hashes[c.id] not in found]
                if todo:  # not prepared (a direct call) or prepared only in part
                    found.update(
                        zip(
                            [hashes[c.id] for c in todo],
                            cache.encode([c.text for c in todo]),
                            strict=True,
                        )
                    )
                vectors = {cid: found[h] for cid, h in hashes.items() if h in found}
                result = self.analyser.analyse(parsed, vectors)
            except EmbedderError as err:
                self.index.degrade(err)
        if result is None:
            result = self.analyser.analyse(parsed, None)
        return result


class ModelStage:
    """Make the run's model the store's model once every claim has a vector of it.

    Until then searches keep using the old model's vectors (kept in the cache), so a
    model change interrupted half-way leaves a store that still answers.
    """

    name = "model"

    def __init__(self, index: SemanticIndex, prune: bool) -> None:
        self.index = index
        self.prune = prune

    def __call__(self, db: Database, changes: Changes) -> Iterator[Progress]:
        cache = self.index.cache
        if cache is None:
            return
        new, old = cache.name, get_meta(db, "model")
        if new == old:
            return
        missing = claims_without_vectors(db, new)
        if old and missing:
            yield Progress(
                "model",
                0,
                1,
                message=f"{missing} claims have no vector of {new} yet; the store keeps "
                f"using {old} until a run embeds them all",
                level="warning",
            )
            return
        row = db.conn.execute("SELECT dim FROM embeddings WHERE model = ? LIMIT 1", (new,))
        dim = row.fetchone()
        set_meta(db, "model", new)
        set_meta(db, "model_path", self.index.model_source)
        set_meta(db, "model_dim", str(dim[0]) if dim else "")
        message = f"model: {new}"
        if old:
            message += f" (was {old})"
        if self.prune:
            gone = prune_models(db, new)
            if gone:
                message += f"; {gone} vectors of other models removed"
        yield Progress("model", 1, 1, message=message)


class ConceptStage:
    """Concepts across the vault: merged spellings, kept when two claims mention them.

    After a run that changed a few notes only the candidates linked to the changed ones
    (``store.semantic.concept_closure``) are merged again and their rows replaced; the
    result is the full merge's, which runs when there is no merge yet or the change
    reaches too many candidates.
    """

    name = "concepts"
    # Above this many candidates to merge again, the full merge is the better choice.
    MAX_UPDATE = 20_000

    def __call__(self, db: Database, changes: Changes) -> Iterator[Progress]:
        built, candidates, dirty = db.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM vault_concepts), EXISTS (SELECT 1 FROM concepts), "
            "EXISTS (SELECT 1 FROM concepts_dirty)"
        ).fetchone()
        if built and not dirty:
            return  # nothing that a merge reads changed since the last one
        if not built and not candidates and not changes.any:
            return
        yield Progress("concepts", 0, 1, message="merging concepts across notes")
        ids = concept_closure(db, self.MAX_UPDATE) if built else None
        if ids is None:
            per_note = note_concepts(db)
            every = [c for concepts in per_note for c in concepts]
        else:  # merged per concept in SQL: a concept's thousand notes are a few rows
            inputs, every = merged_candidates(db, ids)
            per_note = [inputs]
        final = vault_concepts(per_note)
        if ids is None:
            write_vault_concepts(db, final, every)
            yield Progress("concepts", 1, 1, message=f"{len(final)} concepts")
        else:
            update_vault_concepts(db, ids, final, every)
            yield Progress(
                "concepts", 1, 1, message=f"{len(final)} concepts of {len(ids)} candidates"
            )


class SimilarityStage:
    """Similar, duplicate and tension edges over every claim with a vector.

    After a run that changed a few notes, only the changed claims and the claims that
    lost a neighbour are compared with the rest (``similarity.update_pairs``), and
    only the edges that changed are rewritten: an edit in a vault of 70,000 claims
    costs a fraction of a second, not a full pass. Tension edges between two
    unchanged claims are kept as they were.
    """

    name = "similarity"
    # Above this share of changed claims a full pass is cheaper than an update.
    FULL_SHARE = 0.02
    MIN_UPDATE = 2048

    def __init__(self, index: SemanticIndex, method: str = "auto") -> None:
        self.index = index
        self.method = method

    def _tension(self, db: Database, edges: list[Edge]) -> list[Edge]:
        ends = {e.source for e in edges} | {e.target for e in edges}
        if len(ends) < 20_000:  # a few edges (an update): read only their claims
            rows = db.conn.execute(
                f"SELECT c.id, c.text, {KIND_SQL} FROM claims c "
                "LEFT JOIN user_kinds u ON u.claim_id = c.id "
                "WHERE c.id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(ends)),),
            ).fetchall()
            texts = {cid: text for cid, text, _ in rows}
            kinds = {cid: kind for cid, _, kind in rows if kind is not None}
        else:
            texts = {
                cid: text
                for cid, text in db.conn.execute("SELECT id, text FROM claims")
                if cid in ends
            }
            kinds = {cid: label.kind for cid, label in claim_kinds(db).items() if cid in ends}
        return tension_edges(edges, texts, kinds, self.index.taxonomy)

    _EDGES = (
        "SELECT e.rowid, e.source, e.target, "
        "CASE e.type WHEN 'similar' THEN 0 WHEN 'duplicate' THEN 1 ELSE 2 END, "
        "COALESCE(e.ranks, -1) FROM sim_edges e "
    )

    def _update(
        self, db: Database, ids: list[str], matrix: np.ndarray, vrows: np.ndarray, changes: Changes
    ):
        """(edges written, edges removed, claims changed) after an incremental pass
        written to the store; None when a full pass is the better choice.

        A pair is an edge when it is in the top-k list of either claim. Only the lists
        that may change are ranked again: those of R, the changed claims, those that lost
        a neighbour (an edge to a removed or changed claim), whose every pair above the
        threshold is found again; and those of the claims a changed claim now pairs
        with, into whose list it may enter. Together they are F. Only F's stored edges
        are read: for a pair of a claim of F with one outside it, the other claim's part
        is its stored rank bit (``sim_edges.ranks``), since its list cannot have
        changed. Claims are matched to matrix rows by id: claim ``ids[i]`` has the
        vector ``matrix[vrows[i]]`` (``store.vectors.vector_rows``).
        """
        n = len(ids)
        row_of = {cid: i for i, cid in enumerate(ids)}

        def rows_of(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
            at = np.fromiter((row_of.get(x, -1) for x in names), dtype=np.int64, count=len(names))
            return np.maximum(at, 0), at >= 0

        def edges(where: str, params=()) -> np.ndarray:
            """Rows of (rowid, source row, target row, type, ranks); -1 for a claim with
            no vector now, and for ranks not known."""
            found = db.conn.execute(self._EDGES + where, params).fetchall()
            if not found:
                return np.zeros((0, 5), np.int64)
            rowid, source, target, type_, ranks = zip(*found, strict=True)
            at, ok = rows_of(list(source))
            bt, okb = rows_of(list(target))
            return np.stack(
                [
                    np.array(rowid, dtype=np.int64),
                    np.where(ok, at, -1),
                    np.where(okb, bt, -1),
                    np.array(type_, dtype=np.int64),
                    np.array(ranks, dtype=np.int64),
                ],
                axis=1,
            )

        def edges_at(mask: np.ndarray) -> np.ndarray:
            if not mask.any():
                return np.zeros((0, 5), np.int64)
            names = json.dumps([ids[i] for i in np.flatnonzero(mask).tolist()])
            return edges(
                "WHERE e.source IN (SELECT value FROM json_each(?1)) "
                "OR e.target IN (SELECT value FROM json_each(?1))",
                (names,),
            )

        def ends(rows: np.ndarray):
            ia, ib = rows[:, 1], rows[:, 2]
            oka, okb = ia >= 0, ib >= 0
            return np.maximum(ia, 0), oka, np.maximum(ib, 0), okb

        # Claims written or removed since the last pass (``claims_dirty``, filled by the
        # store's triggers in the notes' own transactions) and the claims of the notes
        # this run wrote: those present changed, those absent are gone.
        dirty = [r[0] for r in db.conn.execute("SELECT id FROM claims_dirty").fetchall()]
        written = [
            r[0]
            for r in db.conn.execute(
                "SELECT id FROM claims WHERE note IN (SELECT value FROM json_each(?))",
                (json.dumps(list(changes.indexed)),),
            ).fetchall()
        ]
        changed = np.zeros(n, dtype=bool)
        at, ok = rows_of(dirty + written)
        changed[at[ok]] = True
        if changed.sum() > max(self.MIN_UPDATE, self.FULL_SHARE * n):
            return None
        # Edges to a removed claim go; the claim at their other end lost a neighbour.
        stale = edges(
            "WHERE e.source IN (SELECT value FROM json_each(?1) WHERE value NOT IN "
            "(SELECT id FROM claims)) OR e.target IN (SELECT value FROM json_each(?1) "
            "WHERE value NOT IN (SELECT id FROM claims))",
            (json.dumps(dirty),),
        )
        ia, oka, ib, okb = ends(stale)
        lost = np.zeros(n, dtype=bool)
        lost[ia[oka]] = True
        lost[ib[okb]] = True
        touched = changed | lost
        redo = touched.copy()
        e0 = edges_at(changed)
        ia, oka, ib, okb = ends(e0)
        redo[ia[oka]] = True
        redo[ib[okb]] = True
        ca, cb = pairs_above(matrix, np.flatnonzero(redo), DEFAULT_THRESHOLD, vrows)
        F = redo.copy()
        entering = changed[ca] | changed[cb]
        F[ca[entering]] = True
        F[cb[entering]] = True
        e1 = edges_at(F)
        old = np.concatenate([stale, e1])
        _, first = np.unique(old[:, 0], return_index=True)
        old = old[first]
        rowid, type_, old_ranks = old[:, 0], old[:, 3], old[:, 4]
        ia, oka, ib, okb = ends(old)
        both = oka & okb
        sim = type_ < 2
        # The rank bit of a claim outside F is read, never decided: without it (a store
        # written before ranks were kept) only a full pass is exact.
        if np.any(sim & both & (old_ranks < 0) & ~(F[ia] & F[ib])):
            return None
        lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
        stays = both & ~changed[ia] & ~changed[ib]  # a pair whose vectors did not move
        pool = sim & stays
        pa, pb, pv, pd, ranked = decide_pairs(
            matrix, np.r_[lo[pool], ca], np.r_[hi[pool], cb], DEFAULT_K, DEFAULT_THRESHOLD, at=vrows
        )
        pair_key = pa * (n + 1) + pb
        key = pair_key * 2 + pd
        old_pair = np.where(both, lo * (n + 1) + hi, -1)
        old_key = old_pair * 2 + np.minimum(type_, 1)
        # Each end's bit: ranked in the pool for a claim of F, as stored for any other.
        # A pair found again but not stored was in neither list.
        stored = np.zeros(key.size, np.int64)
        was = pool & (old_ranks >= 0)
        if was.any():
            by_key = np.argsort(old_key[was])
            known, bits = old_key[was][by_key], old_ranks[was][by_key]
            slot = np.minimum(np.searchsorted(known, key), known.size - 1)
            stored = np.where(known[slot] == key, bits[slot], 0)
        above = ranked > 0
        ranks = np.where(F[pa], ranked & RANK_A, stored & RANK_A) | np.where(
            F[pb], ranked & RANK_B, stored & RANK_B
        )
        now = above & (ranks > 0) & (F[pa] | F[pb])
        in_f = both & (F[ia] | F[ib])
        gone = ~both | (sim & ~stays)
        gone |= sim & in_f & ~np.isin(old_key, key[now])
        kept_before = np.isin(key, old_key[pool])
        fresh = now & ~kept_before
        # Tension: kept between untouched claims whose pair is still an edge.
        still = ~in_f | np.isin(old_pair, pair_key[now])
        tension_ok = (type_ == 2) & both & still & ~touched[ia] & ~touched[ib]
        gone |= (type_ == 2) & ~tension_ok
        check = now & (fresh | touched[pa] | touched[pb])
        candidates = [
            Edge(ids[i], ids[j], "duplicate" if d else "similar", round(float(w), 4))
            for i, j, w, d in zip(
                pa[check].tolist(),
                pb[check].tolist(),
                pv[check].tolist(),
                pd[check].tolist(),
                strict=True,
            )
        ]
        added = [e for e, f in zip(candidates, fresh[check].tolist(), strict=True) if f]
        rank_of = {
            (e.source, e.target, e.type): r
            for e, r in zip(candidates, ranks[check].tolist(), strict=True)
        }
        # Edges kept whose bits changed (a list gained or lost them): written in place.
        kept = pool & ~gone  # each is a pair of ``now``
        by_key = np.argsort(key[now])
        new_ranks = ranks[now][by_key[np.searchsorted(key[now][by_key], old_key[kept])]]
        moved = new_ranks != old_ranks[kept]
        tension = self._tension(db, candidates)
        with write_transaction(db):  # one transaction: the dirty claims go with the update
            db.conn.executemany(
                "DELETE FROM sim_edges WHERE rowid = ?", [(int(r),) for r in rowid[gone]]
            )
            db.conn.executemany(
                "UPDATE sim_edges SET ranks = ? WHERE rowid = ?",
                zip(new_ranks[moved].tolist(), rowid[kept][moved].tolist(), strict=True),
            )
            update_sim_edges(db, [], [*added, *tension], rank_of)
            # Only a note whose own edges (both ends in it) this update added or removed
            # is capped again: the others keep the capped edges they had.
            g = gone & (type_ < 2) & both
            new = fresh[check]
            a_end = np.r_[ia[g], pa[check][new]]
            b_end = np.r_[ib[g], pb[check][new]]
            self._cap_notes(
                db,
                self._inner(db, [ids[i] for i in a_end.tolist()], [ids[i] for i in b_end.tolist()]),
            )
            db.conn.execute("DELETE FROM claims_dirty")
        # What changed, not totals: counting every edge is a scan of the whole table.
        return len(added) + len(tension), int(gone.sum()), int(changed.sum())

    @staticmethod
    def _inner(db: Database, a: list[str], b: list[str]) -> list[str]:
        """The ends of those pairs (a[i], b[i]) whose two claims are in one note."""
        if not a:
            return []
        note = dict(
            db.conn.execute(
                "SELECT id, note FROM claims WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(set(a) | set(b))),),
            ).fetchall()
        )
        return sorted(
            {
                x
                for x, y in zip(a, b, strict=True)
                if note.get(x) is not None and note.get(x) == note.get(y)
            }
        )

    def _cap_notes(self, db: Database, claim_ids: list[str]) -> None:
        """Apply ``cap_within_notes`` again to the notes of ``claim_ids`` (an update
        changed edges there), as the full pass applies it to every note."""
        notes = db.conn.execute(
            "SELECT json_group_array(DISTINCT note) FROM claims "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(claim_ids),),
        ).fetchone()[0]
        # From the notes' claims to their edges (CROSS JOIN keeps that order): the
        # edges' primary key starts with the source.
        rows = db.conn.execute(
            "SELECT e.rowid, e.source, e.target, e.type, e.weight, e.reason, c1.note "
            "FROM claims c1 CROSS JOIN sim_edges e ON e.source = c1.id "
            "CROSS JOIN claims c2 ON c2.id = e.target AND c2.note = c1.note "
            "WHERE e.type != 'tension' AND c1.note IN (SELECT value FROM json_each(?))",
            (notes,),
        ).fetchall()
        if not rows:
            return
        edges = [Edge(s, t, kind, w, reason) for _, s, t, kind, w, reason, _ in rows]
        note_of = {}
        for _, s, t, _, _, _, note in rows:
            note_of[s] = note_of[t] = note
        kept = {(e.source, e.target, e.type) for e in cap_within_notes(edges, note_of)}
        drop = [(r[0],) for r in rows if (r[1], r[2], r[3]) not in kept]
        pairs = [(r[1], r[2]) for r in rows if (r[1], r[2], r[3]) not in kept]
        with write_transaction(db):
            db.conn.executemany("DELETE FROM sim_edges WHERE rowid = ?", drop)
            # A tension edge needs its close pair.
            db.conn.executemany(
                "DELETE FROM sim_edges WHERE source = ? AND target = ? AND type = 'tension' "
                "AND NOT EXISTS (SELECT 1 FROM sim_edges x WHERE x.source = sim_edges.source "
                "AND x.target = sim_edges.target AND x.type != 'tension')",
                pairs,
            )

    def __call__(self, db: Database, changes: Changes) -> Iterator[Progress]:
        model = get_meta(db, "model")
        if not model:
            return
        dirty = db.conn.execute("SELECT EXISTS (SELECT 1 FROM claims_dirty)").fetchone()[0]
        if not changes.any and not dirty and get_meta(db, "similarity_model") == model:
            return
        ids, rows, at = vector_rows(db, model)
        updated = None
        if get_meta(db, "similarity_model") == model and len(ids) >= 2:
            updated = self._update(db, ids, rows, at, changes)
        if updated is not None:
            written, removed, changed = updated
            yield Progress(
                "similarity", 0, 1, message=f"compared {changed} changed of {len(ids)} claims"
            )
            summary = f"{written} edges written, {removed} removed"
        else:
            yield Progress("similarity", 0, 1, message=f"comparing {len(ids)} claims")
            matrix = np.asarray(rows[at], dtype=np.float32)
            edges, ranks = (
                ranked_similarity_edges(ids, matrix, method=self.method)
                if len(ids) >= 2
                else ([], [])
            )
            rank_of = {(e.source, e.target, e.type): r for e, r in zip(edges, ranks, strict=True)}
            edges = cap_within_notes(edges, dict(db.conn.execute("SELECT id, note FROM claims")))
            found = self._tension(db, edges)
            write_sim_edges(db, [*edges, *found], rank_of)
            similar = sum(e.type == "similar" for e in edges)
            duplicate, tension = len(edges) - similar, len(found)
            summary = f"{similar} similar, {duplicate} duplicate, {tension} tension edges"
        set_meta(db, "similarity_model", model)
        yield Progress("similarity", 1, 1, message=summary)


class MissingVector(LookupError):
    """A worker was asked to embed a text it was not given a vector for."""


class _TableEmbedder:
    """The embedder interface over vectors handed to a worker (it runs no model)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim
        self.table: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            v = self.table.get(content_hash(text))
            if v is None:
                raise MissingVector(text[:60])
            rows.append(v)
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(rows).astype(np.float32)


# Analysers built in a worker process, by task key: a worker builds one a run.
_WORKER_ANALYSERS: dict[str, Analyser] = {}


class AnalysisTask:
    """A note's analysis as :class:`SemanticStage` does it, runnable in a worker.

    Rules only when ``model`` is None; otherwise the analysis uses the vectors the
    writer hands over with each note (its texts) and ``examples`` (the kinds' example
    texts), exactly as the writer's cached embedder would serve them, so the result
    is the same wherever it runs. A text without a vector raises
    :class:`MissingVector`; the writer then analyses that note itself.
    """

    def __init__(self, taxonomy: Taxonomy, model: str | None, dim: int = 0, examples=None):
        self.taxonomy, self.model, self.dim = taxonomy, model, dim
        self.examples = dict(examples or {})
        self.key = f"{taxonomy_fingerprint(taxonomy)}:{model}"

    @property
    def needs_vectors(self) -> bool:
        return self.model is not None

    def _analyser(self) -> Analyser:
        analyser = _WORKER_ANALYSERS.get(self.key)
        if analyser is None:
            if len(_WORKER_ANALYSERS) > 4:
                _WORKER_ANALYSERS.clear()
            embedder = _TableEmbedder(self.model, self.dim) if self.model else None
            analyser = _WORKER_ANALYSERS[self.key] = Analyser(self.taxonomy, embedder)
        return analyser

    def run(self, note: ParsedNote, table) -> NoteAnalysis:
        analyser = self._analyser()
        if self.model is None:
            return analyser.analyse(note, None)
        analyser.embedder.table = {**self.examples, **(table or {})}
        kept = analyser.segment(note)
        vectors = {}
        for c in kept:
            v = analyser.embedder.table.get(content_hash(c.text))
            if v is None:
                raise MissingVector(c.text[:60])
            vectors[c.id] = v
        return analyser.analyse(note, vectors)


# Models loaded in this process, by name: a second index or search in one process
# (the GUI, a test session) does not load the model again.
_EMBEDDERS: dict[str, TextEmbedder] = {}


def model_choice(model: str | None, stored: str = "") -> str:
    """Which model a command uses: ``--model``, else $EXPLORER_MODEL, else the one the
    store was last indexed with (``meta.model_path``), else ``default``."""
    return model or os.environ.get(MODEL_ENV) or stored or "default"


def make_embedder(choice: str, runtime: str | None = None, stored_model: str = "") -> TextEmbedder:
    """The embedder for a model choice: ``default`` (the shipped all-MiniLM-L6-v2), a
    sentence-transformers model directory, an exported ONNX model folder, or
    ``hashing`` / ``hashing-DIM`` (a tiny dependency-free stand-in with no real sense
    of meaning, for tests), run by ``runtime`` (``--runtime``, else $EXPLORER_RUNTIME,
    else the store's int8-ness, else ``auto``: see ``explorer.semantic.models``).

    Raises ``EmbedderError`` naming the path for a missing or broken directory. Nothing
    is imported from torch or onnxruntime here: the model loads on its first ``encode``.
    """
    from explorer.semantic.models import make_embedder as resolve
    from explorer.semantic.models import runtime_choice

    embedder = resolve(choice, runtime_choice(runtime, stored_model))
    if not hasattr(embedder, "load"):
        return embedder  # the hashing stand-in: nothing to share
    key = f"{embedder.name}|{type(embedder).__name__}|{getattr(embedder, 'path', '')}"
    return _EMBEDDERS.setdefault(key, embedder)


def _source(embedder: TextEmbedder | None) -> str:
    """What ``meta.model_path`` records for ``embedder``: ``""`` for the shipped model."""
    if embedder is None:
        return ""
    name = getattr(embedder, "name", "")
    if name.startswith("hashing-"):
        return name
    if hasattr(embedder, "source"):  # the ONNX embedders know what they were made from
        return str(embedder.source)
    path = getattr(embedder, "path", None)
    if path is None:
        return ""
    from explorer.semantic.embedder import EmbedderError, default_model_dir

    try:
        if Path(path) == default_model_dir():
            return ""
    except EmbedderError:
        pass
    return str(path)
