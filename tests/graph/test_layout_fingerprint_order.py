"""The layout fingerprint is the cache key of stored layouts and graph layers: a faster
way of computing it must give the same digest, or every stored layout is lost."""

from __future__ import annotations

import hashlib

import networkx as nx

from explorer.graph.layout import graph_fingerprint
from explorer.graph.synthetic import synthetic_graph


def _reference(G: nx.Graph) -> str:
    """The digest as first defined: every node line, then every edge line, sorted."""
    h = hashlib.sha256()
    for n, t in sorted((str(n), str(d.get("type", ""))) for n, d in G.nodes(data=True)):
        h.update(f"n\x1f{n}\x1f{t}\x1e".encode())
    edges = sorted(
        (str(a), str(b), str(d.get("type", "")), round(float(d.get("weight", 0) or 0), 4))
        for a, b, d in G.edges(data=True)
    )
    for a, b, t, wt in edges:
        h.update(f"e\x1f{a}\x1f{b}\x1f{t}\x1f{wt}\x1e".encode())
    return h.hexdigest()


def test_the_fingerprint_is_the_digest_of_every_sorted_line():
    G = synthetic_graph(300, seed=4)
    assert G.is_directed() and G.is_multigraph()
    G.add_edge(next(iter(G)), next(iter(G)), key="similar", type="similar", weight=0.7)
    assert graph_fingerprint(G) == _reference(G)
    for H in (nx.MultiGraph(G), nx.DiGraph(G), nx.Graph(G)):
        assert graph_fingerprint(H) == _reference(H)
    mixed = nx.MultiDiGraph()  # ids equal as text take the plain sort
    mixed.add_edge(1, "1", type="similar", weight=0.5)
    mixed.add_edge("1", 1, type="similar", weight=0.6)
    assert graph_fingerprint(mixed) == _reference(mixed)
    G.remove_edge(*next(iter(G.edges(keys=True)))[:3])
    assert graph_fingerprint(G) != _reference(synthetic_graph(300, seed=4))
