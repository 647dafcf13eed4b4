"""The window's views of the author's questions, saved views and pinned nodes.

A mixin of :class:`~explorer.gui.main_window.MainWindow`: the Views panel and the
claims table are filled from the graph the window holds (the Qt-free functions of
``explorer.graph.views``); decisions on tensions and suggested links, saved views and
pins go through the backend (``explorer.app.api``), which keeps them in the store's
user tables, and are applied to the window's graph at once.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog


def nx_without_hidden_edges(G):
    """A view of ``G`` without the edges the user hid in this session."""
    import networkx as nx

    return nx.subgraph_view(G, filter_edge=lambda u, v, k: not G.edges[u, v, k].get("hidden"))


class ViewsMixin:
    def refresh_views(self) -> None:
        """The Views panel and the claims table, from the graph as the window holds it."""
        from explorer.graph.views import all_views

        if self.G is None:
            return
        shown = self.G.subgraph(n for n, d in self.G.nodes(data=True) if not d.get("hidden"))
        H = nx_without_hidden_edges(shown)
        self.views.set_views(all_views(H))
        m = self.canvas.model
        titles = None
        if m is not None and m.community_titles:
            titles = {c: {"title": t, "size": 0} for c, (t, _) in m.community_titles.items()}
            for c in m.community.tolist():
                if c in titles:
                    titles[c]["size"] += 1
        self.claims.set_claims(H, titles)

    def show_nodes(self, ids: list[str], centre: bool = True) -> None:
        """Highlight several nodes (a Themes cell, rows of the claims table)."""
        if self.G is None:
            return
        ids = [n for n in ids if n in self.G]
        self.canvas.set_highlighted(ids)
        if ids:
            self.map.select(ids[0])
            self.canvas.set_selected(self.selection)
            self.show_details(ids[0])
            if centre:
                self.canvas.centre_on(ids[0], zoom_to=None)
        self.statusBar().showMessage(f"{len(ids):,} claims highlighted on the map.", 5000)

    # ------------------------------------------------------------------ saved views, pins
    def view_state(self) -> dict:
        """What a saved view keeps: filters, focus, layout, and the visible area (its
        centre and width in layout coordinates, so the HTML page can show it too)."""
        f = self.filters.state()

        def listed(values):
            return None if values is None else sorted(values)

        state = {
            "filters": {
                "kinds": listed(f.kinds),
                "notes": listed(f.notes),
                "communities": listed(f.communities),
                "edge_types": listed(f.edge_types),
                "min_similarity": f.min_similarity,
                "hide_low_confidence": f.hide_low_confidence,
            },
            "focus": self.focus_centre,
            "depth": self.depth.value(),
            "layout": self.layout_name,
            "zoom": self.canvas.zoom(),
        }
        m = self.canvas.model
        if m is not None:
            cx, cy, scale = m.frame
            r = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
            state["centre"] = [r.center().x() / scale + cx, r.center().y() / scale + cy]
            state["span"] = r.width() / scale
        return state

    def save_view(self, name: str | None = None) -> bool:
        if self.G is None:
            return False
        if name is None:
            name, ok = QInputDialog.getText(self, "Save view", "Name of this view:")
            if not ok:
                return False
        try:
            self.backend.save_view(name, self.view_state())
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.notify("View not saved", f"Saving the view failed: {exc}")
            return False
        self._fill_saved_views()
        self.statusBar().showMessage(f"View “{name.strip()}” saved.", 5000)
        return True

    def open_view(self, name: str) -> bool:
        """Show a saved view: its filters, focus, layout and visible area."""
        from explorer.graph.filters import FilterState

        v = self._quietly(self.backend.saved_views, {}).get(name)
        if v is None or self.G is None:
            return False
        f = v.get("filters") or {}

        def as_set(values, cast=str):
            return None if values is None else frozenset(cast(x) for x in values)

        self.filters.set_state(
            FilterState(
                kinds=as_set(f.get("kinds")),
                notes=as_set(f.get("notes")),
                communities=as_set(f.get("communities"), int),
                edge_types=as_set(f.get("edge_types")),
                min_similarity=float(f.get("min_similarity") or 0.0),
                hide_low_confidence=bool(f.get("hide_low_confidence")),
            )
        )
        self.depth.setValue(int(v.get("depth") or self.depth.value()))
        focus = v.get("focus")
        self.map.focus = focus if focus in self.G else None
        self.apply_filters()
        if v.get("layout") and v["layout"] != self.layout_name and v["layout"] in self._layouts():
            self.set_layout(v["layout"])
        m = self.canvas.model
        if m is not None and v.get("centre") and v.get("span"):
            cx, cy, scale = m.frame
            width = self.canvas.viewport().width()
            self.canvas.set_zoom(width / (float(v["span"]) * scale))
            x, y = v["centre"]
            self.canvas.centerOn((x - cx) * scale, (y - cy) * scale)
        self.statusBar().showMessage(f"View “{name}”.", 5000)
        return True

    def _fill_saved_views(self) -> None:
        menu = self.saved_menu
        menu.clear()
        names = sorted(self._quietly(self.backend.saved_views, {}))
        for name in names:
            menu.addAction(name, lambda n=name: self.open_view(n))
        if not names:
            menu.addAction("(none yet: View › Save view…)").setEnabled(False)

    def pin_node(self, node_id: str, x: float, y: float) -> None:
        """The user dropped a node: keep it there (layout coordinates), across re-indexes."""
        m = self.canvas.model
        if self.G is None or m is None or node_id not in self.G:
            return
        cx, cy, scale = m.frame
        lx, ly = x / scale + cx, y / scale + cy
        layout = self.layout_name or "force"
        try:
            self.backend.pin(node_id, layout, lx, ly)
        except Exception as exc:  # noqa: BLE001
            self.notify("Pin not saved", f"Keeping {node_id} there failed: {exc}")
            return
        d = self.G.nodes[node_id]
        if layout == (self._layouts() or [layout])[0]:
            d.update(x=round(lx, 2), y=round(ly, 2))
        d["pinned"] = True
        self.statusBar().showMessage("Pinned: the node stays where you put it.", 5000)

    def decide_edge(self, a: str, b: str, edge_type: str, decision: str) -> None:
        """Accept or dismiss a tension or a suggested link (stored by the backend)."""
        if self.G is None:
            return
        try:
            self.backend.decide_edge(a, b, edge_type, decision)
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.notify("Decision not saved", f"Recording that decision failed: {exc}")
            return
        G = self.G
        if edge_type == "tension":
            for u, v in ((a, b), (b, a)):
                if G.has_edge(u, v, "tension"):
                    if decision == "dismissed":
                        G.remove_edge(u, v, "tension")
                    else:
                        G.edges[u, v, "tension"]["decision"] = decision
        elif decision == "accepted":
            G.add_edge(a, b, key="user_link", type="user_link", by="user")
        else:
            G.graph.setdefault("dismissed_links", []).append([a, b])
        self._rebuild_model()
        self.refresh_views()
        what = {"tension": "Tension", "link": "Link"}[edge_type]
        self.statusBar().showMessage(f"{what} {decision}.", 5000)

    def set_kinds(self, ids: list[str], kind: str) -> None:
        """One kind for many claims (the claims table's bulk correction)."""
        done = 0
        for claim_id in ids:
            if self.G is None or claim_id not in self.G:
                continue
            try:
                self.backend.set_kind(claim_id, kind)
            except Exception as exc:  # noqa: BLE001
                self.notify("Correction failed", f"Changing the kind of {claim_id} failed: {exc}")
                break
            self.map.set_kind(claim_id, kind)
            done += 1
        if done:
            self._rebuild_model()
            self.refresh_views()
        name = self.taxonomy.get(kind, {}).get("name", kind)
        self.statusBar().showMessage(f"Kind set to {name} for {done:,} claims.", 5000)

    def edge_text(self, key) -> str:
        """An edge's tooltip: relation type and what qualifies it (graph/labels.py)."""
        from explorer.graph.labels import describe_edge

        u, v, k = key
        if self.G is None or not self.G.has_edge(u, v, k):
            return str(k)
        d = self.G.edges[u, v, k]
        return describe_edge(str(d.get("type", k)), d)
