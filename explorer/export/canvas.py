"""JSON Canvas 1.0 (https://jsoncanvas.org): the map as an Obsidian canvas.

- Notes are ``file`` nodes (``file`` = the vault-relative path), so Obsidian shows the
  note itself; notes that do not exist (unresolved wikilinks) are ``text`` nodes.
- References with a URL are ``link`` nodes; all else (claims, sections, annotations,
  concepts, references without URL) are ``text`` nodes whose Markdown names the kind
  or stance and ends with a wikilink to the note and line.
- Every edge becomes a canvas edge labelled with its type, with an arrow at ``toEnd``
  and the type's colour.

Text is escaped for Obsidian's Markdown renderer: ``<``, ``>`` and ``&`` become HTML
entities, so note text such as ``<img src=x onerror=...>`` shows as text. Positions
come from the graph's ``x``/``y`` (or a fresh force layout), scaled so that the
closest two nodes still do not overlap. Canvas files belong in the vault to open in
Obsidian; this program never writes into the vault, so copy the file there yourself.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping

import networkx as nx
import numpy as np

from explorer.export.common import atomic_text, node_positions, output_file
from explorer.graph.forces import nearest_distances
from explorer.style import EDGE_TYPES, kind_styles, node_colour

WIDTH = 280
MAX_HEIGHT = 320
CHARS_PER_LINE = 34
LINE_HEIGHT = 26


def canvas_data(G: nx.Graph, *, taxonomy: Mapping[str, Mapping[str, str]] | None = None) -> dict:
    """The JSON Canvas dict: ``{"nodes": [...], "edges": [...]}``."""
    kinds = kind_styles(taxonomy, {d.get("kind") for _, d in G.nodes(data=True) if d.get("kind")})
    pos = node_positions(G)
    nodes = list(G.nodes)
    if not nodes:
        return {"nodes": [], "edges": []}
    P = np.array([pos[n] for n in nodes], dtype=float)
    scale = _scale(P)
    out_nodes = []
    for n, (x, y) in zip(nodes, P * scale, strict=True):
        d = G.nodes[n]
        node = _node(str(n), d, kinds)
        node["x"] = int(round(x - node["width"] / 2))
        node["y"] = int(round(y - node["height"] / 2))
        out_nodes.append(node)
    out_edges = []
    multi = G.is_multigraph()
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, v, d = e[0], e[1], e[-1]
        etype = str(d.get("type", ""))
        edge = {
            "id": f"e{i}:{u}->{v}:{etype}",
            "fromNode": str(u),
            "toNode": str(v),
            "toEnd": "arrow",
            "label": etype,
        }
        colour = EDGE_TYPES.get(etype, {}).get("colour")
        if colour:
            edge["color"] = colour
        out_edges.append(edge)
    return {"nodes": out_nodes, "edges": out_edges}


def write(
    G: nx.Graph,
    path: str | os.PathLike,
    *,
    taxonomy: Mapping[str, Mapping[str, str]] | None = None,
    indent: int | None = 1,
) -> dict:
    """Write ``G`` as a ``.canvas`` file; returns ``{"path", "nodes", "edges", "bytes"}``."""
    p = output_file(path, G)
    doc = canvas_data(G, taxonomy=taxonomy)
    with atomic_text(p) as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=indent)
    return {
        "path": str(p),
        "nodes": len(doc["nodes"]),
        "edges": len(doc["edges"]),
        "bytes": p.stat().st_size,
    }


def _scale(P: np.ndarray) -> float:
    """Factor that moves the two closest nodes' centres one node diagonal apart."""
    if len(P) < 2:
        return 1.0
    spread = float(np.ptp(P, axis=0).max()) or 1.0
    # Search radius: a few typical spacings, so the search stays local on big graphs.
    nearest = nearest_distances(P, 4 * spread / math.sqrt(len(P)))
    finite = nearest[np.isfinite(nearest) & (nearest > 1e-9)]
    closest = float(finite.min()) if len(finite) else spread
    diagonal = math.hypot(WIDTH, MAX_HEIGHT)
    return max(1.0, diagonal / closest)


def _node(nid: str, d: Mapping, kinds: Mapping) -> dict:
    t = d.get("type")
    colour = node_colour(d, kinds)
    if t == "note" and not d.get("missing") and d.get("note"):
        return {"id": nid, "type": "file", "file": str(d["note"]), "width": 400, "height": 300,
                "color": colour}  # fmt: skip
    if t == "reference" and _is_url(d.get("url")):
        return {"id": nid, "type": "link", "url": str(d["url"]), "width": 400, "height": 220,
                "color": colour}  # fmt: skip
    text = _markdown(d)
    lines = sum(max(1, math.ceil(len(line) / CHARS_PER_LINE)) for line in text.split("\n"))
    height = min(MAX_HEIGHT, 24 + LINE_HEIGHT * lines)
    return {"id": nid, "type": "text", "text": text, "width": WIDTH, "height": height,
            "color": colour}  # fmt: skip


def _markdown(d: Mapping) -> str:
    t = d.get("type")
    body = _escape(str(d.get("text") or d.get("label") or ""))
    if t == "claim":
        head = f"**{_escape(str(d.get('kind', 'claim')))}**"
    elif t == "annotation":
        head = f"**your note · {_escape(str(d.get('stance', 'note')))}**"
    elif t == "section":
        head = "**section**"
    elif t == "concept":
        head = "**concept**"
    elif t == "reference":
        head = "**reference**"
    else:
        head = f"**{_escape(str(t))}**"
    text = f"{head}\n{body}"
    note = d.get("note")
    if note and t in ("claim", "annotation", "section"):
        target = str(note)
        if target.lower().endswith(".md"):
            target = target[:-3]
        line = d.get("line")
        where = f" · line {line}" if line else ""
        text += f"\n\n[[{target}]]{where}"
    return text


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))
