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
from explorer.semantic.similarity import cap_within_notes, similarity_edges, tension_edges
from explorer.semantic.taxonomy import Taxonomy, default_taxonomy, taxonomy_for_vault
from explorer.semantic.vectors import content_hash
from explorer.store.meta import get_meta, set_meta
from explorer.store.semantic import (
    claim_kinds,
    note_concepts,
    write_analysis,
    write_sim_edges,
    write_vault_concepts,
)
from explorer.store.vectors import (
    cached_vectors,
    claim_vectors,
    claims_without_vectors,
    prune_models,
    store_vectors,
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

    def _texts(self, note: ParsedNote) -> list[str]:
        # The kept claims, plus the parser's texts: a whole-sentence annotation is one
        # of those, and the annotation stage embeds it to find its target by meaning.
        kept = self._kept[id(note)] = self.analyser.segment(note)
        return [c.text for c in kept] + [c.text for c in note.claims]

    def prepare(self, db: Database, notes: Sequence[ParsedNote]) -> Iterator[Progress]:
        """Embed the new texts of a chunk of notes at once (see pipeline docstring)."""
        cache = self.index.cache
        self._kept.clear()
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

    def __call__(self, db: Database, parsed: ParsedNote) -> None:
        cache = self.index.cache
        result = None
        if cache is not None:
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
        if self.index.cache is None and self._id != self._rules_id:
            # Analysed without vectors: a later run with a working model redoes it.
            db.conn.execute(
                "UPDATE notes SET pipeline = replace(pipeline, ?, ?) WHERE path = ?",
                (self._id, self._rules_id, parsed.path),
            )
        hashes = {c.id: content_hash(c.text) for c in result.claims}
        write_analysis(db, parsed, result, hashes)


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
    """Concepts across the vault: merged spellings, kept when two claims mention them."""

    name = "concepts"

    def __call__(self, db: Database, changes: Changes) -> Iterator[Progress]:
        if not changes.any:
            built, candidates = db.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM vault_concepts), EXISTS (SELECT 1 FROM concepts)"
            ).fetchone()
            if built or not candidates:
                return
        yield Progress("concepts", 0, 1, message="merging concepts across notes")
        per_note = note_concepts(db)
        final = vault_concepts(per_note)
        write_vault_concepts(db, final, [c for concepts in per_note for c in concepts])
        yield Progress("concepts", 1, 1, message=f"{len(final)} concepts")


class SimilarityStage:
    """Similar, duplicate and tension edges over every claim with a vector."""

    name = "similarity"

    def __init__(self, index: SemanticIndex) -> None:
        self.index = index

    def __call__(self, db: Database, changes: Changes) -> Iterator[Progress]:
        model = get_meta(db, "model")
        if not model:
            return
        if not changes.any and get_meta(db, "similarity_model") == model:
            return
        ids, matrix = claim_vectors(db, model)
        yield Progress("similarity", 0, 1, message=f"comparing {len(ids)} claims")
        edges = similarity_edges(ids, matrix) if len(ids) >= 2 else []
        edges = cap_within_notes(edges, dict(db.conn.execute("SELECT id, note FROM claims")))
        ends = {e.source for e in edges} | {e.target for e in edges}
        texts = {
            cid: text for cid, text in db.conn.execute("SELECT id, text FROM claims") if cid in ends
        }
        kinds = {cid: label.kind for cid, label in claim_kinds(db).items() if cid in ends}
        tension = tension_edges(edges, texts, kinds, self.index.taxonomy)
        write_sim_edges(db, [*edges, *tension])
        set_meta(db, "similarity_model", model)
        similar = sum(e.type == "similar" for e in edges)
        yield Progress(
            "similarity",
            1,
            1,
            message=f"{similar} similar, {len(edges) - similar} duplicate, "
            f"{len(tension)} tension edges",
        )


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
