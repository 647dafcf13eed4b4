"""The map: a native QGraphicsView that stays fluid at 20,000 claims.

A scene with one item per node spends its time in Python calls, so the scene holds
five layer items instead, each painting a whole layer from :class:`CanvasModel`
arrays in a few batched calls: nodes as wide points (one ``drawPoints`` per colour
and size), edges as one ``drawLines`` per edge type. Level of detail decides what a
frame draws: faint edges and labels only when zoomed in, community discs only when
zoomed out, antialiasing only when few nodes are in view. The layers that change
rarely use ``DeviceCoordinateCache``, so a pan repaints only the newly exposed strip.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from explorer.graph.filters import Visible
from explorer.gui.canvas_labels import MapLabelLayer
from explorer.gui.canvas_model import R_MAX, CanvasModel, clip_segments
from explorer.gui.style import EDGE_STYLES, SQUARE_TYPES, TYPE_COLOURS, canvas_colours, edge_style

LOD_FAINT = 0.55  # device pixels per scene unit above which faint edges are drawn
LOD_LABELS = 0.7  # ... above which labels are drawn
LOD_COMMUNITY = 0.22  # ... below which community discs are drawn
MAX_LABELS = 350  # labels per frame, biggest nodes first
AA_NODE_LIMIT = 2500  # antialias only when fewer nodes than this are in view
ZOOM_MIN, ZOOM_MAX = 0.01, 12.0
# Qt's dash, dot and dash-dot patterns repeat every 6, 3 and 9 pen widths: 18 is a
# whole number of each, so an edge cut at a multiple of it keeps its dashes in place.
DASH_PERIOD = 18.0
# DeviceCoordinateCache on the layers was measured slower here (benchmarks/bench_gui.py,
# docs/BENCHMARKS.md): each layer already draws only what is exposed, in a few
# batched calls, so caching adds a full-viewport pixmap per layer to fill and blend.
LAYER_CACHE = False


def _lod(painter: QPainter) -> float:
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def _in_view(painter: QPainter, exposed: QRectF) -> QRectF:
    """The exposed area cut to what the painter's device shows, in scene units.

    ``QGraphicsView.render`` (images, SVG, benchmarks) exposes the whole item, so a
    layer that trusted ``exposedRect`` alone would draw the whole map at every zoom.
    """
    device = painter.device()
    inverse, ok = painter.worldTransform().inverted()
    if device is None or not ok:
        return exposed
    # width() is in logical pixels for a widget and device pixels for an image: the
    # larger of the two only widens the area, which costs time, never a missing line.
    shown = inverse.mapRect(QRectF(0, 0, device.width(), device.height()))
    return exposed.intersected(shown)


class _Layer(QGraphicsItem):
    """A whole-scene item that paints one layer of the map from the model's arrays."""

    def __init__(self, canvas: GraphCanvas, z: float, cached: bool):
        super().__init__()
        self.canvas = canvas
        self.setZValue(z)
        # exposedRect in paint(): lets a layer skip what is off screen.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self.canvas.content_rect

    def rebuild(self) -> None:
        """Recompute what is drawn after the model, visibility or palette changed."""
        self.update()


def polygon_from(xy: np.ndarray) -> QPolygonF:
    """A QPolygonF filled straight from an (n, 2) array: no Python object per point."""
    n = len(xy)
    poly = QPolygonF()
    if n == 0:
        return poly
    poly.resize(n)
    buf = shiboken6.VoidPtr(poly.data(), n * 16, True)
    np.frombuffer(buf, dtype=np.float64, count=2 * n)[:] = np.ascontiguousarray(
        xy, dtype=np.float64
    ).ravel()
    return poly


def _blend(colour: str, alpha: int, background: QColor) -> QColor:
    """An opaque colour that looks like ``colour`` at ``alpha`` over the background.

    Opaque 1-pixel pens take Qt's fast line path; translucent ones are several
    times slower to draw, which matters with thousands of edges in view.
    """
    c = QColor(colour)
    a = alpha / 255.0
    return QColor(
        round(c.red() * a + background.red() * (1 - a)),
        round(c.green() * a + background.green() * (1 - a)),
        round(c.blue() * a + background.blue() * (1 - a)),
    )


class NodeLayer(_Layer):
    """Nodes as sprites: one antialiased disc or square per (shape, colour, size) is
    drawn into an atlas at the current zoom, then every node in view is stamped from
    it by a single ``drawPixmapFragments`` call fed straight from a numpy array.

    Drawing the nodes as wide points or ellipses costs microseconds per node in Qt's
    path stroker; stamping costs a small blit each.
    """

    def __init__(self, canvas):
        super().__init__(canvas, 2, cached=LAYER_CACHE)
        self.groups: list[
            tuple[bool, QColor, float, np.ndarray]
        ] = []  # (square, colour, radius, members)
        self._atlas_key: tuple | None = None
        self._atlas: QPixmap | None = None
        self._cells: list[
            tuple[float, float, float]
        ] = []  # per group: source left, top, side (device px)

    def rebuild(self) -> None:
        m = self.canvas.model
        self.groups = []
        if m is not None and len(m):
            keys: dict[tuple[bool, str, float], list[int]] = {}
            for i in np.flatnonzero(m.node_visible).tolist():
                keys.setdefault((bool(m.square[i]), m.colour[i], float(m.radius[i])), []).append(i)
            # Small nodes first, so big ones sit on top of the small ones around them.
            for (square, colour, r), members in sorted(keys.items(), key=lambda kv: kv[0][2]):
                self.groups.append((square, QColor(colour), r, np.array(members, dtype=np.int64)))
        self._atlas_key = None
        self.update()

    def _ensure_atlas(self, lod: float, dpr: float) -> None:
        key = (round(lod, 4), dpr, len(self.groups), id(self.groups))
        if key == self._atlas_key:
            return
        sides = [max(2.0, 2 * r * lod) + 2 for _, _, r, _ in self.groups]
        width = int(np.ceil(sum(sides) * dpr)) + 2 * len(sides) + 2
        height = int(np.ceil(max(sides, default=2) * dpr)) + 2
        atlas = QPixmap(max(width, 1), max(height, 1))
        atlas.fill(Qt.GlobalColor.transparent)
        p = QPainter(atlas)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._cells = []
        left = 1.0
        for (square, colour, _, _), side in zip(self.groups, sides, strict=True):
            s = side * dpr
            p.setBrush(colour)
            # A darker rim keeps touching nodes of one colour apart when close up.
            p.setPen(QPen(colour.darker(140), dpr) if side > 7 else Qt.PenStyle.NoPen)
            body = QRectF(left + dpr, 1 + dpr, s - 2 * dpr, s - 2 * dpr)
            if square:
                p.drawRect(body)
            else:
                p.drawEllipse(body)
            self._cells.append((left, 1.0, s))
            left += np.ceil(s) + 2
        p.end()
        atlas.setDevicePixelRatio(dpr)
        self._atlas = atlas
        self._atlas_key = key

    def paint(self, painter: QPainter, option, widget=None) -> None:
        m = self.canvas.model
        if m is None or not self.groups:
            return
        t = painter.worldTransform()
        lod = _lod(painter)
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        self._ensure_atlas(lod, dpr)
        pad = R_MAX + 2 / max(lod, 1e-6)
        r = _in_view(painter, option.exposedRect).adjusted(-pad, -pad, pad, pad)
        x, y = m.xy[:, 0], m.xy[:, 1]
        inside = (x >= r.left()) & (x <= r.right()) & (y >= r.top()) & (y <= r.bottom())
        parts = []
        for (_, _, _, members), (sl, st, side) in zip(self.groups, self._cells, strict=True):
            chosen = members[inside[members]]
            if len(chosen) == 0:
                continue
            frag = np.empty((len(chosen), 10), dtype=np.float64)
            px, py = m.xy[chosen, 0], m.xy[chosen, 1]
            frag[:, 0] = t.m11() * px + t.m21() * py + t.dx()
            frag[:, 1] = t.m12() * px + t.m22() * py + t.dy()
            frag[:, 2:6] = (sl, st, side, side)
            frag[:, 6:10] = (1.0 / dpr, 1.0 / dpr, 0.0, 1.0)
            parts.append(frag)
        if not parts:
            return
        frags = np.ascontiguousarray(np.vstack(parts))
        painter.save()
        painter.resetTransform()
        first = shiboken6.wrapInstance(frags.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, len(frags), self._atlas)
        painter.restore()


class EdgeLayer(_Layer):
    """Edges as one ``drawLines`` per type, culled to the exposed area each frame.

    A type's QLineF list is built the first time a frame needs it: faint types
    (most of the edges) are not drawn at all until the user zooms in.
    """

    def __init__(self, canvas):
        super().__init__(canvas, 1, cached=LAYER_CACHE)
        # [faint, thin pen, styled pen, edge numbers, boxes (k, 4): min x, min y, max x,
        #  max y, lines (built on first use), ends (k, 4): x1, y1, x2, y2]
        self.groups: list[list] = []

    def rebuild(self) -> None:
        m = self.canvas.model
        self.groups = []
        if m is not None and m.edge_visible.any():
            bg = self.canvas.colours["background"]
            for etype in np.unique(m.etype[m.edge_visible]):
                idx = np.flatnonzero(m.edge_visible & (m.etype == etype))
                a, b = m.xy[m.src[idx]], m.xy[m.dst[idx]]
                boxes = np.hstack([np.minimum(a, b), np.maximum(a, b)])
                st = edge_style(str(etype))
                colour = st.colour
                if self.canvas.dark and colour.lower() in ("#4d4d4d", "#2c3e50"):
                    colour = "#aab7c4"  # dark edge colours would vanish on a dark canvas
                thin = QPen(_blend(colour, st.alpha, bg), 1.0, st.style)
                thin.setCosmetic(True)
                styled = QPen(_blend(colour, st.alpha, bg), st.width, st.style)
                styled.setCosmetic(True)
                ends = np.hstack([a, b])
                self.groups.append([st.faint, thin, styled, idx, boxes, None, ends])
            # Faint first so the meaningful edges draw over them.
            self.groups.sort(key=lambda g: not g[0])
        self.update()

    def _lines(self, group: list) -> list[QLineF]:
        if group[5] is None:
            m = self.canvas.model
            idx = group[3]
            ends = np.hstack([m.xy[m.src[idx]], m.xy[m.dst[idx]]]).tolist()
            group[5] = [QLineF(x1, y1, x2, y2) for x1, y1, x2, y2 in ends]
        return group[5]

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = _lod(painter)
        r = _in_view(painter, option.exposedRect)
        close = lod >= 1.5
        # Antialiased and wide lines cost several times more; only worth it close up,
        # where few edges are in view.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, close)
        for group in self.groups:
            faint, thin, styled, _, boxes, _, ends = group
            if faint and lod < LOD_FAINT:
                continue
            hit = np.flatnonzero(
                (boxes[:, 2] >= r.left())
                & (boxes[:, 0] <= r.right())
                & (boxes[:, 3] >= r.top())
                & (boxes[:, 1] <= r.bottom())
            )
            if len(hit) == 0:
                continue
            pen = styled if close else thin
            painter.setPen(pen)
            if lod >= LOD_FAINT:
                # Zoomed in: draw only the part of each edge inside the view (see
                # clip_segments), dashes anchored to the edge's start.
                width = max(pen.widthF(), 1.0)
                margin = 2 * width / lod
                cut, _ = clip_segments(
                    ends[hit],
                    r.left() - margin,
                    r.top() - margin,
                    r.right() + margin,
                    r.bottom() + margin,
                    period=DASH_PERIOD * width / lod,
                )
                painter.drawLines([QLineF(*row) for row in cut.tolist()])
                continue
            lines = self._lines(group)
            painter.drawLines(lines if len(hit) == len(lines) else [lines[i] for i in hit.tolist()])


class CommunityLayer(_Layer):
    def __init__(self, canvas):
        super().__init__(canvas, 0, cached=LAYER_CACHE)
        self.discs: list[tuple[int, float, float, float, int]] = []

    def rebuild(self) -> None:
        m = self.canvas.model
        self.discs = m.communities() if m is not None else []
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = _lod(painter)
        if lod >= LOD_COMMUNITY or not self.discs:
            return
        colours = self.canvas.colours
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colours["community"]))
        for _, x, y, r, _ in self.discs:
            painter.drawEllipse(QPointF(x, y), r, r)
        # Their titles are drawn by the label layer (canvas_labels.py).


class OverlayLayer(_Layer):
    """Selection rings, search highlights and the path: few items, redrawn often."""

    def __init__(self, canvas):
        super().__init__(canvas, 4, cached=False)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        c = self.canvas
        m = c.model
        if m is None:
            return
        lod = max(_lod(painter), 1e-6)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if c.path_edges:
            pen = QPen(c.colours["path"], 4)
            pen.setCosmetic(True)
            painter.setPen(pen)
            for e in c.path_edges:
                painter.drawLine(QPointF(*m.xy[m.src[e]]), QPointF(*m.xy[m.dst[e]]))
        for nodes, colour, width in (
            (c.highlighted, c.colours["highlight"], 2.0),
            (c.path_nodes, c.colours["path"], 2.5),
            (c.selected, c.colours["select"], 3.0),
        ):
            pen = QPen(colour, width)
            pen.setCosmetic(True)
            painter.setPen(pen)
            for i in nodes:
                if not m.node_visible[i]:
                    continue
                r = float(m.radius[i]) + 4 / lod
                painter.drawEllipse(QPointF(*m.xy[i]), r, r)


class Legend(QWidget):
    """What the colours, shapes and line styles mean: the window shows it in a panel of
    its own (never over the map); every relation type has a line."""

    EDGES = tuple(EDGE_STYLES)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[
            tuple[str, str, str]
        ] = []  # (shape: disc|square|line, colour or edge type, text)
        self.dark = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = self.font()
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        self.setFont(font)

    def set_kinds(self, kinds: list[tuple[str, str]]) -> None:
        self.rows = [("disc", colour, name) for name, colour in kinds]
        for t in ("annotation", "concept", "reference", "note", "section"):
            self.rows.append(("square" if t in SQUARE_TYPES else "disc", TYPE_COLOURS[t], t))
        self.rows += [("line", e, edge_style(e).label) for e in self.EDGES]
        fm = QFontMetricsF(self.font())
        width = max(fm.horizontalAdvance(text) for _, _, text in self.rows) + 40
        self.resize(int(width), int(len(self.rows) * (fm.height() + 1) + 10))
        self.setMinimumSize(self.size())
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QColor(128, 128, 128, 120))
        p.setBrush(QColor(40, 40, 44, 215) if self.dark else QColor(255, 255, 255, 215))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        fm = QFontMetricsF(self.font())
        h = fm.height() + 1
        text_colour = QColor("#e8e8e8") if self.dark else QColor("#1b1b1b")
        y = 5.0
        for shape, what, text in self.rows:
            mid = QPointF(14, y + h / 2)
            if shape == "line":
                st = edge_style(what)
                p.setPen(QPen(QColor(st.colour), 1.6, st.style))
                p.drawLine(QPointF(5, mid.y()), QPointF(23, mid.y()))
            else:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(what))
                if shape == "square":
                    p.drawRect(QRectF(mid.x() - 4.5, mid.y() - 4.5, 9, 9))
                else:
                    p.drawEllipse(mid, 4.5, 4.5)
            p.setPen(text_colour)
            p.drawText(QPointF(28, y + fm.ascent()), text)
            y += h
        p.end()


class GraphCanvas(QGraphicsView):
    """The map widget. Feed it a graph with :meth:`set_graph`; it emits what the user does."""

    nodeClicked = Signal(str, bool)  # node id, whether Ctrl/Shift was held (add to selection)
    nodeActivated = Signal(str)  # double click
    nodeContextMenu = Signal(str, QPoint)
    edgeContextMenu = Signal(object, QPoint)  # (u, v, key)
    nodeDragged = Signal(str, float, float)  # node id, where it was dropped (scene units)
    backgroundClicked = Signal()
    zoomChanged = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model: CanvasModel | None = None
        self.dark = False
        self.colours = canvas_colours(False)
        self.content_rect = QRectF(-100, -100, 200, 200)
        self.selected: list[int] = []
        self.highlighted: list[int] = []
        self.path_nodes: list[int] = []
        self.path_edges: list[int] = []
        self._press: QPoint | None = None
        self._drag: int | None = None  # the node being dragged (pressed on, then moved)
        self._dragging = False
        self.edge_text = None  # (u, v, key) -> text for an edge's tooltip, set by the window

        scene = QGraphicsScene(self)
        # The layers are few; the BSP index still keeps hit tests on overlays cheap.
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setScene(scene)
        self.layers = [
            CommunityLayer(self),
            EdgeLayer(self),
            NodeLayer(self),
            MapLabelLayer(self),
            OverlayLayer(self),
        ]
        self.community_layer, self.edge_layer, self.node_layer, self.label_layer, self.overlay = (
            self.layers
        )
        for item in self.layers:
            scene.addItem(item)

        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        # A child of the view, not of its viewport: the viewport's children scroll with it.
        # The window docks it (main_window.py); alone, the canvas shows it in a corner.
        self.legend = Legend(self)
        self.legend.move(10, 10)
        self.set_dark(False)
        self.setToolTip(
            "Drag to pan, wheel to zoom, click a node for its details, right-click for actions"
        )

    # -- content -------------------------------------------------------------------
    def set_model(self, model: CanvasModel | None, visible: Visible | None = None) -> None:
        """Show a new model, with only ``visible`` shown when given (one rebuild either way)."""
        self.model = model
        self.selected, self.highlighted, self.path_nodes, self.path_edges = [], [], [], []
        if model is not None and visible is not None:
            model.set_visible(visible)
        self._update_rect()
        self.rebuild()

    def set_visible(self, visible: Visible) -> None:
        if self.model is None:
            return
        self.model.set_visible(visible)
        self.rebuild()

    def set_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        if self.model is None:
            return
        self.model.set_positions(positions)
        self._update_rect()
        self.rebuild()

    def rebuild(self) -> None:
        for item in self.layers:
            item.rebuild()
        self.viewport().update()

    def _update_rect(self) -> None:
        left, top, right, bottom = (
            self.model.bounds() if self.model is not None else (-100, -100, 100, 100)
        )
        rect = QRectF(left, top, right - left, bottom - top)
        self.content_rect = rect.adjusted(-40, -40, 40, 40)
        for item in self.layers:
            item.prepareGeometryChange()
        # Room around the map so a node at the edge can still be panned to the centre.
        w, h = max(rect.width(), 200), max(rect.height(), 200)
        self.scene().setSceneRect(rect.adjusted(-w, -h, w, h))

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self.colours = canvas_colours(dark)
        self.setBackgroundBrush(self.colours["background"])
        self.legend.dark = dark
        self.legend.update()
        self.rebuild()

    # -- selection and emphasis ------------------------------------------------------
    def _indices(self, ids) -> list[int]:
        if self.model is None:
            return []
        return [self.model.index[n] for n in ids if n in self.model.index]

    def set_selected(self, ids: list[str]) -> None:
        self.selected = self._indices(ids)
        self.overlay.update()

    def set_highlighted(self, ids: list[str]) -> None:
        self.highlighted = self._indices(ids)
        self.overlay.update()

    def set_path(self, nodes: list[str], edges: list[tuple[str, str, object]]) -> None:
        self.path_nodes = self._indices(nodes)
        m = self.model
        if m is None:
            self.path_edges = []
        else:
            where = {k: i for i, k in enumerate(m.edge_keys)} if edges else {}
            self.path_edges = [where[k] for k in edges if k in where]
        self.overlay.update()

    def centre_on(self, node_id: str, zoom_to: float | None = 1.2) -> bool:
        """Centre the view on a node, zooming in to ``zoom_to`` when further out."""
        if self.model is None or node_id not in self.model.index:
            return False
        i = self.model.index[node_id]
        if zoom_to is not None and self.zoom() < zoom_to:
            self.set_zoom(zoom_to)
        self.centerOn(QPointF(*self.model.xy[i]))
        return True

    # -- zoom ------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, z: float) -> None:
        z = min(max(z, ZOOM_MIN), ZOOM_MAX)
        self.scale(z / self.zoom(), z / self.zoom())
        self.zoomChanged.emit(self.zoom())

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom() * factor, ZOOM_MIN), ZOOM_MAX)
        f = target / self.zoom()
        self.scale(f, f)
        self.zoomChanged.emit(self.zoom())

    def fit(self) -> None:
        """Show every visible node."""
        m = self.model
        if m is None or not m.node_visible.any():
            return
        pts = m.xy[m.node_visible]
        lo, hi = pts.min(axis=0) - 30, pts.max(axis=0) + 30
        self.fitInView(
            QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]), Qt.AspectRatioMode.KeepAspectRatio
        )
        self.zoomChanged.emit(self.zoom())

    def zoom_at(self, factor: float, pos: QPoint) -> None:
        """Zoom keeping the scene point under viewport position ``pos`` where it is."""
        anchor = self.mapToScene(pos)
        self.zoom_by(factor)
        moved = self.mapFromScene(anchor) - pos
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())

    def wheelEvent(self, event) -> None:
        # Anchored at the wheel event's own position: Qt's AnchorUnderMouse uses the
        # last mouse-move position, which lags behind on touchpads and in tests.
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_at(1.2**steps, event.position().toPoint())
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    # -- hit tests and mouse -----------------------------------------------------------
    def node_at(self, pos: QPoint) -> str | None:
        """The node under a viewport position."""
        if self.model is None:
            return None
        p = self.mapToScene(pos)
        i = self.model.node_at(p.x(), p.y(), tolerance=3 / max(self.zoom(), 1e-6))
        return None if i is None else self.model.ids[i]

    def edge_at(self, pos: QPoint):
        if self.model is None:
            return None
        p = self.mapToScene(pos)
        i = self.model.edge_at(p.x(), p.y(), tolerance=4 / max(self.zoom(), 1e-6))
        return None if i is None else self.model.edge_keys[i]

    def mousePressEvent(self, event) -> None:
        self._press = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.node_at(self._press)
            if node is not None:
                self._drag, self._dragging = self.model.index[node], False
                add = bool(
                    event.modifiers()
                    & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
                )
                self.nodeClicked.emit(node, add)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        # Dragging a node moves it (and pins it on release); dragging elsewhere pans.
        if self._drag is not None and event.buttons() & Qt.MouseButton.LeftButton:
            pos = event.position().toPoint()
            if self._dragging or (pos - (self._press or pos)).manhattanLength() >= 4:
                self._dragging = True
                p = self.mapToScene(pos)
                self.model.xy[self._drag] = (p.x(), p.y())
                self.edge_layer.rebuild()
                self.label_layer.rebuild()
                self.overlay.update()
                self.node_layer.update()
                event.accept()
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is not None:
            i, dragged = self._drag, self._dragging
            self._drag, self._dragging = None, False
            if dragged:
                x, y = self.model.xy[i]
                self.nodeDragged.emit(self.model.ids[i], float(x), float(y))
                self._press = None
                event.accept()
                return
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self._press is not None
            and (pos - self._press).manhattanLength() < 4
            and self.node_at(pos) is None
        ):
            self.backgroundClicked.emit()
        self._press = None

    def mouseDoubleClickEvent(self, event) -> None:
        node = self.node_at(event.position().toPoint())
        if node is not None:
            self.nodeActivated.emit(node)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        node = self.node_at(event.pos())
        if node is not None:
            self.nodeContextMenu.emit(node, event.globalPos())
            return
        edge = self.edge_at(event.pos())
        if edge is not None:
            self.edgeContextMenu.emit(edge, event.globalPos())

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.model is not None:
            node = self.node_at(event.pos())
            edge = None if node is not None else self.edge_at(event.pos())
            if node is not None:
                QToolTip.showText(event.globalPos(), self.tooltip_for(node), self.viewport())
            elif edge is not None:
                QToolTip.showText(event.globalPos(), self.edge_tooltip(edge), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_for(self, node_id: str) -> str:
        m = self.model
        i = m.index[node_id]
        from html import escape

        return f"<b>{escape(m.ntype[i])}</b><br>{escape(m.labels[i])}"

    def edge_tooltip(self, key) -> str:
        """What an edge is ("similar 0.83", "tension: …", "annotates: doubt"): the window
        sets ``edge_text`` to read the edge's attributes; alone, its type."""
        from html import escape

        if self.edge_text is not None:
            return escape(self.edge_text(key))
        m = self.model
        i = m.edge_keys.index(key) if m is not None and key in m.edge_keys else -1
        return escape(str(m.etype[i])) if i >= 0 else ""

    # -- images ------------------------------------------------------------------------
    def render_image(self, size: QSize | None = None) -> QImage:
        """What the view shows now, drawn into an image (default: the viewport's size)."""
        size = size or self.viewport().size()
        img = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(self.colours["background"])
        p = QPainter(img)
        self.render(p, QRectF(0, 0, size.width(), size.height()), self.viewport().rect())
        p.end()
        return img

    def save_png(self, path: str, scale: float = 2.0) -> bool:
        vp = self.viewport().size()
        return self.render_image(QSize(int(vp.width() * scale), int(vp.height() * scale))).save(
            path, "PNG"
        )

    def save_svg(self, path: str, title: str = "concept map") -> None:
        """What the view shows as a vector drawing (see :mod:`explorer.gui.svg_export`)."""
        from explorer.gui.svg_export import canvas_svg

        if self.model is None:
            raise ValueError("nothing to save: no map is shown")
        vp = self.viewport().rect()
        view = self.mapToScene(vp).boundingRect()
        svg = canvas_svg(
            self.model,
            (view.left(), view.top(), view.width(), view.height()),
            (vp.width(), vp.height()),
            background=self.colours["background"].name(),
            text_colour=self.colours["text"].name(),
            zoom=self.zoom(),
            faint_from=LOD_FAINT,
            labels_from=LOD_LABELS,
            max_labels=MAX_LABELS,
            selected=self.selected,
            select_colour=self.colours["select"].name(),
            title=title,
        )
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(svg)


__all__ = ["GraphCanvas", "EDGE_STYLES"]
