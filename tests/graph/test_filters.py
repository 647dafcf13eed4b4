"""filter_graph: pure, shared by every format, loud when a filter matches nothing."""

from __future__ import annotations

import networkx as nx
import pytest

from explorer.graph.centrality import centrality
from explorer.graph.filters import NothingMatches, edge_count, filter_graph
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


@pytest.mark.parametrize(
    "filters",
    [{}, {"kinds": ["limitation"]}, {"min_similarity": 0.8, "max_nodes": 40}, {"depth": 2}],
)
def test_filtering_in_place_gives_what_a_copy_gives(G, filters):
    if "depth" in filters:
        filters = {
            **filters,
            "focus": next(n for n, d in G.nodes(data=True) if d["type"] == "claim"),
        }
    H, info = filter_graph(G, **filters)
    own = G.copy()
    same, own_info = filter_graph(own, **filters, copy=False)
    assert same is own
    assert set(same.nodes) == set(H.nodes)
    assert sorted(same.edges(keys=True)) == sorted(H.edges(keys=True))
    assert own_info == info


def test_edge_count_is_number_of_edges():
    for graph in (nx.MultiDiGraph(), nx.MultiGraph(), nx.DiGraph(), nx.Graph()):
        graph.add_edges_from([(1, 2), (2, 1), (1, 1), (1, 1), (2, 3), (3, 3)])
        assert edge_count(graph) == graph.number_of_edges()


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


def _with_fragments_hidden_and_a_bibliography(G):
    """``G`` plus what the window and the export must both decide on: fragment claims
    (one carrying an annotation), a claim the user hid (with its annotation), and a
    reference that touches no claim (a note's own bibliography)."""
    G2 = G.copy()
    annotated = list(
        dict.fromkeys(v for _, v, d in G2.edges(data=True) if d["type"] == "annotates")
    )
    G2.nodes[annotated[0]]["fragment"] = True
    G2.nodes[annotated[1]]["hidden"] = True
    for n in [n for n, d in G2.nodes(data=True) if d["type"] == "claim"][::17]:
        G2.nodes[n]["fragment"] = True
    note = next(n for n, d in G2.nodes(data=True) if d["type"] == "note")
    G2.add_node("ref:bibliography", type="reference", label="A book", text="A book")
    G2.add_edge(note, "ref:bibliography", type="contains")
    return G2, annotated[0], annotated[1]


@pytest.mark.parametrize("kinds", [None, ("question",), ("limitation", "question")])
@pytest.mark.parametrize("fragments", [False, True])
def test_window_and_export_show_the_same_nodes(G, kinds, fragments):
    """One filter semantics: the window's visible set (MapState over apply_filters) and
    the exported graph (filter_graph) hold the same nodes and edges, and what hangs only
    off claims a filter hid (their annotations, references, concepts; with a kind filter
    the sections and notes left empty) is gone from both."""
    from explorer.app.map_state import MapState
    from explorer.graph.filters import FilterState

    G2, on_fragment, on_hidden = _with_fragments_hidden_and_a_bibliography(G)
    H, _ = filter_graph(G2, kinds=kinds, include_fragments=fragments)
    state = FilterState(kinds=None if kinds is None else frozenset(kinds), show_fragments=fragments)
    m = MapState(G2)
    m.set_filters(state)
    assert m.visible.nodes == set(H.nodes)
    assert m.visible.edges == set(H.edges(keys=True))

    claims = {n for n in H if H.nodes[n]["type"] == "claim"}
    for n in H:
        if kinds is not None and H.nodes[n]["type"] in ("annotation", "reference", "concept"):
            touches = set(H.successors(n)) | set(H.predecessors(n))
            assert touches & claims, n  # nothing stays for a claim the filter hid
    assert {"note", "section"} <= {H.nodes[n]["type"] for n in H}

    # The fragment's annotation goes with it unless fragments are shown; the hidden
    # claim's annotation stays without a kind filter (the user hid the claim, not it).
    def annotation_of(claim):
        return next(u for u, _, d in G2.in_edges(claim, data=True) if d["type"] == "annotates")

    ann_fragment, ann_hidden = annotation_of(on_fragment), annotation_of(on_hidden)
    if kinds is None:
        assert (ann_fragment in H) == fragments
        assert ann_hidden in H and "ref:bibliography" in H
    else:
        assert "ref:bibliography" not in H and ann_hidden not in H
        kept_kinds = {H.nodes[c]["kind"] for c in claims}
        assert kept_kinds <= set(kinds)
