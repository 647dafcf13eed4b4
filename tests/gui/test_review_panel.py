"""The review dock end to end: a real store, a real window (offscreen), and the command line.

A correction made by `explorer correct` shows in the window and survives a re-index; the
dock answers by keys (accept, number keys, skip) and in bulk, and stores what it is told in
the same rows as the command line.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from explorer.app.workspace import Workspace
from explorer.cli import main
from explorer.gui.main_window import MainWindow
from explorer.resources import sample_vault

pytestmark = pytest.mark.gui


@pytest.fixture
def vault(tmp_path):
    return Path(shutil.copytree(sample_vault(), tmp_path / "vault"))


@pytest.fixture
def db(tmp_path):
    return tmp_path / "store" / "claims.db"


@pytest.fixture
def opened(qtbot, settings, vault, db):
    win = MainWindow(Workspace(model_path="hashing"), settings)
    win.open_url = lambda url: True
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexFinished, timeout=60000) as sig:
        assert win.open_vault(vault, db)
    assert sig.args == [True], win.messages
    yield win
    win.close()


def user_kinds(db) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT claim_id, kind FROM user_kinds"))
    finally:
        con.close()


def reindex(qtbot, win) -> None:
    with qtbot.waitSignal(win.indexFinished, timeout=60000) as sig:
        win.reindex()
    assert sig.args == [True], win.messages


def test_a_correction_by_command_shows_in_the_window_and_survives_reindex(
    qtbot, opened, db, vault, monkeypatch, capsys
):
    monkeypatch.setenv("EXPLORER_MODEL", "hashing")
    panel = opened.review
    first = panel.queue.current()
    reviewed, total = panel.queue.progress()
    assert reviewed == 0 and total > 50
    new = next(k for k in opened.taxonomy if k != first.kind)
    assert main(["correct", first.claim_id, "--db", str(db), "--kind", new]) == 0
    capsys.readouterr()

    reindex(qtbot, opened)  # the window reads the store again
    d = opened.G.nodes[first.claim_id]
    assert (d["kind"], d["kind_source"], d["confidence"]) == (new, "user", 1.0)
    assert panel.queue.progress() == (1, total)
    assert first.claim_id not in [i.claim_id for i in panel.queue.pending()]
    assert f"1 of {total} reviewed" in panel.progress.text()

    # A forced re-index by command (every note parsed again), then the window's.
    assert main(["index", str(vault), "--db", str(db), "--force", "-q"]) == 0
    reindex(qtbot, opened)
    assert opened.G.nodes[first.claim_id]["kind"] == new
    assert user_kinds(db) == {first.claim_id: new}


def test_keys_accept_change_and_skip_and_the_answers_are_stored(qtbot, opened, db):
    panel = opened.review
    opened.docks["review"].show()
    opened.docks["review"].raise_()
    panel.setFocus()
    q = panel.queue
    a, b, c = q.pending()[:3]
    assert [a.confidence, b.confidence] == sorted([a.confidence, b.confidence])
    assert a.text == panel.claim.text() and a.note in panel.where.text()

    qtbot.keyClick(panel, Qt.Key.Key_A)  # accept the first
    assert user_kinds(db) == {a.claim_id: a.kind}
    assert panel.claim.text() == b.text
    qtbot.keyClick(panel, Qt.Key.Key_S)  # skip the second
    assert panel.claim.text() == c.text
    qtbot.keyClick(panel, Qt.Key.Key_2)  # the third becomes kind 2
    second_kind = q.kinds[1]
    assert user_kinds(db) == {a.claim_id: a.kind, c.claim_id: second_kind}
    assert opened.G.nodes[c.claim_id]["kind"] == second_kind
    assert opened.G.nodes[a.claim_id]["kind_source"] == "user"
    assert panel.progress.text().startswith("2 of ")
    # The skipped one waits at the back; after a refresh it is first again.
    assert q.pending()[-1].claim_id == b.claim_id
    q.refresh()
    assert q.current().claim_id == b.claim_id


def test_bulk_sets_the_kind_of_every_selected_claim(qtbot, opened, db):
    panel = opened.review
    rows = [0, 2, 3]
    ids = [panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]
    panel.select_rows(rows)
    panel.bulk_kind.setCurrentIndex(panel.bulk_kind.findData("limitation"))
    qtbot.mouseClick(panel.bulk_btn, Qt.MouseButton.LeftButton)
    assert user_kinds(db) == dict.fromkeys(ids, "limitation")
    assert all(opened.G.nodes[i]["kind"] == "limitation" for i in ids)
    assert not set(ids) & {i.claim_id for i in panel.queue.pending()}


def test_the_dock_works_with_the_fake_backend(qtbot, opened_fake):
    panel = opened_fake.review
    item = panel.queue.current()
    assert item is not None and panel.kind_buttons
    assert panel.key("1") == "changed"
    assert opened_fake.G.nodes[item.claim_id]["kind_source"] == "user"


@pytest.fixture
def opened_fake(qtbot, fake, settings, tmp_path):
    win = MainWindow(fake, settings)
    win.open_url = lambda url: True
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexFinished, timeout=20000):
        assert win.open_vault(fake.write_vault(tmp_path / "fake-vault"))
    yield win
    win.close()


TALK = """---
title: Notes on a talk about memory
speaker: Dr. Example
---
# Talk: memory in agents

The speaker argues that agents need a long-term store.
- retrieval helps with facts
  - helps less with plans than they claim?
"""


def test_voice_shows_in_details_and_as_a_filter(qtbot, settings, tmp_path):
    vault = tmp_path / "talk-vault"
    vault.mkdir()
    (vault / "talk.md").write_text(TALK, encoding="utf-8")
    win = MainWindow(Workspace(model_path="hashing"), settings)
    win.open_url = lambda url: True
    qtbot.addWidget(win)
    win.show()
    try:
        with qtbot.waitSignal(win.indexFinished, timeout=60000):
            assert win.open_vault(vault, tmp_path / "talk.db")
        by_text = {d.get("text"): n for n, d in win.G.nodes(data=True)}
        source = by_text["The speaker argues that agents need a long-term store."]
        reaction = by_text["helps less with plans than they claim?"]
        win.select_node(reaction)
        assert "Voice" in win.details.browser.toPlainText()
        assert "the author's own" in win.details.browser.toPlainText()
        win.select_node(source)
        assert "the source's" in win.details.browser.toPlainText()
        win.filters.voice_checks["source"].setChecked(False)
        qtbot.waitUntil(lambda: source not in win.visible.nodes, timeout=3000)
        assert reaction in win.visible.nodes
    finally:
        win.close()


def test_a_kind_set_in_details_leaves_the_queue(qtbot, opened, db):
    panel = opened.review
    item = panel.queue.pending()[1]
    opened.select_node(item.claim_id)
    combo = opened.details.kind
    new = next(k for k in opened.taxonomy if k != item.kind)
    combo.setCurrentIndex(combo.findData(new))
    combo.activated.emit(combo.currentIndex())
    assert user_kinds(db) == {item.claim_id: new}
    assert item.claim_id not in [i.claim_id for i in panel.queue.pending()]
    assert panel.progress.text().startswith("1 of ")
