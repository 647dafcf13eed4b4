"""The window on the real backend: a copy of data/sample-vault, a real SQLite file, offscreen.

``Workspace(model_path="hashing")`` keeps these tests quick (a deterministic
stand-in embedder; every vector path still runs); the model itself is exercised by
tests/test_workspace.py's slow tests and by the Xvfb screenshot test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import (
    answer_next_question,
    check_vault_loss_is_reported,
    copy_vault,
    damage_table,
    graph_claims,
)
from PySide6.QtWidgets import QMessageBox

from explorer.app.api import Backend
from explorer.app.workspace import Workspace
from explorer.graph.ids import edge_id
from explorer.gui.main_window import MainWindow

pytestmark = pytest.mark.gui


def claims(win, **attrs):
    return graph_claims(win.G, **attrs)


@pytest.fixture
def vault(tmp_path):
    return copy_vault(tmp_path)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "store" / "claims.db"


def make_window(qtbot, settings, backend):
    win = MainWindow(backend, settings)
    win.open_url = lambda url: True  # never launch real applications from tests
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot, settings):
    win = make_window(qtbot, settings, Workspace(model_path="hashing"))
    yield win
    win.close()


@pytest.fixture
def opened(qtbot, window, vault, db):
    """The sample vault open, indexed into a fresh database, and drawn."""
    with qtbot.waitSignal(window.indexFinished, timeout=60000) as sig:
        assert window.open_vault(vault, db)
    assert sig.args == [True], window.messages
    return window


def test_workspace_satisfies_the_protocol():
    assert isinstance(Workspace(), Backend)


def test_open_index_and_draw_the_sample_vault(opened, db, qtbot):
    assert opened.backend.db_path == db and db.exists()
    assert opened.stack.currentWidget() is opened.canvas
    n = len(claims(opened))
    # Fragments (the sample's two bare-link bullets) are drawn only when asked for.
    fragments = len(claims(opened, fragment=True))
    assert fragments == 2
    assert n > 100 and f"{n - fragments}/{n} claims" in opened.counts_label.text()
    # The claims table lists what the map shows: fragments only when asked for.
    table = opened.claims
    assert table.proxy.rowCount() == n - fragments
    assert table.count.text() == f"{n - fragments:,} of {n:,}"
    opened.filters.fragments.setChecked(True)
    qtbot.waitUntil(lambda: f"{n}/{n} claims" in opened.counts_label.text(), timeout=3000)
    assert table.proxy.rowCount() == n
    assert len(opened.canvas.model) == opened.G.number_of_nodes()
    assert {d["type"] for _, d in opened.G.nodes(data=True)} >= {"note", "claim", "annotation"}
    assert opened.statusBar().currentMessage() == "Index up to date."
    assert not opened.messages


def test_search_finds_a_claim_and_selecting_it_shows_details_and_annotations(qtbot, opened):
    G = opened.G
    # A claim the author annotated in the note itself (the semantic layer found it).
    cid, ann = next(
        (v, u)
        for u, v, t in G.edges(data="type")
        if t == "annotates" and G.nodes[u].get("source") == "author"
    )
    opened.search.input.setText(G.nodes[cid]["text"])
    with qtbot.waitSignal(opened.searchFinished, timeout=10000) as sig:
        opened.search.submit()
    hits = sig.args[0]
    assert hits[0]["id"] == cid and hits[0]["kind"] == G.nodes[cid]["kind"]
    opened.search.results.setCurrentRow(0)
    assert opened.selection == [cid] and opened.details.node_id == cid
    text = opened.details.browser.toPlainText()
    d = G.nodes[cid]
    assert d["text"] in text and d["note"] in text
    assert G.nodes[ann]["text"] in text and f"[{G.nodes[ann]['stance']}]" in text
    # The note's own lines around the claim, read from the vault copy.
    note_line = (opened.vault / d["note"]).read_text(encoding="utf-8").splitlines()[d["line"] - 1]
    assert note_line.split()[0] in text and str(d["line"]) in text


def test_kind_filter_hides_nodes(qtbot, opened):
    kind = max(
        {d.get("kind") for _, d in opened.G.nodes(data=True) if d["type"] == "claim"} - {None},
        key=lambda k: len(claims(opened, kind=k)),
    )
    chosen = claims(opened, kind=kind)
    before = opened.counts_label.text()
    opened.filters.set_kind_visible(kind, False)
    qtbot.waitUntil(lambda: not any(c in opened.visible.nodes for c in chosen), timeout=3000)
    m = opened.canvas.model
    assert not m.node_visible[[m.index[c] for c in chosen]].any()
    others = [c for c in claims(opened) if opened.G.nodes[c].get("kind") != kind]
    assert others and all(c in opened.visible.nodes for c in others)
    assert opened.counts_label.text() != before


def test_kind_correction_survives_a_reindex(qtbot, opened, db):
    cid = claims(opened)[7]
    note = opened.vault / opened.G.nodes[cid]["note"]
    new = next(k for k in opened.taxonomy if k != opened.G.nodes[cid].get("kind"))
    opened.select_node(cid)
    combo = opened.details.kind
    combo.setCurrentIndex(combo.findData(new))
    combo.activated.emit(combo.currentIndex())
    assert opened.G.nodes[cid]["kind"] == new
    # Edit the note so it is parsed and analysed again, then re-index.
    note.write_text(note.read_text(encoding="utf-8") + "\n- One more line.\n", encoding="utf-8")
    with qtbot.waitSignal(opened.indexFinished, timeout=60000) as sig:
        opened.reindex()
    assert sig.args == [True]
    d = opened.G.nodes[cid]  # the graph rebuilt from the store after the index
    assert (d["kind"], d["kind_source"]) == (new, "user")
    kinds = sqlite3.connect(db).execute("SELECT claim_id, kind FROM user_kinds").fetchall()
    assert kinds == [(cid, new)]


def test_own_annotation_and_hidden_claim_are_stored(qtbot, opened):
    cid = claims(opened)[4]
    opened.select_node(cid)
    opened.details.ann_text.setText("My own doubt about this")
    opened.details.ann_stance.setCurrentIndex(opened.details.ann_stance.findData("doubt"))
    opened.details.ann_add.click()
    text = opened.details.browser.toPlainText()
    assert "My own doubt about this" in text and "(yours)" in text
    with qtbot.waitSignal(opened.indexFinished, timeout=60000):
        opened.reindex()
    own = [
        u
        for u, _, t in opened.G.in_edges(cid, data="type")
        if t == "annotates" and opened.G.nodes[u].get("source") == "user"
    ]
    assert len(own) == 1 and opened.G.nodes[own[0]]["stance"] == "doubt"
    opened.select_node(cid)
    opened.details.btn_hide.click()
    with qtbot.waitSignal(opened.indexFinished, timeout=60000):
        opened.reindex()
    assert cid not in opened.G and own[0] not in opened.G


def test_hide_an_edge_survives_a_reindex(qtbot, opened):
    u, v = next((u, v) for u, v, t in opened.G.edges(data="type") if t == "contains")
    opened.hide_item(edge_id(u, v, "contains"))
    assert not opened.messages
    with qtbot.waitSignal(opened.indexFinished, timeout=60000):
        opened.reindex()
    assert not opened.G.has_edge(u, v, key="contains")


def test_layout_switch_reads_the_semantic_map(qtbot, opened):
    assert [opened.layout_box.itemData(i) for i in range(opened.layout_box.count())] == [
        "force",
        "semantic",
    ]
    before = opened.canvas.model.xy.copy()
    opened.set_layout("semantic")
    qtbot.waitUntil(lambda: not (opened.canvas.model.xy == before).all(), timeout=20000)
    qtbot.waitUntil(lambda: not opened.busy(), timeout=20000)


def test_export_writes_the_visible_graph(qtbot, opened, tmp_path):
    out = tmp_path / "map.json"
    with qtbot.waitSignal(opened.exportFinished, timeout=20000) as sig:
        opened.export_to("json", out)
    assert sig.args == [str(out)]
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == len(opened.visible.nodes)


def test_cancel_stops_indexing_cleanly(qtbot, window, vault, db):
    # Enough notes that indexing takes a while.
    for i in range(150):
        lines = [f"# Extra {i}", ""] + [
            f"- Claim {j} of note {i} says that models {j % 7} can do task {i * j}."
            for j in range(25)
        ]
        (vault / f"extra-{i:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    window.open_vault(vault, db)
    qtbot.waitUntil(
        lambda: window.progress.isVisible() and window.progress.value() >= 2, timeout=30000
    )
    assert window.cancel_btn.isVisible()
    with qtbot.waitSignal(window.indexFinished, timeout=30000) as sig:
        window.cancel_btn.click()
    assert sig.args == [False]
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.busy()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
    conn.close()
    assert stored < 150 + 12
    # A new run picks up where the cancelled one stopped.
    with qtbot.waitSignal(window.indexFinished, timeout=120000) as sig:
        window.reindex()
    assert sig.args == [True]
    assert len([n for n, d in window.G.nodes(data=True) if d["type"] == "note"]) >= 150 + 10


def test_index_busy_shows_the_lock_message(qtbot, opened, db):
    from explorer.store import index_lock

    with index_lock(db), qtbot.waitSignal(opened.indexFinished, timeout=20000) as sig:
        opened.reindex()
    assert sig.args == [False]
    title, text = opened.messages[-1]
    assert title == "Indexing failed" and "another explorer is indexing" in text


def test_corrupt_database_offers_rebuild_with_user_data_backed_up(qtbot, settings, vault, db):
    ws = Workspace(vault, db, model_path="hashing").open()
    ws.run_index()
    cid = next(n for n, d in ws.graph().nodes(data=True) if d["type"] == "claim")
    ws.set_kind(cid, "question")
    ws.add_annotation(cid, "Mine, keep it.", "agree")
    ws.close()
    damage_table(db, "claims")

    win = make_window(qtbot, settings, Workspace(model_path="hashing"))
    answer_next_question(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(win.indexFinished, timeout=60000) as sig:
        assert win.open_vault(vault, db)
    assert sig.args == [True]
    titles = [t for t, _ in win.messages]
    assert titles[:2] == ["Database damaged", "Database rebuilt"]
    assert "malformed" in win.messages[0][1]
    backup = Path(win.messages[1][1].split("kept at ")[1].rstrip("."))
    assert backup.exists() and backup.parent == db.parent
    saved = sqlite3.connect(backup)
    assert saved.execute("SELECT claim_id, kind FROM user_kinds").fetchall() == [(cid, "question")]
    saved.close()
    # The rebuilt database has the corrections too, and the map shows them.
    assert win.G.nodes[cid]["kind"] == "question"
    assert any(win.G.nodes[u].get("source") == "user" for u in win.G.predecessors(cid))
    win.close()


def test_vault_folder_vanishing_while_open(qtbot, opened):
    cid = claims(opened)[4]
    check_vault_loss_is_reported(qtbot, opened, cid)
    opened.search.input.setText(opened.G.nodes[cid]["text"])
    with qtbot.waitSignal(opened.searchFinished, timeout=10000) as sig:
        opened.search.submit()
    assert sig.args[0][0]["id"] == cid


def test_missing_model_greys_out_meaning_search(qtbot, settings, vault, db, tmp_path):
    missing = tmp_path / "models" / "minilm"
    win = make_window(qtbot, settings, Workspace(model_path=missing))
    with qtbot.waitSignal(win.indexFinished, timeout=60000) as sig:
        win.open_vault(vault, db)
    assert sig.args == [True]
    combo = win.search.mode
    enabled = {combo.itemData(i): combo.model().item(i).isEnabled() for i in range(combo.count())}
    assert enabled == {"words": True, "meaning": False, "both": False}
    assert str(missing) in combo.toolTip() and str(missing) in win.semantic_label.toolTip()
    # Kinds by rules, no vectors: no semantic map, but words still find claims.
    assert win.layout_box.count() == 1
    target = next(n for n, d in win.G.nodes(data=True) if d["type"] == "claim")
    win.search.input.setText(win.G.nodes[target]["text"])
    with qtbot.waitSignal(win.searchFinished, timeout=10000) as sig:
        win.search.submit()
    assert sig.args[0][0]["id"] == target
    win.close()


def test_a_broken_vault_taxonomy_is_named_not_fatal(qtbot, window, vault, db):
    own = vault / ".explorer" / "taxonomy.toml"
    own.parent.mkdir()
    own.write_text('[[kind]]\nid = "x"\nname = \n', encoding="utf-8")
    with qtbot.waitSignal(window.indexFinished, timeout=60000) as sig:
        assert window.open_vault(vault, db)
    assert sig.args == [False]
    title, text = window.messages[-1]
    assert title == "Indexing failed" and str(own) in text and "line" in text
    assert "capability" in window.taxonomy  # drawn with the shipped kinds meanwhile


def test_opening_a_missing_vault_or_a_foreign_database(qtbot, window, vault, tmp_path):
    assert not window.open_vault(tmp_path / "gone")
    assert window.messages[-1][0] == "Vault not found"
    inside = vault / "claims.db"
    assert not window.open_vault(vault, inside)
    assert "inside the vault" in window.messages[-1][1] and not inside.exists()
    assert not window.busy() and window.vault is None
