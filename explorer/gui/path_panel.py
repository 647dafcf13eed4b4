"""The path panel: how two selected nodes are connected, explained edge by edge."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget


class PathPanel(QWidget):
    findRequested = Signal()
    nodeLinkActivated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ends = QLabel()
        self.ends.setWordWrap(True)
        self.find = QPushButton("Find path")
        self.find.setToolTip(
            "Shortest path between the two selected nodes (Ctrl+click selects a second node)"
        )
        self.find.clicked.connect(self.findRequested)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._anchor)
        lay = QVBoxLayout(self)
        lay.addWidget(self.ends)
        lay.addWidget(self.find)
        lay.addWidget(self.browser, 1)
        self._links: list[str] = []
        self.set_ends(None, None)

    def set_ends(self, a: str | None, b: str | None) -> None:
        if a and b:
            self.ends.setText(f"From <b>{escape(a)}</b><br>to <b>{escape(b)}</b>")
        else:
            self.ends.setText("Select a node, then Ctrl+click a second one.")
        self.find.setEnabled(bool(a and b))

    def show_steps(self, steps: list[dict], labels: dict[str, str]) -> None:
        self._links = []

        def link(n):
            self._links.append(n)
            return f'<a href="#p{len(self._links) - 1}">{escape(labels.get(n, n))}</a>'

        rows = []
        for s in steps:
            arrow = "→" if s["forward"] else "←"
            extra = f" {float(s['weight']):.2f}" if s.get("weight") is not None else ""
            if s.get("reason"):
                extra += f", {escape(s['reason'])}"
            a, b = (s["source"], s["target"]) if s["forward"] else (s["target"], s["source"])
            rows.append(
                f"<li>{link(a)} {arrow} <b>{escape(s['type'])}</b>{extra} {arrow} {link(b)}</li>"
            )
        self.browser.setHtml(
            f"<p>{len(steps)} step{'s' if len(steps) != 1 else ''}:</p><ol>{''.join(rows)}</ol>"
        )

    def show_message(self, text: str) -> None:
        self._links = []
        self.browser.setHtml(f"<p>{escape(text)}</p>")

    def text(self) -> str:
        return self.browser.toPlainText()

    def _anchor(self, url: QUrl) -> None:
        frag = url.fragment()
        if frag.startswith("p") and frag[1:].isdigit() and int(frag[1:]) < len(self._links):
            self.nodeLinkActivated.emit(self._links[int(frag[1:])])
