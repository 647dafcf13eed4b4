"""The filters every view and export shares, with one meaning everywhere.

Two ways to apply them. The window keeps its graph and asks which part is visible:
:func:`apply_filters` with a :class:`FilterState` gives the :class:`Visible` nodes and
edges, fast enough to run on every click over 70,000 edges. Exports and the command
line want a graph to write: :func:`filter_graph` returns a filtered copy, built on
the same predicates (:func:`node_passes`, :func:`edge_passes`, :func:`below_similarity`)
and the same rule for what hangs off claims (:func:`orphans`: an annotation, reference
or concept goes when every claim it touches is filtered away; with a kind filter, so do
sections and notes left without a claim), adding what only a file needs (notes by glob,
focus by depth, the most central nodes).

``filter_graph`` never changes its input; it returns a new graph and an ``info`` dict
that says what was hidden and why, so a page or a status bar can say "1,204 nodes
hidden". A filter that is given but matches nothing raises ``NothingMatches`` with a
message naming the filter and what the graph does hold, so the CLI can exit non-zero
with a useful line instead of writing an empty file.

>>> from explorer.graph.synthetic import synthetic_graph
>>> G = synthetic_graph(100, seed=5)
>>> H, info = filter_graph(G, kinds=["question"])
>>> {d["kind"] for _, d in H.nodes(data=True) if d["type"] == "claim"}
{'question'}
>>> info["hidden_nodes"] > 0
True
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from explorer.core.model import EDGE_TYPES, SIMILARITY_EDGE_TYPES
from explorer.errors import ExplorerError

# Edge types whose ``weight`` is a cosine the "minimum similarity" filter applies to.
SIMILARITY_EDGES = frozenset(SIMILARITY_EDGE_TYPES)


def below_similarity(d: dict, min_similarity: float | None) -> bool:
    """Whether an edge is a similarity weaker than ``min_similarity`` (an edge without
    a weight is never below: it was not drawn by the model)."""
    if not min_similarity or d.get("type") not in SIMILARITY_EDGES:
        return False
    weight = d.get("weight")
    return weight is not None and float(weight) < min_similarity


@dataclass(frozen=True)
class FilterState:
    """What the filter panel lets through. ``None`` in a set field means "all"."""

    kinds: frozenset[str] | None = None
    notes: frozenset[str] | None = None
    communities: frozenset[int] | None = None
    edge_types: frozenset[str] | None = None
    min_similarity: float = 0.0
    hide_low_confidence: bool = False
    confidence_threshold: float = 0.5
    show_fragments: bool = False  # claims that are not self-contained (core/fragments.py)
    voices: frozenset[str] | None = None  # "author" / "source"; claims without one pass


@dataclass
class Visible:
    """The nodes and edges (``(u, v, key)``) a filter lets through."""

    nodes: set[str] = field(default_factory=set)
    edges: set[tuple[str, str, object]] = field(default_factory=set)


def edge_rows(G: nx.MultiDiGraph):
    """Every edge as (u, v, key, attributes), straight from the adjacency dicts.

    About twice as fast as ``G.edges(keys=True, data=True)``, which matters when the
    window re-filters 70,000 edges.
    """
    for u, nbrs in G.adjacency():
        for v, keyed in nbrs.items():
            for k, d in keyed.items():
                yield u, v, k, d


def node_passes(d: dict, f: FilterState, *, include_hidden: bool = False) -> bool:
    """Whether one node's attributes pass the filter (what the user hid never does,
    unless ``include_hidden``)."""
    if d.get("hidden") and not include_hidden:
        return False
    ntype = d.get("type")
    if ntype == "claim":
        if d.get("fragment") and not f.show_fragments:
            return False
        if f.kinds is not None and d.get("kind") not in f.kinds:
            return False
        if f.voices is not None and d.get("voice") and d["voice"] not in f.voices:
            return False
        if (
            f.hide_low_confidence
            and d.get("kind_source") != "user"
            and float(d.get("confidence", 1.0)) < f.confidence_threshold
        ):
            return False
    if f.notes is not None and "note" in d and d["note"] not in f.notes:
        return False
    return not (
        f.communities is not None and "community" in d and d["community"] not in f.communities
    )


def edge_passes(d: dict, f: FilterState, *, include_hidden: bool = False) -> bool:
    """Whether one edge's attributes pass the filter (its ends are checked apart)."""
    if d.get("hidden") and not include_hidden:
        return False
    etype = d.get("type")
    if f.edge_types is not None and etype not in f.edge_types:
        return False
    return not below_similarity(d, f.min_similarity)


def apply_filters(G: nx.MultiDiGraph, f: FilterState, within: set[str] | None = None) -> Visible:
    """The visible part of ``G``; ``within`` narrows the nodes further (focus mode).

    What hangs only off claims the filters hid goes with them, as in :func:`filter_graph`:
    with a kind filter on, every annotation, reference and concept that touches no shown
    claim, and every section and note that holds none; otherwise the annotations,
    references and concepts whose claims all went (one that never touched a claim, such
    as a note's own bibliography, stays).
    """
    nodes = {n for n, d in G.nodes(data=True) if node_passes(d, f)}
    if f.kinds is not None:
        nodes -= orphans(G, nodes)
    else:
        shown = {n for n, d in G.nodes(data=True) if not d.get("hidden")}
        if len(nodes) < len(shown):  # a filter took something away
            nodes -= orphans(G, nodes, had=shown)
    if within is not None:
        nodes &= within
    if f.edge_types is None and f.min_similarity <= 0:
        # Only hidden edges and the ends matter: skip the per-edge filter calls.
        edges = {
            (u, v, k)
            for u, v, k, d in edge_rows(G)
            if u in nodes and v in nodes and not d.get("hidden")
        }
    else:
        edges = {
            (u, v, k)
            for u, v, k, d in edge_rows(G)
            if u in nodes and v in nodes and edge_passes(d, f)
        }
    return Visible(nodes, edges)


# Nodes shown for the claims they touch, and nodes shown for the claims they hold.
_DEPENDENTS = frozenset({"annotation", "reference", "concept"})
_CONTAINERS = frozenset({"section", "note"})


def orphans(G: nx.MultiDiGraph, nodes: set, *, had: set | None = None) -> set:
    """The nodes of ``nodes`` (a part of ``G``) left without a reason to be shown once
    claims went: annotations, references and concepts that touch no claim of ``nodes``,
    and sections and notes that hold none (through ``contains`` edges within ``nodes``).

    With ``had`` (the part before a filter), only what the filter stranded: annotations,
    references and concepts that touched a claim of ``had`` and touch none of ``nodes``;
    sections and notes stay (a note of bare links is still a note of the map).
    """
    data = G.nodes

    def is_claim(n) -> bool:
        return data[n].get("type") == "claim"

    if had is not None:
        # Only what touched a claim the filter took away can be stranded; looking there
        # alone keeps the window's refresh quick on large maps.
        gone = [n for n in had if n not in nodes and is_claim(n)]
        near = {m for c in gone for m in _neighbours(G, c) if m in nodes}
        return {
            n
            for n in near
            if data[n].get("type") in _DEPENDENTS
            and not any(m in nodes and is_claim(m) for m in _neighbours(G, n))
        }
    claims = {n for n in nodes if is_claim(n)}
    touched: set = set()
    for c in claims:
        touched.update(_neighbours(G, c))
    out = {n for n in nodes if n not in touched and data[n].get("type") in _DEPENDENTS}
    # Walk up from the shown claims: what contains one (at any depth) holds a claim.
    holding: set = set()
    stack = list(claims)
    while stack:
        cur = stack.pop()
        for up, _, d in G.in_edges(cur, data=True):
            if up in nodes and up not in holding and d.get("type") == "contains":
                holding.add(up)
                stack.append(up)
    out.update(n for n in nodes if n not in holding and data[n].get("type") in _CONTAINERS)
    return out


def filtered_subgraph(G: nx.MultiDiGraph, visible: Visible) -> nx.MultiDiGraph:
    """An independent copy of the visible part, with the graph attributes kept (for export)."""
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G.nodes if n in visible.nodes)
    H.add_edges_from(
        (u, v, k, G.edges[u, v, k]) for u, v, k in G.edges(keys=True) if (u, v, k) in visible.edges
    )
    return H


class NothingMatches(ExplorerError, ValueError):
    """A filter selected nothing; the message names the filter and the choices."""


def filter_graph(
    G: nx.MultiDiGraph,
    kinds: Iterable[str] | None = None,
    notes_glob: str | None = None,
    edge_types: Iterable[str] | None = None,
    min_similarity: float | None = None,
    focus: str | Iterable[str] | None = None,
    depth: int = 1,
    max_nodes: int | None = None,
    *,
    include_hidden: bool = False,
    include_fragments: bool = False,
    copy: bool = True,
) -> tuple[nx.MultiDiGraph, dict]:
    """The part of ``G`` the filters select, and what they hid.

    - ``kinds``: keep claims of these kinds; annotations, references and concepts stay
      only while they still touch a kept claim, sections and notes while they still
      hold one.
    - ``notes_glob``: keep nodes of notes whose vault-relative path matches (fnmatch,
      ``*`` crosses folders); references and concepts stay when a kept claim links them.
    - ``edge_types``: keep only these edge types (nodes stay).
    - ``min_similarity``: drop similar/duplicate/tension edges weaker than this.
    - ``focus`` and ``depth``: keep what lies within ``depth`` hops (either direction)
      of the focus node(s), counted after the filters above.
    - ``max_nodes``: keep the most central nodes (``centrality``, else degree), with the
      focus nodes always among them.
    - Claims the user hid (``hidden: true``) are left out unless ``include_hidden``.
    - Fragments (``fragment: true``: a single term, a file name, a bare link, a
      formula) are left out unless ``include_fragments``; their annotations go too.

    ``info``: ``total_nodes``, ``total_edges``, ``shown_nodes``, ``shown_edges``,
    ``hidden_nodes``, ``hidden_edges``, ``hidden_by_type`` (node type -> count) and
    ``hidden_by_filter`` (filter -> nodes it removed).

    ``copy=False`` filters ``G`` itself (no copy of a large graph) and returns it.
    """
    total_nodes, total_edges = G.number_of_nodes(), edge_count(G)
    H = G.copy() if copy else G
    by_filter: dict[str, int] = {}
    hidden_types: Counter = Counter()

    def drop(name: str, nodes: Iterable) -> None:
        nodes = list(nodes)
        if nodes:
            hidden_types.update(H.nodes[n].get("type") for n in nodes if n in H)
            H.remove_nodes_from(nodes)
            by_filter[name] = by_filter.get(name, 0) + len(nodes)

    if not include_hidden:
        drop("hidden", [n for n, d in H.nodes(data=True) if d.get("hidden") is True])
    if not include_fragments:
        fragments = [n for n, d in H.nodes(data=True) if _is_claim(d) and d.get("fragment")]
        if fragments:
            before = set(H)
            # What only fragments held goes with them (see ``orphans``).
            stranded = orphans(H, before - set(fragments), had=before)
            drop("fragments", fragments)
            drop("fragments", stranded)

    if kinds is not None:
        wanted = set(_as_list(kinds, "kinds"))
        present = Counter(d.get("kind") for _, d in H.nodes(data=True) if _is_claim(d))
        if not wanted & set(present):
            raise NothingMatches(
                f"no claims of kind {_names(wanted)}; kinds in the graph: {_names(present)}"
            )
        by_kind = FilterState(kinds=frozenset(wanted), show_fragments=True)  # decided above
        drop(
            "kinds",
            [n for n, d in H.nodes(data=True) if not node_passes(d, by_kind, include_hidden=True)],
        )
        drop("kinds", orphans(H, set(H)))

    if notes_glob is not None:
        matched = [n for n, d in H.nodes(data=True) if _note_matches(d.get("note"), notes_glob)]
        if not matched:
            notes = sorted({d["note"] for _, d in H.nodes(data=True) if d.get("note")})
            sample = ", ".join(notes[:5]) + (" ..." if len(notes) > 5 else "")
            raise NothingMatches(
                f"no note matches {notes_glob!r}; notes in the graph: {sample or '(none)'}"
            )
        keep = set(matched)
        drop(
            "notes_glob",
            [n for n, d in H.nodes(data=True) if n not in keep and d.get("note")],
        )
        drop("notes_glob", orphans(H, set(H)))

    removed_edges: dict[str, int] = {}
    if edge_types is not None:
        wanted_e = set(_as_list(edge_types, "edge_types"))
        unknown = wanted_e - set(EDGE_TYPES)
        if unknown:
            raise NothingMatches(
                f"unknown edge type {_names(unknown)}; edge types are {', '.join(EDGE_TYPES)}"
            )
        present_e = Counter(d.get("type") for *_, d in H.edges(data=True))
        if not wanted_e & set(present_e):
            raise NothingMatches(
                f"no edges of type {_names(wanted_e)}; edge types in the graph: {_names(present_e)}"
            )
        by_type = FilterState(edge_types=frozenset(wanted_e))
        gone = [
            (u, v, k)
            for u, v, k, d in H.edges(keys=True, data=True)
            if not edge_passes(d, by_type, include_hidden=True)
        ]
        H.remove_edges_from(gone)
        removed_edges["edge_types"] = len(gone)

    if min_similarity is not None:
        gone = [
            (u, v, k)
            for u, v, k, d in H.edges(keys=True, data=True)
            if below_similarity(d, min_similarity)
        ]
        H.remove_edges_from(gone)
        removed_edges["min_similarity"] = len(gone)

    focus_nodes: list = []
    if focus is not None:
        focus_nodes = [focus] if isinstance(focus, str) else list(focus)
        missing = [f for f in focus_nodes if f not in H]
        if missing:
            where = (
                "in the graph" if all(f not in G for f in missing) else "after the other filters"
            )
            raise NothingMatches(f"focus node {_names(missing)} is not {where}")
        if depth < 0:
            raise ValueError(f"depth must be 0 or more, got {depth}")
        near = _within(H, focus_nodes, depth)
        drop("focus", [n for n in H.nodes if n not in near])

    if max_nodes is not None:
        if max_nodes < 1:
            raise ValueError(f"max_nodes must be 1 or more, got {max_nodes}")
        if H.number_of_nodes() > max_nodes:
            ranked = sorted(
                H.nodes,
                key=lambda n: (
                    n not in focus_nodes,
                    -float(H.nodes[n].get("centrality", H.degree(n) / 1e6) or 0),
                    str(n),
                ),
            )
            drop("max_nodes", ranked[max_nodes:])

    shown_edges = edge_count(H)
    info = {
        "total_nodes": total_nodes,
        "total_edges": total_edges,
        "shown_nodes": H.number_of_nodes(),
        "shown_edges": shown_edges,
        "hidden_nodes": total_nodes - H.number_of_nodes(),
        "hidden_edges": total_edges - shown_edges,
        "hidden_by_type": dict(sorted(hidden_types.items(), key=lambda kv: str(kv[0]))),
        "hidden_by_filter": by_filter,
        "removed_edges_by_filter": removed_edges,
    }
    H.graph["filter_info"] = info
    return H, info


def edge_count(G: nx.Graph) -> int:
    """``G.number_of_edges()`` without networkx's degree views (a second, not a tenth,
    on a graph of 700,000 edges)."""
    if not G.is_multigraph():
        return G.number_of_edges()
    n = sum(len(keys) for _, nbrs in G.adjacency() for keys in nbrs.values())
    return n if G.is_directed() else (n + nx.number_of_selfloops(G)) // 2


def _is_claim(d: dict) -> bool:
    return d.get("type") == "claim"


def _as_list(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    values = list(values)
    if not values:
        raise NothingMatches(f"{name} is empty: name at least one")
    return values


def _names(values: Iterable) -> str:
    return ", ".join(repr(v) for v in sorted(map(str, values))) or "(none)"


def _note_matches(note: str | None, pattern: str) -> bool:
    if not note:
        return False
    return fnmatch.fnmatchcase(note, pattern) or fnmatch.fnmatchcase(
        note.rsplit("/", 1)[-1], pattern
    )


def _neighbours(H: nx.MultiDiGraph, n) -> Iterable:
    yield from H.successors(n)
    yield from H.predecessors(n)


def _within(H: nx.MultiDiGraph, start: list, depth: int) -> set:
    seen = set(start)
    frontier = list(start)
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for m in _neighbours(H, n):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return seen
