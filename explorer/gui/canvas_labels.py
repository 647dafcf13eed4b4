"""The map's labels at every zoom (see :mod:`explorer.graph.labels` for the rules).

One layer draws them all, in device pixels so text keeps its size whatever the zoom:
community titles over their regions at overview zoom, the most central nodes'
labels without overlap in the middle band, every visible node's label close up.
What it decides is kept for the frame (``placed``) so that tests and the status bar
can read it; it is worked out again only when the view or the model changes, so a
frame that repaints a strip of a pan reuses it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from explorer.graph.labels import (
    COMMUNITY_SPOTS,
    MIDDLE_MAX_LABELS,
    NODE_SPOTS,
    place_labels,
    zoom_band,
)

MAX_COMMUNITY_LABELS = 80  # candidates per frame, biggest communities first
MAX_NODE_CANDIDATES = 400  # node labels tried per frame, most central first
NODE_CHARS = {"middle": 34, "close": 48}
FEW_TITLES = 3  # fewer community titles than this in an overview: name central nodes too
FEW_TITLES_NODE_LABELS = 40


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Placed:
    """One label drawn this frame: what it is, its lines and its box (device pixels)."""

    __slots__ = ("kind", "key", "lines", "rect")

    def __init__(self, kind: str, key, lines: tuple[str, ...], rect: QRectF):
        self.kind, self.key, self.lines, self.rect = kind, key, lines, rect

    def __repr__(self) -> str:
        return f"Placed({self.kind}, {self.key!r}, {self.lines[0]!r})"


class MapLabelLayer(QGraphicsItem):
    def __init__(self, canvas: QGraphicsView, z: float = 3):  # a GraphCanvas
        super().__init__()
        self.canvas = canvas
        self.setZValue(z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.band = ""
        self.placed: list[Placed] = []
        self._key: tuple | None = None
        self._communities: list | None = None
        self.title_font = QFont()
        self.title_font.setPointSizeF(10.5)
        self.title_font.setBold(True)
        self.sub_font = QFont()
        self.sub_font.setPointSizeF(8.5)
        self.sub_font.setItalic(True)
        self.node_font = QFont()
        self.node_font.setPointSizeF(8.5)

    def boundingRect(self) -> QRectF:
        # Labels reach past the nodes (a title centred on a region at the map's edge):
        # the room the canvas leaves around the map for panning (its scene rect).
        r = self.canvas.content_rect
        w, h = max(r.width(), 200), max(r.height(), 200)
        return r.adjusted(-w, -h, w, h)

    def rebuild(self) -> None:
        self._key = None
        self._communities = None
        self.update()

    # -- deciding -------------------------------------------------------------------
    def plan(self, painter: QPainter) -> None:
        """Decide the labels for the view the painter draws (cached per view)."""
        m = self.canvas.model
        t = painter.worldTransform()
        dev = painter.device()
        size = (dev.width(), dev.height()) if dev is not None else (0, 0)
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), size, id(m))
        if key == self._key:
            return
        self._key = key
        self.placed = []
        self.band = ""
        if m is None or not len(m) or not size[0]:
            return
        inv, ok = t.inverted()
        if not ok:
            return
        view = inv.mapRect(QRectF(0, 0, size[0], size[1]))
        idx = m.nodes_in(view.left(), view.top(), view.right(), view.bottom())
        lod = max(abs(t.m11()), 1e-9)
        self.band = zoom_band(len(idx))
        if self.band == "overview":
            self._plan_communities(t, size)
            if len(self.placed) < FEW_TITLES:
                # Zoomed into one big community: its title alone says little, so the
                # most central nodes are named too, around it.
                self._plan_nodes(t, idx, lod, size, cap=FEW_TITLES_NODE_LABELS)
        else:
            self._plan_nodes(t, idx, lod, size)

    def _plan_communities(self, t, size) -> None:
        m = self.canvas.model
        if self._communities is None:
            self._communities = m.communities()
        tm, sm = QFontMetricsF(self.title_font), QFontMetricsF(self.sub_font)
        boxes, what = [], []
        for c, x, y, _, _ in self._communities:
            if len(boxes) >= MAX_COMMUNITY_LABELS:
                break
            p = t.map(QPointF(x, y))
            if not (0 <= p.x() <= size[0] and 0 <= p.y() <= size[1]):
                continue
            title, claim = m.community_titles.get(c, (f"community {c}", ""))
            lines = (_short(title, 48), _short(claim, 56)) if claim else (_short(title, 48),)
            w = max([tm.horizontalAdvance(lines[0])] + [sm.horizontalAdvance(s) for s in lines[1:]])
            h = tm.height() + (sm.height() if claim else 0)
            boxes.append((p.x(), p.y(), w + 10, h + 6))
            what.append((c, lines))
        for i, left, top, w, h in place_labels(boxes, COMMUNITY_SPOTS, gap=4, bounds=(0, 0, *size)):
            c, lines = what[i]
            self.placed.append(Placed("community", c, lines, QRectF(left, top, w, h)))

    def _plan_nodes(self, t, idx: np.ndarray, lod: float, size, cap=MIDDLE_MAX_LABELS) -> None:
        m = self.canvas.model
        close = self.band == "close"
        order = idx[np.argsort(-m.radius[idx], kind="stable")][:MAX_NODE_CANDIDATES]
        fm = QFontMetricsF(self.node_font)
        h = fm.height()
        # Labels already placed (community titles) are obstacles, placed first.
        boxes = [
            (p.rect.left(), p.rect.top(), p.rect.width(), p.rect.height()) for p in self.placed
        ]
        taken = len(boxes)
        what = []
        limit = NODE_CHARS.get(self.band, NODE_CHARS["middle"])
        for i in order.tolist():
            p = t.map(QPointF(*m.xy[i]))
            text = _short(m.labels[i], limit)
            boxes.append((p.x(), p.y(), fm.horizontalAdvance(text) + 4, h, m.radius[i] * lod + 2))
            what.append((i, text))
        placed = place_labels(
            boxes, NODE_SPOTS, gap=1, keep_all=close, bounds=(0, 0, *size), fixed=taken
        )
        placed = [p for p in placed if p[0] >= taken]
        if not close:
            placed = placed[:cap]
        for j, left, top, w, hh in placed:
            i, text = what[j - taken]
            self.placed.append(Placed("node", m.ids[i], (text,), QRectF(left, top, w, hh)))

    # -- drawing --------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.canvas.model is None:
            return
        self.plan(painter)
        if not self.placed:
            return
        colours = self.canvas.colours
        bg = QColor(colours["background"])
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.band == "overview":
            halo = QColor(bg)
            halo.setAlpha(215)
            tm, sm = QFontMetricsF(self.title_font), QFontMetricsF(self.sub_font)
            for p in self.placed:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(halo)
                painter.drawRoundedRect(p.rect, 5, 5)
                painter.setPen(colours["text"])
                painter.setFont(self.title_font)
                y = p.rect.top() + 3 + tm.ascent()
                painter.drawText(
                    QPointF(p.rect.center().x() - tm.horizontalAdvance(p.lines[0]) / 2, y),
                    p.lines[0],
                )
                if len(p.lines) > 1:
                    painter.setFont(self.sub_font)
                    y = p.rect.top() + 3 + tm.height() + sm.ascent()
                    painter.drawText(
                        QPointF(p.rect.center().x() - sm.horizontalAdvance(p.lines[1]) / 2, y),
                        p.lines[1],
                    )
        else:
            halo = QColor(bg)
            halo.setAlpha(170)
            fm = QFontMetricsF(self.node_font)
            painter.setFont(self.node_font)
            for p in self.placed:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(halo)
                painter.drawRect(p.rect)
                painter.setPen(colours["text"])
                painter.drawText(QPointF(p.rect.left() + 2, p.rect.top() + fm.ascent()), p.lines[0])
        painter.restore()
