"""Workspace: the index, graph, layout cache, search, corrections and rebuild over a real store.

Every test works on a copy of ``data/sample-vault`` and a real SQLite file in a
temporary folder. Most use the hashing embedder (``model_path="hashing"``): fast,
deterministic, and it still exercises every vector path; the tests marked ``slow``
use the real all-MiniLM-L6-v2 model.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import copy_vault, damage_table, graph_claims

import explorer.graph.analyze as analyze
from explorer.app.workspace import (
    DatabaseDamagedError,
    SerialEmbedder,
    Workspace,
    WorkspaceError,
    layout_key,
    parse_user_annotation_id,
)
from explorer.indexing.events import Progress, Summary
from explorer.indexing.vault import VaultError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def vault(tmp_path):
    return copy_vault(tmp_path)


@pytest.fixture
def ws(vault, tmp_path):
    w = Workspace(vault, tmp_path / "store" / "claims.db", model_path="hashing").open()
    yield w
    w.close()


@pytest.fixture
def indexed(ws):
    summary = ws.run_index()
    assert summary.notes >= 10 and summary.claims > 100 and not summary.errors
    return ws


@pytest.fixture
def count_layouts(monkeypatch):
    """How often the graph layer computes a layout (enrich and positions both call this)."""
    calls = []
    real = analyze.compute_layout

    def counting(G, method="force", **kw):
        calls.append(method)
        return real(G, method, **kw)

    monkeypatch.setattr(analyze, "compute_layout", counting)
    return calls


claims = graph_claims


# ---------------------------------------------------------------------- opening
def test_open_checks_vault_and_database(vault, tmp_path):
    with pytest.raises(VaultError):
        Workspace(tmp_path / "missing", tmp_path / "x.db").open()
    with pytest.raises(WorkspaceError, match="inside the vault"):
        Workspace(vault, vault / "claims.db").open()
    assert not (vault / "claims.db").exists()
    text = tmp_path / "notes.db"
    text.write_text("my shopping list\n", encoding="utf-8")
    with pytest.raises(DatabaseDamagedError) as err:
        Workspace(vault, text).open()
    assert str(text) in str(err.value)
    assert text.read_text(encoding="utf-8") == "my shopping list\n"  # left alone


def test_default_database_lives_outside_the_vault(vault, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "data"))
    w = Workspace(vault)
    assert w.db_path.parent == tmp_path / "data" / "vaults"
    w.open().close()
    assert w.db_path.exists() and not any(vault.rglob("*.db"))


# ---------------------------------------------------------------------- index
def test_index_events_and_incremental_second_run(ws):
    events = list(ws.index())
    assert isinstance(events[-1], Summary) and all(isinstance(e, Progress) for e in events[:-1])
    first = events[-1]
    assert first.indexed == first.notes >= 10
    again = ws.run_index()
    assert again.indexed == 0 and again.unchanged == first.notes


def test_cancel_stops_between_notes_and_keeps_the_store_consistent(ws):
    cancel = threading.Event()
    for event in ws.index(cancel):
        if isinstance(event, Progress) and event.stage == "index" and event.done >= 2:
            cancel.set()
        if isinstance(event, Summary):
            summary = event
    assert summary.cancelled and 1 <= summary.notes < 12
    conn = sqlite3.connect(ws.db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert ws.run_index().notes > summary.notes  # a later run finishes the job


def test_vault_vanishing_mid_index_stops_without_emptying_the_store(indexed, vault, tmp_path):
    before = indexed.graph().number_of_nodes()
    moved = tmp_path / "elsewhere"
    with pytest.raises(VaultError, match="vanished"):
        for event in indexed.index(force=True):
            if isinstance(event, Progress) and event.stage == "index" and event.done == 2:
                vault.rename(moved)
    moved.rename(vault)
    assert indexed.graph().number_of_nodes() == before


def test_index_busy_while_another_indexer_holds_the_lock(indexed):
    from explorer.store import IndexBusyError, index_lock

    with index_lock(indexed.db_path), pytest.raises(IndexBusyError, match="busy"):
        indexed.run_index()


def test_missing_model_indexes_all_the_same_without_vectors(vault, tmp_path):
    w = Workspace(vault, tmp_path / "c.db", model_path=tmp_path / "no-model").open()
    ok, why = w.semantic_status()
    assert not ok and str(tmp_path / "no-model") in why
    events = list(w.index())
    assert any("no-model" in (e.message or "") for e in events if isinstance(e, Progress))
    assert events[-1].claims > 100
    assert w.layouts() == ["force"]
    assert w.search("global workspace", "words")  # word search needs no model
    w.close()


# ---------------------------------------------------------------------- graph and layout cache
def test_graph_follows_the_export_contract(indexed):
    G = indexed.graph()
    types = {d["type"] for _, d in G.nodes(data=True)}
    assert {"note", "section", "claim"} <= types
    for _, d in G.nodes(data=True):
        assert {"label", "x", "y", "centrality"} <= set(d)
    assert all("community" in G.nodes[c] for c in claims(G))
    assert G.graph["communities"] and G.graph["layout"] == "force"


def test_layout_is_computed_once_then_read_from_the_cache(indexed, count_layouts, monkeypatch):
    communities = []
    real = analyze.detect_communities
    monkeypatch.setattr(
        analyze, "detect_communities", lambda G, **kw: communities.append(1) or real(G, **kw)
    )
    first = indexed.graph()
    assert count_layouts == ["force"] and len(communities) == 1
    second = indexed.graph()
    assert count_layouts == ["force"]  # the second time: no layout computed
    assert len(communities) == 1  # nor communities: the same graph as last time
    layer = ("x", "y", "community", "centrality")
    assert {n: [d.get(k) for k in layer] for n, d in first.nodes(data=True)} == {
        n: [d.get(k) for k in layer] for n, d in second.nodes(data=True)
    }
    assert second.graph["communities"] == first.graph["communities"]
    # The cache is in the database: another workspace on the same file uses it too.
    other = Workspace(indexed.vault, indexed.db_path, model_path="hashing").open()
    third = other.graph()
    other.close()
    assert count_layouts == ["force"]
    assert len(communities) == 1  # communities and centrality are stored too
    assert {n: [d.get(k) for k in layer] for n, d in third.nodes(data=True)} == {
        n: [d.get(k) for k in layer] for n, d in first.nodes(data=True)
    }
    assert third.graph["communities"] == first.graph["communities"]
    assert third.nodes[claims(third)[0]]["x"] == first.nodes[claims(third)[0]]["x"]
    assert indexed.positions("force") == {n: (d["x"], d["y"]) for n, d in first.nodes(data=True)}
    assert count_layouts == ["force"]


def test_a_changed_graph_gets_a_fresh_layout_and_old_rows_go(indexed, vault, count_layouts):
    indexed.graph()
    note = vault / "LLM Capabilities.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\n- A brand new claim about tools.\n", "utf-8"
    )
    indexed.run_index()
    G = indexed.graph()
    assert count_layouts == ["force", "force"]
    versions = indexed.db().conn.execute(
        "SELECT DISTINCT version FROM layouts WHERE layout = 'force'"
    )
    assert [v for (v,) in versions] == [layout_key(G, "force")]


def test_stored_layer_follows_the_graph_and_its_texts(indexed, vault, monkeypatch):
    """A stored graph layer is used only for the very graph it was computed for: an
    edit recomputes communities, a damaged row is a miss, and each layout keeps two."""
    from explorer.store.layers import KEEP

    runs = []
    real = analyze.detect_communities
    monkeypatch.setattr(
        analyze, "detect_communities", lambda G, **kw: runs.append(1) or real(G, **kw)
    )

    def fresh_graph():
        w = Workspace(indexed.vault, indexed.db_path, model_path="hashing").open()
        try:
            return w.graph()
        finally:
            w.close()

    fresh_graph()
    fresh_graph()
    assert len(runs) == 1
    conn = indexed.db().conn
    conn.execute("UPDATE graph_layers SET payload = x'00ff'")
    conn.commit()
    G = fresh_graph()
    assert len(runs) == 2 and G.graph["communities"]
    note = vault / "LLM Capabilities.md"
    note.write_text(
        note.read_text(encoding="utf-8") + "\n- A brand new claim about tools.\n", "utf-8"
    )
    indexed.run_index()
    edited = fresh_graph()
    assert len(runs) == 3
    assert any("brand new claim" in str(d.get("text", "")) for _, d in edited.nodes(data=True))
    indexed.hide(claims(edited)[0])
    indexed.graph()  # a third graph: the oldest row goes
    assert len(runs) == 4
    (rows,) = conn.execute("SELECT COUNT(*) FROM graph_layers WHERE layout = 'force'").fetchone()
    assert rows == KEEP


def test_layout_key_is_the_graph_layers_fingerprint(indexed):
    G = indexed.graph()
    _, key = analyze.compute_layout(G, "force", seed=0)
    assert layout_key(G, "force") == key
    vectors = indexed._layout_vectors("semantic")
    _, key = analyze.compute_layout(G, "semantic", seed=0, vectors=vectors)
    assert layout_key(G, "semantic", vectors=vectors) == key


def test_semantic_positions_from_the_stores_vectors_cached(indexed, count_layouts):
    assert indexed.layouts() == ["force", "semantic"]
    G = indexed.graph()
    pos = indexed.positions("semantic")
    assert set(pos) == set(G) and count_layouts == ["force", "semantic"]
    assert pos != {n: (d["x"], d["y"]) for n, d in G.nodes(data=True)}
    assert indexed.positions("semantic") == pos
    assert count_layouts == ["force", "semantic"]


def test_graph_and_search_from_several_threads(indexed):
    indexed.graph()

    def work(i):
        if i % 2:
            return indexed.graph().number_of_nodes()
        return len(indexed.search("consciousness", "words"))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(8)))
    assert len(set(results[1::2])) == 1 and all(r > 0 for r in results)


# ---------------------------------------------------------------------- search
def test_word_search_hits_carry_kind_place_and_score(indexed):
    hits = indexed.search("global workspace", "words", limit=5)
    assert 0 < len(hits) <= 5
    top = hits[0]
    assert {"id", "text", "kind", "note", "line", "score"} <= set(top)
    assert "workspace" in top["text"].lower() and top["kind"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert indexed.search("   ", "words") == [] and indexed.search("?!", "words") == []
    with pytest.raises(ValueError, match="unknown search mode"):
        indexed.search("x", "regex")


def test_meaning_and_both_search(indexed):
    target = indexed.search("global workspace", "words")[0]
    meaning = indexed.search(target["text"], "meaning", limit=5)
    assert meaning[0]["id"] == target["id"] and meaning[0]["score"] > 0.99
    both = indexed.search("global workspace broadcast", "both", limit=5)
    assert both and len({h["id"] for h in both}) == len(both)


def test_word_search_never_imports_torch(indexed):
    code = (
        "import sys; from explorer.app.workspace import Workspace; "
        f"w = Workspace({str(indexed.vault)!r}, {str(indexed.db_path)!r}).open(); "
        "assert w.search('consciousness', 'words'); w.semantic_status(); w.layouts(); "
        "print([m for m in ('torch', 'sentence_transformers') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------- corrections
def test_kind_correction_survives_a_forced_reindex(indexed):
    cid = claims(indexed.graph())[3]
    other = next(k for k in indexed.taxonomy().ids if k != indexed.graph().nodes[cid].get("kind"))
    indexed.set_kind(cid, other)
    indexed.run_index(force=True)
    d = indexed.graph().nodes[cid]
    assert (d["kind"], d["kind_source"], d["confidence"]) == (other, "user", 1.0)
    assert indexed.details(cid)["kind"] == other
    with pytest.raises(ValueError, match="unknown kind 'sarcasm'.*capability"):
        indexed.set_kind(cid, "sarcasm")


def test_own_annotation_is_a_user_node_annotating_its_claim(indexed):
    cid = claims(indexed.graph())[0]
    aid = indexed.add_annotation(cid, "I am not so sure any more.", "doubt")
    assert parse_user_annotation_id(aid) is not None
    G = indexed.graph()
    a = G.nodes[aid]
    assert (a["type"], a["source"], a["stance"]) == ("annotation", "user", "doubt")
    assert G.has_edge(aid, cid) and G.edges[aid, cid, "annotates"]["stance"] == "doubt"
    assert [x["text"] for x in indexed.details(cid)["annotations"]] == [
        "I am not so sure any more."
    ]
    assert [x["id"] for x in indexed.details(aid)["annotates"]] == [cid]
    indexed.run_index(force=True)
    assert aid in indexed.graph()  # survives re-index


def test_hidden_claim_and_edge_stay_hidden(indexed):
    G = indexed.graph()
    cid = indexed.search("global workspace", "words")[0]["id"]
    indexed.hide(cid)
    u, v, t = next((u, v, t) for u, v, t in G.edges(data="type") if t == "contains")
    if v == cid:
        u, v, t = next(
            (a, b, c) for a, b, c in G.edges(data="type") if c == "contains" and cid not in (a, b)
        )
    indexed.hide(u, t, v)
    indexed.run_index(force=True)
    H = indexed.graph()
    assert cid not in H and not H.has_edge(u, v, key=t)
    assert cid not in {h["id"] for h in indexed.search("global workspace", "words")}
    assert cid not in {h["id"] for h in indexed.search(G.nodes[cid]["text"], "meaning")}
    assert indexed.graph(include_hidden=True).nodes[cid]["hidden"] is True
    with pytest.raises(ValueError, match="only claims and edges"):
        indexed.hide("note:LLM Capabilities.md")


def test_hidden_claim_leaves_every_search_mode_at_once(indexed):
    """Without re-indexing: a hidden claim is gone from words, meaning and both."""
    target = indexed.search("global workspace", "words")[0]
    text = target["text"]
    for mode in ("words", "meaning", "both"):  # warm every searcher before the correction
        assert target["id"] in {h["id"] for h in indexed.search(text, mode, limit=20)}
    indexed.hide(target["id"])
    for mode in ("words", "meaning", "both"):
        assert target["id"] not in {h["id"] for h in indexed.search(text, mode, limit=20)}, mode


def test_every_correction_moves_the_search_generation(indexed):
    """One invalidation for all corrections: caches made before one are not used after."""
    G = indexed.graph()
    cid = claims(G)[0]
    before = indexed.generation
    indexed.set_kind(cid, next(k for k in indexed.taxonomy().ids if k != G.nodes[cid].get("kind")))
    assert indexed.generation > before
    before = indexed.generation
    indexed.add_annotation(cid, "A second thought.", "doubt")
    assert indexed.generation > before
    before = indexed.generation
    indexed.hide(cid)
    assert indexed.generation > before


# ---------------------------------------------------------------------- reading notes
def test_note_lines_numbered_around_the_claim(indexed, vault):
    G = indexed.graph()
    cid = claims(G)[5]
    d = G.nodes[cid]
    lines = indexed.note_lines(d["note"], d["line"], 2)
    assert [n for n, _ in lines] == list(range(max(1, d["line"] - 2), d["line"] + 3))
    own = dict(lines)[d["line"]]
    assert d["text"].split()[0] in own
    with pytest.raises(FileNotFoundError):
        indexed.note_lines("../outside.md", 1)
    (vault / d["note"]).unlink()
    with pytest.raises(FileNotFoundError):
        indexed.note_lines(d["note"], d["line"])


# ---------------------------------------------------------------------- export, model, kinds
def test_export_every_format(indexed, tmp_path):
    G = indexed.graph()
    formats = indexed.export_formats()
    assert [f for f, _, _ in formats][:2] == ["html", "json"]
    for fmt, label, suffix in formats:
        if fmt == "html":
            continue  # pyvis, covered by the exporters' own tests
        out = tmp_path / f"map{suffix or '-' + fmt}"
        info = indexed.export(fmt, G, out)
        assert out.exists() and info["nodes"] == G.number_of_nodes(), label


def test_serial_embedder_runs_one_encode_at_a_time():
    import time

    class Slow:
        name, dim = "slow-3", 3
        running = peak = 0

        def encode(self, texts):
            Slow.running += 1
            Slow.peak = max(Slow.peak, Slow.running)
            time.sleep(0.05)
            Slow.running -= 1
            return [[0.0, 0.0, 1.0]] * len(texts)

    e = SerialEmbedder(Slow())
    assert (e.name, e.dim) == ("slow-3", 3) and getattr(e, "path", None) is None
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: e.encode([str(i)]), range(8)))
    assert Slow.peak == 1


def test_docstring_example_runs():
    import doctest

    import explorer.app.workspace

    result = doctest.testmod(explorer.app.workspace)
    assert result.attempted >= 5 and result.failed == 0


@pytest.mark.slow
def test_real_model_finds_claims_by_meaning(vault, tmp_path, monkeypatch):
    monkeypatch.delenv("EXPLORER_MODEL", raising=False)
    w = Workspace(vault, tmp_path / "real.db").open()
    assert w.semantic_status() == (True, "")
    summary = w.run_index()
    assert w.model_name().startswith("all-MiniLM-L6-v2@")
    assert w.layouts() == ["force", "semantic"]
    # No claim holds every word of the query; the word search falls back to claims with
    # any of its words ("computer" stems like "Computing"), none of them about feelings.
    query = "could a computer ever have feelings"
    assert not any("feeling" in h["text"].lower() for h in w.search(query, "words"))
    hits = w.search(query, "meaning", limit=5)
    assert hits and all(h["score"] >= 0.2 for h in hits)
    assert any("conscious" in h["text"].lower() or "experience" in h["text"].lower() for h in hits)
    both = w.search("workspace broadcast ignition", "both", limit=5)
    assert both and "Global Workspace Theory.md" in {h["note"] for h in both}
    assert len(w.positions("semantic")) == w.graph().number_of_nodes()
    assert summary.claims > 100
    w.close()


def test_taxonomy_and_model_name(indexed):
    assert indexed.taxonomy().ids[0] == "capability"
    assert indexed.model_name().startswith("hashing")


# ---------------------------------------------------------------------- a damaged database
def test_damaged_database_is_rebuilt_with_the_users_rows(indexed, vault):
    G = indexed.graph()
    cid = claims(G)[2]
    indexed.set_kind(cid, "question")
    aid = indexed.add_annotation(cid, "Keep this one.", "agree")
    db_path = indexed.db_path
    indexed.close()
    damage_table(db_path, "claims")

    w = Workspace(vault, db_path, model_path="hashing")
    with pytest.raises(DatabaseDamagedError, match="malformed"):
        w.open()  # found at once, not in the middle of a later call
    backup = w.rebuild_database()
    assert backup.parent == db_path.parent and backup.name.startswith("claims.backup-")
    saved = sqlite3.connect(backup)
    assert saved.execute("SELECT claim_id, kind FROM user_kinds").fetchall() == [(cid, "question")]
    assert saved.execute("SELECT text FROM user_annotations").fetchall() == [("Keep this one.",)]
    saved.close()
    assert any(p.name.startswith("claims.db.damaged-") for p in db_path.parent.iterdir())
    w.run_index()
    H = w.graph()
    assert H.nodes[cid]["kind"] == "question" and aid in H
    w.close()
