"""The window's actions, menus, toolbar, context menus and dialogs (export, save the map,
about, open a note), apart from the window's state and widgets in ``main_window``.

A mixin of :class:`explorer.gui.main_window.MainWindow`: its methods use the window's
widgets and map state, and are split out only to keep each file about one job.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, QUrlQuery
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QSpinBox,
    QToolBar,
)

from explorer import __version__
from explorer.core.model import STANCES
from explorer.graph import filters
from explorer.graph.ids import edge_id
from explorer.gui.jobs import Job

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    pass


class MenusMixin:
    """Actions, menus and dialogs of :class:`MainWindow` (see the module docstring)."""

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

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        self.recent_list.clear()
        for v in self.recent_vaults():
            a = self.recent_menu.addAction(v)
            a.triggered.connect(lambda _=False, v=v: self.open_vault(Path(v)))
            self.recent_list.addItem(v)
        self.recent_menu.setEnabled(bool(self.recent_vaults()))

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
        H = filters.filtered_subgraph(self.G, self.visible)
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
