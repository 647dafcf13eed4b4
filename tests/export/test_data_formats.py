"""GraphML, GEXF, node-link JSON, CSV and JSON Canvas: read back what was written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from explorer.export import EXTENSIONS, FORMATS, canvas, csvfiles, gexf, graphml, nodelink, write
from explorer.export.common import ExportError, flatten_graph
from explorer.graph.analyze import enrich
from explorer.graph.synthetic import synthetic_graph

HOSTILE = '<img src=x onerror="window.__pwned=1"> & <script>window.__pwned=2</script> ünï “q”'


@pytest.fixture(scope="module")
def G():
    g = synthetic_graph(120, seed=8, hostile_text=HOSTILE)
    enrich(g, seed=0)
    # A list-valued and a None-valued attribute, as a careless builder might leave.
    first = next(n for n, d in g.nodes(data=True) if d["type"] == "claim")
    g.nodes[first]["aliases"] = ["a", "b"]
    g.nodes[first]["url"] = None
    return g


def _flat(G):
    return flatten_graph(G)


def _same_edges(A, B):
    def key(g):
        return sorted((str(u), str(v), d["type"]) for u, v, d in g.edges(data=True))

    return key(A) == key(B)


def test_flatten_fills_every_key_with_one_type(G):
    H = _flat(G)
    keys = set().union(*(d.keys() for _, d in H.nodes(data=True)))
    for k in keys:
        types = {type(d[k]) for _, d in H.nodes(data=True)}
        assert len(types) == 1, (k, types)
        assert None not in [d[k] for _, d in H.nodes(data=True)]
    d = next(d for _, d in H.nodes(data=True) if d.get("aliases"))
    assert d["aliases"] == "a; b"
    assert isinstance(H.graph["communities"], str)  # nested dict -> JSON
    assert {type(d["line"]) for _, d in H.nodes(data=True)} == {int}


def test_graphml_round_trip(tmp_path, G):
    out = tmp_path / "dir with spaces" / "kärte.graphml"
    out.parent.mkdir()
    info = graphml.write(G, out)
    assert info["nodes"] == G.number_of_nodes() and info["bytes"] > 0
    R = nx.read_graphml(out, force_multigraph=True)
    H = _flat(G)
    assert set(R.nodes) == set(H.nodes)
    assert R.number_of_edges() == H.number_of_edges() and _same_edges(R, H)
    for n, d in H.nodes(data=True):
        assert R.nodes[n] == d
    assert R.graph["vault"] == G.graph["vault"]
    assert json.loads(R.graph["communities"])  # the table survives as JSON
    assert HOSTILE in {d["text"] for _, d in R.nodes(data=True)}
    assert graphml.read(out).number_of_edges() == H.number_of_edges()


def test_gexf_round_trip_and_viz(tmp_path, G):
    out = tmp_path / "map.gexf"
    gexf.write(G, out)
    raw = nx.read_gexf(out)
    # Plain networkx sees every attribute; the edge type sits under edge_type.
    assert {d["edge_type"] for *_, d in raw.edges(data=True)} == {
        d["type"] for *_, d in G.edges(data=True)
    }
    assert all("viz" in d and "position" in d["viz"] for _, d in raw.nodes(data=True))
    R = gexf.read(out)
    H = _flat(G)
    assert set(R.nodes) == set(H.nodes) and _same_edges(R, H)
    for n, d in H.nodes(data=True):
        assert R.nodes[n] == d
    for *_, d in R.edges(data=True):
        assert set(d) == {"type", "weight", "stance", "confidence", "reason", "line"}
    text = out.read_text(encoding="utf-8")
    assert "<edge " in text and ' type="contains"' not in text  # GEXF's type left alone


def test_node_link_json(tmp_path, G):
    out = tmp_path / "graph.json"
    nodelink.write(G, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["directed"] and doc["multigraph"] and "edges" in doc
    R = nx.node_link_graph(doc, edges="edges")
    assert set(R.nodes) == set(G.nodes) and _same_edges(R, G)
    d = next(d for _, d in R.nodes(data=True) if d.get("aliases"))
    assert d["aliases"] == ["a", "b"]  # JSON keeps lists
    assert HOSTILE in {d.get("text") for _, d in R.nodes(data=True)}
    assert "ünï “q”" in out.read_text(encoding="utf-8")  # raw UTF-8, not \\u escapes


def test_csv(tmp_path, G):
    out = tmp_path / "csv out"
    info = csvfiles.write(G, out)
    assert info["nodes"] == G.number_of_nodes()
    with open(out / "nodes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:3] == ["id", "type", "label"]
    assert {r["id"] for r in rows} == {str(n) for n in G.nodes}
    hostile = next(r for r in rows if r["text"] == HOSTILE)
    assert hostile["type"] in ("claim", "note")
    with open(out / "edges.csv", encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert len(edges) == G.number_of_edges()
    assert {"source", "target", "type", "weight"} <= set(edges[0])
    assert not (out / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_canvas(tmp_path, G):
    out = tmp_path / "map.canvas"
    canvas.write(G, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    ids = {n["id"] for n in doc["nodes"]}
    assert ids == {str(n) for n in G.nodes}
    by_id = {n["id"]: n for n in doc["nodes"]}
    for n in doc["nodes"]:
        assert {"id", "type", "x", "y", "width", "height"} <= set(n)
        assert all(isinstance(n[k], int) for k in ("x", "y", "width", "height"))
        kind = n["type"]
        assert kind in ("text", "file", "link")
        assert {"text": "text", "file": "file", "link": "url"}[kind] in n
    notes = [n for n, d in G.nodes(data=True) if d["type"] == "note" and not d.get("missing")]
    assert all(by_id[n]["type"] == "file" and by_id[n]["file"] == G.nodes[n]["note"] for n in notes)
    assert any(n["type"] == "link" for n in doc["nodes"])
    for e in doc["edges"]:
        assert e["fromNode"] in ids and e["toNode"] in ids and e["label"]
    assert len({e["id"] for e in doc["edges"]}) == len(doc["edges"])
    # Hostile text is shown as text by Obsidian's Markdown renderer.
    texts = " ".join(n.get("text", "") for n in doc["nodes"])
    assert "<img" not in texts and "&lt;img src=x" in texts
    # No two boxes overlap.
    boxes = [(n["x"], n["y"], n["x"] + n["width"], n["y"] + n["height"]) for n in doc["nodes"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_missing_output_folder_is_named(tmp_path, G, fmt):
    target = tmp_path / "no such folder" / f"out{EXTENSIONS[fmt]}"
    with pytest.raises(ExportError, match="no such folder"):
        write(G, fmt, target)
    assert not (tmp_path / "no such folder").exists()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_never_writes_into_the_vault(tmp_path, G, fmt):
    vault = tmp_path / "vault"
    vault.mkdir()
    H = G.copy()
    H.graph["vault"] = str(vault)
    with pytest.raises(ExportError, match="inside the vault"):
        write(H, fmt, vault / f"out{EXTENSIONS[fmt]}")
    assert list(vault.iterdir()) == []


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_empty_graph(tmp_path, fmt):
    info = write(nx.MultiDiGraph(), fmt, tmp_path / f"empty{EXTENSIONS[fmt]}")
    assert info["nodes"] == 0


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        write(nx.MultiDiGraph(), "pdf", "x.pdf")


def test_every_format_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "EXPORTERS.md").read_text(
        encoding="utf-8"
    )
    for fmt in FORMATS:
        assert f"(`{fmt}`)" in doc, f"docs/EXPORTERS.md has no section for {fmt}"
