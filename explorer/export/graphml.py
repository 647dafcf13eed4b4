"""GraphML for Gephi, Cytoscape, yEd and ``networkx.read_graphml``.

Attributes are flattened first (``common.flatten_graph``): every key has one type and
every node or edge has every key of its kind, so no reader meets a missing or ``None``
value. The graph's own attributes (vault, version, model, the communities table as a
JSON string) travel as GraphML graph data.
"""

from __future__ import annotations

import os

import networkx as nx

from explorer.export.common import atomic_text, flatten_graph, output_file


def write(G: nx.Graph, path: str | os.PathLike) -> dict:
    """Write ``G`` to ``path``; returns ``{"path", "nodes", "edges", "bytes"}``."""
    p = output_file(path, G)
    H = flatten_graph(G)
    with atomic_text(p) as fh:
        for line in nx.generate_graphml(H, encoding="utf-8", prettyprint=True):
            fh.write(line + "\n")
    return {
        "path": str(p),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "bytes": p.stat().st_size,
    }


def read(path: str | os.PathLike) -> nx.MultiDiGraph:
    """Read a file this module wrote (a thin wrapper, for symmetry with ``gexf.read``)."""
    G = nx.read_graphml(path, force_multigraph=True)
    return G if G.is_directed() else nx.MultiDiGraph(G)
