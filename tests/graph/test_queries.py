"""The window's graph logic, without a window: filters, focus, paths, details."""

from __future__ import annotations

import networkx as nx
import pytest

from explorer.graph import filters
from explorer.graph import queries as graphops
from explorer.graph.filters import FilterState
from explorer.graph.synthetic import synthetic_vault


@pytest.fixture(scope="module")
def G():
    return synthetic_vault(200, seed=3)[0]


def _claims(G, visible):
    return [n for n in visible.nodes if G.nodes[n]["type"] == "claim"]


def test_no_filter_shows_everything(G):
    v = filters.apply_filters(G, FilterState())
    assert v.nodes == set(G.nodes)
    assert len(v.edges) == G.number_of_edges()


def test_kind_filter_keeps_only_ticked_kinds_and_leaves_other_types(G):
    v = filters.apply_filters(G, FilterState(kinds=frozenset({"question"})))
    kinds = {G.nodes[n]["kind"] for n in _claims(G, v)}
    assert kinds == {"question"}
    assert any(G.nodes[n]["type"] == "note" for n in v.nodes)
    # An edge is shown only when both its ends are.
    assert all(u in v.nodes and w in v.nodes for u, w, _ in v.edges)


def test_similarity_threshold_drops_weak_similar_edges_only(G):
    v = filters.apply_filters(G, FilterState(min_similarity=0.8))
    for u, w, k in v.edges:
        d = G.edges[u, w, k]
        if d["type"] in ("similar", "duplicate"):
            assert d["weight"] >= 0.8
    assert any(G.edges[e]["type"] == "contains" for e in v.edges)
    weak = [
        e
        for e in G.edges(keys=True)
        if G.edges[e]["type"] == "similar" and G.edges[e]["weight"] < 0.8
    ]
    assert weak and not set(weak) & v.edges


def test_low_confidence_hidden_but_user_kinds_kept():
    G = nx.MultiDiGraph()
    G.add_node("a", type="claim", kind="question", confidence=0.2, kind_source="rule")
    G.add_node("b", type="claim", kind="question", confidence=0.2, kind_source="user")
    G.add_node("c", type="claim", kind="question", confidence=0.9, kind_source="rule")
    v = filters.apply_filters(G, FilterState(hide_low_confidence=True))
    assert v.nodes == {"b", "c"}


def test_fragments_shown_only_when_asked():
    G = nx.MultiDiGraph()
    G.add_node("a", type="claim", kind="assertion", fragment=True)
    G.add_node("b", type="claim", kind="assertion")
    G.add_edge("a", "b", key="similar", type="similar", weight=0.9)
    v = filters.apply_filters(G, FilterState())
    assert v.nodes == {"b"} and not v.edges
    v = filters.apply_filters(G, FilterState(show_fragments=True))
    assert v.nodes == {"a", "b"} and len(v.edges) == 1


def test_hidden_nodes_and_edges_never_shown():
    G = nx.MultiDiGraph()
    G.add_node("a", type="claim", hidden=True)
    G.add_node("b", type="claim")
    G.add_node("c", type="claim")
    G.add_edge("b", "c", type="similar", weight=0.9, hidden=True)
    G.add_edge("c", "b", type="tension", weight=0.9)
    v = filters.apply_filters(G, FilterState())
    assert v.nodes == {"b", "c"}
    assert {G.edges[e]["type"] for e in v.edges} == {"tension"}


def test_notes_and_communities_filters(G):
    note = next(d["note"] for _, d in G.nodes(data=True) if d["type"] == "claim")
    v = filters.apply_filters(G, FilterState(notes=frozenset({note})))
    assert {G.nodes[n]["note"] for n in _claims(G, v)} == {note}
    v = filters.apply_filters(G, FilterState(communities=frozenset({0})))
    assert {G.nodes[n]["community"] for n in v.nodes if "community" in G.nodes[n]} == {0}


def test_neighbourhood_follows_edges_both_ways():
    G = nx.MultiDiGraph()
    G.add_edges_from([("a", "b"), ("c", "b"), ("c", "d"), ("d", "e")], type="similar")
    assert graphops.neighbourhood(G, "b", 1) == {"a", "b", "c"}
    assert graphops.neighbourhood(G, "b", 2) == {"a", "b", "c", "d"}
    v = filters.Visible(
        {"a", "b", "d", "e"}, {(u, w, k) for u, w, k in G.edges(keys=True) if "c" not in (u, w)}
    )
    assert graphops.neighbourhood(G, "b", 3, v) == {"a", "b"}


def test_path_is_shortest_and_explained_edge_by_edge():
    G = nx.MultiDiGraph()
    for n in "abcd":
        G.add_node(n, type="claim", label=n.upper())
    G.add_edge("a", "b", type="similar", weight=0.8)
    G.add_edge("c", "b", type="tension", weight=0.7, reason="negation")
    G.add_edge("c", "b", type="similar", weight=0.6)
    G.add_edge("c", "d", type="cites")
    path = graphops.shortest_path(G, "a", "d")
    assert path == ["a", "b", "c", "d"]
    steps = graphops.explain_path(G, path)
    assert [s["type"] for s in steps] == ["similar", "tension", "cites"]
    assert [s["forward"] for s in steps] == [True, False, True]
    assert steps[0]["text"] == "A is similar to B (0.80)"
    assert steps[1]["text"] == "C is in tension with B (0.70): negation"
    assert graphops.shortest_path(G, "a", "d", filters.Visible({"a", "b", "d"}, set())) == []


def test_details_lists_annotations_references_concepts_similar_tensions(G):
    cid = next(v for u, v, t in G.edges(data="type") if t == "annotates")
    d = graphops.details_from_graph(G, cid)
    assert d["id"] == cid and d["type"] == "claim"
    anns = [u for u, _, t in G.in_edges(cid, data="type") if t == "annotates"]
    assert sorted(a["id"] for a in d["annotations"]) == sorted(anns)
    assert all(a["stance"] and a["text"] for a in d["annotations"])
    for key, etype in (("references", "cites"), ("concepts", "mentions")):
        assert sorted(x["id"] for x in d[key]) == sorted(
            v for _, v, t in G.out_edges(cid, data="type") if t == etype
        )
    sims = [x["score"] for x in d["similar"]]
    assert sims == sorted(sims, reverse=True)
    with pytest.raises(KeyError):
        graphops.details_from_graph(G, "clm:nope")


def test_filtered_subgraph_is_an_independent_copy(G):
    v = filters.apply_filters(G, FilterState(kinds=frozenset({"capability"})))
    H = filters.filtered_subgraph(G, v)
    assert set(H.nodes) == v.nodes and H.number_of_edges() == len(v.edges)
    assert H.graph["model"] == G.graph["model"]
    n = next(iter(H.nodes))
    H.nodes[n]["label"] = "changed"
    assert G.nodes[n]["label"] != "changed"


def test_counts(G):
    c = graphops.counts(G)
    assert c["claim"] == 200
    assert c["edges"] == G.number_of_edges()
    v = filters.apply_filters(G, FilterState(kinds=frozenset({"question"})))
    assert graphops.counts(G, v)["claim"] == sum(
        1 for n in v.nodes if G.nodes[n]["type"] == "claim"
    )
