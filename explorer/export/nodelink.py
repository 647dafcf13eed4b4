"""Node-link JSON: ``networkx.node_link_data(G, edges="edges")``, UTF-8 (docs/EXPORT.md).

Values are written as they are where JSON can hold them; numpy numbers become plain
numbers, tuples and sets become lists, and anything else becomes its string, so a
value never makes the export fail. Read it back with
``networkx.node_link_graph(data, edges="edges")``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping

import networkx as nx

from explorer.export.common import atomic_text, output_file


def data(G: nx.Graph) -> dict:
    """The node-link dict, with every value JSON-safe."""
    return _clean(nx.node_link_data(G, edges="edges"))


def write(G: nx.Graph, path: str | os.PathLike, *, indent: int | None = None) -> dict:
    """Write ``G`` to ``path``; returns ``{"path", "nodes", "edges", "bytes"}``."""
    p = output_file(path, G)
    with atomic_text(p) as fh:
        json.dump(data(G), fh, ensure_ascii=False, indent=indent)
    return {
        "path": str(p),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "bytes": p.stat().st_size,
    }


def _clean(value):
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_clean(v) for v in items]
    if isinstance(value, bool | str | int) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):
        try:
            return _clean(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)
