"""The semantic layer inside the index: what it stores, what it embeds (and never twice),
model changes and failures, vault-wide concepts and edges, the graph and search over it.

Fast tests use the real parser and the dependency-free ``HashingEmbedder``, wrapped to
record every text it is asked to encode.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from helpers import assert_fts_matches_claims, write_vault

from explorer.claim_search import ClaimSearch
from explorer.graph.build import graph_from_store, user_annotation_id
from explorer.indexing.pipeline import Progress, Summary, index_vault, run_index
from explorer.indexing.stages import SLICE, SemanticIndex, make_embedder, model_choice
from explorer.semantic.embedder import EmbedderError, HashingEmbedder
from explorer.semantic.vectors import content_hash
from explorer.store import add_annotation, hide, open_db, search_annotations, set_kind, stats
from explorer.store.semantic import claim_kinds
from explorer.store.vectors import cache_counts, claim_vectors

PLAN = "Large language models can reliably plan multi step tasks in new domains."
NOPLAN = "Large language models cannot reliably plan multi step tasks in new domains."
NOTES = {
    "a.md": "# Planning\n\nLLMs cannot plan reliably over many steps. Not sure about this "
    f"anymore.\n\n{PLAN}\n\n- Chain of thought helps LLMs on arithmetic (Wei et al., 2022).\n"
    "- Can a model without a world model plan at all?\n\n## References\n\n"
    "- Wei et al. Chain of thought prompting. https://arxiv.org/abs/2201.11903\n",
    "b.md": f"# Limits\n\n{NOPLAN}\n\nLLMs memorize programs rather than learn them. See [[a]].\n",
    "c.md": "Transformers attend to every token of the context window.\n",
}


class Recorder(HashingEmbedder):
    """A hashing embedder that remembers every text it encoded."""

    def __init__(self, dim: int = 64, name: str = "hashing") -> None:
        super().__init__(dim=dim, name=name)
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return super().encode(texts)


class Broken(Recorder):
    """A model whose weights fail to load on first use."""

    def encode(self, texts):
        raise EmbedderError("could not load the embedding model from /models/broken: bad weights")


@pytest.fixture
def vault(tmp_path):
    return write_vault(tmp_path / "vault", NOTES)


@pytest.fixture
def dbp(tmp_path):
    return tmp_path / "data" / "store.db"


def index(vault, dbp, embedder=None, **kw):
    semantic = SemanticIndex(vault, embedder=embedder)
    note_stages, vault_stages = semantic.stages()
    events = list(index_vault(vault, dbp, note_stages=note_stages, vault_stages=vault_stages, **kw))
    summary = events[-1]
    assert isinstance(summary, Summary)
    return summary, events, semantic


def query(dbp, sql, params=()):
    db = open_db(dbp)
    try:
        return db.conn.execute(sql, params).fetchall()
    finally:
        db.close()


def test_a_run_stores_kinds_annotations_references_concepts_and_edges(vault, dbp):
    s, events, semantic = index(vault, dbp, Recorder())
    assert (s.notes, s.errors, semantic.embed_error) == (3, 0, None)
    texts = {t for (t,) in query(dbp, "SELECT text FROM claims")}
    # The annotation left the claims; the bibliography entry became a reference.
    assert "Not sure about this anymore." not in texts and PLAN in texts
    assert not any("arxiv" in t for t in texts)
    kinds = dict(query(dbp, "SELECT text, kind FROM claims"))
    assert kinds["Can a model without a world model plan at all?"] == "question"
    assert all(k is not None for k in kinds.values())
    ((target, stance),) = query(
        dbp,
        "SELECT c.text, a.stance FROM annotations a JOIN claims c ON c.id = a.claim_id",
    )
    assert (target, stance) == ("LLMs cannot plan reliably over many steps.", "doubt")
    refs = dict(query(dbp, "SELECT key, scope FROM refs"))
    assert refs["cite:wei:2022"] == "claim" and refs["url:arxiv.org/abs/2201.11903"] == "note"
    # The entry of the References section is cited by the note itself.
    assert query(
        dbp,
        "SELECT note FROM cites WHERE claim_id IS NULL AND ref_id IN "
        "(SELECT id FROM refs WHERE kind = 'url')",
    ) == [("a.md",)]
    # "LLMs" in two notes and "large language models" fold into one vault concept.
    ((term, mentions),) = query(
        dbp, "SELECT term, mentions FROM vault_concepts WHERE id = 'con:llm'"
    )
    assert term == "LLM" and mentions >= 3
    edges = query(
        dbp,
        "SELECT a.text, b.text, e.type, e.reason FROM sim_edges e "
        "JOIN claims a ON a.id = e.source JOIN claims b ON b.id = e.target ORDER BY e.type",
    )
    assert edges == [
        (PLAN, NOPLAN, "similar", ""),
        (PLAN, NOPLAN, "tension", "capability vs limitation on the same subject"),
    ]
    stages = [e.stage for e in events if isinstance(e, Progress)]
    assert {"embed", "model", "concepts", "similarity"} <= set(stages)
    db = open_db(dbp)
    try:
        assert_fts_matches_claims(db)
        (hit,) = search_annotations(db, "anymore")
        assert (hit.text, hit.stance, hit.note) == ("Not sure about this anymore.", "doubt", "a.md")
        assert hit.snippet == "Not sure about this [anymore]."
        assert search_annotations(db, "arithmetic") == []  # claims are not annotations
        # Re-indexing the note replaces its annotations in the index, never duplicates them.
        (vault / "a.md").write_text(NOTES["a.md"].replace("anymore", "any more"))
    finally:
        db.close()
    index(vault, dbp, Recorder())
    db = open_db(dbp)
    try:
        assert search_annotations(db, "anymore") == []
        assert len(search_annotations(db, "sure")) == 1
        indexed = "SELECT COUNT(*) FROM annotations_fts WHERE annotations_fts MATCH 'sure'"
        assert db.conn.execute(indexed).fetchone() == (1,)  # no stale entry left behind
    finally:
        db.close()


def test_the_chunk_is_embedded_in_length_sorted_slices_not_note_by_note(tmp_path):
    vault = write_vault(
        tmp_path / "v", {f"n{i:02}.md": f"Claim number {i} is short.\n" for i in range(30)}
    )
    together, apart = Recorder(), Recorder()
    index(vault, tmp_path / "a.db", together)
    index(vault, tmp_path / "b.db", apart, chunk_claims=1)
    # The kinds' examples and all 30 notes in slices of SLICE texts, not a call a note.
    assert together.calls == math.ceil(len(together.texts) / SLICE) < 30
    assert apart.calls >= 30
    assert sorted(together.texts) == sorted(apart.texts)  # same work, fewer calls
    lengths = [len(t) for t in together.texts]
    assert lengths == sorted(lengths)


def test_reindex_rename_and_moved_text_embed_nothing_twice(vault, dbp):
    emb = Recorder()
    index(vault, dbp, emb)
    first, calls = len(emb.texts), emb.calls
    assert len(set(emb.texts)) == first  # nothing encoded twice within the run either
    index(vault, dbp, emb, force=True)
    assert (len(emb.texts), emb.calls) == (first, calls)

    (vault / "b.md").rename(vault / "renamed.md")
    s, _, _ = index(vault, dbp, emb)
    assert s.indexed == 1 and s.removed == 1 and len(emb.texts) == first

    # A sentence moves from c.md to a new note: its vector is found by its text.
    (vault / "c.md").write_text("Something else entirely, said in c.\n")
    (vault / "d.md").write_text("Transformers attend to every token of the context window.\n")
    index(vault, dbp, emb)
    assert emb.texts[first:] == ["Something else entirely, said in c."]

    # A fresh embedder (a new process) finds the kinds' examples in the cache too.
    again = Recorder()
    index(vault, dbp, again, force=True)
    assert again.texts == []


def test_user_kind_wins_over_every_reindex_and_shows_everywhere(vault, dbp):
    index(vault, dbp, Recorder())
    ((cid, computed),) = query(dbp, "SELECT id, kind FROM claims WHERE text = ?", (PLAN,))
    db = open_db(dbp)
    set_kind(db, cid, "question")
    db.close()
    index(vault, dbp, Recorder(), force=True)
    db = open_db(dbp)
    try:
        assert db.conn.execute("SELECT kind FROM claims WHERE id = ?", (cid,)).fetchone() == (
            computed,
        )  # the computed kind is kept; the correction is applied when read
        label = claim_kinds(db)[cid]
        assert (label.kind, label.confidence, label.source) == ("question", 1.0, "user")
        node = graph_from_store(db).nodes[cid]
        assert (node["kind"], node["confidence"], node["kind_source"]) == ("question", 1.0, "user")
        (hit,) = [h for h in ClaimSearch(db).words(PLAN) if h.id == cid]
        assert hit.kind == "question"
        assert stats(db)["claims_by_kind"]["question"] >= 2
    finally:
        db.close()


def test_model_change_keeps_old_vectors_until_every_claim_has_a_new_one(vault, dbp):
    old = Recorder(dim=64)
    index(vault, dbp, old)
    assert query(dbp, "SELECT value FROM meta WHERE key = 'model'") == [("hashing-64",)]

    new = Recorder(dim=32)
    cancel = threading.Event()
    semantic = SemanticIndex(vault, embedder=new)
    note_stages, vault_stages = semantic.stages()
    for event in index_vault(
        vault,
        dbp,
        note_stages=note_stages,
        vault_stages=vault_stages,
        cancel=cancel,
        chunk_claims=1,
    ):
        if isinstance(event, Progress) and event.stage == "index":
            cancel.set()  # interrupted after the first note
    assert query(dbp, "SELECT value FROM meta WHERE key = 'model'") == [("hashing-64",)]
    db = open_db(dbp)
    try:
        assert set(cache_counts(db)) == {"hashing-64", "hashing-32"}
        ids, matrix = claim_vectors(db, "hashing-64")
        assert len(ids) == db["claims"].count and matrix.shape[1] == 64  # search still answers
    finally:
        db.close()

    s, events, _ = index(vault, dbp, new)
    assert s.indexed == 2  # the notes the interrupted run had not reached
    assert query(dbp, "SELECT value FROM meta WHERE key = 'model'") == [("hashing-32",)]
    db = open_db(dbp)
    try:
        assert set(cache_counts(db)) == {"hashing-32"}  # the old vectors went once done
        assert claim_vectors(db, "hashing-32")[1].shape == (db["claims"].count, 32)
    finally:
        db.close()
    assert any(e.stage == "model" and "was hashing-64" in (e.message or "") for e in events[:-1])


def test_a_model_that_fails_to_load_leaves_a_complete_word_index(vault, dbp):
    s, events, semantic = index(vault, dbp, Broken())
    assert s.notes == 3 and s.errors == 0 and s.claims > 5
    assert "/models/broken" in semantic.embed_error
    assert any(e.level == "error" and "/models/broken" in e.message for e in events[:-1])
    sources = {src for (src,) in query(dbp, "SELECT DISTINCT kind_source FROM claims")}
    assert sources <= {"rule", "default"}  # kinds by rules only
    assert query(dbp, "SELECT COUNT(*) FROM embeddings") == [(0,)]
    assert query(dbp, "SELECT value FROM meta WHERE key = 'model'") == []
    db = open_db(dbp)
    assert ClaimSearch(db).words("memorize programs")[0].note == "b.md"
    db.close()
    # With a working model the next run analyses every note again, now with vectors.
    s, _, _ = index(vault, dbp, Recorder())
    assert s.indexed == 3
    assert query(
        dbp, "SELECT COUNT(*) FROM claims WHERE embed_hash IN (SELECT hash FROM embeddings)"
    ) == query(dbp, "SELECT COUNT(*) FROM claims")


def test_no_embed_runs_by_rules_and_keeps_the_stores_model(vault, dbp):
    index(vault, dbp, Recorder())
    (vault / "c.md").write_text("A brand new claim about reasoning.\n")
    s, _, semantic = index(vault, dbp, None)
    assert s.indexed == 3  # another pipeline key: every note analysed by rules
    assert query(dbp, "SELECT value FROM meta WHERE key = 'model'") == [("hashing-64",)]
    ((src,),) = query(dbp, "SELECT kind_source FROM claims WHERE note = 'c.md'")
    assert src in ("rule", "default")
    db = open_db(dbp)
    try:
        ids, _ = claim_vectors(db, "hashing-64")
        new = db.conn.execute("SELECT id FROM claims WHERE note = 'c.md'").fetchone()[0]
        assert new not in ids and len(ids) == db["claims"].count - 1
    finally:
        db.close()


def test_similarity_is_recomputed_only_when_claims_change(vault, dbp):
    index(vault, dbp, Recorder())
    _, events, _ = index(vault, dbp, Recorder())
    assert not any(e.stage == "similarity" for e in events[:-1])
    (vault / "c.md").write_text(f"{PLAN}\n")  # a duplicate of a claim of a.md
    _, events, _ = index(vault, dbp, Recorder())
    assert any(e.stage == "similarity" for e in events[:-1])
    ((w,),) = query(
        dbp,
        "SELECT weight FROM sim_edges WHERE type = 'duplicate' AND (source IN (SELECT id FROM "
        "claims WHERE note = 'c.md') OR target IN (SELECT id FROM claims WHERE note = 'c.md'))",
    )
    assert w == pytest.approx(1.0)


def test_graph_holds_the_semantic_layer_and_the_users_corrections(vault, dbp):
    index(vault, dbp, Recorder())
    db = open_db(dbp)
    try:
        plan = db.conn.execute("SELECT id FROM claims WHERE text = ?", (PLAN,)).fetchone()[0]
        first = db.conn.execute(
            "SELECT id FROM claims WHERE text LIKE 'LLMs cannot plan%'"
        ).fetchone()[0]
        uid = add_annotation(db, plan, "I doubt this holds for long plans.", stance="doubt")
        g = graph_from_store(db)
        types = {d["type"] for _, d in g.nodes(data=True)}
        assert {"annotation", "reference", "concept", "claim"} <= types
        anns = {n: d for n, d in g.nodes(data=True) if d["type"] == "annotation"}
        author = [n for n, d in anns.items() if d["source"] == "author"]
        assert len(author) == 1 and g.nodes[author[0]]["stance"] == "doubt"
        assert g.edges[author[0], first, "annotates"]["stance"] == "doubt"
        mine = user_annotation_id(uid)
        assert anns[mine]["source"] == "user"
        assert g.edges[mine, plan, "annotates"] == {
            "type": "annotates",
            "stance": "doubt",
            "confidence": 1.0,
        }
        assert g.has_edge(
            "note:a.md",
            next(n for n, d in g.nodes(data=True) if d.get("ref_kind") == "url"),
            "cites",
        )
        assert g.has_edge(first, "con:llm", "mentions")
        assert g.has_edge(plan, "con:llm", "mentions")  # "large language models" folded in
        kinds = {t for *_, t in g.edges(keys=True)}
        assert {"annotates", "cites", "mentions", "tension"} <= kinds
        assert all(g.nodes[n]["type"] == "claim" for n in g.nodes if n.startswith("clm:"))
        assert "kind" in g.nodes[plan] and "confidence" in g.nodes[plan]

        # Hiding a claim takes its annotations and edges with it, unless asked for.
        hide(db, first)
        g = graph_from_store(db)
        assert first not in g and author[0] not in g
        assert not any(first in (u, v) for u, v in g.edges())
        g = graph_from_store(db, include_hidden=True)
        assert g.nodes[first]["hidden"] is True and author[0] in g
        # A hidden edge stays out.
        other = next(v for _, v, k in g.out_edges(plan, keys=True) if k == "mentions")
        hide(db, plan, "mentions", other)
        assert not graph_from_store(db).has_edge(plan, other, "mentions")
    finally:
        db.close()


def test_search_by_meaning_and_hybrid(vault, dbp):
    index(vault, dbp, Recorder())
    db = open_db(dbp)
    try:
        search = ClaimSearch(db, Recorder())
        assert search.has_vectors()
        (best, *_) = search.meaning("models plan multi step tasks")
        assert best.text in (PLAN, NOPLAN) and 0 < best.score <= 1
        assert best.kind in ("capability", "limitation")
        hits = search.hybrid("memorize programs")
        assert hits[0].text == "LLMs memorize programs rather than learn them."
        assert hits[0].snippet == "LLMs [memorize] [programs] rather than learn them."
        d = hits[0].as_dict()
        assert {"id", "text", "kind", "note", "line", "score"} <= set(d)
        # A hidden claim is never found by meaning.
        hide(db, best.id)
        again = ClaimSearch(db, Recorder()).meaning("models plan multi step tasks")
        assert best.id not in [h.id for h in again]
    finally:
        db.close()


def test_model_choice_order_and_named_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPLORER_MODEL", raising=False)
    assert model_choice(None) == "default"
    assert model_choice(None, "/stored") == "/stored"
    monkeypatch.setenv("EXPLORER_MODEL", "hashing")
    assert model_choice(None, "/stored") == "hashing"
    assert model_choice("/given", "/stored") == "/given"
    assert make_embedder("hashing-32").name == "hashing-32"
    with pytest.raises(EmbedderError, match=str(tmp_path / "nowhere")):
        make_embedder(str(tmp_path / "nowhere"))
    bad = tmp_path / "bad-model"
    bad.mkdir()
    (bad / "config.json").write_text("{ not json")
    with pytest.raises(EmbedderError, match="corrupt model file"):
        make_embedder(str(bad))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[[a]] [[b]]\n\n![[c]]\n",
        " ".join(f"word{i % 500}" for i in range(10_000)) + ".",
        "Das Bewusstsein ist kein Ding, sondern ein Vorgang. 意识不是一种东西。"
        " La conscience n'est pas une chose.",
    ],
    ids=["empty", "only-links", "10000-words", "non-english"],
)
def test_odd_notes_are_indexed_without_a_crash(tmp_path, text):
    vault = write_vault(tmp_path / "v", {"odd.md": text, "ok.md": "A normal claim.\n"})
    dbp = tmp_path / "s.db"
    s, _, semantic = index(vault, dbp, Recorder())
    assert (s.notes, s.errors, semantic.embed_error) == (2, 0, None)
    rows = query(dbp, "SELECT kind, confidence, embed_hash FROM claims WHERE note = 'odd.md'")
    assert all(kind is not None and h is not None for kind, _, h in rows)
    if "Bewusstsein" in text:
        assert rows and all(conf <= 0.5 for _, conf, _ in rows)  # nothing fits: low confidence


def test_write_analysis_keeps_vectors_keyed_by_content(vault, dbp):
    index(vault, dbp, Recorder())
    db = open_db(dbp)
    try:
        for cid, text, h in db.conn.execute("SELECT id, text, embed_hash FROM claims"):
            assert h == content_hash(text), cid
        ids, matrix = claim_vectors(db, "hashing-64")
        assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    finally:
        db.close()
    assert run_index(vault, dbp).notes == 3  # the bare pipeline still reads the store
