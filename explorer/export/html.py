"""One self-contained, offline HTML page of the map.

pyvis builds the vis-network node and edge records (``pyvis.network.Network``), but
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
    payload = build_payload(G, taxonomy=taxonomy, title=title, max_claims=max_claims, seed=seed)
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
) -> dict:
    """Everything the page shows, as JSON-ready data (see docs/EXPORTERS.md)."""
    G = _prepared(G, seed)
    kinds_present = Counter(
        d.get("kind") for _, d in G.nodes(data=True) if d.get("type") == "claim" and d.get("kind")
    )
    kinds = kind_styles(taxonomy, kinds_present)
    group = _groups(G)
    n_claims = sum(1 for _, d in G.nodes(data=True) if d.get("type") == "claim")
    collapsed = max_claims is not None and n_claims > max_claims

    nodes, edges = _vis_records(G, kinds, group)
    groups = _group_records(G, group)

    node_types = Counter(str(d.get("type", "")) for _, d in G.nodes(data=True))
    edge_types = Counter(str(d.get("type", "")) for *_, d in G.edges(data=True))
    filter_info = G.graph.get("filter_info") or {}
    meta = {
        "title": title or _default_title(G),
        "generator": f"concept-map explorer {__version__}",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "total_nodes": G.number_of_nodes(),
        "total_edges": G.number_of_edges(),
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
    data = json_for_script(payload)
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


def json_for_script(value) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    survives, so neither ``</script>`` nor ``<!--`` can end or bend the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
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


def _vis_records(G: nx.Graph, kinds: Mapping, group: Mapping) -> tuple[list, list]:
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
    multi = G.is_multigraph()
    for i, e in enumerate(G.edges(keys=True, data=True) if multi else G.edges(data=True)):
        u, v, d = e[0], e[1], e[-1]
        t = str(d.get("type", ""))
        spec = edge_style(t)
        opts = {"id": f"e{i}", "color": spec["colour"], "arrows": "to" if t in _DIRECTED else ""}
        if spec["dash"] != "solid":
            opts["dashes"] = True
        weight = d.get("weight")
        if t in SIMILARITY_EDGE_TYPES and isinstance(weight, int | float):
            opts["width"] = round(1.0 + 3.0 * max(0.0, float(weight) - 0.5), 2)
            opts["w"] = round(float(weight), 3)
        else:
            opts["width"] = 1
        opts["t"] = t
        for key in ("stance", "reason", "decision"):
            if d.get(key):
                opts[key] = str(d[key])
        net.add_edge(str(u), str(v), **opts)
    return nodes, net.edges


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
