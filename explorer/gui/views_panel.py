"""The Views panel: the author's questions answered from the graph, one tab each.

What each tab lists comes from :mod:`explorer.graph.views` (Qt-free, the same
functions the HTML page uses); this module only shows it. Every row names nodes:
clicking one shows it on the map (``nodeChosen``), a Themes cell selects its claims
(``nodesChosen``). Tensions and suggested links have Accept / Dismiss buttons that
ask the window to record the decision (``edgeDecided``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

ID_ROLE = Qt.ItemDataRole.UserRole


def _where(note, line) -> str:
    return f"{note}:{line}" if line else str(note or "")


def _short(text: str, n: int = 140) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class ViewsPanel(QTabWidget):
    nodeChosen = Signal(str)
    nodesChosen = Signal(list)
    edgeDecided = Signal(str, str, str, str)  # a, b, "tension" | "link", "accepted" | "dismissed"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind_names: dict[str, str] = {}
        self.kind_colours: dict[str, str] = {}
        self.data: dict = {}

        self.themes = QTableWidget()
        self.themes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.themes.cellClicked.connect(self._theme_cell)
        self.themes.setToolTip(
            "Communities against claim kinds; click a count to select its claims"
        )
        self.addTab(self.themes, "Themes × kinds")

        self.changed = self._tree(["date", "stance", "annotation", "claim", "where"])
        self.addTab(self.changed, "Changed my mind")

        self.evidence = self._tree(["claim or evidence", "kind", "where"])
        self.addTab(self.evidence, "Evidence")

        self.tensions = self._tree(["cosine", "claim", "against", "reason", "decision"])
        self.addTab(
            self._with_buttons(
                self.tensions,
                [
                    (
                        "Accept",
                        "Mark the selected tension as a real contradiction",
                        "tension",
                        "accepted",
                    ),
                    ("Dismiss", "Not a contradiction: hide it everywhere", "tension", "dismissed"),
                ],
            ),
            "Tensions",
        )

        self.suggested = self._tree(["cosine", "claim", "similar claim", "notes"])
        self.addTab(
            self._with_buttons(
                self.suggested,
                [
                    (
                        "Link them",
                        "Make an edge of your own (never written into the notes)",
                        "link",
                        "accepted",
                    ),
                    ("Dismiss", "Stop suggesting this pair", "link", "dismissed"),
                ],
            ),
            "Suggested links",
        )

    # -- building ------------------------------------------------------------------------
    def _tree(self, headers: list[str]) -> QTreeWidget:
        t = QTreeWidget()
        t.setHeaderLabels(headers)
        t.setRootIsDecorated(True)
        t.setUniformRowHeights(True)
        t.setAlternatingRowColors(True)
        t.itemClicked.connect(self._item_clicked)
        t.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return t

    def _with_buttons(self, tree: QTreeWidget, buttons) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(tree)
        row = QHBoxLayout()
        tree.status = QLabel()
        row.addWidget(tree.status, 1)
        for text, tip, edge_type, decision in buttons:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, t=tree, e=edge_type, d=decision: self.decide(t, e, d))
            row.addWidget(b)
        lay.addLayout(row)
        return box

    def decide(self, tree: QTreeWidget, edge_type: str, decision: str) -> None:
        """Decide on the selected row of ``tree`` (what its buttons do)."""
        item = tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        pair = item.data(0, Qt.ItemDataRole.UserRole + 1) if item is not None else None
        if not pair:
            tree.status.setText("Select a row first.")
            return
        self.edgeDecided.emit(pair[0], pair[1], edge_type, decision)

    # -- filling -------------------------------------------------------------------------
    def set_kinds(self, taxonomy: dict[str, dict]) -> None:
        self.kind_names = {k: v.get("name", k) for k, v in taxonomy.items()}
        self.kind_colours = {k: v.get("colour", "") for k, v in taxonomy.items()}

    def set_views(self, data: dict) -> None:
        """Show :func:`explorer.graph.views.all_views` output."""
        self.data = data
        self._fill_themes(data.get("themes") or {"kinds": [], "rows": []})
        self._fill_changed(data.get("changed_mind") or [])
        self._fill_evidence(data.get("evidence") or {})
        self._fill_pairs(
            self.tensions,
            data.get("tensions") or [],
            lambda r: [
                f"{r['weight']:.2f}" if r.get("weight") is not None else "",
                _short(r["a_text"]),
                _short(r["b_text"]),
                r.get("reason", ""),
                r.get("decision") or "open",
            ],
        )
        self._fill_pairs(
            self.suggested,
            data.get("suggested_links") or [],
            lambda r: [
                f"{r['weight']:.2f}",
                _short(r["a_text"]),
                _short(r["b_text"]),
                f"{r['a_note']} ↔ {r['b_note']}",
            ],
        )
        counts = [
            len((data.get("themes") or {}).get("rows", [])),
            len(data.get("changed_mind") or []),
            len((data.get("evidence") or {}).get("items", [])),
            len(data.get("tensions") or []),
            len(data.get("suggested_links") or []),
        ]
        names = ["Themes × kinds", "Changed my mind", "Evidence", "Tensions", "Suggested links"]
        for i, (name, n) in enumerate(zip(names, counts, strict=True)):
            self.setTabText(i, f"{name} ({n})")

    def _fill_themes(self, themes: dict) -> None:
        kinds = themes["kinds"]
        rows = themes["rows"]
        t = self.themes
        t.clear()
        t.setRowCount(len(rows))
        t.setColumnCount(len(kinds) + 1)
        t.setHorizontalHeaderLabels(
            ["theme"] + [self.kind_names.get(k, k or "no kind") for k in kinds]
        )
        for r, row in enumerate(rows):
            head = QTableWidgetItem(f"{row['title']}  ({row['total']})")
            head.setData(ID_ROLE, [c for ids in row["claims"].values() for c in ids])
            t.setItem(r, 0, head)
            top = max(row["counts"].values(), default=1)
            for c, k in enumerate(kinds, start=1):
                n = row["counts"].get(k, 0)
                item = QTableWidgetItem(str(n) if n else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(ID_ROLE, row["claims"].get(k, []))
                colour = self.kind_colours.get(k)
                if n and colour:
                    shade = QColor(colour)
                    shade.setAlpha(int(40 + 150 * n / top))
                    item.setBackground(shade)
                t.setItem(r, c, item)
        t.resizeColumnsToContents()

    def _theme_cell(self, row: int, col: int) -> None:
        item = self.themes.item(row, col)
        ids = item.data(ID_ROLE) if item is not None else None
        if ids:
            self.nodesChosen.emit(list(ids))

    def _fill_changed(self, rows: list[dict]) -> None:
        t = self.changed
        t.clear()
        for r in rows:
            item = QTreeWidgetItem(
                [
                    r.get("date") or "—",
                    r["stance"] + (" (yours)" if r.get("source") == "user" else ""),
                    _short(r["annotation_text"]),
                    _short(r["claim_text"]),
                    _where(r["claim_note"], r["claim_line"]),
                ]
            )
            item.setData(0, ID_ROLE, r["claim"])
            item.setToolTip(2, f"{r['annotation_text']}\n{_where(r['note'], r['line'])}")
            item.setToolTip(3, f"{r['claim_text']}\n{_where(r['claim_note'], r['claim_line'])}")
            ann = QTreeWidgetItem(
                ["", "annotation", _short(r["annotation_text"]), "", _where(r["note"], r["line"])]
            )
            ann.setData(0, ID_ROLE, r["annotation"])
            item.addChild(ann)
            t.addTopLevelItem(item)
        for i in range(t.columnCount()):
            t.resizeColumnToContents(i)

    def _fill_evidence(self, ev: dict) -> None:
        t = self.evidence
        t.clear()

        def claim_item(r, parent):
            item = QTreeWidgetItem(
                [
                    _short(r["text"]),
                    self.kind_names.get(r["kind"], r["kind"]),
                    _where(r["note"], r["line"]),
                ]
            )
            item.setData(0, ID_ROLE, r["claim"])
            item.setToolTip(0, r["text"])
            parent.addChild(item)
            return item

        groups = [
            ("Criteria with no evidence", ev.get("criteria_without_evidence") or []),
            ("Questions with no evidence", ev.get("questions_without_evidence") or []),
            ("Limitations no reference supports", ev.get("limitations_without_reference") or []),
        ]
        for title, rows in groups:
            top = QTreeWidgetItem([f"{title} ({len(rows)})"])
            t.addTopLevelItem(top)
            for r in rows:
                claim_item(r, top)
        top = QTreeWidgetItem(
            [f"Criteria and questions, with what bears on them ({len(ev.get('items') or [])})"]
        )
        t.addTopLevelItem(top)
        for r in ev.get("items") or []:
            item = claim_item(r, top)
            for s in r["similar"]:
                w = f"{s['weight']:.2f}" if s.get("weight") is not None else ""
                child = QTreeWidgetItem([f"similar {w}: {_short(s['text'], 110)}"])
                child.setData(0, ID_ROLE, s["id"])
                item.addChild(child)
            for ref in r["references"]:
                child = QTreeWidgetItem([f"cites: {_short(ref['text'], 110)}"])
                child.setData(0, ID_ROLE, ref["id"])
                item.addChild(child)
            for a in r["annotations"]:
                child = QTreeWidgetItem([f"{a.get('stance') or 'note'}: {_short(a['text'], 110)}"])
                child.setData(0, ID_ROLE, a["id"])
                item.addChild(child)
        for i in range(3):
            t.topLevelItem(i).setExpanded(True)
        t.resizeColumnToContents(1)
        t.resizeColumnToContents(2)

    def _fill_pairs(self, t: QTreeWidget, rows: list[dict], columns) -> None:
        t.clear()
        for r in rows:
            item = QTreeWidgetItem(columns(r))
            item.setData(0, ID_ROLE, r["a"])
            item.setData(0, ID_ROLE + 1, [r["a"], r["b"]])
            item.setToolTip(1, f"{r['a_text']}\n{r['a_note']}")
            item.setToolTip(2, f"{r['b_text']}\n{r['b_note']}")
            for end, text, note, line in (
                (r["a"], r["a_text"], r["a_note"], r.get("a_line")),
                (r["b"], r["b_text"], r["b_note"], r.get("b_line")),
            ):
                child = QTreeWidgetItem(["", _short(text, 200), _where(note, line)])
                child.setData(0, ID_ROLE, end)
                item.addChild(child)
            t.addTopLevelItem(item)
        if hasattr(t, "status"):
            t.status.setText("" if rows else "Nothing here.")
        t.resizeColumnToContents(0)

    def _item_clicked(self, item: QTreeWidgetItem, _col: int) -> None:
        node = item.data(0, ID_ROLE)
        if node:
            self.nodeChosen.emit(str(node))
