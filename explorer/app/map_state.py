"""What the map shows, without Qt: the graph, the filters, the focus, the selection, and
the visible part they leave; and the user's corrections applied to the graph in place.

The window draws a :class:`MapState` and sends the user's clicks to it; it keeps only
widgets. Everything that decides *what* is shown lives here, so it is tested without a
window (tests/test_map_state.py), and a script can drive a map the way the window does.

A correction is first stored through the application API (``Workspace.set_kind``,
``hide``, ``add_annotation``); the window then applies it here, so the map changes at
once without fetching the whole graph again.

>>> from explorer.graph.synthetic import synthetic_graph
>>> m = MapState(synthetic_graph(40, seed=1))
>>> claim = next(n for n, d in m.graph.nodes(data=True) if d["type"] == "claim")
>>> m.select(claim) and m.selection == [claim]
True
>>> m.hide(claim); claim in m.visible.nodes, m.selection
(False, [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.graph import filters
from explorer.graph.filters import FilterState, Visible
from explorer.graph.ids import edge_id, parse_edge_id

if TYPE_CHECKING:
    import networkx as nx


class MapState:
    """The map's state; every change recomputes :attr:`visible` when it can change it."""

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.graph: nx.MultiDiGraph | None = None
        self.filters = FilterState()
        self.depth = 1  # hops around the focus
        self.focus: str | None = None
        self.selection: list[str] = []  # at most two: the path's ends
        self.visible = Visible()
        if graph is not None:
            self.set_graph(graph)

    # ------------------------------------------------------------------ the graph
    def set_graph(self, graph: nx.MultiDiGraph, *, refresh: bool = True) -> None:
        """Show ``graph`` (a fresh one after an index run): the selection and focus keep
        the nodes it still holds. ``refresh=False`` leaves :attr:`visible` to a
        :meth:`refresh` that follows (after new filters are set)."""
        self.graph = graph
        self.selection = [n for n in self.selection if n in graph]
        if self.focus is not None and self.focus not in graph:
            self.focus = None
        if refresh:
            self.refresh()

    def refresh(self) -> Visible:
        """Compute :attr:`visible` again from the graph, the filters and the focus."""
        G = self.graph
        if G is None:
            self.visible = Visible()
            return self.visible
        within = None
        if self.focus is not None and self.focus in G:
            from explorer.graph.queries import neighbourhood

            base = filters.apply_filters(G, self.filters)
            within = neighbourhood(G, self.focus, self.depth, base)
            within.add(self.focus)
        self.visible = filters.apply_filters(G, self.filters, within)
        return self.visible

    def set_filters(self, state: FilterState) -> None:
        self.filters = state
        self.refresh()

    def set_focus(self, node_id: str | None, depth: int | None = None) -> bool:
        """Show only the neighbourhood of ``node_id`` (None: everything); False when the
        node is not on the map."""
        if node_id is not None and (self.graph is None or node_id not in self.graph):
            return False
        self.focus = node_id
        if depth is not None:
            self.depth = max(0, int(depth))
        self.refresh()
        return True

    # ------------------------------------------------------------------ selection
    def select(self, node_id: str, add: bool = False) -> bool:
        """Select a node; with ``add``, keep the last one too (two ends of a path)."""
        if self.graph is None or node_id not in self.graph:
            return False
        if add and self.selection and self.selection[-1] != node_id:
            self.selection = [self.selection[-1], node_id]
        else:
            self.selection = [node_id]
        return True

    def clear_selection(self) -> None:
        self.selection = []

    def path(self) -> tuple[list[str], list[dict], list[tuple]]:
        """The shortest visible path between the two selected nodes: its nodes, one
        explained step per edge, and the edges' keys; empty lists when there is none."""
        from explorer.graph.queries import explain_path, shortest_path

        if self.graph is None or len(self.selection) != 2:
            return [], [], []
        a, b = self.selection
        nodes = shortest_path(self.graph, a, b, self.visible)
        if not nodes:
            return [], [], []
        steps = explain_path(self.graph, nodes)
        keys = []
        for s in steps:
            for k, d in (self.graph.get_edge_data(s["source"], s["target"]) or {}).items():
                if d.get("type") == s["type"]:
                    keys.append((s["source"], s["target"], k))
                    break
        return nodes, steps, keys

    # ------------------------------------------------------------------ corrections
    def set_kind(self, claim_id: str, kind: str) -> None:
        """The user's kind for a claim: certain, and it may change what the filters show."""
        self._graph().nodes[claim_id].update(kind=kind, kind_source="user", confidence=1.0)
        self.refresh()

    def add_annotation(
        self, annotation_id: str, claim_id: str, text: str, stance: str, attrs: dict | None = None
    ) -> None:
        """The user's own annotation as a node beside its claim, joined by ``annotates``."""
        from explorer.graph.build import annotation_attrs

        G = self._graph()
        claim = G.nodes[claim_id]
        node = annotation_attrs(
            text,
            stance,
            note=claim.get("note", ""),
            source="user",
            line=claim.get("line"),
            section=claim.get("section"),
        )
        node.update(
            (k, v) for k, v in (attrs or {}).items() if not isinstance(v, list) and k != "id"
        )
        node.setdefault("community", claim.get("community", -1))
        node.setdefault("x", float(claim.get("x", 0.0)))
        node.setdefault("y", float(claim.get("y", 0.0)))
        G.add_node(annotation_id, **node)
        G.add_edge(annotation_id, claim_id, type="annotates", stance=stance, confidence=1.0)
        self.refresh()

    def item_id(self, item_id: str) -> str | None:
        """``item_id`` as the store knows it: an edge id turned to run the way the edge is
        stored; None when the map holds no such node or edge."""
        G = self._graph()
        edge = parse_edge_id(item_id)
        if edge is None:
            return item_id if item_id in G else None
        u, v, t = edge
        for a, b in ((u, v), (v, u)):
            if any(d.get("type") == t for d in (G.get_edge_data(a, b) or {}).values()):
                return edge_id(a, b, t)
        return None

    def hide(self, item_id: str) -> None:
        """Mark a node or an edge (an ``edge_id``) hidden: it leaves the visible set, and
        a hidden node leaves the selection and the focus."""
        G = self._graph()
        edge = parse_edge_id(item_id)
        if edge is None:
            G.nodes[item_id]["hidden"] = True
            if item_id in self.selection:
                self.selection = []
            if self.focus == item_id:
                self.focus = None
        else:
            u, v, t = edge
            for d in (G.get_edge_data(u, v) or {}).values():
                if d.get("type") == t:
                    d["hidden"] = True
        self.refresh()

    def counts(self) -> dict[str, int]:
        """Visible nodes per type, plus ``edges``."""
        from explorer.graph.queries import counts

        return counts(self._graph(), self.visible)

    def _graph(self) -> nx.MultiDiGraph:
        if self.graph is None:
            raise ValueError("the map shows no graph yet")
        return self.graph


__all__ = ["FilterState", "MapState", "Visible"]
