"""Views that answer the author's questions, computed from the concept graph (no Qt).

The window shows each as a panel, the HTML page as a tab; both call these functions
on the same graph (``explorer.graph.build.graph_from_store`` plus ``enrich``), so they
list the same things. Every item names the node ids to show on the map.

- :func:`themes_by_kinds`: communities against claim kinds, with the claims per cell;
- :func:`changed_mind`: annotations that doubt, disagree with or revise a claim, beside
  that claim, by date;
- :func:`evidence`: what bears on each consciousness criterion and question, and what
  has nothing (criteria with no evidence, limitations no reference supports);
- :func:`tensions`: candidate contradictions with both quotes and the reason;
- :func:`suggested_links`: similar claims in notes that do not link to each other.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from explorer.graph.edges import edge_triples

CHANGE_STANCES = ("doubt", "disagree", "revise")
CRITERION = "consciousness-criterion"
QUESTION = "question"
LIMITATION = "limitation"
NO_COMMUNITY = -1


def _claims(G: nx.Graph) -> Iterable[tuple[str, dict]]:
    return ((n, d) for n, d in G.nodes(data=True) if d.get("type") == "claim")


def _where(d: dict) -> dict:
    return {"note": d.get("note", ""), "line": d.get("line")}


def _text(d: dict) -> str:
    return str(d.get("text") or d.get("label") or "")


def _edges(G: nx.Graph, n, edge_type: str, direction: str = "any"):
    """(other node, edge data) of ``n``'s edges of one type; ``direction`` out/in/any.

    In ``G.out_edges(n)`` then ``G.in_edges(n)`` order, read from the adjacency dicts:
    networkx's view objects cost more than the walk when a view asks about thousands of
    claims."""
    if not G.is_directed():  # no direction to choose: every edge of n
        for other, d in _multi_or_simple(G, G.adj[n]):
            if d.get("type") == edge_type:
                yield other, d
        return
    multi = G.is_multigraph()
    sides = (("out", G._succ), ("in", G._pred))
    for side, adj in sides:
        if direction not in (side, "any"):
            continue
        for other, data in adj[n].items():
            for d in data.values() if multi else (data,):
                if d.get("type") == edge_type:
                    yield other, d


def _multi(nbrs):
    for other, data in nbrs.items():
        for d in data.values():
            yield other, d


_SIMILAR = frozenset({"similar", "duplicate", "user_link"})


def _linked(G: nx.Graph, n, types: frozenset):
    """The nodes joined to ``n`` by an edge of one of ``types``, either way (one walk)."""
    if not G.is_directed():
        yield from (other for other, d in _multi_or_simple(G, G.adj[n]) if d.get("type") in types)
        return
    for adj in (G._succ, G._pred):
        yield from (other for other, d in _multi_or_simple(G, adj[n]) if d.get("type") in types)


def _multi_or_simple(G: nx.Graph, nbrs):
    if G.is_multigraph():
        return _multi(nbrs)
    return nbrs.items()


def edges_by_type(G: nx.Graph) -> dict[str, list[tuple]]:
    """Every edge as ``(u, v, data)``, by type, in the graph's order: one walk over the
    edges that every view then shares (a 69,000-claim vault has 750,000 of them)."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for u, v, d in edge_triples(G):
        out[d.get("type")].append((u, v, d))
    return out


def themes_by_kinds(G: nx.Graph) -> dict:
    """``{"kinds": [...], "rows": [{"community", "title", "total", "counts": {kind: n},
    "claims": {kind: [ids]}}]}``: rows biggest first; claims with no kind count under
    ``""``; claims in no community form the last row (community -1)."""
    from explorer.graph.labels import community_titles

    titles = community_titles(G)
    cells: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, int] = defaultdict(int)
    for n, d in _claims(G):
        c = d.get("community")
        c = c if isinstance(c, int) and not isinstance(c, bool) and c >= 0 else NO_COMMUNITY
        k = str(d.get("kind") or "")
        cells[c][k].append(n)
        kinds[k] += 1
    rows: list[dict] = []
    for c, by_kind in cells.items():
        rows.append(
            {
                "community": c,
                "title": titles.get(c, {}).get("title")
                or ("not in a community" if c == NO_COMMUNITY else f"community {c}"),
                "total": sum(len(v) for v in by_kind.values()),
                "counts": {k: len(v) for k, v in by_kind.items()},
                "claims": {k: list(v) for k, v in by_kind.items()},
            }
        )
    rows.sort(key=lambda r: (r["community"] == NO_COMMUNITY, -r["total"], r["community"]))
    return {"kinds": sorted(kinds, key=lambda k: (-kinds[k], k)), "rows": rows}


def changed_mind(G: nx.Graph) -> list[dict]:
    """Every annotation whose stance is doubt, disagree or revise, with the claim it
    targets: ``{"annotation", "annotation_text", "stance", "source", "claim",
    "claim_text", "note", "line", "claim_note", "claim_line", "date"}``.

    Ordered by the note's date (front matter or file name) where one is known, those
    without a date last, then by note and line.
    """
    out = []
    for n, d in G.nodes(data=True):
        if d.get("type") != "annotation":
            continue
        for target, e in _edges(G, n, "annotates", "out"):
            stance = e.get("stance") or d.get("stance")
            if stance not in CHANGE_STANCES:
                continue
            c = G.nodes[target]
            note = d.get("note", "")
            date = G.nodes.get(f"note:{note}", {}).get("date", "") if note else ""
            out.append(
                {
                    "annotation": n,
                    "annotation_text": _text(d),
                    "stance": stance,
                    "source": d.get("source", "author"),
                    "claim": target,
                    "claim_text": _text(c),
                    "note": note,
                    "line": d.get("line"),
                    "claim_note": c.get("note", ""),
                    "claim_line": c.get("line"),
                    "date": date,
                }
            )
    out.sort(key=lambda r: (not r["date"], r["date"], r["note"], r["line"] or 0))
    return out


def _bearing(G: nx.Graph, n) -> dict:
    """What bears on claim ``n``: similar claims, references it cites, annotations."""
    similar = []
    for t in ("similar", "duplicate", "user_link"):
        for other, e in _edges(G, n, t):
            if G.nodes[other].get("type") == "claim":
                similar.append(
                    {"id": other, "text": _text(G.nodes[other]), "weight": e.get("weight")}
                )
    # Ties by id: the order must not depend on how the graph's adjacency was built.
    similar.sort(key=lambda r: (-(r["weight"] or 1.0), str(r["id"])))
    refs = [{"id": r, "text": _text(G.nodes[r])} for r, _ in _edges(G, n, "cites", "out")]
    notes = [
        {"id": a, "text": _text(G.nodes[a]), "stance": e.get("stance") or G.nodes[a].get("stance")}
        for a, e in _edges(G, n, "annotates", "in")
    ]
    return {"similar": similar, "references": refs, "annotations": notes}


def evidence(G: nx.Graph, by_type: dict | None = None) -> dict:
    """``{"items": [...], "criteria_without_evidence": [...], "questions_without_evidence":
    [...], "limitations_without_reference": [...]}``.

    ``items``: each consciousness criterion and question with what bears on it
    (``similar``, ``references``, ``annotations``, see :func:`_bearing`). A criterion or
    question with none of these is listed as without evidence; a limitation that cites
    no reference (nor does any claim similar to it) as without reference.
    """
    # Claims that cite a reference: a limitation's similar claims are looked up here,
    # not walked edge by edge.
    citing = {u for u, _, _ in (by_type or edges_by_type(G)).get("cites", ())}
    items: list[dict] = []
    no_criterion: list[dict] = []
    no_question: list[dict] = []
    no_reference: list[dict] = []
    for n, d in _claims(G):
        kind = d.get("kind")
        if kind in (CRITERION, QUESTION):
            bearing = _bearing(G, n)
            row = {"claim": n, "text": _text(d), "kind": kind, **_where(d), **bearing}
            items.append(row)
            if not any(bearing.values()):
                (no_criterion if kind == CRITERION else no_question).append(row)
        elif kind == LIMITATION:
            cited = n in citing or any(other in citing for other in _linked(G, n, _SIMILAR))
            if not cited:
                no_reference.append({"claim": n, "text": _text(d), "kind": kind, **_where(d)})
    key = lambda r: (r["kind"], r["note"], r["line"] or 0)  # noqa: E731
    return {
        "items": sorted(items, key=key),
        "criteria_without_evidence": sorted(no_criterion, key=key),
        "questions_without_evidence": sorted(no_question, key=key),
        "limitations_without_reference": sorted(no_reference, key=key),
    }


def tensions(G: nx.Graph, by_type: dict | None = None) -> list[dict]:
    """Candidate contradictions (``tension`` edges), strongest first: both claims' ids,
    quotes and places, the program's reason, the cosine and the user's decision
    (``""`` undecided, ``"accepted"``; dismissed ones are not in the graph at all)."""
    out = []
    for u, v, d in (by_type or edges_by_type(G)).get("tension", ()):
        a, b = G.nodes[u], G.nodes[v]
        out.append(
            {
                "a": u,
                "b": v,
                "a_text": _text(a),
                "b_text": _text(b),
                "a_note": a.get("note", ""),
                "a_line": a.get("line"),
                "b_note": b.get("note", ""),
                "b_line": b.get("line"),
                "reason": d.get("reason", ""),
                "weight": d.get("weight"),
                "decision": d.get("decision", ""),
            }
        )
    out.sort(key=lambda r: (-(r["weight"] or 0), r["a"], r["b"]))
    return out


def linked_notes(G: nx.Graph, by_type: dict | None = None) -> set[frozenset[str]]:
    """Pairs of notes (paths) joined by a link either way."""
    pairs = set()
    for u, v, _ in (by_type or edges_by_type(G)).get("links_to", ()):
        a, b = G.nodes[u].get("note"), G.nodes[v].get("note")
        if a and b and a != b:
            pairs.add(frozenset((a, b)))
    return pairs


def suggested_links(
    G: nx.Graph, min_weight: float = 0.0, limit: int = 300, by_type: dict | None = None
) -> list[dict]:
    """Similar claims in different notes whose notes do not link to each other and that
    the user has neither linked nor dismissed, most similar first: ``{"a", "b", "a_text",
    "b_text", "a_note", "b_note", "weight"}``."""
    by_type = by_type or edges_by_type(G)
    nodes = G._node

    linked = {_pair(*p) for p in linked_notes(G, by_type)}
    dismissed = {_pair(*p) for p in (G.graph.get("dismissed_links") or []) if len(set(p)) == 2}
    own = {_pair(u, v) for u, v, _ in by_type.get("user_link", ())}
    out: list[dict] = []
    if limit <= 0:
        return out
    close = [e for t in ("similar", "duplicate") for e in by_type.get(t, ())]
    weights = [d.get("weight") or 0.0 for _, _, d in close]
    # Most similar first, ties by the pair's ids: walking in that order, the first
    # ``limit`` pairs that pass are the answer. Only the strongest few thousand are
    # sorted, and all of them only when too few of those pass.
    floor = min_weight
    if len(weights) > 50 * limit:
        floor = max(min_weight, heapq.nlargest(20 * limit, weights)[-1])
    while True:
        found = _walk_suggestions(close, weights, floor, nodes, limit, dismissed, own, linked)
        if len(found) >= limit or floor <= min_weight:
            break
        floor = min_weight
    for neg, u, v, na, nb in found:
        a, b = nodes[u], nodes[v]
        out.append(
            {
                "a": u,
                "b": v,
                "a_text": _text(a),
                "b_text": _text(b),
                "a_note": na,
                "b_note": nb,
                "a_line": a.get("line"),
                "b_line": b.get("line"),
                "weight": -neg,
            }
        )
    return out


def _pair(a, b) -> tuple:
    """An unordered pair as a tuple, smaller id first."""
    return (a, b) if str(a) <= str(b) else (b, a)


def _walk_suggestions(close, weights, floor, nodes, limit, dismissed, own, linked) -> list:
    """The first ``limit`` pairs of ``close`` at or above ``floor`` that pass, strongest
    first (ties by the ends' ids): ``(-weight, u, v, u's note, v's note)``."""

    ranked = [
        (-w, str(u), str(v), u, v)
        for (u, v, _), w in zip(close, weights, strict=True)
        if w >= floor
    ]
    ranked.sort()
    found: list = []
    seen = set()
    for neg, _, _, u, v in ranked:
        a, b = nodes[u], nodes[v]
        na, nb = a.get("note"), b.get("note")
        if not na or not nb or na == nb:
            continue
        key = _pair(u, v)
        if key in seen or key in dismissed or key in own or _pair(na, nb) in linked:
            continue
        seen.add(key)
        found.append((neg, u, v, na, nb))
        if len(found) >= limit:
            break
    return found


def all_views(G: nx.Graph) -> dict:
    """Every view at once (what the HTML page carries)."""
    by_type = edges_by_type(G)
    return {
        "themes": themes_by_kinds(G),
        "changed_mind": changed_mind(G),
        "evidence": evidence(G, by_type),
        "tensions": tensions(G, by_type),
        "suggested_links": suggested_links(G, by_type=by_type),
    }
