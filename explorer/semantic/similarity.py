"""Claim-to-claim edges from vectors: similar, duplicate, tension; and top-k queries.

The all-pairs pass works tile by tile over the upper triangle of the cosine matrix
(``block`` x ``block`` float32 tiles, 64 MiB at the default), never holding n x n.
Pairs above the threshold are kept as sparse (i, j, cos) triples; when they pile up
they are pruned to those in either endpoint's top-k, which cannot lose a pair that
belongs in the final answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from explorer.core.fragments import is_fragment
from explorer.semantic.types import Edge

DEFAULT_K = 10
DEFAULT_THRESHOLD = 0.6
DUPLICATE_THRESHOLD = 0.95


def _topk_pairs(a: np.ndarray, b: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """Mask of the undirected pairs (a[i], b[i]) that are in the top-k of a or of b."""
    n = a.size
    src = np.concatenate([a, b])
    val = np.concatenate([v, v])
    pid = np.concatenate([np.arange(n), np.arange(n)])
    order = np.lexsort((-val, src))
    s_sorted = src[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, s_sorted.size]))
    rank = np.arange(s_sorted.size) - group_start
    keep = np.zeros(n, dtype=bool)
    keep[pid[order[rank < k]]] = True
    return keep


EXACT_LIMIT = 20_000  # above this many vectors, "auto" switches to the clustered pass


def similar_pairs(
    matrix: np.ndarray,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    block: int = 4096,
    budget: int | None = None,
    method: str = "auto",
    nprobe: int = 8,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row-index pairs (i < j) with their cosine, and a mask of duplicates.

    Kept: every pair at or above ``threshold`` that is among the ``k`` most similar of
    either of its claims (duplicates, at or above ``duplicate_threshold``, are ranked
    among themselves, so a claim keeps up to ``k`` duplicates besides its ``k`` similar).
    ``matrix`` rows must be unit length (as the embedders return them).

    ``method="exact"`` compares every pair, tile by tile (O(n^2 d): about 6 s for
    20,000 claims on 2 cores here, 2 minutes for 100,000). ``method="clustered"``
    groups the vectors into about sqrt(n) cells with a few rounds of spherical
    k-means and compares each vector only with the members of its ``nprobe``
    nearest cells: the usual inverted-file approximation, which can miss a pair whose
    two claims fall in cells far apart (measured recall in docs/SEMANTICS.md).
    ``"auto"`` is exact up to ``EXACT_LIMIT`` vectors.
    """
    n = len(matrix)
    if method == "auto":
        method = "exact" if n <= EXACT_LIMIT else "clustered"
    if method == "exact":
        return _exact_pairs(matrix, k, threshold, duplicate_threshold, block, budget)
    if method == "clustered":
        return _clustered_pairs(matrix, k, threshold, duplicate_threshold, nprobe, seed)
    raise ValueError(f"unknown method {method!r}: use 'auto', 'exact' or 'clustered'")


def _split_dups(a, b, v, k, duplicate_threshold):
    """Final answer from candidate pairs: top-k duplicates, plus top-k of the rest.

    Duplicates are capped per claim too: a vault that repeats one line n times would
    otherwise get n^2/2 duplicate edges (and the tension pass would compare them all).
    """
    d = v >= duplicate_threshold
    rest = ~d
    keep = _topk_pairs(a[rest], b[rest], v[rest], k)
    a2, b2, v2 = a[rest][keep], b[rest][keep], v[rest][keep]
    keep_d = _topk_pairs(a[d], b[d], v[d], k)
    a3, b3, v3 = a[d][keep_d], b[d][keep_d], v[d][keep_d]
    is_dup = np.r_[np.zeros(a2.size, bool), np.ones(a3.size, bool)]
    return np.r_[a2, a3], np.r_[b2, b3], np.r_[v2, v3].astype(np.float32), is_dup


def spherical_kmeans(
    X: np.ndarray, cells: int, iters: int = 6, sample: int = 30_000, seed: int = 0
) -> np.ndarray:
    """Unit-length centroids of ``cells`` groups of the rows of ``X`` (fitted on a sample)."""
    rng = np.random.default_rng(seed)
    S = X[rng.choice(len(X), size=min(sample, len(X)), replace=False)]
    C = S[rng.choice(len(S), size=cells, replace=False)].copy()
    for _ in range(iters):
        assign = np.argmax(S @ C.T, axis=1)
        sums = np.zeros_like(C)
        np.add.at(sums, assign, S)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        C[~empty] = sums[~empty] / norms[~empty]
    return C


def _clustered_pairs(X, k, threshold, duplicate_threshold, nprobe, seed):
    X = np.ascontiguousarray(X, dtype=np.float32)
    n = len(X)
    empty_i, empty_v = np.zeros(0, np.int32), np.zeros(0, np.float32)
    if n < 2:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    cells = max(1, int(np.sqrt(n)))
    nprobe = min(nprobe, cells)
    C = spherical_kmeans(X, cells, seed=seed)
    # Each vector lives in its nearest cell and looks into its nprobe nearest cells.
    probe = np.empty((n, nprobe), dtype=np.int32)
    for i0 in range(0, n, 8192):
        sims = X[i0 : i0 + 8192] @ C.T
        probe[i0 : i0 + 8192] = np.argpartition(-sims, nprobe - 1, axis=1)[:, :nprobe]
        home_part = np.argmax(sims, axis=1)
        probe[i0 : i0 + 8192, 0] = home_part  # keep the home cell first
    home = probe[:, 0]
    members = [np.flatnonzero(home == c) for c in range(cells)]
    order = np.argsort(probe.ravel(), kind="stable")
    probers_flat = (order // nprobe).astype(np.int64)
    bounds = np.searchsorted(probe.ravel()[order], np.arange(cells + 1))
    parts_a, parts_b, parts_v = [], [], []
    held = 0
    budget = max(4 * n * max(k, 1), 1_000_000)
    for c in range(cells):
        m = members[c]
        p = np.unique(probers_flat[bounds[c] : bounds[c + 1]])
        if m.size == 0 or p.size == 0:
            continue
        for p0 in range(0, p.size, 4096):
            pc = p[p0 : p0 + 4096]
            S = X[pc] @ X[m].T
            r, col = np.nonzero(threshold <= S)
            if r.size == 0:
                continue
            i, j, v = pc[r], m[col], S[r, col]
            keep = i != j
            i, j, v = i[keep], j[keep], v[keep]
            parts_a.append(np.minimum(i, j).astype(np.int32))
            parts_b.append(np.maximum(i, j).astype(np.int32))
            parts_v.append(v.astype(np.float32))
            held += i.size
            if held > budget:
                a, b, v = _dedupe(parts_a, parts_b, parts_v)
                d = v >= duplicate_threshold
                keep = _topk_pairs(a, b, v, k) | d
                parts_a[:], parts_b[:], parts_v[:] = [a[keep]], [b[keep]], [v[keep]]
                held = int(keep.sum())
    if not parts_a:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    a, b, v = _dedupe(parts_a, parts_b, parts_v)
    return _split_dups(a, b, v, k, duplicate_threshold)


def _dedupe(pa, pb, pv):
    a, b, v = np.concatenate(pa), np.concatenate(pb), np.concatenate(pv)
    key = a.astype(np.int64) << 32 | b.astype(np.int64)
    _, first = np.unique(key, return_index=True)
    return a[first], b[first], v[first]


def _exact_pairs(
    matrix: np.ndarray,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    block: int = 4096,
    budget: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X = np.ascontiguousarray(matrix, dtype=np.float32)
    n = X.shape[0]
    if budget is None:  # candidate pairs held before pruning to top-k (12 bytes each)
        budget = max(4 * n * max(k, 1), 1_000_000)
    parts_a, parts_b, parts_v = [], [], []
    dup_a, dup_b, dup_v = [], [], []
    held = 0

    def compact() -> None:
        nonlocal held
        a, b, v = np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_v)
        keep = _topk_pairs(a, b, v, k)
        parts_a[:], parts_b[:], parts_v[:] = [a[keep]], [b[keep]], [v[keep]]
        held = int(keep.sum())

    for i0 in range(0, n, block):
        xi = X[i0 : i0 + block]
        for j0 in range(i0, n, block):
            S = xi @ X[j0 : j0 + block].T
            if j0 == i0:
                rows = np.arange(S.shape[0])[:, None]
                S[rows >= np.arange(S.shape[1])[None, :]] = -np.inf
            r, c = np.nonzero(threshold <= S)
            if r.size == 0:
                continue
            v = S[r, c]
            r = (r + i0).astype(np.int32)
            c = (c + j0).astype(np.int32)
            d = v >= duplicate_threshold
            if d.any():
                dup_a.append(r[d])
                dup_b.append(c[d])
                dup_v.append(v[d])
                r, c, v = r[~d], c[~d], v[~d]
            parts_a.append(r)
            parts_b.append(c)
            parts_v.append(v)
            held += r.size
            if held > budget:
                compact()
    empty_i, empty_v = np.zeros(0, np.int32), np.zeros(0, np.float32)
    if parts_a:
        compact()
        a, b, v = parts_a[0], parts_b[0], parts_v[0]
    else:
        a, b, v = empty_i, empty_i, empty_v
    if dup_a:
        da, db, dv = np.concatenate(dup_a), np.concatenate(dup_b), np.concatenate(dup_v)
        keep = _topk_pairs(da, db, dv, k)  # bounded like the similar pairs: see _split_dups
        da, db, dv = da[keep], db[keep], dv[keep]
    else:
        da, db, dv = empty_i, empty_i, empty_v
    is_dup = np.r_[np.zeros(a.size, bool), np.ones(da.size, bool)]
    return np.r_[a, da], np.r_[b, db], np.r_[v, dv].astype(np.float32), is_dup


def similarity_edges(
    ids: Sequence[str],
    matrix: np.ndarray,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    block: int = 4096,
    method: str = "auto",
) -> list[Edge]:
    """``similar`` and ``duplicate`` edges between claims, each pair once.

    ``ids[i]`` names row ``i`` of ``matrix``. A pair is ``duplicate`` at cosine >=
    ``duplicate_threshold`` and ``similar`` when at >= ``threshold`` and among the
    top ``k`` of either claim.
    """
    if len(ids) != matrix.shape[0]:
        raise ValueError(f"{len(ids)} ids for {matrix.shape[0]} vectors")
    a, b, v, dup = similar_pairs(matrix, k, threshold, duplicate_threshold, block, method=method)
    return [
        Edge(ids[i], ids[j], "duplicate" if d else "similar", round(float(w), 4))
        for i, j, w, d in zip(a.tolist(), b.tolist(), v.tolist(), dup.tolist(), strict=True)
    ]


# Within one note, each claim keeps its strongest few neighbours of each edge type, and
# the note at most a few per claim in all: a long table or list of near-identical lines
# would otherwise fill the map with edges that say "these rows look alike".
INNER_K = 2
INNER_PER_CLAIM = 1.0


def cap_within_notes(
    edges: Sequence[Edge], note_of: Mapping[str, str], k: int = INNER_K
) -> list[Edge]:
    """``edges`` with those between two claims of the same note capped, per edge type.

    Such an edge is kept when it is among the ``k`` strongest same-note edges of
    either claim, and the note keeps at most ``INNER_PER_CLAIM`` per claim of it (the
    strongest). Edges between notes are untouched.
    """
    inner: dict[tuple[str, str], list[Edge]] = {}
    out: list[Edge] = []
    for e in edges:
        note = note_of.get(e.source)
        if note is not None and note == note_of.get(e.target):
            inner.setdefault((note, e.type), []).append(e)
        else:
            out.append(e)
    for group in inner.values():
        group.sort(key=lambda e: -e.weight)
        rank: dict[str, int] = {}
        best, rest = [], []  # each claim's strongest edge first: no claim loses them all
        for e in group:
            r = min(rank.get(e.source, 0), rank.get(e.target, 0))
            if r == 0:
                best.append(e)
            elif r < k:
                rest.append(e)
            rank[e.source] = rank.get(e.source, 0) + 1
            rank[e.target] = rank.get(e.target, 0) + 1
        claims = len(rank)
        out.extend((best + rest)[: max(1, int(claims * INNER_PER_CLAIM))])
    return out


def top_k(query: np.ndarray, matrix: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the ``k`` rows most similar to ``query``, best first, and their cosines."""
    scores = matrix @ np.asarray(query, dtype=np.float32)
    k = min(k, scores.size)
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return idx, scores[idx]


class VectorIndex:
    """Ids and their unit vectors, for semantic search."""

    def __init__(self, ids: Sequence[str], matrix: np.ndarray) -> None:
        if len(ids) != len(matrix):
            raise ValueError(f"{len(ids)} ids for {len(matrix)} vectors")
        self.ids = list(ids)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    def query(self, vector: np.ndarray, k: int = 10) -> list[tuple[str, float]]:
        idx, scores = top_k(vector, self.matrix, k)
        return [(self.ids[i], float(s)) for i, s in zip(idx.tolist(), scores.tolist(), strict=True)]


_NEG = re.compile(
    r"\b(?:not|no|never|none|cannot|can't|can’t|won't|won’t|without|unable|fails?|lacks?)\b|n[’']t\b",
    re.I,
)
_WORDS = re.compile(r"[a-z][a-z\-]+")
_FUNCTION = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "with",
        "as",
        "at",
        "by",
        "from",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "so",
        "such",
        "just",
        "very",
        "also",
        "only",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "what",
        "how",
        "why",
    ]
)


def _content(text: str) -> set[str]:
    words = _WORDS.findall(_NEG.sub(" ", text.casefold()))
    return {w.rstrip("s") for w in words if w not in _FUNCTION}


def negation_conflict(a: str, b: str, min_overlap: float = 0.4) -> str | None:
    """A reason string when one text negates the other (same content words, one negated)."""
    na, nb = bool(_NEG.search(a)), bool(_NEG.search(b))
    if na == nb:
        return None
    ca, cb = _content(a), _content(b)
    if not ca or not cb:
        return None
    overlap = len(ca & cb) / len(ca | cb)
    if overlap < min_overlap:
        return None
    neg = _NEG.search(a if na else b).group()
    return f"one negates the other ('{neg}'), {overlap:.0%} shared words"


def _statement(text: str) -> bool:
    """A claim that can disagree with another: no question, no fragment."""
    return not is_fragment(text) and not text.rstrip(" .…)").endswith("?")


def tension_edges(
    edges: Iterable[Edge],
    texts: Mapping[str, str],
    kinds: Mapping[str, str],
    taxonomy=None,
    min_cosine: float = DEFAULT_THRESHOLD,
) -> list[Edge]:
    """``tension`` edges among close pairs (from :func:`similarity_edges`) that disagree.

    Two reasons: opposed kinds (the taxonomy's ``opposes``: a capability and a
    limitation of the same thing), or one claim negating the other. A tension needs two
    statements: a question ("X intercept?") or a fragment (a bare term, a formula) on
    either side never makes one.
    """
    qkind = taxonomy.question_kind.id if taxonomy is not None and taxonomy.question_kind else None
    out = []
    for e in edges:
        if e.weight < min_cosine or e.type not in ("similar", "duplicate"):
            continue
        ka, kb = kinds.get(e.source), kinds.get(e.target)
        if qkind is not None and qkind in (ka, kb):
            continue
        ta, tb = texts.get(e.source), texts.get(e.target)
        if ta is not None and tb is not None and not (_statement(ta) and _statement(tb)):
            continue
        reason = None
        if taxonomy is not None and ka and kb and ka != kb and taxonomy.opposed(ka, kb):
            reason = f"{ka} vs {kb} on the same subject"
        if reason is None and e.source in texts and e.target in texts:
            reason = negation_conflict(texts[e.source], texts[e.target])
        if reason:
            out.append(Edge(e.source, e.target, "tension", e.weight, reason))
    return out
