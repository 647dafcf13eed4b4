"""Semantic map: claims by meaning, the rest next to their claims."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from explorer.graph.semantic_map import project_2d, semantic_layout
from explorer.graph.synthetic import bag_of_words_vectors, synthetic_graph


def test_project_2d_is_pca():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10)) * np.array([10, 3] + [0.1] * 8)
    P = project_2d(X)
    assert P.shape == (300, 2)
    # The first axis carries the most variance and matches the first column.
    assert P[:, 0].var() > P[:, 1].var() > 1
    assert abs(np.corrcoef(P[:, 0], X[:, 0])[0, 1]) > 0.99
    # Wide inputs (fewer rows than dimensions) go through the SVD path.
    assert project_2d(X[:5]).shape == (5, 2)
    assert project_2d(np.zeros((0, 4))).shape == (0, 2)
    with pytest.raises(ValueError, match="2-D"):
        project_2d(np.zeros(3))


def test_similar_claims_land_close():
    G = nx.MultiDiGraph()
    texts = {
        "clm:a1": "gpu latency throughput",
        "clm:a2": "gpu latency cost",
        "clm:b1": "qualia awareness feeling",
        "clm:b2": "qualia awareness mind",
        "clm:c1": "agent planning tool",
        "clm:c2": "agent planning memory",
    }
    for n, t in texts.items():
        G.add_node(n, type="claim", text=t)
    G.add_node("ann:1", type="annotation", text="my note")
    G.add_edge("ann:1", "clm:b1", type="annotates")
    G.add_node("note:n.md", type="note")
    G.add_node("sec:1", type="section")
    G.add_edge("note:n.md", "sec:1", type="contains")
    G.add_edge("sec:1", "clm:a1", type="contains")
    G.add_edge("sec:1", "clm:a2", type="contains")
    G.add_node("con:lonely", type="concept")  # links to nothing
    pos = semantic_layout(G, bag_of_words_vectors(G, dim=32), seed=0, spread=0)
    P = {n: np.array(p) for n, p in pos.items()}
    d = lambda a, b: np.linalg.norm(P[a] - P[b])  # noqa: E731
    assert d("clm:a1", "clm:a2") < d("clm:a1", "clm:b1")
    assert d("clm:b1", "clm:b2") < d("clm:b1", "clm:c1")
    # The annotation sits by its claim; the note by its section's claims.
    assert d("ann:1", "clm:b1") < d("ann:1", "clm:a1")
    assert d("note:n.md", "clm:a1") < d("note:n.md", "clm:b1")
    assert set(pos) == set(G.nodes)


def test_deterministic_and_no_stacked_nodes():
    G = synthetic_graph(800, seed=5)
    vec = bag_of_words_vectors(G)
    a = semantic_layout(G, vec, seed=0)
    assert a == semantic_layout(G, vec, seed=0)
    P = np.array(list(a.values()))
    d = np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert (d.min(1) < 5).mean() < 0.01


def test_no_vectors_still_places_everything():
    G = synthetic_graph(40, seed=1)
    pos = semantic_layout(G, {}, seed=0)
    assert set(pos) == set(G.nodes)
    assert semantic_layout(nx.MultiDiGraph(), {}) == {}
