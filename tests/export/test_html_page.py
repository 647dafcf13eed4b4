"""The HTML page as a file: self-contained, escaped, UTF-8, sized; no browser needed
(except the 100,000-node check, which also opens the page)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from explorer.export import html
from explorer.export.common import ExportError
from explorer.graph.analyze import enrich
from explorer.graph.synthetic import cheap_graph, synthetic_graph

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "</script><script>alert(1)</script><!-- & \u2028 <img src=x onerror=alert(2)>"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def rendered():
    G = synthetic_graph(80, seed=5, hostile_text=HOSTILE)
    enrich(G, seed=0)
    page, stats = html.render(G)
    return G, page, stats


def test_json_for_script_escapes_and_round_trips():
    value = {"t": HOSTILE, "n": [1, 2.5, None, True]}
    text = html.json_for_script(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


def test_page_has_no_external_reference(rendered):
    _, page, _ = rendered
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert "src" not in attrs, (tag, attrs)
        for key in ("href", "action", "data", "poster"):
            value = attrs.get(key, "")
            assert not value or value.startswith("data:"), (tag, attrs)
    assert "@import" not in page and "url(http" not in page
    assert "bootstrap" not in page.lower()  # what pyvis's own template links from a CDN


def test_hostile_text_cannot_close_the_data_element(rendered):
    G, page, _ = rendered
    parser = _Tags()
    parser.feed(page)
    assert len(parser.scripts) == 3  # vis-network, data, page script: nothing injected
    data_tags = [a for t, a in parser.tags if t == "script" and a.get("type") == "application/json"]
    assert len(data_tags) == 1
    data = json.loads(parser.scripts[1])  # the columns of html.wire
    assert HOSTILE in set(data["nodes"]["text"])
    assert len(data["nodes"]["id"]) == G.number_of_nodes()
    assert len(data["edges"]["to"]) == sum(data["edges"]["out"]) == G.number_of_edges()


def test_csp_allows_exactly_the_inline_scripts(rendered):
    _, page, _ = rendered
    parser = _Tags()
    parser.feed(page)
    meta = next(a for t, a in parser.tags if t == "meta" and a.get("http-equiv"))
    csp = meta["content"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    for i in (0, 2):
        digest = base64.b64encode(hashlib.sha256(parser.scripts[i].encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_vis_network_licence_header_is_kept(rendered):
    _, page, _ = rendered
    assert "vis.js is dual licensed under both" in page
    assert "@version 9.1.2" in page


def test_colours_follow_the_taxonomy_and_bad_colours_are_replaced():
    G = synthetic_graph(60, seed=1)
    enrich(G, seed=0)
    taxonomy = {
        "capability": {"name": "Can do", "colour": "#112233"},
        "limitation": {"name": "Cannot", "colour": "red; background:url(x)"},
    }
    payload = html.build_payload(G, taxonomy=taxonomy)
    kinds = {k["id"]: k for k in payload["meta"]["kinds"]}
    assert kinds["capability"] == {**kinds["capability"], "name": "Can do", "colour": "#112233"}
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", kinds["limitation"]["colour"])
    # Kinds in the graph but not in the taxonomy still get a colour and a legend row.
    assert {"question", "assertion"} <= set(kinds)
    cap = next(n for n in payload["nodes"] if n.get("k") == "capability")
    assert cap["color"] == "#112233"


def test_written_as_utf8_whatever_the_locale(tmp_path):
    out = tmp_path / "page.html"
    code = (
        "import locale\n"
        "assert locale.getpreferredencoding(False).lower() in ('ascii', 'ansi_x3.4-1968')\n"
        "from explorer.graph.synthetic import synthetic_graph\n"
        "from explorer.export import html\n"
        "G = synthetic_graph(20, seed=1, hostile_text='Gr\\u00f6\\u00dfe \\u201cq\\u201d \\u732b')\n"
        f"html.write(G, {str(out)!r})\n"
    )
    # A plain ASCII locale, with Python's UTF-8 fallbacks (PEP 538, PEP 540) switched off.
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONCOERCECLOCALE": "0"}  # fmt: skip
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)
    text = out.read_bytes().decode("utf-8")
    assert "Größe “q” 猫" in text
    assert '<meta charset="utf-8">' in text
    assert out.stat().st_mode & 0o044  # readable by others, like any exported file


def test_pyvis_is_imported_only_when_writing():
    code = (
        "import sys, explorer.export.html, explorer.export;"
        "assert 'pyvis' not in sys.modules and 'selenium' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_positions_are_computed_when_missing():
    G = synthetic_graph(40, seed=2)  # no x/y, no community
    payload = html.build_payload(G)
    assert all(isinstance(n["x"], float) for n in payload["nodes"])
    assert all("x" not in d for _, d in G.nodes(data=True))  # input untouched
    assert len(payload["groups"]) >= 1


def test_filter_info_reaches_the_page():
    from explorer.graph.filters import filter_graph

    G = synthetic_graph(80, seed=2)
    enrich(G, seed=0)
    H, info = filter_graph(G, kinds=["question"])
    payload = html.build_payload(H)
    assert payload["meta"]["filtered_out"] == info["hidden_nodes"] > 0


def test_missing_folder_and_vault(tmp_path):
    G = synthetic_graph(10, seed=1)
    with pytest.raises(ExportError, match="nope"):
        html.write(G, tmp_path / "nope" / "x.html")
    G.graph["vault"] = str(tmp_path)
    with pytest.raises(ExportError, match="inside the vault"):
        html.write(G, tmp_path / "x.html")


def test_empty_graph_page(tmp_path):
    info = html.write(nx.MultiDiGraph(), tmp_path / "e.html")
    assert info["nodes"] == 0 and info["bytes"] > 0


@pytest.mark.slow
def test_hundred_thousand_nodes_collapse_report_size_and_load(tmp_path):
    from explorer.export.browser import OfflineChromium

    G = cheap_graph(100_000)
    path = tmp_path / "huge.html"
    info = html.write(G, path)
    assert info["nodes"] == 100_000 and info["collapsed"]
    assert info["bytes"] == path.stat().st_size > 10_000_000
    assert info["shown_at_start"] == info["groups"] < 200
    with OfflineChromium() as b:
        b.open(path)
        b.wait_for("window.explorerMap && window.explorerMap.ready", timeout=240)
        counts = b.driver.execute_script(
            "const m = window.explorerMap; return [m.nodeCount, m.hiddenCount, m.totalNodes];"
        )
        assert counts == [info["groups"], 100_000, 100_000]
        assert b.console_errors() == []


def test_missing_browser_is_an_error_naming_the_binary(tmp_path):
    from explorer.export.browser import BrowserMissing, find_binaries

    with pytest.raises(BrowserMissing, match="no-chromium-here"):
        find_binaries(str(tmp_path / "no-chromium-here"), str(tmp_path / "no-driver"))


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, path)


def test_every_text_is_written_once_and_edges_carry_no_repeated_style():
    """The page's data says each claim text once (views and labels point at the node),
    and an edge is a target index, a type code and a weight: no colour, arrows or ids."""
    G = synthetic_graph(400, seed=3)
    enrich(G, seed=0)
    payload = html.build_payload(G)
    data = html.wire(payload)
    texts = {str(d["text"]) for _, d in G.nodes(data=True) if len(str(d.get("text", ""))) > 24}
    where = [p for p, s in _strings(data) if s in texts]
    # Besides the node's own text, only the one claim that stands for each community.
    assert set(where) <= {("nodes", "text"), ("groups", "claim")}
    assert where.count(("groups", "claim")) <= len(data["groups"])
    assert len(data["nodes"]["text"]) == G.number_of_nodes()
    edges = data["edges"]
    keys = ("out", "to", "type", "types", "styles", "weighted", "w", "reasons", "more")
    assert set(edges) == set(keys)
    assert all(isinstance(v, int) for key in ("out", "to", "type") for v in edges[key])
    assert len(edges["styles"]) == len(edges["types"]) <= len(set(html.EDGE_TYPES)) + 1
    # A label that is the text cut short is a number, not a second copy.
    cut = [lab for lab in data["nodes"]["label"] if isinstance(lab, str) and lab.endswith("…")]
    assert cut == []
