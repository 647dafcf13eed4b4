"""Force layout that scales to tens of thousands of nodes, and cache keys for layouts.

Two levels, both in numpy:

1. Groups. Every node gets a group: its community (see ``communities``), or the
   majority community of its neighbours; what reaches none is grouped by connected
   component, and isolated nodes share one "loose" group. Each group is a disc whose
   area grows with its size; the discs are placed by a small exact force simulation
   (groups joined by many edges attract, overlapping discs push apart).
2. Nodes. Each node starts at a random point of its group's disc and is refined by
   grid-bucketed Fruchterman-Reingold (``forces.fr_refine``) with a spring toward its
   group centre, which keeps communities as visible clusters.

Positions are in "pixels": the result is scaled so that the median distance from a
node to its nearest neighbour is ``spacing``, and no two nodes are closer than half
of it. The
result is a plain ``{node_id: (x, y)}``; ``layout_fingerprint`` gives the key under
which a store can cache it.

>>> from explorer.graph.synthetic import synthetic_graph
>>> G = synthetic_graph(80, seed=2)
>>> pos = force_layout(G, seed=0)
>>> len(pos) == G.number_of_nodes() and pos == force_layout(G, seed=0)
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import networkx as nx
import numpy as np

from explorer.graph import forces
from explorer.graph.communities import detect_communities, majority_group
from explorer.graph.edges import edge_triples

# How hard each edge type pulls its ends together.
EDGE_PULL: dict[str, float] = {
    "contains": 1.0,
    "annotates": 1.5,
    "similar": 1.0,  # times the cosine weight
    "duplicate": 1.5,
    "tension": 0.6,
    "mentions": 0.5,
    "cites": 0.6,
    "links_to": 0.2,
}

K = 40.0  # ideal edge length inside the simulation; the output is rescaled to ``spacing``
DISC = 1.4  # disc radius per sqrt(member): room for FR spacing
CROSS_GROUP_PULL = 0.1
_MAX_GROUPS = 150  # exact O(groups^2) placement: keep it small
ITER_GROUPS = 120
# Bump when the algorithm changes, so cached layouts are recomputed. 2: the communities
# it groups by come from explorer.graph.louvain.
LAYOUT_VERSION = 2


def force_layout(
    G: nx.Graph,
    *,
    seed: int = 0,
    communities: Mapping[str, int] | None = None,
    spacing: float = 40.0,
    iterations: int = 40,
    group_pull: float = 1.0,
) -> dict[str, tuple[float, float]]:
    """``{node: (x, y)}`` for every node of ``G``; same inputs, same output.

    ``communities`` (as from ``detect_communities``) saves recomputing them; without
    it, they are detected here with the same ``seed``.
    """
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    k = K
    rng = np.random.default_rng(seed)
    index = {v: i for i, v in enumerate(nodes)}
    u, v, w = edge_arrays(G, index)
    if communities is None:
        communities = detect_communities(G, seed=seed)
    group = _groups(G, nodes, index, communities, u, v)
    n_groups = int(group.max()) + 1
    sizes = np.bincount(group, minlength=n_groups).astype(float)

    radius = k * np.sqrt(sizes / np.pi) * DISC + 0.5 * k
    centres = _place_groups(group, sizes, radius, u, v, w, rng, k)

    # Start every node at a uniform random point of its group's disc.
    r = radius[group] * np.sqrt(rng.random(n)) * 0.9
    theta = rng.random(n) * 2 * np.pi
    pos = centres[group] + np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)

    # Hubs (a note over hundreds of claims, a popular concept) would crush their
    # neighbours together; damp each edge by the larger degree of its ends.
    degree = np.bincount(np.concatenate([u, v]), minlength=n).astype(float)
    damp = 1.0 / np.sqrt(np.maximum(1.0, np.maximum(degree[u], degree[v])))
    # Where groups sit was settled by the group placement; edges between groups only
    # tug their ends toward the side facing the other group.
    damp[group[u] != group[v]] *= CROSS_GROUP_PULL
    pos = forces.fr_refine(
        pos,
        u,
        v,
        w * damp,
        k=k,
        iterations=iterations,
        anchor=centres[group],
        anchor_strength=group_pull,
        anchor_radius=radius[group] * 0.95,
        start_step=k,
        cutoff_factor=1.5,
        repulsion_factor=3.0,
    )
    # The clusters came out tighter than their discs: pack them again at their real size.
    offset = pos - centres[group]
    real = _group_quantile(group, np.sqrt(np.einsum("ij,ij->i", offset, offset)), 0.9)
    packed = _place_groups(group, sizes, real + 0.5 * k, u, v, w, rng, k, start=centres)
    pos = packed[group] + offset
    pos = _normalise_spacing(pos, spacing)
    pos -= pos.mean(axis=0)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, pos, strict=True)}


def edge_arrays(G: nx.Graph, index: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges as index arrays ``u, v`` and pull weights ``w`` (parallel edges summed)."""
    pull: dict[tuple[int, int], float] = {}
    for a, b, d in edge_triples(G):
        if a == b:
            continue
        et = d.get("type", "")
        strength = EDGE_PULL.get(et, 0.5)
        if et == "similar":
            strength *= float(d.get("weight", 1.0) or 1.0)
        i, j = index[a], index[b]
        key = (i, j) if i < j else (j, i)
        pull[key] = pull.get(key, 0.0) + strength
    if not pull:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    keys = np.array(list(pull.keys()), dtype=np.int64)
    return keys[:, 0], keys[:, 1], np.fromiter(pull.values(), float, len(pull))


def _groups(G, nodes, index, communities, u, v) -> np.ndarray:
    """Dense group numbers per node: communities, then components, then one loose group."""
    extended = majority_group(G, communities)
    group = np.array([extended.get(nd, -1) for nd in nodes], dtype=np.int64)
    if (group < 0).any():
        # Nodes that reach no community: group them by connected component.
        orphans = np.flatnonzero(group < 0)
        sub = nx.Graph()
        sub.add_nodes_from(orphans.tolist())
        mask = (group[u] < 0) & (group[v] < 0)
        sub.add_edges_from(zip(u[mask].tolist(), v[mask].tolist(), strict=True))
        next_id = int(group.max()) + 1
        loose = []
        for comp in sorted(nx.connected_components(sub), key=min):
            if len(comp) == 1:
                loose.extend(comp)
            else:
                group[list(comp)] = next_id
                next_id += 1
        if loose:
            group[loose] = next_id
    _, group = np.unique(group, return_inverse=True)
    sizes = np.bincount(group)
    if len(sizes) > _MAX_GROUPS:
        group = _fold_small_groups(group, sizes, u, v)
    return group


def _fold_small_groups(group: np.ndarray, sizes: np.ndarray, u, v) -> np.ndarray:
    """Keep the largest groups; each smaller one joins the kept group it has most
    edges to, and the ones linked to none share a last, loose group."""
    keep = np.argsort(-sizes, kind="stable")[: _MAX_GROUPS - 1]
    remap = np.full(len(sizes), -1)
    remap[keep] = np.arange(len(keep))
    gu, gv = group[u], group[v]
    votes: dict[int, dict[int, int]] = {}
    for a, b in ((gu, gv), (gv, gu)):
        cross = (remap[a] < 0) & (remap[b] >= 0)
        for small, big in zip(a[cross].tolist(), remap[b[cross]].tolist(), strict=True):
            tally = votes.setdefault(small, {})
            tally[big] = tally.get(big, 0) + 1
    loose = len(keep)
    for g in np.flatnonzero(remap < 0):
        found = votes.get(int(g))
        remap[g] = max(found, key=lambda b: (found[b], -b)) if found else loose
    return remap[group]


def _place_groups(group, sizes, radius, u, v, w, rng, k, start=None) -> np.ndarray:
    """Centres for the group discs: linked groups close, no two discs overlapping.

    Without ``start``, discs begin on a golden-angle spiral, largest in the middle.
    """
    m = len(sizes)
    if m == 1:
        return np.zeros((1, 2))
    if start is not None:
        centres = start.astype(float, copy=True)
    else:
        order = np.argsort(-sizes, kind="stable")
        centres = np.zeros((m, 2))
        spread = np.sqrt(np.cumsum(radius[order] ** 2)) * 1.2
        angle = np.arange(m) * np.pi * (3 - np.sqrt(5)) + rng.random() * 2 * np.pi
        centres[order] = np.stack([spread * np.cos(angle), spread * np.sin(angle)], axis=1)
        centres[order[0]] = 0.0

    gu, gv = group[u], group[v]
    cross = gu != gv
    link = np.zeros((m, m))
    np.add.at(link, (gu[cross], gv[cross]), w[cross])
    link = link + link.T
    link /= max(link.max(), 1e-12)
    gap = 2.0 * k
    need = radius[:, None] + radius[None, :] + gap
    np.fill_diagonal(need, 0.0)
    for it in range(ITER_GROUPS):
        delta = centres[:, None, :] - centres[None, :, :]
        dist = np.sqrt((delta**2).sum(-1)) + np.eye(m)
        unit = delta / dist[..., None]
        # Linked groups pull toward touching; overlapping discs push apart.
        slack = np.maximum(dist - need, 0.0)
        overlap = np.maximum(need - dist, 0.0)
        force = (-link * slack * 0.1 + overlap * 0.5)[..., None] * unit
        step = force.sum(1)
        step -= (centres - centres.mean(0)) * 0.01  # gentle gravity keeps unlinked groups near
        if it > ITER_GROUPS - 40:
            step = (overlap[..., None] * unit).sum(1) * 0.5  # final pass: overlaps only
        centres += step
    return centres


def _normalise_spacing(pos: np.ndarray, spacing: float) -> np.ndarray:
    """Scale so the median nearest-neighbour distance is ``spacing``, then push apart
    the pairs still closer than half of it (a node drawn on top of another)."""
    nearest = forces.nearest_distances(pos, 4 * K)
    finite = nearest[np.isfinite(nearest)]
    if len(finite):
        pos = pos * (spacing / max(float(np.median(finite)), 1e-9))
    return forces.remove_overlaps(pos, 0.5 * spacing, iterations=10)


def _group_quantile(group: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of ``values`` within each group (stray members ignored)."""
    order = np.lexsort((values, group))
    counts = np.bincount(group)
    starts = np.cumsum(counts) - counts
    pick = starts + np.floor((counts - 1) * q).astype(np.int64)
    return values[order][pick]


def graph_fingerprint(G: nx.Graph) -> str:
    """A hex digest of the graph's nodes (id, type) and edges (ends, type, weight).

    Labels and texts are left out: they do not move nodes. Order-independent.
    """
    h = hashlib.sha256()
    nodes = sorted((str(n), str(d.get("type", ""))) for n, d in G.nodes(data=True))
    # One update of the joined lines is the digest of one update per line, faster.
    h.update("".join([f"n\x1f{n}\x1f{t}\x1e" for n, t in nodes]).encode())
    h.update("".join(_edge_lines(G)).encode())
    return h.hexdigest()


def _edge_lines(G: nx.Graph) -> list[str]:
    """The fingerprint's edge lines, sorted by (source, target, type, weight)."""

    if not G.is_directed() or len({str(n) for n in G}) != len(G):
        edges = sorted(
            (str(a), str(b), str(d.get("type", "")), round(float(d.get("weight", 0) or 0), 4))
            for a, b, d in edge_triples(G)
        )
        return [f"e\x1f{a}\x1f{b}\x1f{t}\x1f{wt}\x1e" for a, b, t, wt in edges]
    # Directed, ids distinct as text: sources in order, then each source's own edges,
    # is the same order as one sort of every edge, with far fewer comparisons.
    multi = G.is_multigraph()
    lines: list[str] = []
    for a in sorted(G._succ, key=str):
        group = sorted(
            (str(b), str(d.get("type", "")), round(float(d.get("weight", 0) or 0), 4))
            for b, data in G._succ[a].items()
            for d in (data.values() if multi else (data,))
        )
        sa = str(a)
        lines.extend([f"e\x1f{sa}\x1f{b}\x1f{t}\x1f{wt}\x1e" for b, t, wt in group])
    return lines


def layout_fingerprint(G: nx.Graph, method: str, **params) -> str:
    """Cache key for a layout: the graph's fingerprint, the method and its parameters."""
    payload = json.dumps(
        {"graph": graph_fingerprint(G), "method": method, "v": LAYOUT_VERSION, **params},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
