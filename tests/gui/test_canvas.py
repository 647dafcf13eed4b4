"""The map widget: batched layers, level of detail, zoom under the mouse, hit tests."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsScene

from explorer.graph import filters, labels
from explorer.graph.synthetic import synthetic_vault
from explorer.gui.canvas import (
    LAYER_CACHE,
    LOD_COMMUNITY,
    LOD_FAINT,
    GraphCanvas,
    polygon_from,
)
from explorer.gui.canvas_model import SPACING, CanvasModel, normalise_positions
from explorer.gui.style import SQUARE_TYPES, TYPE_COLOURS
from explorer.gui.svg_export import canvas_svg
from explorer.style import default_kinds

pytestmark = pytest.mark.gui
KINDS = {k: v["colour"] for k, v in default_kinds().items()}


@pytest.fixture(scope="module")
def graph():
    return synthetic_vault(400, seed=4)[0]


@pytest.fixture
def canvas(qtbot, graph):
    c = GraphCanvas()
    qtbot.addWidget(c)
    c.resize(900, 700)
    c.show()
    c.set_model(CanvasModel.from_graph(graph, KINDS, TYPE_COLOURS, SQUARE_TYPES))
    c.fit()
    return c


def pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    return (
        np.frombuffer(img.constBits(), dtype=np.uint32)
        .reshape(img.height(), -1)[:, : img.width()]
        .copy()
    )


def test_positions_are_rescaled_to_node_spacing():
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 1e4):
        xy = normalise_positions(rng.normal(0, scale, (2000, 2)))
        nearest = [np.sort(np.hypot(*(xy - p).T))[1] for p in xy[:200]]
        assert 0.2 * SPACING < np.median(nearest) < 2 * SPACING
    assert normalise_positions(np.zeros((3, 2))).tolist() == [[0, 0]] * 3


def test_model_reads_graph_attributes(graph):
    m = CanvasModel.from_graph(graph, KINDS, TYPE_COLOURS, SQUARE_TYPES)
    claim = next(n for n, d in graph.nodes(data=True) if d["type"] == "claim")
    i = m.index[claim]
    assert m.colour[i] == KINDS[graph.nodes[claim]["kind"]]
    note = next(n for n, d in graph.nodes(data=True) if d["type"] == "note")
    assert m.square[m.index[note]] and not m.square[i]
    # Bigger centrality, bigger node.
    claims = [m.index[n] for n, d in graph.nodes(data=True) if d["type"] == "claim"]
    order = sorted(claims, key=lambda j: graph.nodes[m.ids[j]]["centrality"])
    assert np.all(np.diff(m.radius[order]) >= 0) and m.radius[order[-1]] > m.radius[order[0]]
    assert len(m.edge_keys) == graph.number_of_edges()


def test_hit_tests(graph):
    m = CanvasModel.from_graph(graph, KINDS, TYPE_COLOURS, SQUARE_TYPES)
    i = 7
    x, y = m.xy[i]
    assert m.node_at(x, y, 0) == i
    assert m.node_at(x + 1e6, y, 0) is None
    e = next(
        k for k in range(len(m.edge_keys)) if np.hypot(*(m.xy[m.src[k]] - m.xy[m.dst[k]])) > 50
    )
    mid = (m.xy[m.src[e]] + m.xy[m.dst[e]]) / 2
    found = m.edge_at(mid[0], mid[1], 0.5)
    a, b = m.xy[m.src[found]], m.xy[m.dst[found]]
    cross = abs((b[0] - a[0]) * (mid[1] - a[1]) - (b[1] - a[1]) * (mid[0] - a[0])) / np.hypot(
        *(b - a)
    )
    assert cross <= 0.5
    m.node_visible[:] = False
    assert m.node_at(x, y, 0) is None


def test_polygon_from_numpy():
    xy = np.array([[1.5, -2.0], [3.25, 4.0], [0.0, 1e6]])
    poly = polygon_from(xy)
    assert [(p.x(), p.y()) for p in poly] == [tuple(r) for r in xy.tolist()]
    assert polygon_from(np.zeros((0, 2))).size() == 0


def test_one_item_per_layer_whatever_the_size(canvas):
    items = canvas.scene().items()
    assert len(items) == 5  # no item per node, no text item per label
    assert canvas.scene().itemIndexMethod() == QGraphicsScene.ItemIndexMethod.BspTreeIndex
    cache = (
        QGraphicsItem.CacheMode.DeviceCoordinateCache
        if LAYER_CACHE
        else QGraphicsItem.CacheMode.NoCache
    )
    for layer in (canvas.node_layer, canvas.edge_layer, canvas.community_layer):
        assert layer.cacheMode() == cache  # the measured choice (docs/BENCHMARKS.md)
        assert layer.flags() & QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption


def _differs_when_hidden(canvas, layer) -> bool:
    with_layer = pixels(canvas.render_image())
    layer.setVisible(False)
    try:
        without = pixels(canvas.render_image())
    finally:
        layer.setVisible(True)
    return bool((with_layer != without).any())


def _rects(placed):
    return [(p.rect.left(), p.rect.top(), p.rect.width(), p.rect.height()) for p in placed]


def _zoom_to_about(canvas, n_in_view: int) -> None:
    """Zoom (centred on the map) until about ``n_in_view`` nodes are in view."""
    m = canvas.model
    centre = np.median(m.xy, axis=0)
    for _ in range(80):
        view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        if len(m.nodes_in(view.left(), view.top(), view.right(), view.bottom())) <= n_in_view:
            return
        canvas.zoom_by(1.1)
        canvas.centerOn(QPointF(*centre))


def test_overview_shows_community_titles_without_overlap(canvas):
    canvas.render_image()
    layer = canvas.label_layer
    assert layer.band == "overview"
    communities = [p for p in layer.placed if p.kind == "community"]
    assert len(communities) >= 3
    assert labels.overlaps(_rects(layer.placed)) == []
    titles = canvas.model.community_titles
    for p in communities:
        assert p.lines[0] == titles[p.key][0][:48] or p.lines[0].endswith("…")
    # Under each title of a community with claims, the claim that stands for it.
    assert sum(len(p.lines) == 2 and bool(p.lines[1]) for p in communities) >= 3
    assert not any(p.kind == "node" for p in layer.placed)


def test_middle_zoom_labels_central_nodes_without_overlap(canvas):
    _zoom_to_about(canvas, 150)
    canvas.render_image()
    layer = canvas.label_layer
    assert layer.band == "middle"
    nodes = [p.key for p in layer.placed]
    assert nodes and all(p.kind == "node" for p in layer.placed)
    assert labels.overlaps(_rects(layer.placed)) == []
    m = canvas.model
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    idx = m.nodes_in(view.left(), view.top(), view.right(), view.bottom())
    assert len(nodes) < len(idx)  # not every label: no clutter
    biggest = m.ids[int(idx[np.argmax(m.radius[idx])])]
    assert biggest in nodes  # the most central node in view is always named


def test_close_up_labels_every_visible_node(canvas):
    _zoom_to_about(canvas, 25)
    canvas.render_image()
    layer = canvas.label_layer
    assert layer.band == "close"
    m = canvas.model
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    idx = m.nodes_in(view.left(), view.top(), view.right(), view.bottom())
    assert {p.key for p in layer.placed} == {m.ids[i] for i in idx.tolist()}
    assert _differs_when_hidden(canvas, canvas.label_layer)


def test_communities_only_when_zoomed_out(canvas):
    canvas.set_zoom(LOD_COMMUNITY * 0.5)
    canvas.centerOn(QPointF(0, 0))
    assert _differs_when_hidden(canvas, canvas.community_layer)
    canvas.set_zoom(LOD_COMMUNITY * 2)
    assert not _differs_when_hidden(canvas, canvas.community_layer)


def test_faint_edges_only_when_zoomed_in(canvas, graph):
    faint = frozenset({"contains", "mentions", "links_to"})
    everything = filters.apply_filters(graph, filters.FilterState())
    no_faint = filters.apply_filters(
        graph,
        filters.FilterState(
            edge_types=frozenset(filters.SIMILARITY_EDGES | {"cites", "annotates"})
        ),
    )
    assert any(graph.edges[e]["type"] in faint for e in everything.edges - no_faint.edges)

    def faint_visible() -> bool:
        canvas.set_visible(everything)
        a = pixels(canvas.render_image())
        canvas.set_visible(no_faint)
        b = pixels(canvas.render_image())
        canvas.set_visible(everything)
        return bool((a != b).any())

    canvas.centerOn(QPointF(*canvas.model.xy[0]))
    canvas.set_zoom(LOD_FAINT * 0.7)
    assert not faint_visible()
    canvas.set_zoom(LOD_FAINT * 2)
    assert faint_visible()


def test_wheel_zoom_keeps_the_point_under_the_mouse(canvas):
    vp = canvas.viewport()
    pos = QPoint(200, 150)
    before = canvas.mapToScene(pos)
    z = canvas.zoom()
    event = QWheelEvent(
        QPointF(pos),
        QPointF(vp.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, event)
    assert canvas.zoom() == pytest.approx(z * 1.44, rel=1e-3)
    after = canvas.mapToScene(pos)
    assert (
        abs(after.x() - before.x()) < 2 / canvas.zoom()
        and abs(after.y() - before.y()) < 2 / canvas.zoom()
    )


def test_fit_shows_every_visible_node(canvas):
    canvas.set_zoom(5)
    canvas.fit()
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    m = canvas.model
    assert (
        len(m.nodes_in(view.left(), view.top(), view.right(), view.bottom()))
        == m.node_visible.sum()
    )


def test_hidden_nodes_are_not_drawn_or_hit(canvas, graph):
    m = canvas.model
    target = next(n for n, d in graph.nodes(data=True) if d["type"] == "claim")
    canvas.centre_on(target, zoom_to=3)
    pos = canvas.mapFromScene(*m.xy[m.index[target]])
    assert canvas.node_at(pos) is not None
    everything = filters.apply_filters(graph, filters.FilterState())
    canvas.set_visible(filters.Visible(everything.nodes - {target}, everything.edges))
    assert canvas.node_at(pos) != target


def test_svg_of_the_view(graph):
    m = CanvasModel.from_graph(graph, KINDS, TYPE_COLOURS, SQUARE_TYPES)
    left, top, right, bottom = m.bounds()
    svg = canvas_svg(
        m,
        (left, top, right - left, bottom - top),
        (800, 600),
        background="#ffffff",
        text_colour="#000000",
        zoom=0.3,
        faint_from=LOD_FAINT,
        labels_from=0.7,
        max_labels=50,
        title="a <map>",
    )
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    shapes = root.findall(f"{ns}g[@class='nodes']/*")
    assert len(shapes) == len(m)
    assert root.find(f"{ns}title").text == "a <map>"
    similar = root.find(f"{ns}g[@class='edges similar']")
    assert similar.get("stroke-dasharray") and len(similar) == sum(
        1 for t in m.etype if t == "similar"
    )
    assert root.find(f"{ns}g[@class='edges contains']") is None  # faint edges: zoomed out
    assert root.find(f"{ns}g[@class='labels']") is None


def test_overview_of_one_community_names_central_nodes_too(canvas):
    """A map that is one big community (or zoomed into one) shows hundreds of nodes and
    one title, which says little: central nodes are named around it, never over it."""
    m = canvas.model
    m.community = np.zeros(len(m), dtype=np.int64)
    m.community_titles = {0: ("one · big · theme", "the claim for it")}
    canvas.rebuild()
    canvas.fit()
    canvas.render_image()
    layer = canvas.label_layer
    assert layer.band == "overview"
    kinds = [p.kind for p in layer.placed]
    assert kinds[0] == "community" and kinds.count("community") == 1
    assert 0 < kinds.count("node") <= 40
    assert labels.overlaps(_rects(layer.placed)) == []


def test_an_edge_through_the_view_is_drawn_when_both_ends_are_off_screen(canvas, graph):
    """Zoomed in, edges are cut to the view before drawing (clip_segments): the part
    inside must still be drawn, whatever the lengths outside."""
    m = canvas.model
    everything = filters.apply_filters(graph, filters.FilterState())
    longest = max(
        (e for e in everything.edges if graph.edges[e]["type"] not in ("contains", "mentions")),
        key=lambda e: np.hypot(*(m.xy[m.index[e[0]]] - m.xy[m.index[e[1]]])),
    )
    a, b = m.xy[m.index[longest[0]]], m.xy[m.index[longest[1]]]
    canvas.set_zoom(8)
    canvas.centerOn(QPointF(*((a + b) / 2)))
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    for x, y in (a, b):
        assert not view.contains(QPointF(x, y)), "the test needs both ends off screen"
    keep = {longest[0], longest[1]}
    canvas.set_visible(filters.Visible(keep, {longest}))
    with_edge = pixels(canvas.render_image())
    canvas.set_visible(filters.Visible(keep, set()))
    without = pixels(canvas.render_image())
    canvas.set_visible(everything)
    assert (with_edge != without).sum() > 50  # a line across the view, not a speck
