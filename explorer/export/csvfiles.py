"""CSV node and edge lists: a folder holding ``nodes.csv`` and ``edges.csv``.

UTF-8 (no byte-order mark), a header row, one row per node or edge. Columns: the
contract's keys first, in the order of docs/EXPORT.md, then any other key
alphabetically. Values are flat (lists as ``"a; b"``), empty cells where a node or
edge has no such key, booleans as ``true``/``false``. Spreadsheets, pandas, Gephi's
and Cytoscape's table importers read them.
"""

from __future__ import annotations

import csv
import os

import networkx as nx

from explorer.export.common import atomic_text, output_folder, scalar

NODE_COLUMNS = (
    "id", "type", "label", "text", "note", "line", "section", "kind", "confidence",
    "kind_source", "stance", "url", "community", "centrality", "x", "y", "hidden", "missing",
)  # fmt: skip
EDGE_COLUMNS = (
    "source",
    "target",
    "key",
    "type",
    "weight",
    "stance",
    "confidence",
    "reason",
    "line",
)


def write(G: nx.Graph, path: str | os.PathLike) -> dict:
    """Write ``path/nodes.csv`` and ``path/edges.csv``; the folder is created when its
    parent exists. Returns ``{"path", "nodes", "edges", "bytes"}``."""
    folder = output_folder(path, G)
    node_rows = [{"id": n, **d} for n, d in G.nodes(data=True)]
    if G.is_multigraph():
        edge_rows = [
            {"source": u, "target": v, "key": k, **d}
            for u, v, k, d in G.edges(keys=True, data=True)
        ]
    else:
        edge_rows = [{"source": u, "target": v, **d} for u, v, d in G.edges(data=True)]
    size = _write_table(folder / "nodes.csv", node_rows, NODE_COLUMNS)
    size += _write_table(folder / "edges.csv", edge_rows, EDGE_COLUMNS)
    return {"path": str(folder), "nodes": len(node_rows), "edges": len(edge_rows), "bytes": size}


def _write_table(path, rows: list[dict], preferred: tuple[str, ...]) -> int:
    present = {k for row in rows for k in row}
    columns = [c for c in preferred if c in present or c in preferred[:3]]
    columns += sorted(present - set(columns))
    with atomic_text(path, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return path.stat().st_size


def _cell(value) -> str:
    value = scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
