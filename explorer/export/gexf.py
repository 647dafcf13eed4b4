"""GEXF 1.2 for Gephi (and ``networkx.read_gexf``), with the layout and colours.

GEXF reserves two names the concept graph uses. An edge's ``type`` there means
directed/undirected, so the edge type travels as the edge's ``label`` (shown by
Gephi) and as an ``edge_type`` attribute; ``read`` puts it back under ``type``. GEXF
has no graph attributes, so vault, version and model are not kept (use GraphML or
JSON for those). Positions, sizes and colours go into GEXF's ``viz`` elements, so
Gephi opens the map as drawn here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import networkx as nx

from explorer.export.common import atomic_text, flatten_graph, node_positions, output_file
from explorer.style import hex_to_rgb, kind_styles, node_colour


def write(
    G: nx.Graph,
    path: str | os.PathLike,
    *,
    taxonomy: Mapping[str, Mapping[str, str]] | None = None,
    viz: bool = True,
) -> dict:
    """Write ``G`` to ``path``; returns ``{"path", "nodes", "edges", "bytes"}``."""
    p = output_file(path, G)
    H = flatten_graph(G)
    for _u, _v, d in H.edges(data=True):
        etype = d.pop("type", "")
        d["edge_type"] = etype
        d["label"] = etype
    if viz and H.number_of_nodes():
        kinds = kind_styles(
            taxonomy, {d.get("kind") for _, d in G.nodes(data=True) if d.get("kind")}
        )
        pos = node_positions(G)
        for n, d in H.nodes(data=True):
            r, g, b = hex_to_rgb(node_colour(G.nodes[n], kinds))
            x, y = pos[n]
            size = 4.0 + 16.0 * float(G.nodes[n].get("centrality", 0.2) or 0.0)
            # GEXF's y axis points up; the layout's (like the screen's) points down.
            d["viz"] = {
                "position": {"x": round(x, 2), "y": round(-y, 2), "z": 0.0},
                "color": {"r": r, "g": g, "b": b, "a": 1.0},
                "size": round(size, 2),
            }
    with atomic_text(p) as fh:
        for line in nx.generate_gexf(H, encoding="utf-8", prettyprint=True, version="1.2draft"):
            fh.write(line + "\n")
    return {
        "path": str(p),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "bytes": p.stat().st_size,
    }


def read(path: str | os.PathLike, *, keep_viz: bool = False) -> nx.MultiDiGraph:
    """Read a file this module wrote, with edge ``type`` restored and GEXF's own
    additions (edge ``id``/``label``, node ``viz`` unless ``keep_viz``) removed."""
    G = nx.read_gexf(path)
    if not G.is_multigraph():
        G = nx.MultiDiGraph(G)
    for _u, _v, d in G.edges(data=True):
        d.pop("id", None)
        if "edge_type" in d:
            d["type"] = d.pop("edge_type")
            d.pop("label", None)
    if not keep_viz:
        for _, d in G.nodes(data=True):
            d.pop("viz", None)
    return G
