"""The claims table beside the map: every claim as a row, sortable and filterable by
kind, confidence, note and community, with multi-select and one kind for many.

A table model over plain tuples and a filter proxy keep 20,000 rows quick: no item
object per cell. Selecting rows highlights the claims on the map; a double click
shows one; **Set kind** corrects the kind of every selected claim at once.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("claim", "kind", "confidence", "note", "line", "community")
ANY = "__any__"


class ClaimRows(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        # (id, text, kind, confidence, note, line, community, fragment)
        self.rows: list[tuple] = []
        self.kind_names: dict[str, str] = {}
        self.community_names: dict[int, str] = {}

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=None) -> int:  # noqa: N802 - Qt name
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        _, text, kind, conf, note, line, comm, _ = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                text,
                self.kind_names.get(kind, kind or "—"),
                f"{conf:.2f}",
                note,
                line,
                self.community_names.get(comm, str(comm) if comm >= 0 else "—"),
            )[col]
        if role == Qt.ItemDataRole.UserRole:  # what sorting compares
            return (text.lower(), kind, conf, note.lower(), line, comm)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return text
        return None


class ClaimFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = ANY
        self.community: int | str = ANY
        self.note = ""
        self.text = ""
        self.max_confidence = 1.0
        # Fragments follow the map's "Show fragments" (hidden by default, as on the map).
        self.show_fragments = False
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt's name
        _, text, kind, conf, note, _, comm, fragment = self.sourceModel().rows[row]
        return (
            (self.show_fragments or not fragment)
            and (self.kind == ANY or kind == self.kind)
            and (self.community == ANY or comm == self.community)
            and conf <= self.max_confidence + 1e-9
            and (not self.note or self.note in note.lower())
            and (not self.text or self.text in text.lower())
        )


class ClaimsTable(QWidget):
    nodeChosen = Signal(str)
    nodesChosen = Signal(list)
    kindChangeRequested = Signal(list, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = ClaimRows(self)
        self.proxy = ClaimFilter(self)
        self.proxy.setSourceModel(self.model)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.text_box = QLineEdit(placeholderText="Filter by text…")
        self.kind_box = QComboBox()
        self.community_box = QComboBox()
        self.note_box = QLineEdit(placeholderText="note contains…")
        self.conf_box = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, value=1.0)
        self.conf_box.setPrefix("confidence ≤ ")
        self.conf_box.setToolTip(
            "Show only claims whose kind was decided with at most this confidence"
        )
        for w in (self.text_box, self.kind_box, self.note_box, self.community_box, self.conf_box):
            bar.addWidget(w)
        self.count = QLabel()
        bar.addWidget(self.count)
        bar.addStretch(1)
        self.set_kind_box = QComboBox()
        self.set_kind_btn = QPushButton("Set kind of selected")
        self.set_kind_btn.setToolTip("Correct the kind of every selected claim at once")
        bar.addWidget(self.set_kind_box)
        bar.addWidget(self.set_kind_btn)
        lay.addLayout(bar)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        # No sort until the user clicks a header: sorting 20,000 rows calls Python per
        # comparison, and the rows come in note order, which reads well.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setWordWrap(False)
        lay.addWidget(self.view)

        self.text_box.textChanged.connect(self._filters_changed)
        self.note_box.textChanged.connect(self._filters_changed)
        self.kind_box.currentIndexChanged.connect(self._filters_changed)
        self.community_box.currentIndexChanged.connect(self._filters_changed)
        self.conf_box.valueChanged.connect(self._filters_changed)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(
            lambda ix: self.nodeChosen.emit(self.model.rows[self.proxy.mapToSource(ix).row()][0])
        )
        self.set_kind_btn.clicked.connect(self._bulk_kind)

    def set_kinds(self, taxonomy: dict[str, dict]) -> None:
        self.model.kind_names = {k: v.get("name", k) for k, v in taxonomy.items()}
        for box in (self.kind_box, self.set_kind_box):
            box.blockSignals(True)
            box.clear()
        self.kind_box.addItem("every kind", ANY)
        for k, v in taxonomy.items():
            self.kind_box.addItem(v.get("name", k), k)
            self.set_kind_box.addItem(v.get("name", k), k)
        for box in (self.kind_box, self.set_kind_box):
            box.blockSignals(False)

    def set_claims(self, G, titles: dict[int, dict] | None = None) -> None:
        """Rows for every claim of ``G`` (hidden ones left out by the caller);
        ``titles``: :func:`explorer.graph.labels.community_titles` of ``G`` if known."""
        from explorer.graph.labels import community_titles

        rows = []
        for n, d in G.nodes(data=True):
            if d.get("type") != "claim":
                continue
            comm = d.get("community", -1)
            rows.append(
                (
                    n,
                    " ".join(str(d.get("text", "")).split()),
                    str(d.get("kind") or ""),
                    float(d.get("confidence") or 0.0),
                    str(d.get("note", "")),
                    int(d.get("line") or 0),
                    comm if isinstance(comm, int) else -1,
                    bool(d.get("fragment")),
                )
            )
        titles = community_titles(G) if titles is None else titles
        self.model.community_names = {c: t["title"] for c, t in titles.items()}
        current = self.community_box.currentData()
        self.community_box.blockSignals(True)
        self.community_box.clear()
        self.community_box.addItem("every community", ANY)
        for c, t in sorted(titles.items(), key=lambda kv: -kv[1]["size"]):
            self.community_box.addItem(f"{t['title']} ({t['size']})", c)
        i = self.community_box.findData(current)
        self.community_box.setCurrentIndex(max(i, 0))
        self.community_box.blockSignals(False)
        # One sort after the reset, not one per filter change on the way.
        sorting = self.view.isSortingEnabled()
        self.view.setSortingEnabled(False)
        self.model.set_rows(rows)
        self._filters_changed()
        self.view.setSortingEnabled(sorting)

    def set_show_fragments(self, show: bool) -> None:
        """List fragments too (or not): the window keeps this in step with the map."""
        if show != self.proxy.show_fragments:
            self.proxy.show_fragments = show
            self._filters_changed()

    def _filters_changed(self, *_) -> None:
        p = self.proxy
        modern = hasattr(p, "beginFilterChange")  # Qt 6.9 deprecates invalidateFilter()
        if modern:
            p.beginFilterChange()
        p.text = self.text_box.text().strip().lower()
        p.note = self.note_box.text().strip().lower()
        p.kind = self.kind_box.currentData() or ANY
        comm = self.community_box.currentData()
        p.community = ANY if comm is None or comm == ANY else int(comm)
        p.max_confidence = self.conf_box.value()
        if modern:
            p.endFilterChange()
        else:
            p.invalidateFilter()
        self.count.setText(f"{p.rowCount():,} of {self.model.rowCount():,}")

    def selected_ids(self) -> list[str]:
        rows = {
            self.proxy.mapToSource(ix).row() for ix in self.view.selectionModel().selectedRows()
        }
        return [self.model.rows[r][0] for r in sorted(rows)]

    def _selection_changed(self, *_) -> None:
        ids = self.selected_ids()
        if ids:
            self.nodesChosen.emit(ids)

    def _bulk_kind(self) -> None:
        ids = self.selected_ids()
        kind = self.set_kind_box.currentData()
        if ids and kind:
            self.kindChangeRequested.emit(ids, kind)
