"""The filter panel: kinds, voice, notes, communities, edge types, minimum similarity,
confidence."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from explorer.graph.filters import FilterState
from explorer.gui.style import edge_style


def swatch(colour: str, square: bool = False) -> QIcon:
    pm = QPixmap(14, 14)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(colour).darker(140))
    p.setBrush(QColor(colour))
    if square:
        p.drawRect(2, 2, 10, 10)
    else:
        p.drawEllipse(1, 1, 12, 12)
    p.end()
    return QIcon(pm)


def line_swatch(edge_type: str) -> QIcon:
    st = edge_style(edge_type)
    pm = QPixmap(28, 14)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setPen(QPen(QColor(st.colour), 2, st.style))
    p.drawLine(1, 7, 27, 7)
    p.end()
    return QIcon(pm)


class _CheckList(QWidget):
    """A checkable list with a text filter and all/none buttons."""

    changed = Signal()

    def __init__(self, placeholder: str, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText=placeholder)
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setMinimumHeight(90)
        all_btn, none_btn = QPushButton("All"), QPushButton("None")
        all_btn.setToolTip("Tick every entry")
        none_btn.setToolTip("Untick every entry")
        all_btn.clicked.connect(lambda: self.set_all(True))
        none_btn.clicked.connect(lambda: self.set_all(False))
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.list)
        self.search.textChanged.connect(self._filter_rows)
        self.list.itemChanged.connect(lambda _: self.changed.emit())

    def set_entries(self, entries: list[tuple[object, str, QIcon | None]]) -> None:
        """(value, text, icon) per row; everything ticked that was ticked before or is new."""
        before = {
            self.list.item(i).data(Qt.ItemDataRole.UserRole): self.list.item(i).checkState()
            for i in range(self.list.count())
        }
        self.list.blockSignals(True)
        self.list.clear()
        for value, text, icon in entries:
            item = QListWidgetItem(text)
            if icon is not None:
                item.setIcon(icon)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(before.get(value, Qt.CheckState.Checked))
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._filter_rows(self.search.text())

    def set_all(self, on: bool) -> None:
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit()

    def set_selected(self, values) -> None:
        """Tick exactly ``values`` (None: every row)."""
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = values is None or item.data(Qt.ItemDataRole.UserRole) in values
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit()

    def selected(self) -> frozenset | None:
        """Ticked values, or None when every row is ticked (meaning: no restriction)."""
        items = [self.list.item(i) for i in range(self.list.count())]
        ticked = [
            it.data(Qt.ItemDataRole.UserRole)
            for it in items
            if it.checkState() == Qt.CheckState.Checked
        ]
        return None if len(ticked) == len(items) else frozenset(ticked)

    def _filter_rows(self, text: str) -> None:
        text = text.lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(text) and text not in item.text().lower())


class FilterPanel(QScrollArea):
    """Emits ``changed`` (debounced) whenever what should be visible changes."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        lay = QVBoxLayout(body)

        self.kind_box = QGroupBox("Claim kinds")
        self.kind_box.setToolTip("Show only claims of the ticked kinds")
        self.kind_layout = QVBoxLayout(self.kind_box)
        self.kind_checks: dict[str, QCheckBox] = {}
        lay.addWidget(self.kind_box)

        self.edge_box = QGroupBox("Edge types")
        self.edge_box.setToolTip("Show only edges of the ticked types")
        self.edge_layout = QVBoxLayout(self.edge_box)
        self.edge_checks: dict[str, QCheckBox] = {}
        lay.addWidget(self.edge_box)

        sim_box = QGroupBox("Similarity and confidence")
        sim_lay = QVBoxLayout(sim_box)
        self.sim_slider = QSlider(Qt.Orientation.Horizontal)
        self.sim_slider.setRange(0, 100)
        self.sim_slider.setToolTip(
            "Hide similar and duplicate edges weaker than this cosine similarity"
        )
        self.sim_label = QLabel()
        self.sim_slider.valueChanged.connect(self._sim_text)
        self._sim_text(0)
        self.low_conf = QCheckBox("Hide low-confidence claims (< 0.5)")
        self.low_conf.setToolTip(
            "Hide claims whose kind was guessed with confidence under 0.5 (your own corrections stay)"
        )
        sim_lay.addWidget(self.sim_label)
        sim_lay.addWidget(self.sim_slider)
        sim_lay.addWidget(self.low_conf)
        self.fragments = QCheckBox("Show fragments")
        self.fragments.setToolTip(
            "Show claims that are not self-contained: a single term, a file name, a bare "
            "link, a formula (hidden by default; search finds them either way)"
        )
        sim_lay.addWidget(self.fragments)
        lay.addWidget(sim_box)

        voice_box = QGroupBox("Voice")
        voice_box.setToolTip(
            "In notes on a talk, paper or book: the source's claims, your own reactions"
        )
        vl = QVBoxLayout(voice_box)
        self.voice_checks = {
            "author": QCheckBox("The author's own"),
            "source": QCheckBox("The source's"),
        }
        for cb in self.voice_checks.values():
            cb.setChecked(True)
            vl.addWidget(cb)
        lay.addWidget(voice_box)

        notes_box = QGroupBox("Notes")
        nl = QVBoxLayout(notes_box)
        self.notes = _CheckList("Filter notes…")
        self.notes.setToolTip("Show only claims from the ticked notes")
        nl.addWidget(self.notes)
        lay.addWidget(notes_box, 1)

        comm_box = QGroupBox("Communities")
        cl = QVBoxLayout(comm_box)
        self.communities = _CheckList("Filter communities…")
        self.communities.setToolTip(
            "Show only the ticked communities (clusters found in the graph)"
        )
        cl.addWidget(self.communities)
        lay.addWidget(comm_box, 1)

        reset = QPushButton("Show everything")
        reset.setToolTip("Clear every filter")
        reset.clicked.connect(self.reset)
        lay.addWidget(reset)
        self.setWidget(body)

        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self.changed)
        for sig in (
            self.sim_slider.valueChanged,
            self.low_conf.toggled,
            *(cb.toggled for cb in self.voice_checks.values()),
            self.fragments.toggled,
            self.notes.changed,
            self.communities.changed,
        ):
            sig.connect(self._poke)

    def _poke(self, *_):
        self._debounce.start()

    def _sim_text(self, v: int) -> None:
        self.sim_label.setText(f"Minimum similarity: {v / 100:.2f}")

    def set_options(
        self,
        taxonomy: dict[str, dict],
        notes: list[str],
        communities: list[tuple[int, int]],
        edge_types: list[str],
    ) -> None:
        """Fill the panel for a graph; ticks of entries seen before are kept."""
        self._fill_checks(
            self.kind_layout,
            self.kind_checks,
            [(k, v.get("name", k), swatch(v.get("colour", "#999"))) for k, v in taxonomy.items()],
        )
        self._fill_checks(
            self.edge_layout,
            self.edge_checks,
            [(t, edge_style(t).label, line_swatch(t)) for t in edge_types],
        )
        self.notes.set_entries([(n, n, None) for n in sorted(notes)])
        self.communities.set_entries(
            [(c, f"community {c} ({size})", None) for c, size in communities]
        )

    def _fill_checks(self, layout, checks: dict, entries) -> None:
        old = {k: cb.isChecked() for k, cb in checks.items()}
        for cb in checks.values():
            layout.removeWidget(cb)
            cb.deleteLater()
        checks.clear()
        for value, text, icon in entries:
            cb = QCheckBox(text)
            cb.setIcon(icon)
            cb.setChecked(old.get(value, True))
            cb.toggled.connect(self._poke)
            layout.addWidget(cb)
            checks[value] = cb

    def set_kind_visible(self, kind: str, on: bool) -> None:
        self.kind_checks[kind].setChecked(on)

    def reset(self) -> None:
        for cb in (
            *self.kind_checks.values(),
            *self.edge_checks.values(),
            *self.voice_checks.values(),
        ):
            cb.blockSignals(True)
            cb.setChecked(True)
            cb.blockSignals(False)
        self.sim_slider.setValue(0)
        self.low_conf.setChecked(False)
        self.fragments.setChecked(True)
        self.notes.search.clear()
        self.communities.search.clear()
        self.notes.set_all(True)
        self.communities.set_all(True)
        self._poke()

    def set_state(self, f: FilterState) -> None:
        """Show a saved state (a saved view); emits ``changed`` once, debounced."""
        for checks, values in ((self.kind_checks, f.kinds), (self.edge_checks, f.edge_types)):
            for k, cb in checks.items():
                cb.blockSignals(True)
                cb.setChecked(values is None or k in values)
                cb.blockSignals(False)
        self.sim_slider.setValue(round(f.min_similarity * 100))
        self.low_conf.setChecked(f.hide_low_confidence)
        self.notes.set_selected(f.notes)
        self.communities.set_selected(f.communities)
        self._poke()

    def state(self) -> FilterState:
        def ticked(checks):
            on = frozenset(k for k, cb in checks.items() if cb.isChecked())
            return None if len(on) == len(checks) else on

        return FilterState(
            kinds=ticked(self.kind_checks),
            notes=self.notes.selected(),
            communities=self.communities.selected(),
            edge_types=ticked(self.edge_checks),
            min_similarity=self.sim_slider.value() / 100.0,
            hide_low_confidence=self.low_conf.isChecked(),
            voices=ticked(self.voice_checks),
            show_fragments=self.fragments.isChecked(),
        )
