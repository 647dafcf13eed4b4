"""Force layout: deterministic, complete, clustered, no nodes on top of each other, fast."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from explorer.graph import forces
from explorer.graph.communities import detect_communities
from explorer.graph.layout import force_layout, graph_fingerprint, layout_fingerprint
from explorer.graph.synthetic import synthetic_graph


def _array(pos, nodes):
    return np.array([pos[n] for n in nodes])


def _nearest(points):
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def test_close_pairs_finds_every_pair_within_cutoff_once():
    rng = np.random.default_rng(0)
    pts = rng.random((400, 2)) * 10
    i, j = forces.close_pairs(pts, 1.0)
    found = {(min(a, b), max(a, b)) for a, b in zip(i.tolist(), j.tolist(), strict=True)}
    assert len(found) == len(i)  # no pair twice
    assert all(a != b for a, b in found)
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    truth = {(a, b) for a, b in zip(*np.nonzero(d < 1.0), strict=True) if a < b}
    assert truth <= found


def test_remove_overlaps_separates_coincident_points():
    pts = np.zeros((50, 2))
    out = forces.remove_overlaps(pts, 1.0, iterations=60)
    assert _nearest(out).min() > 0.5


def test_deterministic_and_seed_matters():
    G = synthetic_graph(300, seed=1)
    a = force_layout(G, seed=0)
    assert a == force_layout(G, seed=0)
    assert a != force_layout(G, seed=1)
    assert set(a) == set(G.nodes)
    assert all(np.isfinite(x) and np.isfinite(y) for x, y in a.values())


def test_communities_are_clusters_and_nodes_do_not_overlap():
    G = synthetic_graph(1500, seed=3)
    comm = detect_communities(G, seed=0)
    pos = force_layout(G, seed=0, communities=comm, spacing=40)
    claims = [n for n, d in G.nodes(data=True) if d["type"] == "claim"]
    P = _array(pos, claims)
    lab = np.array([comm[n] for n in claims])
    centres = np.array([P[lab == c].mean(0) for c in range(lab.max() + 1)])
    closest = np.sqrt(((P[:, None] - centres[None]) ** 2).sum(-1)).argmin(1)
    assert (closest == lab).mean() > 0.9
    everything = _array(pos, list(G.nodes))
    nearest = _nearest(everything)
    assert np.median(nearest) == pytest.approx(40, rel=0.35)
    assert (nearest < 10).mean() < 0.01  # a quarter of the spacing: drawn on top


def test_graphs_without_claims_or_edges():
    G = nx.MultiDiGraph()
    assert force_layout(G) == {}
    G.add_node("note:a.md", type="note")
    assert force_layout(G) == {"note:a.md": (0.0, 0.0)}
    for i in range(600):  # isolated claims: 600 one-member communities
        G.add_node(f"clm:{i}", type="claim", text=f"w{i}")
    pos = force_layout(G, seed=0)
    assert len(pos) == 601
    assert _nearest(_array(pos, list(G.nodes))).min() > 5


def test_only_notes_and_sections():
    G = nx.MultiDiGraph()
    for i in range(20):
        G.add_node(f"note:{i}", type="note")
        G.add_node(f"sec:{i}", type="section")
        G.add_edge(f"note:{i}", f"sec:{i}", type="contains")
    pos = force_layout(G, seed=0)
    assert len(pos) == 40


def test_a_few_thousand_nodes_get_finite_distinct_positions():
    # Speed is benchmarks/bench_layout.py's business (20,000 nodes, docs/BENCHMARKS.md);
    # here: a graph of realistic shape is laid out whole, finite, and not piled up.
    G = synthetic_graph(2500, seed=0)
    comm = detect_communities(G, seed=0)
    pos = force_layout(G, seed=0, communities=comm)
    assert set(pos) == set(G.nodes)
    xy = np.array(list(pos.values()))
    assert np.isfinite(xy).all()
    assert len({(round(x, 3), round(y, 3)) for x, y in xy}) > 0.99 * len(xy)


def test_fingerprint_tracks_structure_not_text():
    G = synthetic_graph(100, seed=2)
    fp = graph_fingerprint(G)
    H = G.copy()
    first = next(iter(H.nodes))
    H.nodes[first]["label"] = "renamed"
    assert graph_fingerprint(H) == fp
    u, v = list(H.nodes)[:2]
    H.add_edge(u, v, type="links_to")
    assert graph_fingerprint(H) != fp
    assert layout_fingerprint(G, "force", seed=0) != layout_fingerprint(G, "force", seed=1)
    # Same graph built in another order: same fingerprint.
    R = nx.MultiDiGraph()
    R.add_nodes_from(reversed(list(G.nodes(data=True))))
    R.add_edges_from(reversed(list(G.edges(data=True))))
    assert graph_fingerprint(R) == fp
