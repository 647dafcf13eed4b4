"""The details of one node: its text, where it sits in its note, and what it links to.

Every linked node is a link that selects it. Claims also get the corrections: a kind
menu, an annotation box and a hide button. All text is escaped: a note may contain
anything, including markup.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer.core.model import STANCES
from explorer.graph.ids import edge_id
from explorer.style import STANCE_COLOURS


class DetailsPanel(QWidget):
    nodeLinkActivated = Signal(str)
    kindChangeRequested = Signal(str, str)  # claim id, kind
    annotationRequested = Signal(str, str, str)  # claim id, text, stance
    hideRequested = Signal(str)  # node id or edge id
    openRequested = Signal(str, str)  # node id, "editor" | "obsidian"
    focusRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.node_id: str | None = None
        self._links: list[str] = []
        self.title = QLabel("Nothing selected")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)

        self.kind = QComboBox()
        self.kind.setToolTip("Change this claim's kind; your choice survives re-indexing")
        self.kind.activated.connect(self._kind_chosen)
        self.kind_label = QLabel("Kind:")
        self.btn_editor = QPushButton("Open note")
        self.btn_editor.setToolTip("Open the note in your default editor")
        self.btn_obsidian = QPushButton("Obsidian")
        self.btn_obsidian.setToolTip("Open the note in Obsidian")
        self.btn_focus = QPushButton("Focus")
        self.btn_focus.setToolTip("Show only this node's neighbourhood")
        self.btn_hide = QPushButton("Hide")
        self.btn_hide.setToolTip("Hide this claim from the map; it stays hidden after re-indexing")
        self.btn_editor.clicked.connect(lambda: self._emit_open("editor"))
        self.btn_obsidian.clicked.connect(lambda: self._emit_open("obsidian"))
        self.btn_focus.clicked.connect(
            lambda: self.node_id and self.focusRequested.emit(self.node_id)
        )
        self.btn_hide.clicked.connect(
            lambda: self.node_id and self.hideRequested.emit(self.node_id)
        )

        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._anchor)

        self.ann_text = QLineEdit(placeholderText="Your annotation on this claim…")
        self.ann_text.setToolTip(
            "Add your own annotation; it is stored apart from the vault and survives re-indexing"
        )
        self.ann_stance = QComboBox()
        for s in STANCES:
            self.ann_stance.addItem(s, s)
        self.ann_add = QPushButton("Add")
        self.ann_add.clicked.connect(self._annotate)
        self.ann_text.returnPressed.connect(self._annotate)

        top = QHBoxLayout()
        top.addWidget(self.kind_label)
        top.addWidget(self.kind, 1)
        buttons = QGridLayout()  # two by two: the panel stays narrow
        for i, b in enumerate((self.btn_editor, self.btn_obsidian, self.btn_focus, self.btn_hide)):
            buttons.addWidget(b, i // 2, i % 2)
        ann = QGridLayout()
        ann.addWidget(self.ann_text, 0, 0, 1, 2)
        ann.addWidget(self.ann_stance, 1, 0)
        ann.addWidget(self.ann_add, 1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(top)
        lay.addLayout(buttons)
        lay.addWidget(self.browser, 1)
        lay.addLayout(ann)
        self.clear()

    # -- filling ---------------------------------------------------------------------
    def set_taxonomy(self, taxonomy: dict[str, dict]) -> None:
        self.kind.clear()
        for k, v in taxonomy.items():
            self.kind.addItem(v.get("name", k), k)

    def clear(self) -> None:
        self.node_id = None
        self.title.setText("Nothing selected")
        self.browser.setHtml(
            "<p><i>Click a node on the map, or a search hit, to see its details.</i></p>"
        )
        self._set_claim_controls(False, False)

    def _set_claim_controls(self, is_claim: bool, has_note: bool) -> None:
        for w in (self.kind, self.kind_label, self.ann_text, self.ann_stance, self.ann_add):
            w.setVisible(is_claim)
        for w in (self.btn_editor, self.btn_obsidian):
            w.setEnabled(has_note)
        self.btn_focus.setEnabled(self.node_id is not None)
        self.btn_hide.setEnabled(self.node_id is not None)

    def _link(self, node_id: str, text: str) -> str:
        self._links.append(node_id)
        return f'<a href="#k{len(self._links) - 1}">{escape(text)}</a>'

    def show_details(
        self, d: dict, lines: list[tuple[int, str]] | str | None, kind_names: dict[str, str]
    ) -> None:
        """Show a node; ``lines`` is the note around it, or a message why it is missing."""
        self.node_id = d["id"]
        self._links = []
        ntype = d.get("type", "")
        is_claim = ntype == "claim"
        self._set_claim_controls(is_claim, bool(d.get("note")))
        self.title.setText(f"{ntype.capitalize()}: {d.get('label', d['id'])}")
        if is_claim:
            i = self.kind.findData(d.get("kind"))
            if i < 0 and d.get("kind"):
                self.kind.addItem(str(d["kind"]), d["kind"])
                i = self.kind.count() - 1
            self.kind.setCurrentIndex(i)
        h = [f"<p style='font-size:11pt'>{escape(str(d.get('text') or d.get('label', '')))}</p>"]
        facts = []
        if is_claim:
            kind = kind_names.get(d.get("kind", ""), d.get("kind", ""))
            how = (
                "set by you"
                if d.get("kind_source") == "user"
                else f"{d.get('kind_source', '?')}, confidence {float(d.get('confidence', 0)):.2f}"
            )
            facts.append(
                ("Kind", f"{escape(kind)} <span style='color:gray'>({escape(how)})</span>")
            )
        if is_claim and d.get("voice"):
            whose = "the author's own" if d["voice"] == "author" else "the source's"
            conf = float(d.get("voice_confidence", 0))
            facts.append(("Voice", f"{whose} <span style='color:gray'>({conf:.2f})</span>"))
        if ntype == "annotation" and d.get("stance"):
            facts.append(("Stance", escape(d["stance"])))
        for key, label in (
            ("note", "Note"),
            ("section", "Section"),
            ("line", "Line"),
            ("community", "Community"),
        ):
            if d.get(key) not in (None, ""):
                facts.append((label, escape(str(d[key]))))
        if d.get("url"):
            url = escape(str(d["url"]), quote=True)
            facts.append(("URL", f'<a href="{url}">{url}</a>'))
        if facts:
            h.append(
                "<table cellspacing=2>"
                + "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in facts)
                + "</table>"
            )
        if isinstance(lines, str):
            h.append(f"<p style='color:#c0392b'>{escape(lines)}</p>")
        elif lines:
            line = int(d.get("line", 0) or 0)
            rows = []
            for n, text in lines:
                style = "background:#fff3b0;color:#000" if n == line else "color:gray"
                rows.append(
                    f"<tr><td align=right style='color:gray'>{n}</td><td style='{style}'>{escape(text) or '&nbsp;'}</td></tr>"
                )
            h.append(
                "<h4>In the note</h4><table cellspacing=0 cellpadding=1 style='font-family:monospace'>"
                + "".join(rows)
                + "</table>"
            )

        def section(title: str, items: list[dict], extra) -> None:
            if items:
                h.append(f"<h4>{escape(title)} ({len(items)})</h4><ul>")
                h.extend(f"<li>{self._link(it['id'], it['label'])}{extra(it)}</li>" for it in items)
                h.append("</ul>")

        def ann_extra(it):
            stance = it.get("stance", "note")
            colour = STANCE_COLOURS.get(stance, "gray")
            own = " <i>(yours)</i>" if it.get("own") else ""
            return f" <span style='color:{colour}'>[{escape(stance)}]</span>{own}"

        def hide_edge(it, etype):
            # The window turns the edge round when it is stored the other way.
            self._links.append(edge_id(self.node_id, it["id"], etype))
            return f" <a href='#k{len(self._links) - 1}' style='color:gray'>hide edge</a>"

        section("Annotations", d.get("annotations", []), ann_extra)
        section("Annotates", d.get("annotates", []), ann_extra)
        section("References", d.get("references", []), lambda it: "")
        section("Concepts", d.get("concepts", []), lambda it: "")
        section(
            "Similar claims",
            d.get("similar", []),
            lambda it: f" ({it['score']:.2f})" + hide_edge(it, it.get("edge", "similar")),
        )
        section(
            "Tensions",
            d.get("tensions", []),
            lambda it: (
                f" ({it['score']:.2f}{', ' + escape(it['reason']) if it.get('reason') else ''})"
                + hide_edge(it, "tension")
            ),
        )
        section("Inside", d.get("parents", []), lambda it: "")
        self.browser.setHtml("".join(h))

    # -- user actions ----------------------------------------------------------------
    def _anchor(self, url: QUrl) -> None:
        frag = url.fragment()
        if frag.startswith("k") and frag[1:].isdigit() and int(frag[1:]) < len(self._links):
            target = self._links[int(frag[1:])]
            if target.startswith("edge:"):
                self.hideRequested.emit(target)
            else:
                self.nodeLinkActivated.emit(target)
        elif url.scheme() in ("http", "https"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)

    def activate_link(self, node_id: str) -> bool:
        """Follow the first link to ``node_id`` (what a click on it does)."""
        if node_id in self._links:
            self._anchor(QUrl(f"#k{self._links.index(node_id)}"))
            return True
        return False

    def links(self) -> list[str]:
        return list(self._links)

    def _kind_chosen(self, index: int) -> None:
        if self.node_id is not None:
            self.kindChangeRequested.emit(self.node_id, self.kind.itemData(index))

    def _annotate(self) -> None:
        text = self.ann_text.text().strip()
        if self.node_id is not None and text:
            self.annotationRequested.emit(self.node_id, text, self.ann_stance.currentData())
            self.ann_text.clear()

    def _emit_open(self, how: str) -> None:
        if self.node_id is not None:
            self.openRequested.emit(self.node_id, how)
