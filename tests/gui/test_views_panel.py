"""The Views panel and the claims table in a real window (fake backend)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from explorer.graph import views

pytestmark = pytest.mark.gui


def _tension(win):
    return next((u, v) for u, v, d in win.G.edges(data=True) if d.get("type") == "tension")


def test_views_panel_lists_what_the_graph_holds(opened):
    win = opened
    expected = views.all_views(win.G)
    p = win.views
    assert p.themes.rowCount() == len(expected["themes"]["rows"]) > 0
    assert p.changed.topLevelItemCount() == len(expected["changed_mind"])
    assert p.tensions.topLevelItemCount() == len(expected["tensions"]) > 0
    assert p.suggested.topLevelItemCount() == len(expected["suggested_links"])
    assert p.tabText(3) == f"Tensions ({len(expected['tensions'])})"


def test_a_themes_cell_highlights_its_claims_on_the_map(opened):
    win = opened
    t = win.views.themes
    row = win.views.data["themes"]["rows"][0]
    kind = max(row["counts"], key=row["counts"].get)
    col = 1 + win.views.data["themes"]["kinds"].index(kind)
    t.cellClicked.emit(0, col)
    highlighted = {win.canvas.model.ids[i] for i in win.canvas.highlighted}
    assert highlighted == set(row["claims"][kind])
    assert all(win.G.nodes[n].get("kind", "") == kind for n in highlighted)


def test_clicking_a_tension_shows_it_and_dismissing_hides_it_everywhere(opened, fake):
    win = opened
    before = win.views.tensions.topLevelItemCount()
    item = win.views.tensions.topLevelItem(0)
    a, b = item.data(0, 257)
    win.views.tensions.itemClicked.emit(item, 0)
    assert win.selection == [a]
    win.views.tensions.setCurrentItem(item)
    win.views.decide(win.views.tensions, "tension", "dismissed")
    assert win.views.tensions.topLevelItemCount() == before - 1
    assert not win.G.has_edge(a, b, "tension") and not win.G.has_edge(b, a, "tension")
    assert fake.calls["decide_edge"] == 1
    assert not any(
        d.get("type") == "tension" and {u, v} == {a, b} for u, v, d in fake.graph().edges(data=True)
    )


def test_accepting_a_suggested_link_draws_a_user_edge(opened):
    win = opened
    if win.views.suggested.topLevelItemCount() == 0:
        pytest.skip("the synthetic vault suggests no link")
    item = win.views.suggested.topLevelItem(0)
    a, b = item.data(0, 257)
    win.views.suggested.setCurrentItem(item)
    win.views.decide(win.views.suggested, "link", "accepted")
    assert win.G.has_edge(a, b, "user_link")
    assert "user_link" in set(win.canvas.model.etype)


def test_claims_table_filters_sorts_and_sets_kind_in_bulk(qtbot, opened):
    win = opened
    table = win.claims
    n_claims = sum(1 for _, d in win.G.nodes(data=True) if d.get("type") == "claim")
    assert table.proxy.rowCount() == n_claims
    table.kind_box.setCurrentIndex(table.kind_box.findData("limitation"))
    shown = table.proxy.rowCount()
    assert 0 < shown < n_claims
    table.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # confidence, ascending
    confs = [table.proxy.index(r, 2).data() for r in range(shown)]
    assert confs == sorted(confs)
    sel = table.view.selectionModel()
    for r in range(min(3, shown)):
        sel.select(
            table.proxy.index(r, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    ids = table.selected_ids()
    assert len(ids) == min(3, shown)
    assert {win.canvas.model.ids[i] for i in win.canvas.highlighted} == set(ids)
    table.set_kind_box.setCurrentIndex(table.set_kind_box.findData("question"))
    table.set_kind_btn.click()
    assert all(
        win.G.nodes[n]["kind"] == "question" and win.G.nodes[n]["kind_source"] == "user"
        for n in ids
    )
    assert table.proxy.rowCount() == shown - len(ids)  # the filter still says "limitation"


def test_dragging_a_node_pins_it_where_it_was_dropped(qtbot, opened, fake):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtTest import QTest

    win = opened
    c = win.canvas
    m = c.model
    node = next(n for n in m.ids if win.G.nodes[n].get("type") == "claim")
    c.set_zoom(1.5)
    c.centerOn(QPointF(*m.xy[m.index[node]]))
    start = c.mapFromScene(QPointF(*m.xy[m.index[node]]))
    end = start + QPoint(60, 40)
    vp = c.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(vp, start + (end - start) * step / 5)
    with qtbot.waitSignal(c.nodeDragged, timeout=2000) as sig:
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert sig.args[0] == node
    dropped = c.mapToScene(end)
    assert abs(m.xy[m.index[node]][0] - dropped.x()) < 2
    cx, cy, scale = m.frame
    x, y = fake.pinned[(node, "force")]
    assert abs(x - (dropped.x() / scale + cx)) < 0.1 and abs(y - (dropped.y() / scale + cy)) < 0.1
    assert win.G.nodes[node]["pinned"] is True
    again = fake.graph()  # what the next load (after a re-index) gets
    assert (again.nodes[node]["x"], again.nodes[node]["y"]) == (x, y)


def test_a_saved_view_reopens_and_travels_with_exports(qtbot, opened, fake, tmp_path):
    import json

    win = opened
    win.filters.set_kind_visible("limitation", False)
    win.apply_filters()
    win.canvas.set_zoom(0.8)
    assert win.save_view("no limitations")
    saved = fake.views["no limitations"]
    assert "limitation" not in saved["filters"]["kinds"] and saved["span"] > 0
    assert [a.text() for a in win.saved_menu.actions()] == ["no limitations"]
    win.filters.reset()
    win.apply_filters()
    assert win.filters.state().kinds is None
    assert win.open_view("no limitations")
    assert win.filters.state().kinds == frozenset(saved["filters"]["kinds"])
    assert abs(win.canvas.zoom() - 0.8) < 0.01
    path = tmp_path / "out.json"
    with qtbot.waitSignal(win.exportFinished, timeout=10000):
        win.export_to("json", path)
    assert json.loads(path.read_text())["graph"]["saved_views"]["no limitations"] == saved


def test_hovering_an_edge_says_what_it_is(opened):
    win = opened
    (u, v, k, d) = next(
        (u, v, k, d)
        for u, v, k, d in win.G.edges(keys=True, data=True)
        if d.get("type") == "tension"
    )
    text = win.canvas.edge_tooltip((u, v, k))
    assert text.startswith(f"tension {d['weight']:.2f}")
    if d.get("reason"):
        assert d["reason"][:20].replace("&", "&amp;").replace("<", "&lt;") in text
    (u, v, k, d) = next(
        (u, v, k, d)
        for u, v, k, d in win.G.edges(keys=True, data=True)
        if d.get("type") == "annotates"
    )
    assert win.canvas.edge_tooltip((u, v, k)) == f"annotates: {d['stance']}"
