"""The main window: opens a vault, keeps it indexed, and ties the map to the panels.

Everything slow (indexing, loading the graph, layouts, search, export) runs as a
:class:`~explorer.gui.jobs.Job`; the window only reacts to the jobs' signals. The
graph the window holds is the backend's, with the user's corrections applied to it
locally as soon as the backend has recorded them, so they show at once.
"""

from __future__ import annotations

import os
import threading
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLockFile, QSettings, Qt, QTimer, QUrl, QUrlQuery, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QStyleFactory,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__
from explorer.app.api import Backend
from explorer.app.errors import DatabaseDamagedError, VaultMissingError
from explorer.core.model import NOTE_SUFFIXES, STANCES
from explorer.graph.ids import edge_id, parse_edge_id
from explorer.gui import graphops
from explorer.gui.canvas import GraphCanvas
from explorer.gui.canvas_model import CanvasModel
from explorer.gui.claims_table import ClaimsTable
from explorer.gui.details_panel import DetailsPanel
from explorer.gui.filter_panel import FilterPanel
from explorer.gui.jobs import Job
from explorer.gui.path_panel import PathPanel
from explorer.gui.search_panel import SearchPanel
from explorer.gui.style import UNKNOWN_KIND_COLOUR, kind_colours, make_palette
from explorer.gui.views_panel import ViewsPanel
from explorer.indexing.events import Progress, Summary, status_line

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx


MAX_RECENT = 8
WATCH_LIMIT = 4000  # inotify watches are a shared, limited resource
REINDEX_DELAY_MS = 1500  # editors save in bursts; wait for the last write


def nx_without_hidden_edges(G):
    """A view of ``G`` without the edges the user hid in this session."""
    import networkx as nx

    return nx.subgraph_view(G, filter_edge=lambda u, v, k: not G.edges[u, v, k].get("hidden"))


# Windows of this process by vault, so a second window on one vault raises the first.
_open_vaults: dict[str, MainWindow] = {}


class MainWindow(QMainWindow):
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
        self.G: nx.MultiDiGraph | None = None
        self.visible = graphops.Visible()
        self._totals: dict[str, int] = {}
        self.taxonomy: dict[str, dict] = {}
        self.selection: list[str] = []
        self.focus_centre: str | None = None
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

    def _act(self, text, slot, shortcut=None, tip=None, checkable=False) -> QAction:
        a = QAction(text, self)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        (a.toggled if checkable else a.triggered).connect(slot)
        return a

    def _build_actions(self) -> None:
        self.act_open = self._act(
            "&Open vault…",
            self.choose_vault,
            QKeySequence.StandardKey.Open,
            "Open a folder of notes",
        )
        self.act_reindex = self._act(
            "&Re-index", self.reindex, "F5", "Index the vault again (only changed notes are read)"
        )
        self.act_cancel = self._act(
            "Cancel indexing", self.cancel_index, None, "Stop the running index"
        )
        self.act_quit = self._act("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_png = self._act(
            "Save map as &PNG…",
            lambda: self._save_canvas_dialog("png"),
            None,
            "Save what the map shows as an image",
        )
        self.act_svg = self._act(
            "Save map as &SVG…",
            lambda: self._save_canvas_dialog("svg"),
            None,
            "Save what the map shows as a vector drawing",
        )
        self.act_find = self._act(
            "&Find…", self.focus_search, QKeySequence.StandardKey.Find, "Search claims (Ctrl+F)"
        )
        self.act_fit = self._act("&Fit map", self.canvas.fit, "Ctrl+0", "Show the whole map")
        self.act_zoom_in = self._act(
            "Zoom &in", lambda: self.canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn
        )
        self.act_zoom_out = self._act(
            "Zoom &out", lambda: self.canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut
        )
        self.act_legend = self._act(
            "&Legend",
            lambda on: self.docks["legend"].setVisible(on),
            None,
            "Show what the colours and lines mean",
            checkable=True,
        )
        self.act_legend.setChecked(True)
        self.act_dark = self._act(
            "&Dark palette",
            self.set_dark,
            None,
            "Switch between light and dark colours",
            checkable=True,
        )
        self.act_focus = self._act(
            "F&ocus on selection",
            self._toggle_focus,
            "Ctrl+Shift+F",
            "Show only the neighbourhood of the selected node",
            checkable=True,
        )
        self.act_path = self._act(
            "&Path between selected",
            self.find_path,
            "Ctrl+P",
            "Shortest path between the two selected nodes",
        )
        self.act_clear = self._act(
            "&Clear selection",
            self.clear_selection,
            "Esc",
            "Clear the selection, focus and highlights",
        )
        self.act_about = self._act("&About", self.show_about)
        # Esc must work while the map or a panel list has focus.
        self.act_clear.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

        tb = QToolBar("Main")
        tb.setObjectName("toolbar-main")
        self.addToolBar(tb)
        tb.addAction(self.act_open)
        tb.addAction(self.act_reindex)
        tb.addSeparator()
        tb.addAction(self.act_fit)
        tb.addWidget(QLabel(" Layout: "))
        self.layout_box = QComboBox()
        self.layout_box.setToolTip("Force layout, or the semantic map (claims placed by meaning)")
        self.layout_box.activated.connect(lambda i: self.set_layout(self.layout_box.itemData(i)))
        tb.addWidget(self.layout_box)
        tb.addSeparator()
        tb.addAction(self.act_focus)
        tb.addWidget(QLabel(" depth "))
        self.depth = QSpinBox()
        self.depth.setRange(1, 6)
        self.depth.setValue(2)
        self.depth.setToolTip("How many steps around the focused node to show")
        self.depth.valueChanged.connect(
            lambda _: self.focus_centre and self.focus_on(self.focus_centre)
        )
        tb.addWidget(self.depth)
        tb.addAction(self.act_path)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        f.addAction(self.act_open)
        self.recent_menu = f.addMenu("Open &recent")
        f.addAction(self.act_reindex)
        f.addAction(self.act_cancel)
        f.addSeparator()
        self.export_menu = f.addMenu("&Export")
        self.export_menu.setToolTipsVisible(True)
        f.addAction(self.act_png)
        f.addAction(self.act_svg)
        f.addSeparator()
        f.addAction(self.act_quit)
        e = mb.addMenu("&Edit")
        e.addAction(self.act_find)
        e.addAction(self.act_clear)
        v = mb.addMenu("&View")
        for a in (self.act_fit, self.act_zoom_in, self.act_zoom_out):
            v.addAction(a)
        v.addSeparator()
        v.addAction(self.act_dark)
        v.addAction(self.act_legend)
        v.addSeparator()
        self.act_save_view = v.addAction("&Save view…", lambda: self.save_view())
        self.act_save_view.setToolTip("Name the current filters, focus, layout and zoom")
        self.saved_menu = v.addMenu("Saved &views")
        v.addSeparator()
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        g = mb.addMenu("&Go")
        g.addAction(self.act_focus)
        g.addAction(self.act_path)
        h = mb.addMenu("&Help")
        h.addAction(self.act_about)
        self._fill_recent()

    def _set_vault_actions(self, on: bool) -> None:
        for a in (
            self.act_reindex,
            self.act_png,
            self.act_svg,
            self.act_focus,
            self.act_path,
            self.act_fit,
        ):
            a.setEnabled(on)
        self.export_menu.setEnabled(on)
        self.act_cancel.setEnabled(False)

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.act_dark.setChecked(str(s.value("view/dark", "false")).lower() == "true")
        self.act_legend.setChecked(str(s.value("view/legend", "true")).lower() == "true")
        self.depth.setValue(int(s.value("view/focus_depth", 2)))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("view/dark", self.act_dark.isChecked())
        s.setValue("view/legend", self.act_legend.isChecked())
        s.setValue("view/focus_depth", self.depth.value())
        s.sync()

    def recent_vaults(self) -> list[str]:
        value = self.settings.value("recent/vaults", [])
        if isinstance(value, str):  # QSettings gives a bare string for a one-item list
            value = [value]
        return [v for v in (value or []) if v]

    def _remember(self, vault: Path) -> None:
        items = [str(vault)] + [v for v in self.recent_vaults() if v != str(vault)]
        self.settings.setValue("recent/vaults", items[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        self.recent_list.clear()
        for v in self.recent_vaults():
            a = self.recent_menu.addAction(v)
            a.triggered.connect(lambda _=False, v=v: self.open_vault(Path(v)))
            self.recent_list.addItem(v)
        self.recent_menu.setEnabled(bool(self.recent_vaults()))

    def set_dark(self, dark: bool) -> None:
        app = QApplication.instance()
        if app is not None:
            fusion = QStyleFactory.create("Fusion")  # palettes look the same on every platform
            if fusion is not None:
                app.setStyle(fusion)
            app.setPalette(make_palette(dark))
        self.canvas.set_dark(dark)

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

    # ------------------------------------------------------------------ opening
    def choose_vault(self) -> None:
        start = str(self.vault or (self.recent_vaults() or [str(Path.home())])[0])
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of notes", start)
        if folder:
            self.open_vault(Path(folder))

    def open_vault(self, vault: Path | str, db_path: Path | str | None = None) -> bool:
        """Open a vault: show what is indexed at once, then index what changed."""
        vault = Path(vault).expanduser().resolve()
        other = _open_vaults.get(str(vault))
        if other is not None and other is not self:
            other.raise_()
            other.activateWindow()
            self.notify(
                "Already open",
                f"The vault {vault} is already open in another window; it has been brought to the front.",
                QMessageBox.Icon.Information,
            )
            return False
        self.close_vault()
        try:
            self.backend.open(vault, Path(db_path) if db_path else None)
        except VaultMissingError as exc:
            self.notify(
                "Vault not found", f"The folder {exc.vault} does not exist or cannot be read."
            )
            return False
        except DatabaseDamagedError as exc:
            if not self._offer_rebuild(exc):
                return False
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.notify("Cannot open vault", f"Opening {vault} failed: {exc}")
            return False
        if not self._take_lock(vault):
            self.backend.close()
            return False
        self.vault = vault
        self._vault_missing = False
        _open_vaults[str(vault)] = self
        self._remember(vault)
        self.setWindowTitle(f"{vault.name} — Concept-map explorer")
        self.taxonomy = self.backend.kind_styles()
        self.details.set_taxonomy(self.taxonomy)
        self.views.set_kinds(self.taxonomy)
        self.claims.set_kinds(self.taxonomy)
        self.canvas.legend.set_kinds(
            [
                (v.get("name", k), v.get("colour", UNKNOWN_KIND_COLOUR))
                for k, v in self.taxonomy.items()
            ]
        )
        self.semantic = self._quietly(
            self.backend.semantic_status, (False, "the database is damaged")
        )
        self.search.set_semantic(*self.semantic)
        self.semantic_label.setText("" if self.semantic[0] else "Meaning search off")
        self.semantic_label.setToolTip("" if self.semantic[0] else self.semantic[1])
        self._fill_export_menu()
        self._fill_saved_views()
        layouts = self._layouts()
        self.layout_box.clear()
        for name in layouts:
            self.layout_box.addItem(name.capitalize(), name)
        self.layout_name = layouts[0] if layouts else ""
        self._set_vault_actions(True)
        self._watch(vault)
        self._start_job(
            "load", lambda cancel: self.backend.graph(), self._graph_loaded, then=self.reindex
        )
        return True

    def _quietly(self, ask, default):
        """``ask()``, or ``default`` when the database turns out damaged: asked on the
        window's thread, where a damaged page must not stop the window (the map's
        loading job meets the damage too, and offers the rebuild)."""
        try:
            return ask()
        except DatabaseDamagedError:
            return default

    def _layouts(self) -> list[str]:
        return self._quietly(self.backend.layouts, ["force"])

    def _offer_rebuild(self, exc: DatabaseDamagedError) -> bool:
        text = (
            f"The database {exc.db_path} cannot be read"
            + (f" ({exc.reason})" if exc.reason else "")
            + ".\n\nRebuild it from the vault? Your corrections and annotations are copied to a backup first."
        )
        if not self.ask("Database damaged", text):
            self.backend.close()
            return False
        try:
            backup = self.backend.rebuild_database()
        except Exception as exc2:  # noqa: BLE001
            self.notify("Rebuild failed", f"Rebuilding {exc.db_path} failed: {exc2}")
            return False
        self.notify(
            "Database rebuilt",
            f"A new database will be built from the vault. The old one is kept at {backup}.",
            QMessageBox.Icon.Information,
        )
        return True

    def _take_lock(self, vault: Path) -> bool:
        db = self.backend.db_path
        if db is None:
            return True
        lock = QLockFile(str(db) + ".lock")
        lock.setStaleLockTime(0)  # stale only when its process is gone
        if not lock.tryLock(100):
            info = lock.getLockInfo()  # (pid, host, app); pid 0 when unreadable
            pid, host = (
                (info[0], info[1]) if isinstance(info, tuple) and len(info) >= 2 else (0, "")
            )
            who = f" (process {pid} on {host})" if pid else ""
            self.notify(
                "Already open",
                f"The vault {vault} is open in another explorer window{who}. Close it there first.",
            )
            return False
        self._lock = lock
        return True

    def close_vault(self) -> None:
        if self.vault is None:
            return
        self._stop_jobs()
        if self._watcher is not None:
            paths = self._watcher.files() + self._watcher.directories()
            if paths:
                self._watcher.removePaths(paths)
        self._debounce.stop()
        _open_vaults.pop(str(self.vault), None)
        try:
            self.backend.close()
        finally:
            if self._lock is not None:
                self._lock.unlock()
                self._lock = None
            self.vault = None
            self.G = None
            self.canvas.set_model(None)
            self.details.clear()
            self.selection = []
            self.stack.setCurrentWidget(self.welcome)
            self._set_vault_actions(False)

    # ------------------------------------------------------------------ jobs
    def _start_job(
        self, name, fn, on_result=None, on_progress=None, then=None, on_finished=None, on_error=None
    ) -> Job:
        """Run ``fn(cancel)`` in the background. Every handler is connected before the
        job starts: a fast job may finish before this method returns."""
        job = Job(name, fn)
        self._jobs.add(job)
        if on_result:
            job.signals.result.connect(on_result)
        if on_progress:
            job.signals.progress.connect(on_progress)
        job.signals.error.connect(lambda exc, name=name: self._job_failed(name, exc))
        if on_error:
            job.signals.error.connect(on_error)

        def finished(ok, job=job):
            self._jobs.discard(job)
            if ok and then is not None:
                then()
            self.busyChanged.emit(bool(self._jobs))

        job.signals.finished.connect(finished)
        if on_finished:
            job.signals.finished.connect(on_finished)
        job.start()
        self.busyChanged.emit(True)
        return job

    def _job_failed(self, name: str, exc: BaseException) -> None:
        if isinstance(exc, VaultMissingError):
            self._vault_gone()
            return
        if isinstance(exc, DatabaseDamagedError):
            if self._offer_rebuild(exc):
                self.reindex()
            return
        what = {
            "load": "Loading the map",
            "index": "Indexing",
            "search": "Search",
            "layout": "Loading the layout",
            "export": "Export",
        }.get(name, name)
        if name == "search":
            self.search.set_error(f"{what} failed: {exc}")
            self.statusBar().showMessage(f"{what} failed: {exc}", 10000)
        else:
            self.notify(f"{what} failed", f"{what} failed: {exc}")

    def _stop_jobs(self, timeout: float = 15.0) -> None:
        jobs = list(self._jobs)
        for job in jobs:
            job.stop()
        for job in jobs:
            job.wait(timeout)
        # Deliver the queued finished signals now, while the receivers exist.
        QApplication.processEvents()
        self._jobs.clear()

    def busy(self) -> bool:
        return bool(self._jobs)

    # ------------------------------------------------------------------ indexing
    def reindex(self) -> None:
        if self.vault is None:
            return
        if self._index_job is not None:
            self._pending_reindex = True
            return
        if not self.vault.is_dir():
            self._vault_gone()
            return
        backend = self.backend

        def work(cancel: threading.Event):
            for event in backend.index(cancel):
                if isinstance(event, Summary):
                    yield Progress("done", 1, 1, message=status_line(event))
                else:
                    yield event
            if cancel.is_set():
                return None
            yield Progress("graph", 0, 0, message="Building the map")
            return backend.graph()

        self.progress.setRange(0, 0)
        self.progress.setFormat("Indexing…")
        self.progress.show()
        self.cancel_btn.show()
        self.act_cancel.setEnabled(True)
        self.statusBar().showMessage("Indexing…")
        self._index_job = self._start_job(
            "index", work, self._graph_loaded, self._index_progress, on_finished=self._index_done
        )

    def _index_progress(self, p: Progress) -> None:
        if p.total > 0:
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
            self.progress.setFormat(f"{p.stage} %v/%m")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(p.stage)
        if p.message or p.path:
            self.statusBar().showMessage(p.message or p.path or "")

    def _index_done(self, ok: bool) -> None:
        job = self._index_job
        self._index_job = None
        self.progress.hide()
        self.cancel_btn.hide()
        self.act_cancel.setEnabled(False)
        if not ok and job is not None and job.cancel.is_set():
            self.statusBar().showMessage(
                "Indexing cancelled; the map shows what was indexed before.", 10000
            )
        elif ok:
            self.statusBar().showMessage("Index up to date.", 5000)
            self._watch(self.vault)
        self.indexFinished.emit(ok)
        if self._pending_reindex and self.vault is not None:
            self._pending_reindex = False
            self.reindex()

    def cancel_index(self) -> None:
        if self._index_job is not None:
            self._pending_reindex = False
            self._index_job.stop()
            self.progress.setFormat("Cancelling…")

    # ------------------------------------------------------------------ watching files
    def _watch(self, vault: Path | None) -> None:
        if vault is None or not vault.is_dir():
            return
        from PySide6.QtCore import QFileSystemWatcher

        if self._watcher is None:
            self._watcher = QFileSystemWatcher(self)
            self._watcher.directoryChanged.connect(self._files_changed)
            self._watcher.fileChanged.connect(self._files_changed)
        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        paths = [str(vault)]
        for root, dirs, files in os.walk(vault):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # .obsidian, .git, .trash
            paths.append(root)
            paths.extend(os.path.join(root, f) for f in files if f.lower().endswith(NOTE_SUFFIXES))
            if len(paths) >= WATCH_LIMIT:
                break
        self._watcher.addPaths(sorted(set(paths))[:WATCH_LIMIT])

    def _files_changed(self, _path: str) -> None:
        if self.vault is None:
            return
        if not self.vault.is_dir():
            self._vault_gone()
            return
        self._debounce.start()

    def _files_settled(self) -> None:
        if self.vault is not None and self.vault.is_dir():
            self.statusBar().showMessage("Notes changed; updating the index…")
            self.reindex()

    def _vault_gone(self) -> None:
        if self._vault_missing:
            return
        self._vault_missing = True
        self._debounce.stop()
        self.act_reindex.setEnabled(False)
        if self._index_job is not None:
            self._index_job.stop()
        self.notify(
            "Vault folder missing",
            f"The vault folder {self.vault} is no longer there. The map shows what was last indexed; "
            "open the folder again when it is back.",
        )

    # ------------------------------------------------------------------ the graph
    def _graph_loaded(self, G) -> None:
        if G is None or self.vault is None:
            return
        keep_view = self.G is not None and self.canvas.model is not None
        centre = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        zoom = self.canvas.zoom()
        self.G = G
        model = CanvasModel.styled(G, self.taxonomy)
        self._fill_filter_options(model)
        self._totals = self._model_counts(model)
        self.visible = self._compute_visible()
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
        self.selection = [n for n in self.selection if n in G]
        self.canvas.set_selected(self.selection)
        if self.selection:
            self.show_details(self.selection[-1])
        # After the map is on screen: the views and the table take a moment at 20k claims.
        QTimer.singleShot(0, self.refresh_views)
        self.graphShown.emit()

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
            self.selection = [ids[0]]
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
        self.focus_centre = focus if focus in self.G else None
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
            self.G.nodes[claim_id].update(kind=kind, kind_source="user", confidence=1.0)
            done += 1
        if done:
            self._rebuild_model()
            self.refresh_views()
        name = self.taxonomy.get(kind, {}).get("name", kind)
        self.statusBar().showMessage(f"Kind set to {name} for {done:,} claims.", 5000)

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

    def _compute_visible(self) -> graphops.Visible:
        state = self.filters.state()
        within = None
        if self.focus_centre is not None and self.focus_centre in self.G:
            base = graphops.apply_filters(self.G, state)
            within = graphops.neighbourhood(self.G, self.focus_centre, self.depth.value(), base)
            within.add(self.focus_centre)
        return graphops.apply_filters(self.G, state, within)

    def apply_filters(self) -> None:
        if self.G is None:
            return
        self.visible = self._compute_visible()
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

    def edge_text(self, key) -> str:
        """An edge's tooltip: relation type and what qualifies it (graph/labels.py)."""
        from explorer.graph.labels import describe_edge

        u, v, k = key
        if self.G is None or not self.G.has_edge(u, v, k):
            return str(k)
        d = self.G.edges[u, v, k]
        return describe_edge(str(d.get("type", k)), d)

    # ------------------------------------------------------------------ selection
    def select_node(self, node_id: str, add: bool = False) -> None:
        if self.G is None or node_id not in self.G:
            return
        if add and self.selection and self.selection[-1] != node_id:
            self.selection = [self.selection[-1], node_id]
        else:
            self.selection = [node_id]
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
        self.selection = []
        self.canvas.set_selected([])
        self.canvas.set_highlighted([])
        self.canvas.set_path([], [])
        self.details.clear()
        self.path.set_ends(None, None)
        if self.act_focus.isChecked():
            self.act_focus.setChecked(False)
        elif self.focus_centre is not None:
            self.focus_centre = None
            self.apply_filters()

    def focus_search(self) -> None:
        self.docks["search"].show()
        self.docks["search"].raise_()
        self.search.focus_input()

    # ------------------------------------------------------------------ focus and path
    def focus_on(self, node_id: str) -> None:
        if self.G is None or node_id not in self.G:
            return
        self.focus_centre = node_id
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
            self.focus_centre = None
            self.apply_filters()
            self.canvas.fit()

    def find_path(self) -> list[str]:
        if self.G is None or len(self.selection) != 2:
            self.path.show_message("Select two nodes first: click one, then Ctrl+click the other.")
            self.docks["path"].raise_()
            return []
        a, b = self.selection
        nodes = graphops.shortest_path(self.G, a, b, self.visible)
        self.docks["path"].raise_()
        if not nodes:
            self.canvas.set_path([], [])
            self.path.show_message(
                f"No path between “{graphops.label_of(self.G, a)}” and “{graphops.label_of(self.G, b)}” among the visible nodes and edges."
            )
            return []
        steps = graphops.explain_path(self.G, nodes)
        keys = []
        for s in steps:
            for k, d in (self.G.get_edge_data(s["source"], s["target"]) or {}).items():
                if d.get("type") == s["type"]:
                    keys.append((s["source"], s["target"], k))
                    break
        self.canvas.set_path(nodes, keys)
        self.path.show_steps(steps, {n: graphops.label_of(self.G, n) for n in nodes})
        return nodes

    # ------------------------------------------------------------------ corrections
    def set_kind(self, claim_id: str, kind: str) -> None:
        if self.G is None or claim_id not in self.G:
            return
        if self.G.nodes[claim_id].get("kind") == kind:
            return
        try:
            self.backend.set_kind(claim_id, kind)
        except Exception as exc:  # noqa: BLE001
            self.notify("Correction failed", f"Changing the kind of {claim_id} failed: {exc}")
            return
        self.G.nodes[claim_id].update(kind=kind, kind_source="user", confidence=1.0)
        m = self.canvas.model
        if m is not None and claim_id in m.index:
            m.colour[m.index[claim_id]] = kind_colours(self.taxonomy, [kind])[kind]
        self.apply_filters()
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
            attrs = {
                k: v for k, v in self.backend.details(ann_id).items() if not isinstance(v, list)
            }
        except Exception:  # noqa: BLE001 - the essentials are known anyway
            attrs = {}
        attrs.pop("id", None)
        attrs.setdefault("type", "annotation")
        attrs.setdefault("text", text)
        attrs.setdefault("label", text[:60])
        attrs.setdefault("stance", stance)
        attrs.setdefault("source", "user")
        attrs.setdefault("note", claim.get("note", ""))
        attrs.setdefault("community", claim.get("community", -1))
        # Next to its claim in layout units (the model's frame converts them).
        frame = self.canvas.model.frame if self.canvas.model else (0, 0, 1)
        offset = 24 / max(frame[2], 1e-9)
        attrs.setdefault("x", float(claim.get("x", 0.0)) + offset)
        attrs.setdefault("y", float(claim.get("y", 0.0)) + offset)
        self.G.add_node(ann_id, **attrs)
        self.G.add_edge(ann_id, claim_id, type="annotates", stance=stance, confidence=1.0)
        self._rebuild_model()
        self.show_details(claim_id)
        self.statusBar().showMessage("Annotation added.", 5000)
        return ann_id

    def hide_item(self, item_id: str) -> None:
        if self.G is None:
            return
        edge = parse_edge_id(item_id)
        if edge is not None:
            u, v, t = edge
            if not any(d.get("type") == t for d in (self.G.get_edge_data(u, v) or {}).values()):
                u, v = v, u  # stored the other way round
                item_id = edge_id(u, v, t)
        elif item_id not in self.G:
            return
        try:
            self.backend.hide(item_id)
        except Exception as exc:  # noqa: BLE001
            self.notify("Hide failed", f"Hiding {item_id} failed: {exc}")
            return
        if edge is None:
            self.G.nodes[item_id]["hidden"] = True
            if item_id in self.selection:
                self.clear_selection()
        else:
            for d in (self.G.get_edge_data(u, v) or {}).values():
                if d.get("type") == t:
                    d["hidden"] = True
            if self.selection:
                self.show_details(self.selection[-1])
        self.apply_filters()
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

    # ------------------------------------------------------------------ context menus
    def _node_menu(self, node_id: str, pos) -> None:
        self.select_node(node_id)
        menu = self.node_menu(node_id)
        menu.exec(pos)

    def node_menu(self, node_id: str) -> QMenu:
        """The context menu of a node (built apart so tests can inspect it)."""
        menu = QMenu(self)
        d = self.G.nodes[node_id]
        if d.get("type") == "claim":
            kinds = menu.addMenu("Kind")
            group = QActionGroup(kinds)
            for k, v in self.taxonomy.items():
                a = kinds.addAction(v.get("name", k))
                a.setCheckable(True)
                a.setChecked(d.get("kind") == k)
                group.addAction(a)
                a.triggered.connect(lambda _=False, k=k: self.set_kind(node_id, k))
            menu.addAction("Add annotation…", lambda: self._annotate_dialog(node_id))
        menu.addAction("Focus here", lambda: self.focus_on(node_id))
        if len(self.selection) == 2 and node_id in self.selection:
            menu.addAction("Path between selected", self.find_path)
        if d.get("note"):
            menu.addSeparator()
            menu.addAction("Open note in editor", lambda: self.open_note(node_id, "editor"))
            menu.addAction("Open note in Obsidian", lambda: self.open_note(node_id, "obsidian"))
        menu.addSeparator()
        menu.addAction("Hide", lambda: self.hide_item(node_id))
        return menu

    def _edge_menu(self, key, pos) -> None:
        u, v, k = key
        t = self.G.edges[u, v, k].get("type", "")
        menu = QMenu(self)
        menu.addAction(f"Hide this {t} edge", lambda: self.hide_item(edge_id(u, v, t)))
        menu.exec(pos)

    def _annotate_dialog(self, claim_id: str) -> None:
        text, ok = QInputDialog.getText(self, "Add annotation", "Your annotation:")
        if not ok or not text.strip():
            return
        stance, ok = QInputDialog.getItem(
            self, "Add annotation", "Stance:", list(STANCES), 0, False
        )
        if ok:
            self.add_annotation(claim_id, text.strip(), stance)

    # ------------------------------------------------------------------ opening notes
    def note_urls(self, node_id: str) -> tuple[QUrl, QUrl] | None:
        """(file URL, obsidian:// URL) of the note a node comes from."""
        if self.vault is None or self.G is None or node_id not in self.G:
            return None
        note = self.G.nodes[node_id].get("note")
        if not note:
            return None
        file_url = QUrl.fromLocalFile(str(self.vault / note))
        q = QUrlQuery()
        q.addQueryItem("vault", QUrl.toPercentEncoding(self.vault.name).data().decode())
        q.addQueryItem("file", QUrl.toPercentEncoding(note).data().decode())
        obsidian = QUrl("obsidian://open")
        obsidian.setQuery(q)
        return file_url, obsidian

    def open_note(self, node_id: str, how: str = "editor") -> None:
        urls = self.note_urls(node_id)
        if urls is None:
            return
        file_url, obsidian = urls
        if how == "editor" and not Path(file_url.toLocalFile()).exists():
            self.notify("Note not found", f"The note file {file_url.toLocalFile()} does not exist.")
            return
        if not self.open_url(file_url if how == "editor" else obsidian):
            self.notify(
                "Cannot open note",
                f"No application opened {(file_url if how == 'editor' else obsidian).toString()}.",
            )

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

    # ------------------------------------------------------------------ export
    def _fill_export_menu(self) -> None:
        self.export_menu.clear()
        for fmt, label, suffix in self.backend.export_formats():
            a = self.export_menu.addAction(f"{label} ({suffix})…")
            a.setToolTip(f"Export the visible part of the map as {label}")
            a.triggered.connect(
                lambda _=False, fmt=fmt, label=label, suffix=suffix: self._export_dialog(
                    fmt, label, suffix
                )
            )

    def _export_dialog(self, fmt: str, label: str, suffix: str) -> None:
        start = str(Path.home() / f"{self.vault.name if self.vault else 'map'}{suffix}")
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {label}", start, f"{label} (*{suffix})"
        )
        if path:
            self.export_to(fmt, Path(path))

    def export_to(self, fmt: str, path: Path) -> Job | None:
        """Write the visible part of the graph with the backend's exporter, in the background."""
        if self.G is None:
            return None
        H = graphops.filtered_subgraph(self.G, self.visible)
        H.graph["saved_views"] = self._quietly(self.backend.saved_views, {})
        backend = self.backend

        def done(_):
            self.statusBar().showMessage(f"Exported {H.number_of_nodes():,} nodes to {path}", 8000)
            self.exportFinished.emit(str(path))

        return self._start_job(
            "export",
            lambda cancel: backend.export(fmt, H, path),
            done,
            on_error=lambda _exc: self.exportFinished.emit(""),
        )

    def _save_canvas_dialog(self, kind: str) -> None:
        start = str(Path.home() / f"{self.vault.name if self.vault else 'map'}.{kind}")
        path, _ = QFileDialog.getSaveFileName(
            self, f"Save map as {kind.upper()}", start, f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.save_canvas(Path(path))

    def save_canvas(self, path: Path) -> bool:
        path = Path(path)
        if path.suffix.lower() == ".svg":
            self.canvas.save_svg(str(path), title=self.windowTitle())
            ok = path.exists()
        else:
            ok = self.canvas.save_png(str(path))
        if not ok:
            self.notify("Save failed", f"Could not write {path}.")
        else:
            self.statusBar().showMessage(f"Saved {path}", 5000)
        return ok

    # ------------------------------------------------------------------ about, close
    def show_about(self) -> None:
        model = ""
        try:
            model = self._quietly(self.backend.model_name, "") if self.vault is not None else ""
        except Exception:  # noqa: BLE001
            model = ""
        sem = "on" if self.semantic[0] else f"off ({self.semantic[1]})"
        QMessageBox.about(
            self,
            "About Concept-map explorer",
            f"<h3>Concept-map explorer {escape(__version__)}</h3>"
            f"<p>Embedding model: {escape(model or 'none')}<br>Meaning search: {escape(sem)}</p>"
            "<p>Turns a folder of notes into a map of claims, references, concepts and your own annotations. "
            "Your vault is never written to.</p>",
        )

    def about_text(self) -> str:
        model = self._quietly(self.backend.model_name, "") if self.vault is not None else ""
        return f"Concept-map explorer {__version__}; model: {model or 'none'}"

    def closeEvent(self, event) -> None:
        self.save_settings()
        self.close_vault()
        self._stop_jobs()
        super().closeEvent(event)
