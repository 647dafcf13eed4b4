"""The views that answer the author's questions, on a small vault whose doubts,
uncited limitations, tensions and unlinked look-alikes are known.

The vault is indexed for real (parser, classifier, store, similarity) with the
dependency-free hashing embedder, so which claims are close is deterministic.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest
from helpers import write_vault

from explorer.export import write as export
from explorer.graph import views
from explorer.graph.analyze import enrich
from explorer.graph.build import graph_from_store
from explorer.indexing.pipeline import run_index
from explorer.indexing.stages import SemanticIndex
from explorer.semantic.embedder import HashingEmbedder
from explorer.store import add_annotation, open_db, set_kind
from explorer.store.curation import decide_edge, edge_decisions

PLAN = "Large language models can reliably plan multi step tasks in new domains."
NOPLAN = "Large language models cannot reliably plan multi step tasks in new domains."
CRITERION = "A conscious machine would need a global workspace that broadcasts its contents."
ATTEND_A = "Transformers attend to every token of the context window at every layer."
ATTEND_B = "Transformers attend to every token of the context window at each layer."
UNCITED = "Language models cannot count the letters inside a long word."
CITED = "Chain of thought prompting fails on long arithmetic (Wei et al., 2022)."
NOTES = {
    "Planning.md": "---\ndate: 2023-05-01\n---\n# Planning\n\n"
    f"{PLAN} Not sure about this anymore.\n\n{CRITERION}\n",
    "2024-02-01 Limits.md": f"# Limits\n\n{NOPLAN}\n\n{UNCITED}\n\n{CITED}\n\nSee [[Planning]].\n\n"
    "## References\n\n- Wei et al. Chain of thought prompting. https://arxiv.org/abs/2201.11903\n",
    "Attention.md": f"# Attention\n\n{ATTEND_A}\n",
    "Layers.md": f"# Layers\n\n{ATTEND_B}\n",
}


def _index(vault, dbp, **kw):
    semantic = SemanticIndex(vault, embedder=HashingEmbedder(dim=64))
    note_stages, vault_stages = semantic.stages()
    return run_index(vault, dbp, note_stages=note_stages, vault_stages=vault_stages, **kw)


@pytest.fixture
def store(tmp_path):
    vault = write_vault(tmp_path / "vault", NOTES)
    dbp = tmp_path / "data" / "store.db"
    _index(vault, dbp)
    db = open_db(dbp)
    yield vault, dbp, db
    db.close()


def _graph(db):
    G = graph_from_store(db)
    enrich(G, seed=0)
    return G


def _claim(G, text):
    return next(n for n, d in G.nodes(data=True) if d.get("type") == "claim" and d["text"] == text)


def test_changed_mind_lists_doubts_beside_their_claims_by_date(store):
    _, _, db = store
    G = _graph(db)
    noplan = _claim(G, NOPLAN)
    add_annotation(db, noplan, "I now think tool use changes this.", "revise")
    add_annotation(db, noplan, "Agreed.", "agree")  # not a change of mind
    G = _graph(db)
    rows = views.changed_mind(G)
    assert [(r["stance"], r["claim_text"], r["annotation_text"]) for r in rows] == [
        ("doubt", PLAN, "Not sure about this anymore."),
        ("revise", NOPLAN, "I now think tool use changes this."),
    ]
    doubt, revise = rows
    assert (doubt["date"], doubt["note"], doubt["claim_note"]) == (
        "2023-05-01",
        "Planning.md",
        "Planning.md",
    )
    assert doubt["line"] and doubt["claim_line"] and doubt["source"] == "author"
    assert (revise["date"], revise["source"]) == ("2024-02-01", "user")


def test_evidence_names_criteria_without_evidence_and_uncited_limitations(store):
    _, _, db = store
    G = _graph(db)
    set_kind(db, _claim(G, CRITERION), "consciousness-criterion")
    for text in (UNCITED, CITED, NOPLAN):
        set_kind(db, _claim(G, text), "limitation")
    G = _graph(db)
    ev = views.evidence(G)
    assert [r["text"] for r in ev["criteria_without_evidence"]] == [CRITERION]
    assert CRITERION in [r["text"] for r in ev["items"]]
    uncited = {r["text"] for r in ev["limitations_without_reference"]}
    assert UNCITED in uncited and CITED not in uncited
    # Once the criterion is annotated, it has evidence.
    add_annotation(db, _claim(G, CRITERION), "Dehaene's global workspace.", "note")
    ev = views.evidence(_graph(db))
    assert ev["criteria_without_evidence"] == []
    (item,) = [r for r in ev["items"] if r["text"] == CRITERION]
    assert [a["text"] for a in item["annotations"]] == ["Dehaene's global workspace."]


def test_themes_table_counts_every_claim_once(store):
    _, _, db = store
    G = _graph(db)
    table = views.themes_by_kinds(G)
    claims = [n for n, d in G.nodes(data=True) if d.get("type") == "claim"]
    cells = [c for row in table["rows"] for ids in row["claims"].values() for c in ids]
    assert sorted(cells) == sorted(claims)
    for row in table["rows"]:
        assert row["total"] == sum(row["counts"].values())
        for kind, ids in row["claims"].items():
            assert all(G.nodes[c].get("kind", "") in (kind, None) for c in ids)


def test_a_dismissed_tension_stays_dismissed_after_reindex(store):
    vault, dbp, db = store
    G = _graph(db)
    (t,) = views.tensions(G)
    assert {t["a_text"], t["b_text"]} == {PLAN, NOPLAN} and t["reason"] and t["decision"] == ""
    decide_edge(db, t["a"], t["b"], "tension", "dismissed")
    assert views.tensions(_graph(db)) == []
    _index(vault, dbp, force=True)  # every note read and stored again
    G = _graph(db)
    assert views.tensions(G) == []
    assert not any(d.get("type") == "tension" for *_, d in G.edges(data=True))
    # Accepting it instead brings it back, marked.
    decide_edge(db, t["a"], t["b"], "tension", "accepted")
    (back,) = views.tensions(_graph(db))
    assert back["decision"] == "accepted"


def test_suggested_links_skip_linked_notes_and_accepting_makes_a_user_edge(store, tmp_path):
    vault, dbp, db = store
    G = _graph(db)
    pairs = [{r["a_text"], r["b_text"]} for r in views.suggested_links(G)]
    assert {ATTEND_A, ATTEND_B} in pairs  # different notes, no link between them
    assert {PLAN, NOPLAN} not in pairs  # "Limits" links to "Planning" already
    a, b = _claim(G, ATTEND_A), _claim(G, ATTEND_B)
    decide_edge(db, a, b, "link", "accepted")
    _index(vault, dbp, force=True)
    G = _graph(db)
    assert G.has_edge(a, b, "user_link") or G.has_edge(b, a, "user_link")
    assert {ATTEND_A, ATTEND_B} not in [
        {r["a_text"], r["b_text"]} for r in views.suggested_links(G)
    ]
    assert edge_decisions(db, "link") == {(min(a, b), "link", max(a, b)): "accepted"}
    for f in vault.rglob("*.md"):  # never written into the vault
        assert f.read_text(encoding="utf-8") == NOTES[f.name]
    # ... but exported with the graph, JSON Canvas included.
    import json

    out = tmp_path / "map.canvas"
    export(G, "canvas", out)
    labels = [e.get("label", "") for e in json.loads(out.read_text())["edges"]]
    assert any("linked by you" in lab or "user_link" in lab for lab in labels)


def test_dismissing_a_suggestion_stops_it(store):
    _, _, db = store
    G = _graph(db)
    a, b = _claim(G, ATTEND_A), _claim(G, ATTEND_B)
    decide_edge(db, b, a, "link", "dismissed")
    pairs = [{r["a"], r["b"]} for r in views.suggested_links(_graph(db))]
    assert {a, b} not in pairs


def test_saved_views_and_pins_survive_reindex_and_reach_the_page(tmp_path):
    """Through the application API (Workspace, real store): a saved view and a pinned
    claim come back after a forced re-index, and the HTML export carries both."""
    from explorer.app.workspace import Workspace
    from explorer.export.html import build_payload

    vault = write_vault(tmp_path / "vault", NOTES)
    w = Workspace(vault, tmp_path / "data" / "store.db", model_path="hashing").open()
    try:
        w.run_index()
        G = w.graph()
        claim = _claim(G, PLAN)
        w.save_view("Planning", {"filters": {"kinds": ["limitation"]}, "focus": claim})
        w.pin(claim, "force", 123.5, -45.25)
        w.run_index(force=True)
        G = w.graph()
        assert w.saved_views() == {
            "Planning": {"filters": {"kinds": ["limitation"]}, "focus": claim}
        }
        d = G.nodes[claim]
        assert (d["x"], d["y"], d["pinned"]) == (123.5, -45.25, True)
        assert w.positions("force")[claim] == (123.5, -45.25)
        payload = build_payload(G)
        assert payload["saved_views"]["Planning"]["focus"] == claim
        (rec,) = [n for n in payload["nodes"] if n["id"] == claim]
        assert rec["pin"] is True and rec["x"] == 123.5
        # The claim's note is edited (a line added above it): the pin follows the claim.
        note = vault / "Planning.md"
        note.write_text(
            note.read_text(encoding="utf-8").replace("# Planning\n", "# Planning\n\nIntro.\n"),
            encoding="utf-8",
        )
        w.run_index()
        G = w.graph()
        moved = _claim(G, PLAN)
        assert G.nodes[moved].get("pinned") is True
        assert (G.nodes[moved]["x"], G.nodes[moved]["y"]) == (123.5, -45.25)
        assert w.delete_view("Planning") and w.saved_views() == {}
    finally:
        w.close()


def _networkx_edges(G, n, edge_type, direction):
    """What ``views._edges`` must list, through networkx's own views."""
    if direction in ("out", "any"):
        yield from ((v, d) for _, v, d in G.out_edges(n, data=True) if d.get("type") == edge_type)
    if direction in ("in", "any"):
        yield from ((u, d) for u, _, d in G.in_edges(n, data=True) if d.get("type") == edge_type)


def test_edge_walks_read_from_the_adjacency_match_networkx_order():
    """The views walk edges from the adjacency dicts (on 750,000 edges networkx's views
    cost more than the work); they must list what networkx lists, in its order."""
    from explorer.graph.synthetic import synthetic_graph

    G = synthetic_graph(300, seed=7)
    assert list(views.edge_triples(G)) == list(G.edges(data=True))
    by_type = views.edges_by_type(G)
    assert [e for t in by_type for e in by_type[t]] != []
    for t, listed in by_type.items():
        assert listed == [(u, v, d) for u, v, d in G.edges(data=True) if d.get("type") == t]
    types = {d["type"] for *_, d in G.edges(data=True)}
    for n in G:
        for t in types:
            for direction in ("out", "in", "any"):
                got = list(views._edges(G, n, t, direction))
                assert got == list(_networkx_edges(G, n, t, direction))


def _suggestions_by_sorting_everything(G, min_weight, limit):
    """suggested_links as first written: every close pair that passes, sorted."""
    linked = views.linked_notes(G)
    dismissed = {frozenset(p) for p in G.graph.get("dismissed_links") or []}
    own = {frozenset((u, v)) for u, v, d in G.edges(data=True) if d["type"] == "user_link"}
    found, seen = [], set()
    for u, v, d in G.edges(data=True):
        if d["type"] not in ("similar", "duplicate") or (d.get("weight") or 0) < min_weight:
            continue
        na, nb = G.nodes[u].get("note"), G.nodes[v].get("note")
        pair = frozenset((u, v))
        if not na or not nb or na == nb or pair in seen or pair in dismissed or pair in own:
            continue
        if frozenset((na, nb)) in linked:
            continue
        seen.add(pair)
        found.append((-(d.get("weight") or 0.0), u, v))
    return [(u, v, -w) for w, u, v in sorted(found)[:limit]]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_suggested_links_sort_only_the_strongest_and_fall_back_when_too_few_pass(limit):
    """The strongest pairs are all inside notes (never suggested), so the first,
    short list passes too few and the walk must go on over every pair."""
    rng = random.Random(limit)
    G = nx.MultiDiGraph()
    claims = [f"clm:{i:03d}" for i in range(300)]
    for i, c in enumerate(claims):
        G.add_node(c, type="claim", note=f"n{i % 30}.md", text=c)
    for _ in range(4000):
        a, b = sorted(rng.sample(claims, 2))  # one edge a pair, as the store keeps them
        same = G.nodes[a]["note"] == G.nodes[b]["note"]
        w = round(rng.uniform(0.95, 1.0) if same else rng.uniform(0.6, 0.9), 4)
        G.add_edge(a, b, key="similar", type="similar", weight=w)
    G.add_edge("clm:001", "clm:002", key="user_link", type="user_link")
    G.graph["dismissed_links"] = [["clm:003", "clm:004"]]
    got = [(r["a"], r["b"], r["weight"]) for r in views.suggested_links(G, 0.7, limit)]
    assert got == _suggestions_by_sorting_everything(G, 0.7, limit)
    assert len(got) == limit


def test_edge_walks_on_graphs_without_direction_or_parallel_edges():
    """The walks read the adjacency of any networkx graph: undirected ones list every
    edge of a node whatever the direction asked, simple ones their single edge."""
    G = nx.MultiDiGraph()
    G.add_node("a", type="claim", kind="limitation", text="A", note="n1.md")
    G.add_node("b", type="claim", text="B", note="n2.md")
    G.add_node("r", type="reference", text="R")
    G.add_edge("a", "b", key="similar", type="similar", weight=0.8)
    G.add_edge("b", "r", key="cites", type="cites")
    for H in (G, nx.DiGraph(G), nx.MultiGraph(G), nx.Graph(G)):
        assert [o for o, _ in views._edges(H, "b", "similar", "any")] == ["a"]
        assert [o for o, _ in views._edges(H, "b", "cites", "out")] == ["r"]
        ev = views.evidence(H)
        assert ev["limitations_without_reference"] == []  # its similar claim cites R
    G.remove_edge("b", "r", key="cites")
    assert [r["claim"] for r in views.evidence(G)["limitations_without_reference"]] == ["a"]
