"""filter_graph: pure, shared by every format, loud when a filter matches nothing."""

from __future__ import annotations

import networkx as nx
import pytest

from explorer.graph.centrality import centrality
from explorer.graph.filters import NothingMatches, filter_graph
from explorer.graph.synthetic import synthetic_graph


@pytest.fixture(scope="module")
def G():
    return synthetic_graph(300, seed=7)


def _types(H):
    return {d["type"] for _, d in H.nodes(data=True)}


def test_no_filters_keeps_everything_and_does_not_touch_input(G):
    before = (G.number_of_nodes(), G.number_of_edges())
    H, info = filter_graph(G)
    assert (H.number_of_nodes(), H.number_of_edges()) == before
    assert info["hidden_nodes"] == 0 and info["hidden_edges"] == 0
    H.remove_node(next(iter(H.nodes)))
    assert (G.number_of_nodes(), G.number_of_edges()) == before


def test_kinds_keeps_those_claims_and_what_still_touches_them(G):
    H, info = filter_graph(G, kinds=["limitation", "question"])
    kinds = {d["kind"] for _, d in H.nodes(data=True) if d["type"] == "claim"}
    assert kinds == {"limitation", "question"}
    claims = {n for n, d in H.nodes(data=True) if d["type"] == "claim"}
    for n, d in H.nodes(data=True):
        if d["type"] == "annotation":
            assert any(v in claims for v in H.successors(n))
    assert info["hidden_by_filter"]["kinds"] == info["hidden_nodes"]
    assert info["hidden_by_type"]["claim"] == sum(
        1 for _, d in G.nodes(data=True) if d["type"] == "claim"
    ) - len(claims)
    # A comma-separated string works as well as a list.
    H2, _ = filter_graph(G, kinds="limitation,question")
    assert set(H2.nodes) == set(H.nodes)


def test_kind_that_matches_nothing_names_it_and_the_choices(G):
    with pytest.raises(NothingMatches) as err:
        filter_graph(G, kinds=["capabilty"])
    msg = str(err.value)
    assert "'capabilty'" in msg and "'capability'" in msg


def test_notes_glob(G):
    H, info = filter_graph(G, notes_glob="Research/*")
    notes = {d["note"] for _, d in H.nodes(data=True) if d.get("note")}
    assert notes and all(p.startswith("Research/") for p in notes)
    assert "reference" in _types(H) or "concept" in _types(H)
    assert info["hidden_nodes"] > 0
    # Matching the file name alone works too; unicode folders too.
    H2, _ = filter_graph(G, notes_glob="Ideen für später/*")
    assert all(
        d["note"].startswith("Ideen für später/") for _, d in H2.nodes(data=True) if d.get("note")
    )
    with pytest.raises(NothingMatches, match="no note matches 'Nowhere/\\*'"):
        filter_graph(G, notes_glob="Nowhere/*")


def test_edge_types_and_min_similarity(G):
    H, info = filter_graph(G, edge_types=["similar", "tension"])
    assert {d["type"] for *_, d in H.edges(data=True)} == {"similar", "tension"}
    assert H.number_of_nodes() == G.number_of_nodes()
    assert info["removed_edges_by_filter"]["edge_types"] > 0
    H, _ = filter_graph(G, min_similarity=0.8)
    weights = [d["weight"] for *_, d in H.edges(data=True) if d["type"] == "similar"]
    assert weights and min(weights) >= 0.8
    assert any(d["type"] == "contains" for *_, d in H.edges(data=True))
    with pytest.raises(NothingMatches, match="unknown edge type 'simliar'"):
        filter_graph(G, edge_types=["simliar"])
    only_claims = nx.MultiDiGraph()
    only_claims.add_node("clm:1", type="claim", kind="question")
    with pytest.raises(NothingMatches, match="no edges of type 'cites'"):
        filter_graph(only_claims, edge_types=["cites"])


def test_focus_and_depth(G):
    claim = next(n for n, d in G.nodes(data=True) if d["type"] == "claim")
    H1, _ = filter_graph(G, focus=claim, depth=1)
    expected = {claim, *G.successors(claim), *G.predecessors(claim)}
    assert set(H1.nodes) == expected
    H2, _ = filter_graph(G, focus=claim, depth=2)
    assert set(H1.nodes) < set(H2.nodes)
    H0, _ = filter_graph(G, focus=claim, depth=0)
    assert set(H0.nodes) == {claim}
    with pytest.raises(NothingMatches, match="'clm:nope' is not in the graph"):
        filter_graph(G, focus="clm:nope")
    question = next(n for n, d in G.nodes(data=True) if d.get("kind") == "question")
    with pytest.raises(NothingMatches, match="after the other filters"):
        filter_graph(G, kinds=["capability"], focus=question)


def test_max_nodes_keeps_the_most_central_and_the_focus(G):
    G2 = G.copy()
    for n, c in centrality(G2).items():
        G2.nodes[n]["centrality"] = c
    H, info = filter_graph(G2, max_nodes=50)
    assert H.number_of_nodes() == 50
    kept = min(G2.nodes[n]["centrality"] for n in H.nodes)
    dropped = max(G2.nodes[n]["centrality"] for n in G2.nodes if n not in H)
    assert kept >= dropped
    assert info["hidden_by_filter"]["max_nodes"] == G2.number_of_nodes() - 50
    claim = next(n for n, d in G2.nodes(data=True) if d["type"] == "claim")
    H, _ = filter_graph(G2, focus=claim, depth=3, max_nodes=5)
    assert claim in H and H.number_of_nodes() == 5


def test_user_hidden_claims_are_left_out_unless_asked(G):
    G2 = G.copy()
    victim = next(n for n, d in G2.nodes(data=True) if d["type"] == "claim")
    G2.nodes[victim]["hidden"] = True
    H, info = filter_graph(G2)
    assert victim not in H and info["hidden_by_filter"]["hidden"] == 1
    H, _ = filter_graph(G2, include_hidden=True)
    assert victim in H


def test_empty_graph_without_filters_is_fine():
    H, info = filter_graph(nx.MultiDiGraph())
    assert H.number_of_nodes() == 0 and info["shown_nodes"] == 0
    with pytest.raises(NothingMatches):
        filter_graph(nx.MultiDiGraph(), kinds=["question"])


@pytest.mark.parametrize("threshold", [0.0, 0.55, 0.7, 0.9])
def test_window_and_export_filter_edges_alike(G, threshold):
    """One meaning of "edge type" and "minimum similarity": the window's visible set and
    the exported graph keep the same edges (tension included in the similarity filter)."""
    from explorer.graph.filters import SIMILARITY_EDGES, FilterState, apply_filters

    assert {"similar", "duplicate", "tension"} <= SIMILARITY_EDGES
    wanted = frozenset({"similar", "tension", "cites"})
    H, _ = filter_graph(G, edge_types=wanted, min_similarity=threshold)
    shown = apply_filters(G, FilterState(edge_types=wanted, min_similarity=threshold))
    assert set(H.edges(keys=True)) == shown.edges
    weak = [d for *_, d in G.edges(data=True) if d["type"] == "tension" and d["weight"] < threshold]
    assert not weak or not any(
        H.edges[e]["type"] == "tension" and H.edges[e]["weight"] < threshold for e in H.edges
    )
