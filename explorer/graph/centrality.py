"""Node importance for node size: cheap at 20,000 nodes, normalised to 0..1.

PageRank runs on the undirected view (an idea cited or annotated a lot matters in both
directions) by power iteration over edge arrays in numpy; networkx's own pagerank needs
scipy, which is not a dependency. Degree is the cheaper alternative. Values are scaled
by rank-preserving min-max on a log scale, because raw PageRank is heavy-tailed: a
handful of hubs would otherwise make every other node the same minimum size.

>>> import networkx as nx
>>> G = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("d", "b")])
>>> c = centrality(G)
>>> c["b"], c["a"] < 1.0
(1.0, True)
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from explorer.graph.edges import edge_triples


def centrality(
    G: nx.Graph, method: str = "pagerank", *, damping: float = 0.85, iterations: int = 50
) -> dict:
    """``{node: 0..1}``; 1 is the most central node. Methods: ``pagerank``, ``degree``."""
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    if G.number_of_edges():
        heads, tails = [], []
        for u, v, _ in edge_triples(G):
            heads.append(u)
            tails.append(v)
        a = np.fromiter(map(index.__getitem__, heads), np.int64, len(heads))
        b = np.fromiter(map(index.__getitem__, tails), np.int64, len(tails))
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
    else:
        src = dst = np.zeros(0, dtype=np.int64)
    degree = np.bincount(src, minlength=n).astype(float)
    if method == "degree":
        raw = degree
    elif method == "pagerank":
        raw = _pagerank(src, dst, degree, n, damping, iterations)
    else:
        raise ValueError(f"unknown centrality method {method!r} (use 'pagerank' or 'degree')")
    return dict(zip(nodes, _normalise(raw).tolist(), strict=True))


def _pagerank(src, dst, degree, n, damping, iterations) -> np.ndarray:
    rank = np.full(n, 1.0 / n)
    dangling = degree == 0
    inv = np.divide(1.0, degree, out=np.zeros(n), where=~dangling)
    for _ in range(iterations):
        spread = np.bincount(dst, weights=(rank * inv)[src], minlength=n)
        new = damping * (spread + rank[dangling].sum() / n) + (1 - damping) / n
        if np.abs(new - rank).sum() < 1e-9 * n:
            rank = new
            break
        rank = new
    return rank


def _normalise(raw: np.ndarray) -> np.ndarray:
    values = np.log1p(raw / (raw.min() if raw.min() > 0 else 1.0))
    lo, hi = values.min(), values.max()
    if hi - lo < 1e-12:
        return np.ones_like(values) if raw.max() > 0 else np.zeros_like(values)
    return (values - lo) / (hi - lo)
