"""The main window on the fake backend, offscreen: what a user does, end to end."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import answer_next_question, check_vault_loss_is_reported, graph_claims
from PySide6.QtCore import QLockFile, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from explorer.gui.fake_backend import FakeBackend
from explorer.gui.main_window import MainWindow

pytestmark = pytest.mark.gui


def claims(win, **attrs):
    return graph_claims(win.G, **attrs)


def test_window_opens_vault_and_shows_counts(opened, fake):
    assert opened.stack.currentWidget() is opened.canvas
    assert len(opened.canvas.model) == opened.G.number_of_nodes()
    assert "300/300 claims" in opened.counts_label.text()
    assert fake.calls["open"] == 1 and fake.calls["index"] == 1
    # First the stored graph, then the one after indexing.
    assert fake.calls["graph"] == 2
    assert not opened.progress.isVisible()
    assert opened.vault.name in opened.windowTitle()


def test_search_finds_a_claim_and_centres_on_it(qtbot, opened):
    target = claims(opened)[17]
    text = opened.G.nodes[target]["text"]
    opened.search.input.setText(text)
    with qtbot.waitSignal(opened.searchFinished, timeout=10000) as sig:
        opened.search.submit()
    hits = sig.args[0]
    assert hits[0]["id"] == target
    assert opened.search.results.count() == len(hits)
    opened.search.results.setCurrentRow(0)
    assert opened.selection == [target]
    assert opened.details.node_id == target
    m = opened.canvas.model
    assert m.index[target] in opened.canvas.highlighted
    centre = opened.canvas.mapToScene(opened.canvas.viewport().rect().center())
    x, y = m.xy[m.index[target]]
    assert abs(centre.x() - x) < 2 and abs(centre.y() - y) < 2


def test_selecting_a_claim_shows_details_annotations_and_note_lines(opened, fake):
    G = opened.G
    cid = next(v for u, v, t in G.edges(data="type") if t == "annotates")
    ann = next(u for u, _, t in G.in_edges(cid, data="type") if t == "annotates")
    opened.select_node(cid)
    html_text = opened.details.browser.toPlainText()
    d = G.nodes[cid]
    assert d["text"] in html_text
    assert G.nodes[ann]["text"] in html_text
    assert f"[{G.nodes[ann]['stance']}]" in html_text
    assert d["note"] in html_text and d["section"] in html_text
    # The surrounding lines of the note, numbered, with the claim's own line among them.
    assert f"{d['line']}- {d['text']}" in html_text.replace("\n", "").replace("\t", "")
    assert fake.calls["note_lines"] >= 1
    # Each linked node is a link that selects it.
    assert ann in opened.details.links()
    assert opened.details.activate_link(ann)
    assert opened.selection == [ann]


def test_clicking_a_node_on_the_map_selects_it(qtbot, opened):
    cid = claims(opened)[3]
    opened.canvas.centre_on(cid, zoom_to=2.0)
    m = opened.canvas.model
    pos = opened.canvas.mapFromScene(*m.xy[m.index[cid]])
    assert opened.canvas.node_at(pos) == cid
    qtbot.mouseClick(opened.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert opened.selection == [cid]
    assert opened.details.node_id == cid


def test_kind_filter_hides_nodes(qtbot, opened):
    questions = claims(opened, kind="question")
    assert questions and all(q in opened.visible.nodes for q in questions)
    before = opened.counts_label.text()
    opened.filters.set_kind_visible("question", False)
    qtbot.waitUntil(lambda: not any(q in opened.visible.nodes for q in questions), timeout=3000)
    m = opened.canvas.model
    assert not m.node_visible[[m.index[q] for q in questions]].any()
    assert m.node_visible[[m.index[c] for c in claims(opened, kind="assertion")]].all()
    assert opened.counts_label.text() != before
    opened.filters.set_kind_visible("question", True)
    qtbot.waitUntil(lambda: all(q in opened.visible.nodes for q in questions), timeout=3000)


def test_kind_correction_is_recorded_and_shown_at_once(opened, fake):
    cid = claims(opened, kind="assertion")[0]
    opened.select_node(cid)
    combo = opened.details.kind
    combo.setCurrentIndex(combo.findData("question"))
    combo.activated.emit(combo.currentIndex())
    assert fake.calls["set_kind"] == 1
    assert fake.graph().nodes[cid]["kind"] == "question"  # the backend has it
    assert opened.G.nodes[cid]["kind"] == "question"  # and the map shows it
    m = opened.canvas.model
    assert m.colour[m.index[cid]] == opened.taxonomy["question"]["colour"]
    assert "set by you" in opened.details.browser.toPlainText()
    # The same correction from the map's context menu.
    menu = opened.node_menu(cid)
    kind_menu = next(a.menu() for a in menu.actions() if a.text() == "Kind")
    next(a for a in kind_menu.actions() if a.text() == "Limitation").trigger()
    assert fake.calls["set_kind"] == 2 and opened.G.nodes[cid]["kind"] == "limitation"


def test_corrected_colour_is_drawn(opened):
    m = opened.canvas.model

    # A claim with no other node close enough to cover its centre.
    def alone(n):
        d = np.hypot(*(m.xy - m.xy[m.index[n]]).T)
        return np.sort(d)[1] > 40

    cid = next(n for n in claims(opened, kind="assertion") if alone(n))
    opened.canvas.centre_on(cid, zoom_to=3.0)
    opened.set_kind(cid, "consciousness-criterion")
    img = opened.canvas.render_image()
    centre = img.pixelColor(img.width() // 2, img.height() // 2)
    assert centre.name() == opened.taxonomy["consciousness-criterion"]["colour"]


def test_add_annotation_and_hide_claim(opened, fake):
    cid = claims(opened)[5]
    opened.select_node(cid)
    opened.details.ann_text.setText("My own doubt about this")
    opened.details.ann_stance.setCurrentIndex(opened.details.ann_stance.findData("doubt"))
    opened.details.ann_add.click()
    assert fake.calls["add_annotation"] == 1
    text = opened.details.browser.toPlainText()
    assert "My own doubt about this" in text and "(yours)" in text
    ann = next(
        u
        for u, _, t in opened.G.in_edges(cid, data="type")
        if t == "annotates" and opened.G.nodes[u].get("source") == "user"
    )
    assert ann in opened.canvas.model.index and ann in opened.visible.nodes
    opened.details.btn_hide.click()
    assert fake.calls["hide"] == 1
    assert cid not in opened.visible.nodes and cid not in fake.graph()
    assert opened.details.node_id is None


def test_hide_an_edge_from_the_details(opened, fake):
    G = opened.G
    u, v = next((u, v) for u, v, t in G.edges(data="type") if t == "similar")
    opened.select_node(v)  # the edge is stored u -> v; hide it from v's side
    link = next(x for x in opened.details.links() if x.startswith("edge:") and u in x)
    opened.details.hideRequested.emit(link)
    assert fake.calls["hide"] == 1
    assert not any(
        (a, b) == (u, v) and G.edges[a, b, k]["type"] == "similar"
        for a, b, k in opened.visible.edges
    )
    assert not any(
        d["type"] == "similar" for d in (fake.graph().get_edge_data(u, v) or {}).values()
    )


def test_cancel_stops_indexing_cleanly(qtbot, window, vault, fake):
    fake.index_steps, fake.index_delay = 400, 0.02
    with qtbot.waitSignal(window.graphShown, timeout=10000):
        window.open_vault(vault)
    qtbot.waitUntil(
        lambda: window.progress.isVisible() and window.progress.value() >= 2, timeout=10000
    )
    assert window.cancel_btn.isVisible()
    with qtbot.waitSignal(window.indexFinished, timeout=5000) as sig:
        window.cancel_btn.click()
    assert sig.args == [False]
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.progress.isVisible() and not window.cancel_btn.isVisible()
    assert window.progress.value() < 400
    assert not window.busy()
    # The map from before indexing stays; a new index can start.
    assert window.G is not None and fake.calls["graph"] == 1
    fake.index_steps, fake.index_delay = 3, 0.0
    with qtbot.waitSignal(window.indexFinished, timeout=10000) as sig:
        window.reindex()
    assert sig.args == [True] and fake.calls["index"] == 2


def test_closing_during_indexing_stops_the_worker(qtbot, window, vault, fake):
    fake.index_steps, fake.index_delay = 1000, 0.02
    with qtbot.waitSignal(window.graphShown, timeout=10000):
        window.open_vault(vault)
    qtbot.waitUntil(lambda: window.progress.value() >= 1, timeout=10000)
    window.close()  # the thread fixture fails the test if the worker is still running
    assert not window.busy()


def test_focus_mode_and_escape(qtbot, opened):
    cid = claims(opened)[8]
    opened.select_node(cid)
    opened.depth.setValue(1)
    opened.act_focus.setChecked(True)
    expected = {cid} | set(opened.G.successors(cid)) | set(opened.G.predecessors(cid))
    assert opened.visible.nodes == expected
    qtbot.keyClick(opened, Qt.Key.Key_Escape)
    assert opened.selection == [] and opened.focus_centre is None
    assert len(opened.visible.nodes) == opened.G.number_of_nodes()


def test_path_between_two_selected_nodes(opened):
    G = opened.G
    a = claims(opened)[0]
    b = claims(opened)[-1]
    opened.select_node(a)
    opened.select_node(b, add=True)
    assert opened.selection == [a, b]
    nodes = opened.find_path()
    assert nodes[0] == a and nodes[-1] == b
    text = opened.path.text()
    assert text.count("→") + text.count("←") >= 2 * (len(nodes) - 1)
    assert len(opened.canvas.path_edges) == len(nodes) - 1
    for x, y in zip(nodes, nodes[1:], strict=False):
        assert G.has_edge(x, y) or G.has_edge(y, x)


def test_export_writes_the_filtered_graph(qtbot, opened, fake, tmp_path):
    opened.filters.set_kind_visible("assertion", False)
    qtbot.waitUntil(
        lambda: not any(n in opened.visible.nodes for n in claims(opened, kind="assertion")),
        timeout=3000,
    )
    names = [a.text() for a in opened.export_menu.actions()]
    assert len(names) == len(fake.export_formats()) and any("GraphML" in n for n in names)
    out = tmp_path / "map.graphml"
    with qtbot.waitSignal(opened.exportFinished, timeout=10000) as sig:
        opened.export_to("graphml", out)
    assert sig.args == [str(out)] and out.exists()
    fmt, path, n = fake.exports[-1]
    assert (fmt, path, n) == ("graphml", out, len(opened.visible.nodes))


def test_save_canvas_png_and_svg(opened, tmp_path):
    png, svg = tmp_path / "map.png", tmp_path / "map.svg"
    assert opened.save_canvas(png)
    img = QImage(str(png))
    vp = opened.canvas.viewport().size()
    assert (img.width(), img.height()) == (vp.width() * 2, vp.height() * 2)
    arr = np.frombuffer(
        img.convertToFormat(QImage.Format.Format_RGB32).constBits(), dtype=np.uint32
    )
    assert len(np.unique(arr)) > 20
    assert opened.save_canvas(svg)
    import xml.etree.ElementTree as ET

    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    m = opened.canvas.model
    view = opened.canvas.mapToScene(opened.canvas.viewport().rect()).boundingRect()
    in_view = m.nodes_in(view.left(), view.top(), view.right(), view.bottom())
    shapes = root.findall(f".//{ns}circle") + root.findall(f".//{ns}g[@class='nodes']/{ns}rect")
    assert len(shapes) >= len(in_view) > 50
    assert root.findall(f".//{ns}line")
    assert not root.findall(f".//{ns}image")  # vectors, not an embedded bitmap


def test_layout_switch_moves_nodes(qtbot, opened, fake):
    before = opened.canvas.model.xy.copy()
    assert [opened.layout_box.itemData(i) for i in range(opened.layout_box.count())] == [
        "force",
        "semantic",
    ]
    opened.set_layout("semantic")
    qtbot.waitUntil(lambda: not np.allclose(opened.canvas.model.xy, before), timeout=5000)
    assert fake.calls["positions"] == 1
    opened.set_layout("force")
    assert np.allclose(opened.canvas.model.xy, before)


def test_open_note_in_editor_and_obsidian(opened):
    seen = []
    opened.open_url = lambda url: seen.append(url) or True
    cid = claims(opened)[2]
    note = opened.G.nodes[cid]["note"]
    opened.open_note(cid, "editor")
    opened.open_note(cid, "obsidian")
    assert seen[0].toLocalFile() == str(opened.vault / note)
    assert seen[1].scheme() == "obsidian"
    query = seen[1].query()
    assert (
        f"vault={opened.vault.name}" in query
        and "file=" in query
        and note.split("/")[-1] in seen[1].toString()
    )


def test_shortcuts(qtbot, opened):
    opened.activateWindow()
    qtbot.keyClick(opened, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is opened.search.input
    assert opened.act_reindex.shortcut().toString() == "F5"
    assert opened.act_open.shortcut().toString() == "Ctrl+O"
    with qtbot.waitSignal(opened.indexFinished, timeout=10000):
        qtbot.keyClick(opened, Qt.Key.Key_F5)


def test_settings_remember_geometry_docks_palette_and_recent(qtbot, settings, vault):
    first = MainWindow(FakeBackend(50), settings)
    qtbot.addWidget(first)
    first.show()
    with qtbot.waitSignal(first.indexFinished, timeout=10000):
        first.open_vault(vault)
    first.resize(760, 560)  # within the offscreen screen (800 x 800)
    first.docks["path"].hide()
    first.act_dark.setChecked(True)
    first.close()
    second = MainWindow(FakeBackend(50), settings)
    qtbot.addWidget(second)
    second.show()
    try:
        assert (second.width(), second.height()) == (760, 560)
        assert second.docks["path"].isHidden()
        assert second.act_dark.isChecked()
        assert second.recent_vaults() == [str(vault.resolve())]
        assert [a.text() for a in second.recent_menu.actions()] == [str(vault.resolve())]
    finally:
        second.set_dark(False)
        second.close()


def test_vault_folder_vanishing_is_reported_not_fatal(qtbot, opened):
    cid = claims(opened)[4]
    check_vault_loss_is_reported(qtbot, opened, cid)


def test_corrupt_database_offers_rebuild(qtbot, settings, vault):
    fake = FakeBackend(60, corrupt=True)
    win = MainWindow(fake, settings)
    qtbot.addWidget(win)
    win.show()
    answer_next_question(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(win.indexFinished, timeout=10000):
        assert win.open_vault(vault)
    title, text = win.messages[0]
    assert title == "Database damaged" and "file is not a database" in text and "backup" in text
    assert fake.calls["rebuild_database"] == 1
    assert any(str(fake.db_path) + ".backup" in t for _, t in win.messages)
    win.close()


def test_corrupt_database_declined_leaves_it_alone(qtbot, settings, vault):
    fake = FakeBackend(60, corrupt=True)
    win = MainWindow(fake, settings)
    qtbot.addWidget(win)
    win.show()
    answer_next_question(QMessageBox.StandardButton.No)
    assert not win.open_vault(vault)
    assert fake.calls["rebuild_database"] == 0 and win.vault is None
    win.close()


def test_second_window_on_the_same_vault(qtbot, opened, settings, vault):
    other = MainWindow(FakeBackend(60), settings)
    qtbot.addWidget(other)
    other.show()
    assert not other.open_vault(vault)
    assert other.messages[-1][0] == "Already open" and other.vault is None
    other.close()


def test_vault_locked_by_another_process(qtbot, window, vault, fake):
    fake.open(vault)  # learn where the database lives
    lock = QLockFile(str(fake.db_path) + ".lock")
    assert lock.tryLock(0)
    try:
        assert not window.open_vault(vault)
        title, text = window.messages[-1]
        assert title == "Already open" and "another explorer window" in text
    finally:
        lock.unlock()


def test_missing_model_greys_out_meaning_search(qtbot, settings, vault):
    fake = FakeBackend(60, semantic=(False, "model directory not found: /models/minilm"))
    win = MainWindow(fake, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexFinished, timeout=10000):
        win.open_vault(vault)
    combo = win.search.mode
    enabled = {combo.itemData(i): combo.model().item(i).isEnabled() for i in range(combo.count())}
    assert enabled == {"words": True, "meaning": False, "both": False}
    assert not win.search.set_mode("meaning")
    assert "model directory not found" in combo.toolTip()
    assert win.semantic_label.text() and "model directory not found" in win.semantic_label.toolTip()
    # Word search still works.
    target = next(n for n, d in win.G.nodes(data=True) if d["type"] == "claim")
    win.search.input.setText(win.G.nodes[target]["text"])
    with qtbot.waitSignal(win.searchFinished, timeout=10000) as sig:
        win.search.submit()
    assert sig.args[0][0]["id"] == target
    win.close()


def test_file_change_triggers_incremental_reindex(qtbot, opened, fake):
    opened._debounce.setInterval(100)
    note = next(opened.vault.rglob("*.md"))
    with qtbot.waitSignal(opened.indexFinished, timeout=10000):
        note.write_text(note.read_text(encoding="utf-8") + "\n- A new claim.\n", encoding="utf-8")
    assert fake.calls["index"] == 2


def test_about_names_version_and_model(opened):
    from explorer import __version__

    assert opened.about_text() == f"Concept-map explorer {__version__}; model: fake-bag-of-words"


def test_thread_check_catches_a_leftover_thread():
    """The autouse fixture's check itself: a thread still running is reported."""
    import threading

    from tests.gui.conftest import leftover_threads

    before = {t.ident for t in threading.enumerate()}
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="leaky", daemon=True)
    t.start()
    try:
        assert leftover_threads(before, 0, grace=0.1) == ["thread 'leaky'"]
    finally:
        stop.set()
        t.join()
    assert leftover_threads(before, 0, grace=0.1) == []


def test_thread_check_catches_an_unfinished_job(qtbot):
    import threading

    from explorer.gui.jobs import Job
    from tests.gui.conftest import leftover_threads

    before = {t.ident for t in threading.enumerate()}
    job = Job("sleepy", lambda cancel: cancel.wait(10)).start()
    try:
        assert "job 'sleepy'" in leftover_threads(before, 0, grace=0.1)
    finally:
        job.stop()
        assert job.wait(5)
