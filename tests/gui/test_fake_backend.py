"""The fake backend keeps the Backend contract the window relies on (docs/EXPORT.md)."""

from __future__ import annotations

import threading

import pytest

from explorer.app.api import Backend
from explorer.app.errors import DatabaseDamagedError, VaultMissingError
from explorer.core.model import EDGE_TYPES, NODE_TYPES
from explorer.graph.ids import edge_id, parse_edge_id
from explorer.graph.synthetic import synthetic_vault
from explorer.gui.fake_backend import FakeBackend
from explorer.indexing.events import Progress


def test_is_a_backend():
    assert isinstance(FakeBackend(20), Backend)


def test_graph_follows_the_export_contract():
    G, notes = synthetic_vault(150, seed=2)
    kinds = set(FakeBackend(10).kind_styles())
    for n, d in G.nodes(data=True):
        assert n.split(":", 1)[0] in ("note", "sec", "clm", "ann", "ref", "con")
        assert d["type"] in NODE_TYPES and d["label"]
        assert isinstance(d["x"], float) and isinstance(d["y"], float)
        assert 0.0 <= d["centrality"] <= 1.0
        if d["type"] == "claim":
            assert d["kind"] in kinds and d["note"] in notes
            # The line points at the claim's text in the note.
            assert d["text"] in notes[d["note"]].splitlines()[d["line"] - 1]
    assert {t for *_, t in G.edges(data="type")} <= set(EDGE_TYPES)
    assert sum(1 for _, d in G.nodes(data=True) if d["type"] == "claim") == 150


def test_seeded():
    a, _ = synthetic_vault(80, seed=5)
    b, _ = synthetic_vault(80, seed=5)
    c, _ = synthetic_vault(80, seed=6)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.nodes) != list(c.nodes)


def test_open_checks_the_folder_and_the_database(tmp_path):
    fake = FakeBackend(30)
    with pytest.raises(VaultMissingError, match="vault not found"):
        fake.open(tmp_path / "nope")
    vault = fake.write_vault(tmp_path / "v")
    broken = FakeBackend(30, corrupt=True)
    with pytest.raises(DatabaseDamagedError):
        broken.open(vault)
    backup = broken.rebuild_database()
    assert backup.name.endswith(".backup")
    broken.open(vault)
    assert fake.calls["open"] == 1


def test_index_yields_progress_and_honours_cancel(tmp_path):
    fake = FakeBackend(30, index_steps=50)
    fake.open(fake.write_vault(tmp_path / "v"))
    cancel = threading.Event()
    seen = []
    for p in fake.index(cancel):
        seen.append(p)
        if len(seen) == 3:
            cancel.set()
    assert len(seen) == 3 and all(isinstance(p, Progress) for p in seen)
    assert seen[-1].total == 50


def test_index_raises_when_the_vault_vanishes(tmp_path):
    import shutil

    fake = FakeBackend(30)
    vault = fake.write_vault(tmp_path / "v")
    fake.open(vault)
    shutil.rmtree(vault)
    with pytest.raises(VaultMissingError):
        list(fake.index(threading.Event()))


def test_corrections_change_what_the_graph_says(tmp_path):
    fake = FakeBackend(60)
    fake.open(fake.write_vault(tmp_path / "v"))
    G = fake.graph()
    cid = next(n for n, d in G.nodes(data=True) if d["type"] == "claim" and d["kind"] != "question")
    fake.set_kind(cid, "question")
    assert fake.graph().nodes[cid]["kind"] == "question"
    assert fake.graph().nodes[cid]["kind_source"] == "user"
    aid = fake.add_annotation(cid, "I doubt it", "doubt")
    d = fake.details(cid)
    assert [(a["id"], a["stance"], a["own"]) for a in d["annotations"] if a["own"]] == [
        (aid, "doubt", True)
    ]
    other = next(iter(G.successors(cid)))
    etype = next(iter(G.get_edge_data(cid, other).values()))["type"]
    fake.hide(edge_id(cid, other, etype))
    assert not any(
        e["type"] == etype for e in (fake.graph().get_edge_data(cid, other) or {}).values()
    )
    fake.hide(cid)
    assert cid not in fake.graph()
    assert fake.calls["set_kind"] == 1 and fake.calls["hide"] == 2


def test_edge_ids_round_trip():
    assert parse_edge_id(edge_id("clm:a", "note:x|y.md", "similar")) == (
        "clm:a",
        "note:x|y.md",
        "similar",
    )
    assert parse_edge_id("clm:a") is None


def test_search_and_semantic_switch(tmp_path):
    fake = FakeBackend(100)
    G = fake.graph()
    cid, d = next((n, d) for n, d in G.nodes(data=True) if d["type"] == "claim")
    hits = fake.search(d["text"], "words")
    assert hits[0]["id"] == cid
    assert set(hits[0]) == {"id", "text", "kind", "note", "line", "score"}
    off = FakeBackend(10, semantic=(False, "model directory not found"))
    assert off.semantic_status() == (False, "model directory not found")
    with pytest.raises(RuntimeError, match="model directory not found"):
        off.search("x", "meaning")


def test_note_lines_come_from_the_file(tmp_path):
    fake = FakeBackend(40)
    vault = fake.write_vault(tmp_path / "v")
    fake.open(vault)
    G = fake.graph()
    d = next(d for _, d in G.nodes(data=True) if d["type"] == "claim")
    lines = fake.note_lines(d["note"], d["line"], 2)
    assert dict(lines)[d["line"]].endswith(d["text"])
    assert len(lines) <= 5
    (vault / d["note"]).unlink()
    with pytest.raises(FileNotFoundError):
        fake.note_lines(d["note"], d["line"])
