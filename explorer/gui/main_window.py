"""The main window: opens a vault, keeps it indexed, and ties the map to the panels.

Everything slow (indexing, loading the graph, layouts, search, export) runs as a
:class:`~explorer.gui.jobs.Job`; the window only reacts to the jobs' signals. The
graph the window holds is the backend's, with the user's corrections applied to it
locally as soon as the backend has recorded them, so they show at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLockFile, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.app.api import Backend
from explorer.app.map_state import MapState
from explorer.graph import filters
from explorer.graph import queries as graphops
from explorer.gui.canvas import GraphCanvas
from explorer.gui.canvas_model import CanvasModel
from explorer.gui.claims_table import ClaimsTable
from explorer.gui.details_panel import DetailsPanel
from explorer.gui.filter_panel import FilterPanel
from explorer.gui.jobs import Job
from explorer.gui.path_panel import PathPanel
from explorer.gui.review_panel import attach_review_dock
from explorer.gui.search_panel import SearchPanel
from explorer.gui.style import kind_colours
from explorer.gui.views_panel import ViewsPanel
from explorer.gui.window_menus import MenusMixin
from explorer.gui.window_session import REINDEX_DELAY_MS, SessionMixin
from explorer.gui.window_views import ViewsMixin

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx


class MainWindow(SessionMixin, MenusMixin, ViewsMixin, QMainWindow):
    graphShown = Signal()
    indexFinished = Signal(bool)  # True: ran to the end; False: cancelled or failed
    searchFinished = Signal(list)
    exportFinished = Signal(str)  # path written, or "" on failure
    busyChanged = Signal(bool)

    def __init__(self, backend: Backend, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.settings = settings or QSettings()
        self.open_url = QDesktopServices.openUrl  # tests replace it to see the URL
        self.messages: list[tuple[str, str]] = []  # (title, text) of every message shown
        self.vault: Path | None = None
        # What the map shows (graph, filters, focus, selection, visible part): Qt-free,
        # tested without a window; the window draws it and forwards the user's clicks.
        self.map = MapState()
        self._totals: dict[str, int] = {}
        self.taxonomy: dict[str, dict] = {}
        self.layout_name = ""
        self.semantic = (False, "no vault open")
        self._jobs: set[Job] = set()
        self._index_job: Job | None = None
        self._pending_reindex = False
        self._search_seq = 0
        self._lock: QLockFile | None = None
        self._vault_missing = False

        self.setWindowTitle("Concept-map explorer")
        self.resize(1280, 800)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._watcher = None  # made on first open: QFileSystemWatcher starts a thread
        self._debounce = QTimer(self, singleShot=True, interval=REINDEX_DELAY_MS)
        self._debounce.timeout.connect(self._files_settled)
        self._restore_settings()
        self._set_vault_actions(False)

    # The map state's parts under the names the window's code and tests use.
    @property
    def G(self) -> nx.MultiDiGraph | None:
        return self.map.graph

    @property
    def visible(self) -> filters.Visible:
        return self.map.visible

    @property
    def selection(self) -> list[str]:
        return self.map.selection

    @property
    def focus_centre(self) -> str | None:
        return self.map.focus

    # ------------------------------------------------------------------ building
    def _build_widgets(self) -> None:
        self.canvas = GraphCanvas()
        self.welcome = QWidget()
        wl = QVBoxLayout(self.welcome)
        wl.addStretch(1)
        hello = QLabel(
            "<h2>Concept-map explorer</h2><p>Open a folder of notes to map its claims.</p>"
        )
        hello.setAlignment(Qt.AlignmentFlag.AlignCenter)
        wl.addWidget(hello)
        open_btn = QPushButton("Open a vault…  (Ctrl+O)")
        open_btn.clicked.connect(self.choose_vault)
        wl.addWidget(open_btn, 0, Qt.AlignmentFlag.AlignHCenter)
        self.recent_list = QListWidget()
        self.recent_list.setMaximumWidth(520)
        self.recent_list.setMinimumWidth(120)
        self.recent_list.setToolTip("Recently opened vaults: double-click to open")
        self.recent_list.itemActivated.connect(lambda it: self.open_vault(Path(it.text())))
        wl.addWidget(self.recent_list, 0, Qt.AlignmentFlag.AlignHCenter)
        wl.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.canvas)
        self.setCentralWidget(self.stack)

        self.filters = FilterPanel()
        self.search = SearchPanel()
        self.details = DetailsPanel()
        self.path = PathPanel()
        self.views = ViewsPanel()
        self.claims = ClaimsTable()
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
            ("filters", "Filters", self.filters, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("search", "Search", self.search, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("details", "Details", self.details, Qt.DockWidgetArea.RightDockWidgetArea),
            ("path", "Path", self.path, Qt.DockWidgetArea.RightDockWidgetArea),
            ("views", "Views", self.views, Qt.DockWidgetArea.RightDockWidgetArea),
            ("claims", "Claims", self.claims, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock-{name}")  # saveState needs names
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        # The legend is a panel of its own, never drawn over the map (left, below search).
        legend = QDockWidget("Legend", self)
        legend.setObjectName("dock-legend")
        self.canvas.legend.setParent(None)
        scroll = QScrollArea()  # scrolls rather than making the window taller
        scroll.setWidget(self.canvas.legend)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        legend.setWidget(scroll)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, legend)
        self.docks["legend"] = legend
        self.tabifyDockWidget(self.docks["search"], self.docks["filters"])
        self.tabifyDockWidget(self.docks["details"], self.docks["path"])
        self.tabifyDockWidget(self.docks["path"], self.docks["views"])
        self.docks["search"].raise_()
        self.docks["details"].raise_()

        sb = self.statusBar()
        self.counts_label = QLabel()
        self.counts_label.setToolTip("Visible / total nodes and edges")
        self.semantic_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setToolTip("Stop indexing; what was indexed so far is kept")
        self.cancel_btn.clicked.connect(self.cancel_index)
        self.cancel_btn.hide()
        sb.addPermanentWidget(self.semantic_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        sb.addPermanentWidget(self.counts_label)

        c = self.canvas
        c.edge_text = self.edge_text
        c.nodeClicked.connect(self.select_node)
        c.nodeDragged.connect(self.pin_node)
        c.nodeActivated.connect(self.focus_on)
        c.nodeContextMenu.connect(self._node_menu)
        c.edgeContextMenu.connect(self._edge_menu)
        self.filters.changed.connect(self.apply_filters)
        self.search.searchRequested.connect(self.run_search)
        self.search.resultChosen.connect(self.show_node)
        d = self.details
        d.nodeLinkActivated.connect(self.show_node)
        d.kindChangeRequested.connect(self.set_kind)
        d.annotationRequested.connect(self.add_annotation)
        d.hideRequested.connect(self.hide_item)
        d.openRequested.connect(self.open_note)
        d.focusRequested.connect(self.focus_on)
        self.views.nodeChosen.connect(self.show_node)
        self.views.nodesChosen.connect(self.show_nodes)
        self.views.edgeDecided.connect(self.decide_edge)
        self.claims.nodeChosen.connect(self.show_node)
        self.claims.nodesChosen.connect(lambda ids: self.show_nodes(ids, centre=False))
        self.claims.kindChangeRequested.connect(self.set_kinds)
        self.path.findRequested.connect(self.find_path)
        self.path.nodeLinkActivated.connect(self.show_node)
        self.review = attach_review_dock(self)  # review queue dock (gui/review_panel.py)
        # First-run sizes: the right panel wide enough for its four tab titles, the claims
        # table low enough to leave the map most of the room. A saved layout replaces
        # them (window_session.py).
        self.resizeDocks(
            [self.docks["details"], self.docks["search"]], [330, 250], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["claims"]], [200], Qt.Orientation.Vertical)

    # ------------------------------------------------------------------ messages
    def notify(self, title: str, text: str, icon=QMessageBox.Icon.Warning) -> QMessageBox:
        """Tell the user something without blocking (a window-modal box plus the status bar)."""
        self.messages.append((title, text))
        self.statusBar().showMessage(text, 10000)
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question; blocks until answered."""
        self.messages.append((title, text))
        answer = QMessageBox.question(
            self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        )
        return answer == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ the graph
    def _graph_loaded(self, G) -> None:
        if G is None or self.vault is None:
            return
        keep_view = self.G is not None and self.canvas.model is not None
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        zoom = self.canvas.zoom()
        self.map.set_graph(G, refresh=False)
        model = CanvasModel.styled(G, self.taxonomy)
        self._fill_filter_options(model)
        self._totals = self._model_counts(model)
        self._compute_visible()
        self.canvas.set_model(model, self.visible)
        self._update_counts()
        layouts = self._layouts()
        if self.layout_name and layouts and self.layout_name != layouts[0]:
            self.set_layout(self.layout_name)
        self.stack.setCurrentWidget(self.canvas)
        if keep_view:
            self.canvas.set_zoom(zoom)
            self.canvas.centerOn(centre)
        else:
            self.canvas.fit()
        self.canvas.set_selected(self.selection)
        if self.selection:
            self.show_details(self.selection[-1])
        # After the map is on screen: the views and the table take a moment at 20k claims.
        QTimer.singleShot(0, self.refresh_views)
        self.graphShown.emit()

    def _fill_filter_options(self, model: CanvasModel) -> None:
        G = self.G
        notes = set()
        sizes: dict[int, int] = {}
        for _, d in G.nodes(data=True):
            t = d.get("type")
            if t == "note" and d.get("note"):
                notes.add(d["note"])
            elif t == "claim" and "community" in d:
                sizes[d["community"]] = sizes.get(d["community"], 0) + 1
        comms = sorted(sizes.items(), key=lambda kv: -kv[1])
        etypes = sorted({str(t) for t in np.unique(model.etype)} - {""}) if len(model.etype) else []
        self.filters.set_options(self.taxonomy, sorted(notes), comms, etypes)

    @staticmethod
    def _model_counts(model: CanvasModel) -> dict[str, int]:
        """Totals per node type and of edges, from the arrays (the graph's views are slower)."""
        out = {t: 0 for t in ("note", "claim", "annotation", "reference", "concept")}
        for t in model.ntype:
            if t in out:
                out[t] += 1
        out["edges"] = len(model.edge_keys)
        return out

    def _read_filters(self) -> None:
        """The filter panel's state and the focus depth into the map state."""
        self.map.filters = self.filters.state()
        self.map.depth = self.depth.value()
        self.claims.set_show_fragments(self.map.filters.show_fragments)

    def _compute_visible(self) -> filters.Visible:
        self._read_filters()
        return self.map.refresh()

    def apply_filters(self) -> None:
        """Read the filter panel, compute the visible part again and draw it."""
        if self.G is None:
            return
        self._compute_visible()
        self._show_visible()

    def _show_visible(self) -> None:
        """Draw the map state's visible part (already computed)."""
        self.canvas.set_visible(self.visible)
        self._update_counts()

    def _update_counts(self) -> None:
        if self.G is None:
            self.counts_label.setText("")
            return
        total = self._totals
        shown = graphops.counts(self.G, self.visible)
        self.counts_label.setText(
            f"{shown['claim']:,}/{total['claim']:,} claims · {shown['note']:,} notes · "
            f"{shown['annotation']:,} annotations · {shown['edges']:,}/{total['edges']:,} edges"
        )

    def set_layout(self, name: str) -> None:
        if not name or self.G is None:
            return
        self.layout_name = name
        i = self.layout_box.findData(name)
        if i >= 0:
            self.layout_box.setCurrentIndex(i)
        layouts = self._layouts()
        if layouts and name == layouts[0]:
            self._positions_loaded(
                {n: (d.get("x", 0.0), d.get("y", 0.0)) for n, d in self.G.nodes(data=True)}
            )
        else:
            self._start_job(
                "layout", lambda cancel: self.backend.positions(name), self._positions_loaded
            )

    def _positions_loaded(self, positions: dict) -> None:
        if self.canvas.model is None:
            return
        self.canvas.set_positions(positions)
        self.canvas.fit()

    # ------------------------------------------------------------------ selection
    def select_node(self, node_id: str, add: bool = False) -> None:
        if not self.map.select(node_id, add):
            return
        self.canvas.set_selected(self.selection)
        labels = [graphops.label_of(self.G, n) for n in self.selection]
        self.path.set_ends(
            labels[0] if len(labels) == 2 else (labels[0] if labels else None),
            labels[1] if len(labels) == 2 else None,
        )
        self.show_details(node_id)

    def show_node(self, node_id: str) -> None:
        """Select a node and centre the map on it (search hits and links)."""
        if self.G is None or node_id not in self.G:
            self.statusBar().showMessage(f"{node_id} is not on the map (hidden or filtered).", 5000)
            return
        self.select_node(node_id)
        self.canvas.set_highlighted([node_id])
        if not self.visible.nodes or node_id in self.visible.nodes:
            self.canvas.centre_on(node_id)
        else:
            self.statusBar().showMessage("That node is hidden by the current filters.", 5000)

    def node_details(self, node_id: str) -> dict:
        """What the details panel shows: from the graph the window holds (corrected in
        place, so it costs no query), else (an annotation not drawn yet) from the store."""
        if self.G is not None and node_id in self.G:
            return graphops.details_from_graph(self.G, node_id)
        return self.backend.details(node_id)

    def show_details(self, node_id: str) -> None:
        try:
            d = self.node_details(node_id)
        except Exception as exc:  # noqa: BLE001
            self.details.clear()
            self.statusBar().showMessage(f"No details for {node_id}: {exc}", 8000)
            return
        lines: list | str | None = None
        if d.get("note") and d.get("line"):
            try:
                lines = self.backend.note_lines(d["note"], int(d["line"]), 3)
            except FileNotFoundError:
                lines = f"The note file {d['note']} is not in the vault any more."
            except Exception as exc:  # noqa: BLE001
                lines = f"Could not read {d['note']}: {exc}"
        names = {k: v.get("name", k) for k, v in self.taxonomy.items()}
        self.details.show_details(d, lines, names)
        self.docks["details"].raise_()

    def clear_selection(self) -> None:
        self.map.clear_selection()
        self.canvas.set_selected([])
        self.canvas.set_highlighted([])
        self.canvas.set_path([], [])
        self.details.clear()
        self.path.set_ends(None, None)
        if self.act_focus.isChecked():
            self.act_focus.setChecked(False)
        elif self.focus_centre is not None:
            self.map.focus = None
            self.apply_filters()

    def focus_search(self) -> None:
        self.docks["search"].show()
        self.docks["search"].raise_()
        self.search.focus_input()

    # ------------------------------------------------------------------ focus and path
    def focus_on(self, node_id: str) -> None:
        if self.G is None or node_id not in self.G:
            return
        self.map.focus = node_id
        if not self.act_focus.isChecked():
            self.act_focus.blockSignals(True)
            self.act_focus.setChecked(True)
            self.act_focus.blockSignals(False)
        if node_id not in self.selection:
            self.select_node(node_id)
        self.apply_filters()
        self.canvas.fit()

    def _toggle_focus(self, on: bool) -> None:
        if on:
            if not self.selection:
                self.statusBar().showMessage("Select a node to focus on.", 5000)
                self.act_focus.blockSignals(True)
                self.act_focus.setChecked(False)
                self.act_focus.blockSignals(False)
                return
            self.focus_on(self.selection[-1])
        else:
            self.map.focus = None
            self.apply_filters()
            self.canvas.fit()

    def find_path(self) -> list[str]:
        if self.G is None or len(self.selection) != 2:
            self.path.show_message("Select two nodes first: click one, then Ctrl+click the other.")
            self.docks["path"].raise_()
            return []
        a, b = self.selection
        nodes, steps, keys = self.map.path()
        self.docks["path"].raise_()
        if not nodes:
            self.canvas.set_path([], [])
            self.path.show_message(
                f"No path between “{graphops.label_of(self.G, a)}” and “{graphops.label_of(self.G, b)}” among the visible nodes and edges."
            )
            return []
        self.canvas.set_path(nodes, keys)
        self.path.show_steps(steps, {n: graphops.label_of(self.G, n) for n in nodes})
        return nodes

    # ------------------------------------------------------------------ corrections
    def set_kind(self, claim_id: str, kind: str, confirm: bool = False) -> None:
        """The user's kind for a claim; ``confirm`` stores it even when it is the kind
        shown (the review dock's "accept")."""
        if self.G is None or claim_id not in self.G:
            return
        if self.G.nodes[claim_id].get("kind") == kind and not confirm:
            return
        try:
            self.backend.set_kind(claim_id, kind)
        except Exception as exc:  # noqa: BLE001
            self.notify("Correction failed", f"Changing the kind of {claim_id} failed: {exc}")
            return
        self._read_filters()  # the correction below computes the visible part again
        self.map.set_kind(claim_id, kind)
        m = self.canvas.model
        if m is not None and claim_id in m.index:
            m.colour[m.index[claim_id]] = kind_colours(self.taxonomy, [kind])[kind]
        self._show_visible()
        if self.selection and self.selection[-1] == claim_id:
            self.show_details(claim_id)
        self.statusBar().showMessage(
            f"Kind set to {self.taxonomy.get(kind, {}).get('name', kind)}.", 5000
        )

    def add_annotation(self, claim_id: str, text: str, stance: str) -> str | None:
        if self.G is None or claim_id not in self.G:
            return None
        try:
            ann_id = self.backend.add_annotation(claim_id, text, stance)
        except Exception as exc:  # noqa: BLE001
            self.notify("Annotation failed", f"Adding an annotation to {claim_id} failed: {exc}")
            return None
        claim = self.G.nodes[claim_id]
        try:
            attrs = dict(self.backend.details(ann_id))
        except Exception:  # noqa: BLE001 - the essentials are known anyway
            attrs = {}
        # Next to its claim in layout units (the model's frame converts them).
        frame = self.canvas.model.frame if self.canvas.model else (0, 0, 1)
        offset = 24 / max(frame[2], 1e-9)
        attrs.setdefault("x", float(claim.get("x", 0.0)) + offset)
        attrs.setdefault("y", float(claim.get("y", 0.0)) + offset)
        self._read_filters()
        self.map.add_annotation(ann_id, claim_id, text, stance, attrs)
        self._rebuild_model()
        self.show_details(claim_id)
        self.statusBar().showMessage("Annotation added.", 5000)
        return ann_id

    def hide_item(self, item_id: str) -> None:
        if self.G is None:
            return
        stored = self.map.item_id(item_id)  # an edge as it runs in the store
        if stored is None:
            return
        try:
            self.backend.hide(stored)
        except Exception as exc:  # noqa: BLE001
            self.notify("Hide failed", f"Hiding {stored} failed: {exc}")
            return
        was_selected = stored in self.selection
        self._read_filters()
        self.map.hide(stored)
        if was_selected:
            self.clear_selection()
        elif self.selection:
            self.show_details(self.selection[-1])
        self._show_visible()
        self.statusBar().showMessage("Hidden. It stays hidden after re-indexing.", 5000)

    def _rebuild_model(self) -> None:
        old = self.canvas.model
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        zoom = self.canvas.zoom()
        model = CanvasModel.styled(self.G, self.taxonomy, None, old.frame if old else None)
        self.canvas.set_model(model)
        self.apply_filters()
        self.canvas.set_zoom(zoom)
        self.canvas.centerOn(centre)
        self.canvas.set_selected(self.selection)

    # ------------------------------------------------------------------ search
    def run_search(self, text: str, mode: str) -> None:
        if self.vault is None:
            return
        self._search_seq += 1
        seq = self._search_seq
        backend = self.backend

        def done(hits, seq=seq):
            if seq != self._search_seq:
                return  # a newer search was started; drop this one
            names = {k: v.get("name", k) for k, v in self.taxonomy.items()}
            self.search.set_results(hits, names)
            ids = [h["id"] for h in hits]
            self.canvas.set_highlighted(ids)
            self.searchFinished.emit(hits)

        self._start_job("search", lambda cancel: backend.search(text, mode), done)

    # ------------------------------------------------------------------ about, close

    def closeEvent(self, event) -> None:
        self.save_settings()
        self.close_vault()
        self._stop_jobs()
        super().closeEvent(event)
