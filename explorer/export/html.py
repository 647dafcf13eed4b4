"""One self-contained, offline HTML page of the map.

pyvis builds the vis-network node records (``pyvis.network.Network``), but
the page comes from this project's own template (``assets/html/``), because pyvis
0.3.2's template links Bootstrap from a CDN even ``in_line``, writes the file in the
locale's encoding and puts node ``title`` into the page as HTML. Here:

- vis-network's JavaScript (``assets/vendor/vis-network``, licence header kept), the
  page's script and its CSS are inlined; the page makes no request to any network
  address, and a Content-Security-Policy with script hashes forbids it to.
- The graph travels as JSON inside ``<script type="application/json">`` with ``<``,
  ``>`` and ``&`` escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``; the page builds its
  DOM with ``textContent`` only, so note text is always shown as text.
- Positions are precomputed (the graph's ``x``/``y``, or a fresh force layout) and
  physics is off, so the first frame is the final one.
- Past ``max_claims`` claims, the page opens on an overview with one node per
  community that expands on click, and says how many nodes are hidden.

The file is written as UTF-8 whatever the locale.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime

import networkx as nx

from explorer import __version__
from explorer.core.model import SIMILARITY_EDGE_TYPES
from explorer.export.common import ExportError, atomic_text, output_file
from explorer.graph.edges import edge_triples
from explorer.graph.labels import CLOSE_NODES, MIDDLE_MAX_LABELS, OVERVIEW_NODES
from explorer.resources import assets_dir
from explorer.style import EDGE_TYPES, NODE_TYPES, edge_style, kind_styles, node_style

MAX_CLAIMS = 3000
# Record keys the page reads besides vis-network's own (id, label, shape, color, size,
# x, y): kept short because a 100,000-node page holds them 100,000 times.
_DATA_KEYS = {
    "type": "t",
    "kind": "k",
    "text": "text",
    "note": "note",
    "line": "line",
    "section": "sec",
    "stance": "stance",
    "url": "url",
    "confidence": "conf",
    "kind_source": "ks",
    "missing": "missing",
    "community": "comm",
    "pinned": "pin",
    "date": "date",
}
_DIRECTED = {"annotates", "cites", "links_to", "mentions"}


def write(
    G: nx.Graph,
    path: str | os.PathLike,
    *,
    taxonomy: Mapping[str, Mapping[str, str]] | None = None,
    title: str | None = None,
    max_claims: int | None = MAX_CLAIMS,
    seed: int = 0,
) -> dict:
    """Write the page; returns ``{"path", "nodes", "edges", "bytes", "collapsed",
    "groups", "shown_at_start"}``.

    ``max_claims=None`` never collapses (every node drawn at once).
    """
    p = output_file(path, G)
    page, stats = render(G, taxonomy=taxonomy, title=title, max_claims=max_claims, seed=seed)
    with atomic_text(p) as fh:
        fh.write(page)
    return {"path": str(p), **stats, "bytes": p.stat().st_size}


def render(
    G: nx.Graph,
    *,
    taxonomy: Mapping[str, Mapping[str, str]] | None = None,
    title: str | None = None,
    max_claims: int | None = MAX_CLAIMS,
    seed: int = 0,
) -> tuple[str, dict]:
    """The page as a string, and the numbers ``write`` reports."""
    payload = build_payload(
        G, taxonomy=taxonomy, title=title, max_claims=max_claims, seed=seed, wired_edges=True
    )
    page = fill_template(payload)
    meta = payload["meta"]
    stats = {
        "nodes": meta["total_nodes"],
        "edges": meta["total_edges"],
        "collapsed": meta["collapsed"],
        "groups": len(payload["groups"]),
        "shown_at_start": len(payload["groups"]) if meta["collapsed"] else meta["total_nodes"],
    }
    return page, stats


def build_payload(
    G: nx.Graph,
    *,
    taxonomy: Mapping[str, Mapping[str, str]] | None = None,
    title: str | None = None,
    max_claims: int | None = MAX_CLAIMS,
    seed: int = 0,
    wired_edges: bool = False,
) -> dict:
    """Everything the page shows, as JSON-ready data (see docs/EXPORTERS.md).

    ``wired_edges``: the edges as the page carries them (what :func:`wire` makes of the
    edge records), made straight from the graph: ``render`` skips 750,000 records that
    would only be taken apart again."""
    G = _prepared(G, seed)
    kinds_present = Counter(
        d.get("kind") for _, d in G.nodes(data=True) if d.get("type") == "claim" and d.get("kind")
    )
    kinds = kind_styles(taxonomy, kinds_present)
    group = _groups(G)
    n_claims = sum(1 for _, d in G.nodes(data=True) if d.get("type") == "claim")
    collapsed = max_claims is not None and n_claims > max_claims

    nodes, records = _vis_records(G, kinds, group, edges=not wired_edges)
    columns = _edge_columns(G, [str(r["id"]) for r in nodes]) if wired_edges else None
    if wired_edges and columns is None:  # not grouped by source: wire() sorts the records
        nodes, records = _vis_records(G, kinds, group)
    edges: list | dict = records if columns is None else columns
    groups = _group_records(G, group)

    node_types = Counter(str(d.get("type", "")) for _, d in G.nodes(data=True))
    if isinstance(edges, dict):
        edge_types = Counter(
            {edges["types"][code]: n for code, n in Counter(edges["type"]).items()}
        )
    else:
        edge_types = Counter(e["t"] for e in edges)  # each record's type, as str(type)
    filter_info = G.graph.get("filter_info") or {}
    meta = {
        "title": title or _default_title(G),
        "generator": f"concept-map explorer {__version__}",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total_nodes": G.number_of_nodes(),
        "total_edges": sum(edge_types.values()),  # every edge has one (networkx counts slowly)
        "claims": n_claims,
        "max_claims": max_claims,
        "collapsed": collapsed,
        "filtered_out": int(filter_info.get("hidden_nodes", 0) or 0),
        # The zoom bands of graph/labels.py, so the page labels as the window does.
        "labels": {
            "overview_nodes": OVERVIEW_NODES,
            "close_nodes": CLOSE_NODES,
            "middle_max": MIDDLE_MAX_LABELS,
        },
        "kinds": [
            {"id": k, "name": s["name"], "colour": s["colour"], "count": kinds_present.get(k, 0)}
            for k, s in kinds.items()
        ],
        "node_types": [
            {
                "id": t,
                **NODE_TYPES.get(t, {"name": t, "colour": "#7F7F7F", "shape": "dot"}),
                "count": c,
            }  # fmt: skip
            for t, c in sorted(node_types.items(), key=lambda kv: _type_order(kv[0]))
        ],
        "edge_types": [
            {
                "id": t,
                **edge_style(t),
                "name": edge_style(t)["name"] if t in EDGE_TYPES else t,
                "count": c,
            }
            for t, c in sorted(edge_types.items())
        ],
    }
    from explorer.graph.views import all_views

    saved = G.graph.get("saved_views")
    return {
        "meta": meta,
        "nodes": nodes,
        "edges": edges,
        "groups": groups,
        # The window's Views panel, as tabs (explorer/graph/views.py).
        "views": all_views(G),
        # The user's saved views, offered in the page's menu.
        "saved_views": saved if isinstance(saved, Mapping) else {},
    }


def fill_template(payload: dict) -> str:
    """The template with CSS, scripts and the escaped JSON data put in place."""
    folder = assets_dir()
    try:
        template = (folder / "html" / "template.html").read_text(encoding="utf-8")
        css = (folder / "html" / "explorer.css").read_text(encoding="utf-8")
        app = (folder / "html" / "explorer.js").read_text(encoding="utf-8")
        vis = (folder / "vendor" / "vis-network" / "vis-network-9.1.2.min.js").read_text(
            encoding="utf-8"
        )
    except FileNotFoundError as exc:
        raise ExportError(f"HTML export asset missing: {exc.filename}") from exc
    for name, code in (("vis-network", vis), ("explorer.js", app)):
        if re.search(r"</script", code, re.IGNORECASE):
            raise ExportError(f"{name} contains '</script' and cannot be inlined")
    data = json_for_script(wire(payload))
    parts = {
        "TITLE": html_lib.escape(payload["meta"]["title"]),
        "CSS": css,
        "VIS_JS": vis,
        "APP_JS": app,
        "DATA": data,
        "CSP": _csp(vis, app),
    }
    # One pass, so a marker-like string inside the data is never replaced.
    return re.sub(r"@@(TITLE|CSS|VIS_JS|APP_JS|DATA|CSP)@@", lambda m: parts[m.group(1)], template)


# Node record keys that get a column of their own in the page's data (see ``wire``).
_BASE_KEYS = {"id", "label", "text", "shape", "color", "size", "x", "y", "t", "g"}
_INTERNED = ("note", "sec", "k", "ks")
_NUMBERS = ("line", "conf", "comm")
# The page lists this many tensions (all are counted); the rest stay in the window.
TENSIONS_SHOWN = 500


def wire(payload: dict) -> dict:
    """``build_payload``'s records as the page carries them: the same content, said once.

    A 69,000-claim vault has some 85,000 nodes and 750,000 edges; as records, each edge
    repeats its colour, arrows, width and two node ids, and the views repeat every claim
    text they quote. Here (the page's ``decode`` undoes it, docs/EXPORTERS.md):

    - nodes are columns; a node's shape and colour are one index into ``styles``; note
      paths, sections, kinds and kind sources are indexes into tables of their distinct
      values; a label that is the text, or the text cut short with "…", is a number
      (0, or the length kept); positions are rounded to whole layout units;
    - edges are grouped by source node (``out``: how many each node has, in node order),
      with the target's node index, a type code and, for similarity types, the weight
      in thousandths; colour, arrows and width follow from the type and weight;
    - the views name claims by node index and leave out the texts, notes and lines
      the node carries; the tensions tab keeps its first ``TENSIONS_SHOWN`` rows and the
      total.
    """
    nodes: list[dict] = payload["nodes"]
    ids = [str(r["id"]) for r in nodes]
    index = {n: i for i, n in enumerate(ids)}
    styles: dict[tuple, int] = {}
    cols: dict[str, list] = {k: [] for k in ("text", "label", "style", "size", "x", "y", "g")}
    interned = {k: _Table() for k in _INTERNED}
    numbers: dict[str, list] = {k: [] for k in _NUMBERS}
    more: dict[str, dict] = {}
    for i, r in enumerate(nodes):
        text = r.get("text")
        cols["text"].append(text)
        cols["label"].append(_label_code(r.get("label"), text))
        key = (r.get("t", ""), r.get("shape"), r.get("color"))
        cols["style"].append(styles.setdefault(key, len(styles)))
        cols["size"].append(r.get("size"))
        cols["x"].append(round(r["x"]))
        cols["y"].append(round(r["y"]))
        cols["g"].append(r.get("g", -1))
        for k in _INTERNED:
            interned[k].add(r.get(k))
        for k in _NUMBERS:
            v = r.get(k)
            numbers[k].append(round(v, 3) if isinstance(v, float) else v)
        extra = {k: v for k, v in r.items() if k not in _BASE_KEYS and k not in _INTERNED
                 and k not in _NUMBERS}  # fmt: skip
        if extra:
            more[str(i)] = extra
    node_data = {"id": ids, **cols, "styles": [list(k) for k in styles], "more": more}
    for k, table in interned.items():
        node_data[k] = table.wire()
    node_data.update(numbers)
    return {
        "format": 2,
        "meta": payload["meta"],
        "nodes": node_data,
        "edges": (
            payload["edges"]
            if isinstance(payload["edges"], dict)  # build_payload(wired_edges=True)
            else _wire_edges(payload["edges"], index)
        ),
        "groups": payload["groups"],
        "views": _wire_views(payload.get("views") or {}, index, nodes),
        "saved_views": payload.get("saved_views") or {},
    }


class _Table:
    """A column of values said as codes into a list of its distinct values (-1: none)."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.values: dict = {}

    def add(self, value) -> int:
        code = (
            -1 if value is None or value == "" else self.values.setdefault(value, len(self.values))
        )
        self.codes.append(code)
        return code

    def wire(self) -> dict:
        return {"values": list(self.values), "codes": self.codes}


def _label_code(label, text):
    """0 when the label is the text; n when it is the text's first n characters and "…";
    else the label itself. (Only for text JavaScript slices as Python does: no
    character outside the Basic Multilingual Plane.)"""
    if not isinstance(label, str) or not isinstance(text, str):
        return label
    if label == text:
        return 0
    kept = label[:-1]
    if kept and label.endswith("…") and text.startswith(kept) and _bmp(kept):
        return len(kept)
    return label


def _bmp(s: str) -> bool:
    return s.isascii() or all(ord(c) < 0x10000 for c in s)


# Edge record keys that are not derived (``_vis_records`` sets no others), in its order.
_EDGE_EXTRA = ("stance", "reason", "decision")


def _wire_edges(edges: list[dict], index: Mapping[str, int]) -> dict:
    sources = [index[str(e["from"])] for e in edges]
    # The records come grouped by source in node order (the graph's adjacency order),
    # so the stable sort is skipped when there is nothing to sort.
    if all(a <= b for a, b in zip(sources, sources[1:], strict=False)):
        by_source: list[int] | range = range(len(edges))
    else:
        by_source = sorted(range(len(edges)), key=sources.__getitem__)
    out = [0] * len(index)
    to: list[int] = []
    types: dict[str, int] = {}
    styles: dict[str, dict] = {}
    codes: list[int] = []
    weights: list[int | None] = []
    reasons: dict[str, int] = {}
    more: dict[str, dict] = {}
    weighted = set(SIMILARITY_EDGE_TYPES)
    thousandths: dict[float, int] = {}
    for i, j in enumerate(by_source):
        e = edges[j]
        out[index[str(e["from"])]] += 1
        to.append(index[str(e["to"])])
        t = str(e.get("t", ""))
        if t not in types:
            types[t] = len(types)
            styles[t] = {"color": e.get("color"), "arrows": e.get("arrows", "")}
        codes.append(types[t])
        if t in weighted:
            w = e.get("w")
            if isinstance(w, int | float):
                milli = thousandths.get(w)
                if milli is None:
                    milli = thousandths[w] = round(w * 1000)
                weights.append(milli)
            else:
                weights.append(None)
        extra = {k: e[k] for k in _EDGE_EXTRA if k in e}
        if "reason" in extra and isinstance(extra["reason"], str):
            extra["reason"] = reasons.setdefault(extra["reason"], len(reasons))
        if extra:
            more[str(i)] = extra
    return _edge_data(out, to, codes, types, styles, weights, reasons, more)


def _edge_data(out, to, codes, types, styles, weights, reasons, more) -> dict:
    """The page's ``edges`` object (docs/EXPORTERS.md), from its columns and tables."""
    return {
        "out": out,
        "to": to,
        "type": codes,
        "types": list(types),
        "styles": styles,
        "weighted": sorted(SIMILARITY_EDGE_TYPES),
        "w": weights,
        "reasons": list(reasons),
        "more": more,
    }


# Per view row: (id key, text key, note key, line key) of each node it quotes.
_VIEW_REFS = {
    "changed_mind": [("annotation", "annotation_text", None, None),
                     ("claim", "claim_text", "claim_note", "claim_line")],
    "tensions": [("a", "a_text", "a_note", "a_line"), ("b", "b_text", "b_note", "b_line")],
    "suggested_links": [("a", "a_text", "a_note", "a_line"),
                        ("b", "b_text", "b_note", "b_line")],
    "evidence": [("claim", "text", "note", "line")],
    "bearing": [("id", "text", None, None)],
}  # fmt: skip


def _wire_views(views: Mapping, index: Mapping[str, int], nodes: list[dict]) -> dict:
    def ref(row: Mapping, spec) -> dict:
        row = dict(row)
        for idk, textk, notek, linek in spec:
            i = index.get(str(row.get(idk)))
            if i is None:
                continue
            n = nodes[i]
            row[idk] = i
            known = {textk: n.get("text") or n.get("label"), notek: n.get("note", ""),
                     linek: n.get("line")}  # fmt: skip
            for k, value in known.items():
                if k is not None and k in row and row[k] == value:
                    del row[k]
        return row

    out = dict(views)
    if "themes" in views:
        themes = dict(views["themes"])
        themes["rows"] = [
            {**row, "claims": {k: [index.get(str(c), str(c)) for c in cs]
                               for k, cs in row.get("claims", {}).items()}}
            for row in themes.get("rows", [])
        ]  # fmt: skip
        out["themes"] = themes
    for name in ("changed_mind", "tensions", "suggested_links"):
        if name in views:
            rows = list(views[name])
            if name == "tensions":
                out["tensions_total"] = len(rows)
                rows = rows[:TENSIONS_SHOWN]
            out[name] = [ref(r, _VIEW_REFS[name]) for r in rows]
    if "evidence" in views:
        ev = dict(views["evidence"])
        for key, rows in views["evidence"].items():
            packed = []
            for r in rows:
                r = ref(r, _VIEW_REFS["evidence"])
                for part in ("similar", "references", "annotations"):
                    if part in r:
                        r[part] = [ref(x, _VIEW_REFS["bearing"]) for x in r[part]]
                packed.append(r)
            ev[key] = packed
        out["evidence"] = ev
    return out


def json_for_script(value) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    survives, so neither ``</script>`` nor ``<!--`` can end or bend the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


_SCRIPT_ESCAPES = (
    ("&", "\\u0026"),
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def _csp(*scripts: str) -> str:
    """Content-Security-Policy: only these exact inline scripts run; nothing loads."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'"
        for s in scripts
    )
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data: blob:; "
        "base-uri 'none'; form-action 'none'"
    )


def _prepared(G: nx.Graph, seed: int) -> nx.Graph:
    """``G`` with positions and communities; computed on a copy when missing."""
    has_xy = all(
        isinstance(d.get("x"), int | float) and isinstance(d.get("y"), int | float)
        for _, d in G.nodes(data=True)
    )
    if has_xy:
        return G
    from explorer.graph.analyze import enrich

    H = G.copy()
    enrich(H, seed=seed)
    return H


def _groups(G: nx.Graph) -> dict:
    """Community per node for collapsing: its own, else its neighbours' majority."""
    from explorer.graph.communities import majority_group

    comm = {n: int(d["community"]) for n, d in G.nodes(data=True) if _is_int(d.get("community"))}
    if not comm and G.number_of_nodes():
        from explorer.graph.communities import detect_communities

        comm = detect_communities(G)
    return majority_group(G, comm)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _IdList(list):
    """pyvis keeps node ids in a list and tests membership on every add_node and
    add_edge, which makes building a 20,000-node network quadratic (minutes). This
    list answers ``in`` from a set."""

    def __init__(self):
        super().__init__()
        self._set: set = set()

    def append(self, item) -> None:
        super().append(item)
        self._set.add(item)

    def __contains__(self, item) -> bool:
        return item in self._set


def _pyvis_network():
    """pyvis's ``Network`` class, importable where IPython is not installed.

    pyvis 0.3.2 imports ``IPython.display.IFrame`` at module level, only to show a graph
    inside a notebook, which this program never asks it to do. The binary leaves IPython
    and its dozens of dependencies out; then a stand-in module with that one name lets
    pyvis import. Where IPython is installed, nothing changes.
    """
    try:
        import IPython.display  # noqa: F401
    except ImportError:
        import sys
        import types

        display = types.ModuleType("IPython.display")
        display.IFrame = type("IFrame", (), {})  # never constructed: no notebook here
        ipython = types.ModuleType("IPython")
        ipython.display = display
        sys.modules.setdefault("IPython", ipython)
        sys.modules.setdefault("IPython.display", display)
    from pyvis.network import Network

    return Network


def _vis_records(
    G: nx.Graph, kinds: Mapping, group: Mapping, edges: bool = True
) -> tuple[list, list]:
    Network = _pyvis_network()

    # directed=True: pyvis scans every edge for a duplicate on each undirected add_edge.
    net = Network(directed=True)
    net.node_ids = _IdList()
    for n, d in G.nodes(data=True):
        t = str(d.get("type", ""))
        colour, shape = node_style(d, kinds)
        cen = float(d.get("centrality", 0.3) or 0.0)
        base = 9.0 if t == "claim" else 7.0
        net.add_node(
            str(n),
            label=str(d.get("label") or d.get("text") or n)[:60] or " ",
            shape=shape,
            color=colour,
            size=round(base + 16.0 * cen, 1),
            x=round(float(d["x"]), 1),
            y=round(float(d["y"]), 1),
        )
    nodes = net.nodes
    if len(nodes) != G.number_of_nodes():
        raise ExportError("two node ids are the same once written as text; ids must be unique")
    for rec, (_n, d) in zip(nodes, G.nodes(data=True), strict=True):
        for key, short in _DATA_KEYS.items():
            value = d.get(key)
            if value is None or value == "":
                continue
            rec[short] = value if isinstance(value, bool | int | float | str) else str(value)
        rec["g"] = int(group.get(_n, -1))
    if not edges:
        return nodes, []
    # Edge records as pyvis's directed add_edge makes them (its options plus from/to),
    # built here: at 750,000 edges pyvis's per-call checks cost seconds and add nothing.
    by_type: dict[str, dict[str, object]] = {}
    widths: dict[float, tuple[float, float]] = {}
    records = []
    for i, (u, v, d) in enumerate(edge_triples(G)):
        t = str(d.get("type", ""))
        style = by_type.get(t)
        if style is None:
            spec = edge_style(t)
            style = {"color": spec["colour"], "arrows": "to" if t in _DIRECTED else ""}
            if spec["dash"] != "solid":
                style["dashes"] = True
            by_type[t] = style
        opts: dict[str, object] = {"id": f"e{i}", **style}
        weight = d.get("weight")
        if t in SIMILARITY_EDGE_TYPES and isinstance(weight, int | float):
            # Stored weights have 4 decimals: a few thousand values for 500,000 edges.
            sized = widths.get(weight)
            if sized is None:
                sized = widths[weight] = (
                    round(1.0 + 3.0 * max(0.0, float(weight) - 0.5), 2),
                    round(float(weight), 3),
                )
            opts["width"], opts["w"] = sized
        else:
            opts["width"] = 1
        opts["t"] = t
        for key in ("stance", "reason", "decision"):
            if d.get(key):
                opts[key] = str(d[key])
        opts["from"] = str(u)
        opts["to"] = str(v)
        records.append(opts)
    return nodes, records


def _edge_columns(G: nx.Graph, ids: list[str]) -> dict | None:
    """``_wire_edges(_vis_records(G, ...)[1], index)``, made without the records; None
    when the graph's edges do not come grouped by source in node order (the columns
    need that order; the records path sorts)."""
    index = {n: i for i, n in enumerate(ids)}
    out = [0] * len(ids)
    to: list[int] = []
    codes: list[int] = []
    weights: list[int | None] = []
    types: dict[str, int] = {}
    styles: dict[str, dict] = {}
    reasons: dict[str, int] = {}
    more: dict[str, dict] = {}
    weighted = set(SIMILARITY_EDGE_TYPES)
    thousandths: dict[float, int] = {}
    last = 0
    for i, (u, v, d) in enumerate(edge_triples(G)):
        source = index[str(u)]
        if source < last:
            return None
        last = source
        out[source] += 1
        to.append(index[str(v)])
        t = str(d.get("type", ""))
        code = types.get(t)
        if code is None:
            code = types[t] = len(types)
            styles[t] = {"color": edge_style(t)["colour"], "arrows": "to" if t in _DIRECTED else ""}
        codes.append(code)
        if t in weighted:
            weight = d.get("weight")
            if isinstance(weight, int | float):
                milli = thousandths.get(weight)
                if milli is None:  # the record's weight to 3 places, in thousandths
                    milli = thousandths[weight] = round(round(float(weight), 3) * 1000)
                weights.append(milli)
            else:
                weights.append(None)
        # Most edges (similarity) have none of these: test before building a dict.
        if d.get("stance") or d.get("reason") or d.get("decision"):
            extra: dict[str, str | int] = {key: str(d[key]) for key in _EDGE_EXTRA if d.get(key)}
            if "reason" in extra:
                extra["reason"] = reasons.setdefault(str(extra["reason"]), len(reasons))
            more[str(i)] = extra
    return _edge_data(out, to, codes, types, styles, weights, reasons, more)


def _group_records(G: nx.Graph, group: Mapping) -> list[dict]:
    table = G.graph.get("communities")
    if isinstance(table, str):
        try:
            table = json.loads(table)
        except ValueError:
            table = None
    labels = {}
    if isinstance(table, Mapping):
        for k, v in table.items():
            if isinstance(v, Mapping) and v.get("label"):
                labels[int(k)] = str(v["label"])
    members: dict[int, list] = defaultdict(list)
    for n in G.nodes:
        members[int(group.get(n, -1))].append(n)
    from explorer.graph.labels import community_titles

    titles = community_titles(G)
    out = []
    for g, ms in sorted(members.items()):
        xs = [float(G.nodes[m]["x"]) for m in ms]
        ys = [float(G.nodes[m]["y"]) for m in ms]
        claims = sum(1 for m in ms if G.nodes[m].get("type") == "claim")
        label = "not in a community" if g < 0 else labels.get(g) or _fallback_label(G, ms, g)
        out.append(
            {
                "id": g,
                "label": label,
                "size": len(ms),
                "claims": claims,
                "x": round(sum(xs) / len(xs), 1),
                "y": round(sum(ys) / len(ys), 1),
            }
        )
        if g in titles and titles[g]["claim"]:
            # The claim that stands for the community, under its title on the map.
            out[-1]["claim"] = titles[g]["claim"]
            out[-1]["claim_id"] = str(titles[g]["claim_id"])
    return out


def _fallback_label(G: nx.Graph, members: list, g: int) -> str:
    from explorer.graph.communities import community_labels

    return community_labels(G, dict.fromkeys(members, g)).get(g, f"community {g}")


def _default_title(G: nx.Graph) -> str:
    vault = str(G.graph.get("vault") or "").rstrip("/\\")
    name = re.split(r"[/\\]", vault)[-1] if vault else ""
    return f"Concept map: {name}" if name else "Concept map"


def _type_order(t: str) -> int:
    order = list(NODE_TYPES)
    return order.index(t) if t in order else len(order)
