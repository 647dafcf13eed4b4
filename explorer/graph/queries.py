"""What the window asks of the graph: neighbourhoods, paths, details, counts.

Plain functions over a ``networkx.MultiDiGraph`` shaped as docs/EXPORT.md says; no Qt,
so they are tested without a window. The filters themselves (``FilterState``,
``apply_filters``) live in ``explorer.graph.filters`` beside ``filter_graph``, so the
window and every export share one meaning of "kind", "edge type" and "minimum
similarity".
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from explorer.graph.filters import Visible

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx


# Which edge explains a step of a path best when two nodes are joined by several.
_EXPLAIN_ORDER = (
    "tension",
    "duplicate",
    "similar",
    "annotates",
    "cites",
    "mentions",
    "links_to",
    "contains",
)


def _undirected(G: nx.MultiDiGraph, nodes: set[str] | None, edges: set | None) -> nx.Graph:
    import networkx as nx

    view = G
    if nodes is not None or edges is not None:
        view = nx.subgraph_view(
            G,
            filter_node=(lambda n: n in nodes) if nodes is not None else nx.filters.no_filter,
            filter_edge=(lambda u, v, k: (u, v, k) in edges)
            if edges is not None
            else nx.filters.no_filter,
        )
    return view.to_undirected(as_view=True)


def neighbourhood(
    G: nx.MultiDiGraph,
    centre: str,
    depth: int,
    visible: Visible | None = None,
) -> set[str]:
    """Nodes within ``depth`` steps of ``centre``, edges followed both ways."""
    import networkx as nx

    U = _undirected(G, visible.nodes if visible else None, visible.edges if visible else None)
    if centre not in U:
        return set()
    return set(nx.single_source_shortest_path_length(U, centre, cutoff=max(0, depth)))


def shortest_path(G: nx.MultiDiGraph, a: str, b: str, visible: Visible | None = None) -> list[str]:
    """The shortest path from ``a`` to ``b`` on the undirected view; [] when none."""
    import networkx as nx

    U = _undirected(G, visible.nodes if visible else None, visible.edges if visible else None)
    try:
        return nx.shortest_path(U, a, b)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


_PHRASES = {
    "contains": "contains",
    "links_to": "links to",
    "mentions": "mentions",
    "cites": "cites",
    "annotates": "annotates",
    "similar": "is similar to",
    "duplicate": "duplicates",
    "tension": "is in tension with",
}


def explain_path(G: nx.MultiDiGraph, path: list[str]) -> list[dict]:
    """One step per consecutive pair: which edge joins them and in which direction.

    Each step is ``{"source", "target", "type", "forward", "weight", "reason", "text"}``
    where ``forward`` says the edge runs from the earlier node to the later one, and
    ``text`` is a sentence like "A is similar to B (0.83)".
    """
    steps = []
    for a, b in zip(path, path[1:], strict=False):
        candidates = [(d, True) for d in (G.get_edge_data(a, b) or {}).values()]
        candidates += [(d, False) for d in (G.get_edge_data(b, a) or {}).values()]
        if not candidates:
            raise ValueError(f"no edge between {a} and {b}")

        def rank(c):
            t = c[0].get("type")
            return _EXPLAIN_ORDER.index(t) if t in _EXPLAIN_ORDER else len(_EXPLAIN_ORDER)

        d, forward = min(candidates, key=rank)
        etype = d.get("type", "")
        src, dst = (a, b) if forward else (b, a)
        text = f"{label_of(G, src)} {_PHRASES.get(etype, etype)} {label_of(G, dst)}"
        if "weight" in d:
            text += f" ({float(d['weight']):.2f})"
        if d.get("reason"):
            text += f": {d['reason']}"
        steps.append(
            {
                "source": src,
                "target": dst,
                "type": etype,
                "forward": forward,
                "weight": d.get("weight"),
                "reason": d.get("reason", ""),
                "text": text,
            }
        )
    return steps


def label_of(G: nx.MultiDiGraph, n: str) -> str:
    d = G.nodes[n]
    return str(d.get("label") or d.get("text") or n)


def counts(G: nx.MultiDiGraph, visible: Visible | None = None) -> dict[str, int]:
    """Nodes per type, plus ``edges``; of the visible part when given."""
    nodes = (
        G.nodes(data="type")
        if visible is None
        else ((n, G.nodes[n].get("type")) for n in visible.nodes)
    )
    c = Counter(t for _, t in nodes)
    out = {t: c.get(t, 0) for t in ("note", "claim", "annotation", "reference", "concept")}
    # MultiDiGraph.number_of_edges() walks every adjacency dict; len(edges) is cheaper.
    out["edges"] = len(G.edges) if visible is None else len(visible.edges)
    return out


def _brief(G: nx.MultiDiGraph, n: str, **extra) -> dict:
    d = G.nodes[n]
    return {"id": n, "type": d.get("type", ""), "label": label_of(G, n), **extra}


def details_from_graph(G: nx.MultiDiGraph, node_id: str) -> dict:
    """The details panel's content for one node, read from the graph alone.

    Keys: the node's own attributes (id, type, label, text, kind, confidence,
    kind_source, note, section, line, stance, url, community, centrality), and lists
    of linked nodes, each ``{"id", "type", "label", ...}``: ``annotations`` (with
    ``text``, ``stance``, ``own``), ``references`` (with ``url``), ``concepts``,
    ``similar`` (with ``score``), ``tensions`` (with ``score``, ``reason``),
    ``annotates`` (what an annotation comments on), ``parents`` (containers).
    Raises KeyError for an unknown id.
    """
    d = dict(G.nodes[node_id])
    out = {"id": node_id, **d}
    out.setdefault("label", label_of(G, node_id))
    lists: dict[str, list] = {
        k: []
        for k in (
            "annotations",
            "references",
            "concepts",
            "similar",
            "tensions",
            "annotates",
            "parents",
        )
    }
    for _, v, e in G.out_edges(node_id, data=True):
        t = e.get("type")
        if t == "cites":
            lists["references"].append(_brief(G, v, url=G.nodes[v].get("url", "")))
        elif t == "mentions":
            lists["concepts"].append(_brief(G, v))
        elif t in ("similar", "duplicate"):
            lists["similar"].append(_brief(G, v, score=float(e.get("weight", 0.0)), edge=t))
        elif t == "tension":
            lists["tensions"].append(
                _brief(G, v, score=float(e.get("weight", 0.0)), reason=e.get("reason", ""))
            )
        elif t == "annotates":
            lists["annotates"].append(_brief(G, v, stance=e.get("stance", "")))
    for u, _, e in G.in_edges(node_id, data=True):
        t = e.get("type")
        if t == "annotates":
            a = G.nodes[u]
            lists["annotations"].append(
                _brief(
                    G,
                    u,
                    text=a.get("text", ""),
                    stance=e.get("stance") or a.get("stance", "note"),
                    own=a.get("source") == "user",
                )
            )
        elif t in ("similar", "duplicate"):
            lists["similar"].append(_brief(G, u, score=float(e.get("weight", 0.0)), edge=t))
        elif t == "tension":
            lists["tensions"].append(
                _brief(G, u, score=float(e.get("weight", 0.0)), reason=e.get("reason", ""))
            )
        elif t == "contains":
            lists["parents"].append(_brief(G, u))
    lists["similar"].sort(key=lambda x: -x["score"])
    lists["tensions"].sort(key=lambda x: -x["score"])
    out.update(lists)
    return out
