"""Communities of claims and the words that name them.

Communities are found on the claim-level projection: an undirected weighted graph
whose nodes are claims, joined when the concept graph links them directly (similar,
duplicate, tension, a list item under another) or indirectly (same section, same
concept, same reference). Louvain (``explorer.graph.louvain``, seeded) partitions it;
every other node that touches claims (annotation, reference, concept) joins the
community most of its claims are in.

Each community is named by its most distinctive terms: a class-based TF-IDF over the
member claims' texts (all texts of a community are one document), so a term that is
frequent in one community and rare elsewhere ranks first.

>>> from explorer.graph.synthetic import synthetic_graph
>>> G = synthetic_graph(300, seed=3)
>>> comm = detect_communities(G, seed=0)
>>> comm == detect_communities(G, seed=0)
True
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

import networkx as nx
import numpy as np

from explorer.core.model import SIMILARITY_EDGE_TYPES
from explorer.graph.edges import edge_triples
from explorer.graph.louvain import louvain_labels

# How strongly each kind of tie pulls two claims into one community.
DEFAULT_WEIGHTS: dict[str, float] = {
    "similar": 1.0,  # multiplied by the edge's cosine weight
    "duplicate": 1.5,
    "tension": 0.5,  # a disagreement is still about the same thing
    "contains": 1.0,  # list item under a claim
    "section": 0.3,  # consecutive claims in one section
    "concept": 0.5,  # shared concept, divided among the concept's claims
    "reference": 0.8,  # shared reference, divided among its claims
    "annotates": 0.0,
    "links_to": 0.0,
}

# A concept or reference cited by more claims than this says little about any pair of
# them, and its clique would cost O(k^2) edges; link each claim to a few neighbours only.
_HUB_LIMIT = 40

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can cannot could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just let me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves one two get gets got like make makes made much many may might must
    still even really thing things way ways well use used using via vs etc eg ie""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_][\w\-']*[\w]|[^\W\d_]", re.UNICODE)


def projection_edges(
    G: nx.MultiDiGraph, weights: Mapping[str, float] | None = None
) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """The claim-to-claim ties communities are found on, as arrays.

    ``(claims, src, dst, weight)``: the claim nodes, then one row per tie between
    ``claims[src]`` and ``claims[dst]`` (undirected; a pair tied several ways has
    several rows, which add up). Built as lists, not a networkx graph: at 69,000 claims
    the graph's per-edge checks cost more than the communities themselves.
    """
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    claims = [n for n, d in G.nodes(data=True) if d.get("type") == "claim"]
    index = {n: i for i, n in enumerate(claims)}
    src: list[int] = []
    dst: list[int] = []
    amount: list[float] = []
    hubs: dict[tuple[str, str], list[int]] = defaultdict(list)  # concept/reference -> claims
    section_claims: dict[object, list] = defaultdict(list)
    for u, v, d in edge_triples(G):
        et = d.get("type")
        iu, iv = index.get(u), index.get(v)
        if iu is not None and iv is not None:
            a = w.get(et, 0.0)
            if et in SIMILARITY_EDGE_TYPES:
                a *= float(d.get("weight", 1.0) or 1.0)
            if iu != iv and a > 0:
                src.append(iu)
                dst.append(iv)
                amount.append(a)
        elif et == "contains" and iv is not None:
            section_claims[u].append(v)
        elif et in ("mentions", "cites") and iu is not None:
            hubs[(et, v)].append(iu)

    def line(c) -> int:
        return G.nodes[c].get("line", 0) or 0

    for members in section_claims.values():
        members.sort(key=line)
        chain = [index[c] for c in members]
        src.extend(chain[:-1])
        dst.extend(chain[1:])
        amount.extend([w["section"]] * (len(chain) - 1))

    parts = [(np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), np.asarray(amount))]
    for (et, _hub), members in hubs.items():
        base = w["concept"] if et == "mentions" else w["reference"]
        k = len(members)
        if k < 2 or base <= 0:
            continue
        if k <= _HUB_LIMIT:
            ids = np.asarray(members, dtype=np.int64)
            first, second = _pairs(k)
            parts.append((ids[first], ids[second], np.full(len(first), base / (k - 1))))
        else:
            # A ring through the members (by note, then id) keeps the hub's pull, linear.
            ring = sorted(members, key=lambda i: (G.nodes[claims[i]].get("note", ""), claims[i]))
            ring_ids = np.asarray(ring, dtype=np.int64)
            parts.append((ring_ids, np.roll(ring_ids, -1), np.full(k, base / _HUB_LIMIT)))
    s_all, d_all, w_all = (np.concatenate(col) for col in zip(*parts, strict=True))
    keep = s_all != d_all  # a claim citing one reference twice is no tie to itself
    return claims, s_all[keep], d_all[keep], w_all[keep].astype(np.float64)


@lru_cache(maxsize=64)
def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(k, 1)
    return a, b


def claim_projection(G: nx.MultiDiGraph, weights: Mapping[str, float] | None = None) -> nx.Graph:
    """The undirected, weighted claim-to-claim graph communities are found on."""
    claims, src, dst, weight = projection_edges(G, weights)
    P = nx.Graph()
    P.add_nodes_from(claims)
    total: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, x in zip(src.tolist(), dst.tolist(), weight.tolist(), strict=True):
        total[(a, b) if a < b else (b, a)] += x
    P.add_weighted_edges_from((claims[a], claims[b], x) for (a, b), x in total.items())
    return P


def detect_communities(
    G: nx.MultiDiGraph,
    *,
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
    resolution: float = 1.0,
) -> dict[str, int]:
    """``{node_id: community}`` for claims and the annotations, references and concepts
    around them. Communities are numbered 0.. by size, largest first; ties by smallest
    member id, so the numbering is as reproducible as the partition.

    Isolated claims each form their own community. Notes and sections get none (they
    hold many topics; see ``majority_group`` for layout purposes).
    """
    claims, src, dst, weight = projection_edges(G, weights)
    if not claims:
        return {}
    labels = louvain_labels(len(claims), src, dst, weight, resolution=resolution, seed=seed)
    groups: dict[int, list] = defaultdict(list)
    for n, c in zip(claims, labels.tolist(), strict=True):
        groups[c].append(n)
    parts = sorted((sorted(p) for p in groups.values()), key=lambda p: (-len(p), p[0]))
    out: dict[str, int] = {}
    for i, members in enumerate(parts):
        for n in members:
            out[n] = i
    for n, d in G.nodes(data=True):
        if d.get("type") in ("annotation", "reference", "concept"):
            c = _majority(out.get(m) for m in _neighbours(G, n))
            if c is not None:
                out[n] = c
    return out


def majority_group(G: nx.MultiDiGraph, communities: Mapping[str, int]) -> dict[str, int]:
    """Extend ``communities`` to every node: nodes without one take the most common
    community among their neighbours (a note goes with most of its claims, reached
    through its sections). Nodes that reach no community get ``-1``.
    """
    out = dict(communities)
    pending = [n for n in G.nodes if n not in out]
    # Two passes reach claims through one level of sections; deeper chains go to -1.
    for _ in range(3):
        still = []
        for n in pending:
            c = _majority(out.get(m) for m in _neighbours(G, n))
            if c is None:
                still.append(n)
            else:
                out[n] = c
        if len(still) == len(pending):
            break
        pending = still
    for n in pending:
        out[n] = -1
    return out


def community_terms(
    G: nx.MultiDiGraph, communities: Mapping[str, int], top_n: int = 3
) -> dict[int, list[str]]:
    """The ``top_n`` most distinctive terms of each community (c-TF-IDF over claim texts).

    Score of term t in community c: tf(t, c) / words(c) * log(1 + A / f(t)), where A is
    the average number of words per community and f(t) the term's count over all of
    them (the BERTopic form). Terms found in at least two member claims come first;
    ties break alphabetically, so labels are reproducible.
    """
    counts: dict[int, Counter] = defaultdict(Counter)
    spread: dict[int, Counter] = defaultdict(Counter)  # in how many member claims
    for n, c in communities.items():
        d = G.nodes[n]
        if d.get("type") == "claim":
            words = tokenize(str(d.get("text", "")))
            counts[c].update(words)
            spread[c].update(set(words))
    if not counts:
        return {}
    total: Counter = Counter()
    for cnt in counts.values():
        total.update(cnt)
    avg_words = sum(total.values()) / len(counts)
    out: dict[int, list[str]] = {}
    for c, cnt in counts.items():
        size = sum(cnt.values()) or 1
        # A word from one claim only (a name, a typo) says little about the group: terms
        # found in two or more member claims rank first.
        scored = sorted(
            (
                (spread[c][t] < 2, -tf / size * math.log(1 + avg_words / total[t]), t)
                for t, tf in cnt.items()
            ),
        )
        out[c] = [t for *_, t in scored[:top_n]]
    for c in set(communities.values()) - set(out):
        out[c] = []
    return out


def community_labels(
    G: nx.MultiDiGraph, communities: Mapping[str, int], top_n: int = 3
) -> dict[int, str]:
    """``{community: "term · term · term"}``; a community without claim text gets its number."""
    terms = community_terms(G, communities, top_n)
    return {c: " · ".join(t) if t else f"community {c}" for c, t in terms.items()}


def tokenize(text: str) -> list[str]:
    """Lower-case words of two letters or more, stop words removed."""
    return [
        w
        for w in (m.group(0).lower() for m in _WORD.finditer(text))
        if len(w) > 1 and w not in _STOPWORDS
    ]


def _neighbours(G: nx.MultiDiGraph, n) -> Iterable:
    yield from G.successors(n)
    yield from G.predecessors(n)


def _majority(values: Iterable[int | None]) -> int | None:
    cnt = Counter(v for v in values if v is not None and v >= 0)
    if not cnt:
        return None
    best = max(cnt.values())
    return min(c for c, k in cnt.items() if k == best)
