"""Centrality for node size: 0..1, hubs largest, cheap on big graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from explorer.graph.centrality import centrality
from explorer.graph.synthetic import synthetic_graph


@pytest.mark.parametrize("method", ["pagerank", "degree"])
def test_range_and_hub_first(method):
    G = nx.MultiDiGraph()
    G.add_edges_from([("hub", f"leaf{i}") for i in range(10)] + [("leaf0", "x")])
    c = centrality(G, method)
    assert set(c) == set(G.nodes)
    assert min(c.values()) == 0.0 and max(c.values()) == 1.0
    assert c["hub"] == 1.0
    assert c["leaf0"] > c["leaf5"]


def test_pagerank_agrees_with_networkx_ordering():
    G = nx.gnm_random_graph(200, 600, seed=1)
    ours = centrality(G, "pagerank")
    ref = nx.pagerank(G, alpha=0.85)
    top_ours = sorted(ours, key=ours.get, reverse=True)[:10]
    top_ref = sorted(ref, key=ref.get, reverse=True)[:10]
    assert len(set(top_ours) & set(top_ref)) >= 8


def test_edge_cases():
    assert centrality(nx.MultiDiGraph()) == {}
    G = nx.MultiDiGraph()
    G.add_nodes_from("abc")
    assert set(centrality(G, "degree").values()) == {0.0}
    with pytest.raises(ValueError, match="betweenness"):
        centrality(G, "betweenness")


def test_every_node_of_a_large_graph_gets_a_score_in_range():
    G = synthetic_graph(4000, seed=0)
    c = centrality(G)
    assert len(c) == G.number_of_nodes()
    assert min(c.values()) >= 0.0 and max(c.values()) == 1.0
