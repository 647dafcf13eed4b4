"""The structural graph: notes, sections, claims; contains and links_to (docs/EXPORT.md)."""

from __future__ import annotations

import networkx as nx
from helpers import line_parser

from explorer import __version__
from explorer.graph.build import NoteResolver, graph_from_store, label
from explorer.store import hide, set_kind, set_meta, write_note

NOTES = {
    "a.md": "# Top\nLLMs plan badly, see [[b]].\n- Item one.\n  - Sub item links [[Nowhere]].\n"
    "## Deeper\nA claim in the deeper section.\n",
    "folder/b.md": "Plain claim with [[a#Top|alias]] and ![[diagram.png]].\n",
}


def build(db, **kw):
    for path, text in NOTES.items():
        write_note(db, line_parser(text, path), size=1, mtime_ns=1, sha="x")
    set_meta(db, "vault", "/v")
    return graph_from_store(db, **kw)


def edges(graph, kind):
    return {(u, v) for u, v, k in graph.edges(keys=True) if k == kind}


def test_nodes_have_the_documented_attributes(db):
    g = build(db)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph == {"vault": "/v", "version": __version__, "model": ""}
    a = g.nodes["note:a.md"]
    assert a == {"type": "note", "label": "a", "text": "a", "note": "a.md"}
    sections = [n for n, d in g.nodes(data=True) if d["type"] == "section"]
    assert all(s.startswith("sec:") for s in sections) and len(sections) == 2
    claims = {d["text"]: (n, d) for n, d in g.nodes(data=True) if d["type"] == "claim"}
    nid, deeper = claims["A claim in the deeper section."]
    assert nid.startswith("clm:")
    assert deeper["section"] == "Top > Deeper" and deeper["note"] == "a.md"
    assert deeper["line"] == 6
    for _, d in g.nodes(data=True):
        assert {"type", "label", "text"} <= d.keys()
        assert all(v is not None for v in d.values())


def test_contains_edges_form_the_note_tree(db):
    g = build(db)
    by_text = {d["text"]: n for n, d in g.nodes(data=True)}
    contains = edges(g, "contains")
    assert ("note:a.md", by_text["Top"]) in contains
    assert (by_text["Top"], by_text["Deeper"]) in contains
    assert (by_text["Top"], by_text["Item one."]) in contains
    assert (by_text["Item one."], by_text["Sub item links [[Nowhere]]."]) in contains
    assert (
        "note:folder/b.md",
        by_text["Plain claim with [[a#Top|alias]] and ![[diagram.png]]."],
    ) in contains
    # Every claim and section has exactly one container.
    for n, d in g.nodes(data=True):
        if d["type"] in ("claim", "section"):
            assert len([u for u, _, k in g.in_edges(n, keys=True) if k == "contains"]) == 1


def test_links_to_resolves_names_and_marks_missing_notes(db):
    g = build(db)
    links = edges(g, "links_to")
    assert links == {
        ("note:a.md", "note:folder/b.md"),
        ("note:folder/b.md", "note:a.md"),
        ("note:a.md", "note:Nowhere"),
    }
    assert g.nodes["note:Nowhere"]["missing"] is True
    assert g.edges["note:a.md", "note:folder/b.md", "links_to"]["line"] == 2
    assert "note:diagram.png" not in g  # an image embed is not a note


def test_user_kind_and_hidden_claims(db):
    build(db)
    item = db.conn.execute("SELECT id FROM claims WHERE text = 'Item one.'").fetchone()[0]
    sub = db.conn.execute("SELECT id FROM claims WHERE text LIKE 'Sub item%'").fetchone()[0]
    set_kind(db, sub, "question")
    hide(db, item)
    g = graph_from_store(db)
    assert item not in g
    assert g.nodes[sub]["kind"] == "question" and g.nodes[sub]["kind_source"] == "user"
    # The sub item now hangs from the section that held its hidden parent.
    (parent,) = [u for u, _, k in g.in_edges(sub, keys=True) if k == "contains"]
    assert g.nodes[parent]["text"] == "Top"
    g_all = graph_from_store(db, include_hidden=True)
    assert g_all.nodes[item]["hidden"] is True


def test_hidden_edges_are_left_out(db):
    build(db)
    hide(db, "note:a.md", "links_to", "note:folder/b.md")
    g = graph_from_store(db)
    assert ("note:a.md", "note:folder/b.md") not in edges(g, "links_to")


def test_node_link_json_uses_edges_key(db):
    g = build(db)
    data = nx.node_link_data(g, edges="edges")
    assert {"directed", "multigraph", "graph", "nodes", "edges"} <= data.keys()
    assert all({"source", "target", "type"} <= e.keys() for e in data["edges"])


def test_resolver_and_label():
    r = NoteResolver(["x/Alpha.md", "Alpha.md", "notes/Beta v2.0.md", "c/d.txt"])
    assert r.resolve("alpha") == "Alpha.md"  # the shortest path wins a shared name
    assert r.resolve("x/Alpha") == "x/Alpha.md"
    assert r.resolve("Beta v2.0") == "notes/Beta v2.0.md"
    assert r.resolve("../c/d.txt", "x/Alpha.md", "markdown") == "c/d.txt"
    assert r.resolve("https://example.org/a.md", "a.md", "markdown") is None
    assert r.resolve("Beta%20v2.0.md", "a.md", "markdown") == "notes/Beta v2.0.md"
    assert len(label("word " * 40)) <= 60
