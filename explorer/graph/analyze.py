"""One call that adds the graph layer to a built graph: communities, centrality, x/y.

``enrich`` writes the attributes docs/EXPORT.md lists as "graph layer" onto the nodes
(``community``, ``centrality``, ``x``, ``y``) and a ``communities`` table onto the
graph, so every exporter and the GUI read the same numbers. Positions can come from a
cache (``positions=``, keyed by ``compute_layout``'s fingerprint) to skip the layout.

>>> from explorer.graph.synthetic import synthetic_graph
>>> G = synthetic_graph(100, seed=4)
>>> info = enrich(G, seed=0)
>>> all("x" in d and "centrality" in d for _, d in G.nodes(data=True))
True
>>> sorted(G.graph["communities"][0])
['label', 'size', 'terms']
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

import networkx as nx
import numpy as np

from explorer.graph.centrality import centrality
from explorer.graph.communities import community_terms, detect_communities
from explorer.graph.layout import force_layout, layout_fingerprint
from explorer.graph.semantic_map import semantic_layout

LAYOUTS = ("force", "semantic")
# Part of the key under which enrich()'s results are cached in the store
# (``explorer.store.layers``): bump it when communities, their terms or centrality change.
LAYER_VERSION = 2  # 2: Louvain over arrays (explorer.graph.louvain)


def compute_layout(
    G: nx.Graph,
    method: str = "force",
    *,
    seed: int = 0,
    vectors: Mapping[str, np.ndarray] | None = None,
    communities: Mapping[str, int] | None = None,
    spacing: float = 40.0,
    key: str | None = None,
) -> tuple[dict[str, tuple[float, float]], str]:
    """``(positions, fingerprint)``: the layout and the key to cache it under.

    The fingerprint covers the graph's structure, the method, its parameters, the seed
    and (for the semantic map) the vectors, so a changed graph never reuses a stale one.
    A caller that already holds it passes ``key`` (hashing 700,000 edges takes seconds).
    """
    if method == "force":
        pos = force_layout(G, seed=seed, communities=communities, spacing=spacing)
        key = key or layout_fingerprint(G, method, seed=seed, spacing=spacing)
    elif method == "semantic":
        if not vectors:
            raise ValueError("the semantic layout needs claim vectors (none were given)")
        pos = semantic_layout(G, vectors, seed=seed, spacing=spacing)
        key = key or layout_fingerprint(
            G, method, seed=seed, spacing=spacing, vectors=_vectors_digest(G, vectors)
        )
    else:
        raise ValueError(f"unknown layout {method!r}; choose one of {', '.join(LAYOUTS)}")
    return pos, key


def enrich(
    G: nx.MultiDiGraph,
    *,
    seed: int = 0,
    layout: str = "force",
    vectors: Mapping[str, np.ndarray] | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
    weights: Mapping[str, float] | None = None,
    centrality_method: str = "pagerank",
    key: str | None = None,
) -> dict:
    """Add ``community``, ``centrality``, ``x``, ``y`` to the nodes of ``G`` in place.

    Sets ``G.graph["communities"] = {number: {"label", "terms", "size"}}``. Returns
    ``{"communities": n, "layout": method, "fingerprint": key}``; ``fingerprint`` is
    None when ``positions`` were given (the caller already holds the key).
    ``positions`` that miss a node of ``G`` (a cache from an older graph) are ignored
    and the layout is computed afresh. ``key``: the layout's fingerprint when the caller
    has it already (``compute_layout``'s).
    """
    comm = detect_communities(G, seed=seed, weights=weights)
    terms = community_terms(G, comm)
    sizes = Counter(c for n, c in comm.items() if G.nodes[n].get("type") == "claim")
    G.graph["communities"] = {
        c: {
            "label": " · ".join(terms.get(c, [])) or f"community {c}",
            "terms": terms.get(c, []),
            "size": sizes.get(c, 0),
        }
        for c in sorted(set(comm.values()))
    }
    for n, c in comm.items():
        G.nodes[n]["community"] = c
    for n, value in centrality(G, centrality_method).items():
        G.nodes[n]["centrality"] = round(value, 4)

    fingerprint = None
    if positions is None or any(n not in positions for n in G.nodes):
        positions, fingerprint = compute_layout(
            G, layout, seed=seed, vectors=vectors, communities=comm, key=key
        )
    for n in G.nodes:
        x, y = positions[n]
        G.nodes[n]["x"] = round(float(x), 2)
        G.nodes[n]["y"] = round(float(y), 2)
    return {
        "communities": len(G.graph["communities"]),
        "layout": layout,
        "fingerprint": fingerprint,
    }


def _vectors_digest(G: nx.Graph, vectors: Mapping[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for n in sorted(str(n) for n in G.nodes if n in vectors):
        h.update(n.encode())
        h.update(np.asarray(vectors[n], dtype=np.float32).tobytes())
    return h.hexdigest()
