"""The search panel: words, meaning or both, and a list of hits to jump to."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.app.api import SEARCH_MODES

_MODE_TEXT = {"words": "Words", "meaning": "Meaning", "both": "Words + meaning"}
_MODE_TIPS = {
    "words": "Claims containing the words you typed",
    "meaning": "Claims close in meaning (uses the embedding model)",
    "both": "Words and meaning combined",
}


class SearchPanel(QWidget):
    searchRequested = Signal(str, str)  # text, mode
    resultChosen = Signal(str)  # node id: centre and select it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.input = QLineEdit(placeholderText="Search claims…  (Ctrl+F)")
        self.input.setClearButtonEnabled(True)
        self.input.setToolTip("Type words and press Enter")
        self.mode = QComboBox()
        for m in SEARCH_MODES:
            self.mode.addItem(_MODE_TEXT[m], m)
            self.mode.setItemData(self.mode.count() - 1, _MODE_TIPS[m], Qt.ItemDataRole.ToolTipRole)
        self.go = QPushButton("Search")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setToolTip("Click a hit to centre the map on it")
        row = QHBoxLayout()
        row.addWidget(self.mode, 1)
        row.addWidget(self.go)
        lay = QVBoxLayout(self)
        lay.addWidget(self.input)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.results, 1)
        self.input.returnPressed.connect(self.submit)
        self.go.clicked.connect(self.submit)
        self.results.currentItemChanged.connect(self._chosen)
        self.results.itemActivated.connect(self._chosen)
        self._semantic_reason = ""

    def submit(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        self.status.setText("Searching…")
        self.searchRequested.emit(text, self.mode.currentData())

    def set_semantic(self, available: bool, reason: str) -> None:
        """Grey out the modes that need the model, with the reason as their tooltip."""
        self._semantic_reason = "" if available else reason
        model = self.mode.model()
        for i in range(self.mode.count()):
            m = self.mode.itemData(i)
            if m == "words":
                continue
            item = model.item(i)
            item.setEnabled(available)
            tip = _MODE_TIPS[m] if available else f"Unavailable: {reason}"
            self.mode.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        if not available and self.mode.currentData() != "words":
            self.mode.setCurrentIndex(0)
        self.mode.setToolTip("" if available else f"Meaning search unavailable: {reason}")

    def set_mode(self, mode: str) -> bool:
        i = self.mode.findData(mode)
        if i < 0 or not self.mode.model().item(i).isEnabled():
            return False
        self.mode.setCurrentIndex(i)
        return True

    def set_results(self, hits: list[dict], kind_names: dict[str, str] | None = None) -> None:
        kind_names = kind_names or {}
        self.results.blockSignals(True)
        self.results.clear()
        for h in hits:
            kind = kind_names.get(h.get("kind", ""), h.get("kind", ""))
            where = f"{h.get('note', '')}:{h.get('line', '')}"
            item = QListWidgetItem(
                f"{h.get('text', '')}\n{kind} · {where} · {float(h.get('score', 0)):.2f}"
            )
            item.setData(Qt.ItemDataRole.UserRole, h["id"])
            item.setToolTip(h.get("text", ""))
            self.results.addItem(item)
        self.results.blockSignals(False)
        self.status.setText(
            f"{len(hits)} hit{'s' if len(hits) != 1 else ''}" if hits else "No claim matches."
        )

    def set_error(self, message: str) -> None:
        self.status.setText(message)

    def _chosen(self, item, *_):
        if item is not None:
            self.resultChosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.input.selectAll()
