"""enrich / compute_layout: the graph layer every exporter reads."""

from __future__ import annotations

import doctest

import pytest

from explorer.graph import (
    analyze,
    centrality,
    communities,
    filters,
    layout,
    semantic_map,
    synthetic,
)
from explorer.graph.analyze import compute_layout, enrich
from explorer.graph.synthetic import bag_of_words_vectors, synthetic_graph


@pytest.mark.parametrize(
    "module", [analyze, centrality, communities, filters, layout, semantic_map, synthetic]
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_enrich_sets_the_graph_layer():
    G = synthetic_graph(200, seed=9)
    info = enrich(G, seed=0)
    assert info["fingerprint"] and info["communities"] == len(G.graph["communities"])
    for _, d in G.nodes(data=True):
        assert 0.0 <= d["centrality"] <= 1.0
        assert isinstance(d["x"], float) and isinstance(d["y"], float)
        if d["type"] in ("claim", "annotation", "concept"):
            assert d["community"] in G.graph["communities"]
        if d["type"] in ("note", "section"):
            assert "community" not in d
    table = G.graph["communities"]
    assert sum(c["size"] for c in table.values()) == 200
    assert all(c["label"] for c in table.values())


def test_cached_positions_skip_the_layout_and_stale_ones_do_not():
    G = synthetic_graph(100, seed=9)
    pos, key = compute_layout(G, "force", seed=0)
    calls = []
    original = analyze.compute_layout

    def counting(*a, **kw):
        calls.append(1)
        return original(*a, **kw)

    analyze.compute_layout = counting
    try:
        info = enrich(G, positions=pos)
        assert calls == [] and info["fingerprint"] is None
        first = next(iter(pos))
        assert (G.nodes[first]["x"], G.nodes[first]["y"]) == tuple(round(c, 2) for c in pos[first])
        stale = dict(list(pos.items())[:-1])
        info = enrich(G, positions=stale)
        assert calls == [1] and info["fingerprint"] == key
    finally:
        analyze.compute_layout = original


def test_semantic_layout_through_compute_layout():
    G = synthetic_graph(100, seed=9)
    vec = bag_of_words_vectors(G)
    pos, key = compute_layout(G, "semantic", vectors=vec)
    assert set(pos) == set(G.nodes)
    other = {n: v * -1 for n, v in vec.items()}
    assert compute_layout(G, "semantic", vectors=other)[1] != key
    assert key != compute_layout(G, "force")[1]
    with pytest.raises(ValueError, match="needs claim vectors"):
        compute_layout(G, "semantic")
    with pytest.raises(ValueError, match="unknown layout 'circle'"):
        compute_layout(G, "circle")
