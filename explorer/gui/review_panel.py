"""The review dock: least certain kinds first, one key to accept or change, bulk kinds.

The queue itself (order, progress, accept/change/skip) is ``explorer.app.review.ReviewQueue``,
the same one ``explorer review`` drives in a terminal; this panel only shows it. Keys,
while the panel has focus: ``A`` or Enter accepts the shown kind, ``1``..``9`` set the
numbered kind, ``S`` skips. The table below lists the waiting claims; select several
(Shift/Ctrl-click) and "Set selected" gives them the chosen kind at once.

:func:`attach_review_dock` adds the panel to a main window as a dock, fed from the
window's graph, storing through the window's ``set_kind`` (so the map, the filters and the
details follow), and refreshed whenever a graph is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.app.review import ReviewItem, ReviewQueue

ORIGIN = {"rule": "rules", "embedding": "model", "default": "nothing fitting", "user": "you"}
TABLE_ROWS = 500  # the table shows the least certain ones; the queue holds them all


class ReviewPanel(QWidget):
    """Shows a :class:`ReviewQueue` and answers it by keys, buttons and the bulk row."""

    claimShown = Signal(str)  # a claim came up for review
    claimChosen = Signal(str)  # a table row was double-clicked
    answered = Signal(str, str)  # what happened ("accepted", "changed", ...), claim id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.queue: ReviewQueue | None = None
        self.names: dict[str, str] = {}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # As narrow as the other docks allow: the window's size is the user's to choose.
        self.setMinimumWidth(120)
        lay = QVBoxLayout(self)
        self.progress = QLabel("No vault open.")
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.context = QLabel()
        self.context.setTextFormat(Qt.TextFormat.PlainText)
        self.context.setStyleSheet("font-family: monospace;")
        self.context.setWordWrap(True)
        self.claim = QLabel()
        self.claim.setWordWrap(True)
        self.claim.setStyleSheet("font-weight: bold;")
        self.kind = QLabel()
        for w in (self.progress, self.where, self.context, self.claim, self.kind):
            lay.addWidget(w)
        row = QHBoxLayout()
        self.accept_btn = QPushButton("Accept (A)")
        self.accept_btn.clicked.connect(lambda: self.key("a"))
        self.skip_btn = QPushButton("Skip (S)")
        self.skip_btn.clicked.connect(lambda: self.key("s"))
        row.addWidget(self.accept_btn)
        row.addWidget(self.skip_btn)
        lay.addLayout(row)
        self.kind_row = QGridLayout()
        lay.addLayout(self.kind_row)
        self.legend = QLabel()  # which number is which kind; wraps: the dock stays narrow
        self.legend.setWordWrap(True)
        lay.addWidget(self.legend)
        self.kind_buttons: list[QPushButton] = []

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["conf.", "kind", "claim", "note"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemDoubleClicked.connect(self._row_chosen)
        self.table.setMinimumWidth(120)
        lay.addWidget(self.table, 1)
        bulk = QHBoxLayout()
        bulk.addWidget(QLabel("Kind:"))
        self.bulk_kind = QComboBox()
        self.bulk_kind.setMinimumContentsLength(4)
        self.bulk_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.bulk_btn = QPushButton("Set selected")
        self.bulk_btn.setToolTip("Give every selected claim of the table this kind")
        self.bulk_btn.clicked.connect(self.set_selected_kind)
        bulk.addWidget(self.bulk_kind, 1)
        bulk.addWidget(self.bulk_btn)
        lay.addLayout(bulk)

        # Keys act while the panel (or a child) has focus, never elsewhere in the window.
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for seq, key in (("A", "a"), ("Return", "a"), ("Enter", "a"), ("S", "s")):
            QShortcut(QKeySequence(seq), self, lambda k=key: self.key(k), context=ctx)
        for n in range(1, 10):
            QShortcut(QKeySequence(str(n)), self, lambda k=str(n): self.key(k), context=ctx)
        self._show()

    # ------------------------------------------------------------------ state
    def set_queue(self, queue: ReviewQueue | None, names: dict[str, str] | None = None) -> None:
        self.queue = queue
        self.names = names or {}
        for b in self.kind_buttons:
            b.deleteLater()
        self.kind_buttons = []
        self.bulk_kind.clear()
        for i, k in enumerate(queue.kinds if queue else [], start=1):
            b = QPushButton(str(i))
            b.setMinimumWidth(24)
            b.setToolTip(f"Set the kind to {self.names.get(k, k)} (key {i})")
            b.clicked.connect(lambda _=False, n=str(i): self.key(n))
            self.kind_row.addWidget(b, 0, i - 1)
            self.kind_buttons.append(b)
            self.bulk_kind.addItem(self.names.get(k, k), k)
        kinds = queue.kinds if queue else []
        self.legend.setText(
            "  ".join(f"{i} = {self.names.get(k, k)}" for i, k in enumerate(kinds, start=1))
        )
        self._show()

    def key(self, key: str) -> str:
        """Act on one key as ``explorer review`` does; returns what happened."""
        if self.queue is None:
            return "empty"
        item = self.queue.current()
        what = self.queue.handle_key(key)
        if what in ("accepted", "changed", "skipped") and item is not None:
            self.answered.emit(what, item.claim_id)
        self._show()
        return what

    def set_selected_kind(self) -> int:
        """Bulk: the combo box's kind for every selected row; how many."""
        if self.queue is None:
            return 0
        ids = [
            self.table.item(r.row(), 0).data(Qt.ItemDataRole.UserRole)
            for r in self.table.selectionModel().selectedRows()
        ]
        kind = self.bulk_kind.currentData()
        if not ids or not kind:
            return 0
        n = self.queue.set_kind_many(ids, kind)
        for cid in ids:
            self.answered.emit("changed", cid)
        self._show()
        return n

    def select_rows(self, rows: list[int]) -> None:
        """Select these table rows (tests and keyboard users)."""
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for r in rows:
            self.table.selectRow(r)
        self.table.setSelectionMode(mode)

    def _row_chosen(self, item: QTableWidgetItem) -> None:
        cid = self.table.item(item.row(), 0).data(Qt.ItemDataRole.UserRole)
        self.claimChosen.emit(cid)

    # ------------------------------------------------------------------ drawing
    def _show(self) -> None:
        q = self.queue
        item = q.current() if q else None
        on = item is not None
        for w in (self.accept_btn, self.skip_btn, *self.kind_buttons):
            w.setEnabled(on)
        if q is None:
            self.progress.setText("No vault open.")
        else:
            self.progress.setText(f"{q.progress_text()}  ({len(q)} waiting)")
        if not on:
            self.where.setText("Nothing left to review." if q else "")
            for w in (self.context, self.claim, self.kind):
                w.setText("")
        else:
            self._show_item(item)
        self._fill_table()

    def _show_item(self, item: ReviewItem) -> None:
        where = f"{item.note}:{item.line}"
        if item.heading:
            where += f"  —  {item.heading}"
        self.where.setText(where)
        lines = self.queue.context(item, 2)
        self.context.setText(
            "\n".join(f"{'>' if n == item.line else ' '} {n:4} {t}" for n, t in lines)
        )
        self.claim.setText(item.text)
        self.kind.setText(
            f"Kind: {self.names.get(item.kind, item.kind)}  (confidence {item.confidence:.2f},"
            f" from {ORIGIN.get(item.kind_source, item.kind_source)})"
        )
        self.claimShown.emit(item.claim_id)

    def _fill_table(self) -> None:
        items = self.queue.pending()[:TABLE_ROWS] if self.queue else []
        self.table.setRowCount(len(items))
        for r, it in enumerate(items):
            conf = QTableWidgetItem(f"{it.confidence:.2f}")
            conf.setData(Qt.ItemDataRole.UserRole, it.claim_id)
            self.table.setItem(r, 0, conf)
            self.table.setItem(r, 1, QTableWidgetItem(self.names.get(it.kind, it.kind)))
            self.table.setItem(r, 2, QTableWidgetItem(it.text))
            self.table.setItem(r, 3, QTableWidgetItem(f"{it.note}:{it.line}"))


def attach_review_dock(window) -> ReviewPanel:
    """Add the review dock to ``window`` (a MainWindow) and keep it fed from its graph."""
    panel = ReviewPanel()
    dock = QDockWidget("Review", window)
    dock.setObjectName("dock-review")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.docks["path"], dock)
    window.docks["details"].raise_()
    window.docks["review"] = dock
    window.review = panel

    def store(claim_id: str, kind: str) -> None:
        window.set_kind(claim_id, kind, confirm=True)

    def note_lines(note: str, line: int, n: int):
        return window.backend.note_lines(note, line, n)

    def refresh() -> None:
        if window.G is None:
            panel.set_queue(None)
            return
        names = {k: v.get("name", k) for k, v in window.taxonomy.items()}
        kinds = list(window.taxonomy) or sorted(
            {d["kind"] for _, d in window.G.nodes(data=True) if d.get("kind")}
        )
        queue = ReviewQueue.for_graph(lambda: window.G, kinds, store, note_lines)
        panel.set_queue(queue, names)

    def show_on_map(claim_id: str) -> None:
        if dock.isVisible() and window.G is not None and claim_id in window.G:
            window.canvas.set_highlighted([claim_id])

    window.graphShown.connect(refresh)
    # A kind set in Details (after the window stored it) leaves the queue too.
    window.details.kindChangeRequested.connect(lambda *_: refresh())
    panel.claimShown.connect(show_on_map)
    panel.claimChosen.connect(window.show_node)
    return panel
