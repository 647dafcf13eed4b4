"""Fragments: claims that are not self-contained are stored, searchable, and left off
the map unless asked for (issue 15, point 8). tests/fixtures/issue15/terse-bullets.md
was written for this test."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.core.fragments import is_fragment
from explorer.core.parse import parse_note
from explorer.graph.build import graph_from_store
from explorer.graph.filters import filter_graph
from explorer.store import open_db

NOTE = Path(__file__).resolve().parent / "fixtures" / "issue15" / "terse-bullets.md"
FRAGMENTS = {
    "SIGEMT",
    "favicon-167x167.png",
    "Signal handling",
    "$\\sigma(x) = 1 / (1 + e^{-x})$",
    "Intel CPUs",
}
WHOLE = {
    "A process that ignores SIGTERM keeps running until it gets SIGKILL.",
    "not intelligence",
}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("SIGEMT", True),
        ("favicon-167x167.png", True),
        ("$E = mc^2$", True),
        ("42", True),
        ("?", True),
        ("aws ec2 guide", True),
        ("Mathematics.", True),
        ("Not real-time.", False),
        ("no perception, no action", False),
        ("BLOOM not as good", False),
        ("Models scale.", False),
        ("Reasoning improves with scale", False),
    ],
)
def test_fragment_rule(text, fragment):
    assert is_fragment(text) is fragment


def test_the_parser_marks_fragments_and_bare_links():
    note = parse_note(NOTE.read_text(encoding="utf-8"), NOTE.name)
    flags = {c.text: c.fragment for c in note.claims}
    assert {t for t, f in flags.items() if f} == FRAGMENTS
    assert {t for t, f in flags.items() if not f} == WHOLE


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EXPLORER_MODEL", "hashing")
    vault = tmp_path / "vault"
    vault.mkdir()
    shutil.copy(NOTE, vault)
    db = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(db), "--quiet"]) == 0
    return vault, db


def test_fragments_are_stored_and_searchable(indexed, capsys):
    _, db = indexed
    con = sqlite3.connect(db)
    rows = dict(con.execute("SELECT text, fragment FROM claims").fetchall())
    con.close()
    assert {t for t, f in rows.items() if f} == FRAGMENTS
    capsys.readouterr()
    assert main(["search", "--words", "SIGEMT", "--db", str(db)]) == 0
    assert "terse-bullets.md:3: [SIGEMT]" in capsys.readouterr().out  # the snippet marks the hit
    assert main(["stats", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fragments"] == len(FRAGMENTS)


def test_the_map_leaves_fragments_out_unless_asked(indexed, tmp_path):
    _, db = indexed
    store = open_db(db, create=False)
    try:
        G = graph_from_store(store)
    finally:
        store.close()
    claims = {d["text"]: d for _, d in G.nodes(data=True) if d["type"] == "claim"}
    assert {t for t, d in claims.items() if d.get("fragment")} == FRAGMENTS
    H, info = filter_graph(G)
    shown = {d["text"] for _, d in H.nodes(data=True) if d["type"] == "claim"}
    assert shown == WHOLE and info["hidden_by_filter"]["fragments"] >= len(FRAGMENTS)
    assert any(d["type"] == "note" for _, d in H.nodes(data=True))
    H_all, _ = filter_graph(G, include_fragments=True)
    assert {d["text"] for _, d in H_all.nodes(data=True) if d["type"] == "claim"} == set(claims)

    out = tmp_path / "g.json"
    for extra, expected in (([], WHOLE), (["--fragments"], FRAGMENTS | WHOLE)):
        argv = ["export", "--db", str(db), "-f", "json", "-o", str(out), "--quiet", *extra]
        assert main(argv) == 0
        nodes = json.loads(out.read_text())["nodes"]
        assert {n["text"] for n in nodes if n["type"] == "claim"} == expected


def test_hiding_fragments_takes_only_what_hung_from_them():
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("note:a.md", type="note", note="a.md")
    G.add_node("clm:1", type="claim", note="a.md", fragment=True, text="SIGEMT")
    G.add_node("clm:2", type="claim", note="a.md", text="A whole claim of the note.")
    G.add_node("ref:bib", type="reference", text="Baars 1988")  # the note's bibliography
    G.add_node("ref:only", type="reference", text="https://a.b/c")
    G.add_node("ann:1", type="annotation", text="??")
    G.add_edge("note:a.md", "clm:1", key="contains", type="contains")
    G.add_edge("note:a.md", "clm:2", key="contains", type="contains")
    G.add_edge("note:a.md", "ref:bib", key="cites", type="cites")
    G.add_edge("clm:1", "ref:only", key="cites", type="cites")
    G.add_edge("ann:1", "clm:1", key="annotates", type="annotates")
    H, info = filter_graph(G)
    assert set(H) == {"note:a.md", "clm:2", "ref:bib"}
    assert info["hidden_by_filter"] == {"fragments": 3}
