"""Claim-to-claim edges from vectors: similar, duplicate, tension; and top-k queries.

The all-pairs pass works tile by tile over the upper triangle of the cosine matrix
(``block`` x ``block`` float32 tiles, 64 MiB at the default), never holding n x n.
Pairs above the threshold are kept as sparse (i, j, cos) triples; when they pile up
they are pruned to those in either endpoint's top-k, which cannot lose a pair that
belongs in the final answer.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from explorer.core.fragments import is_fragment
from explorer.semantic.types import Edge

DEFAULT_K = 10
DEFAULT_THRESHOLD = 0.6
DUPLICATE_THRESHOLD = 0.95
# Cosines computed in different orders (a matrix product, a dot product, other blocks)
# differ in their last bits: a pair is at a threshold when its cosine rounded to 5
# decimals is, so a full pass and an incremental update agree on a pair at exactly 0.6.
# Candidates are gathered a little below the threshold, then decided by ``_above``.
_NOISE = 1e-5


def _above(v: np.ndarray, threshold: float) -> np.ndarray:
    return np.round(np.asarray(v, dtype=np.float64), 5) >= threshold


def _topk_sides(a: np.ndarray, b: np.ndarray, v: np.ndarray, k: int):
    """Masks of the undirected pairs (a[i], b[i]) that are in the top-k of a, and of b.

    Ties in cosine are broken by the pairs' (a, b) order, not their order in the
    input: the same pairs give the same answer however they were found (a full pass
    and an incremental update agree on vaults with repeated lines).
    """
    n = a.size
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    canon = np.argsort(a.astype(np.int64) << 32 | b.astype(np.int64), kind="stable")
    src = np.concatenate([a[canon], b[canon]]).astype(np.float64)
    # Rounded: cosines that differ only by float noise (a matrix product and a dot
    # product sum in different orders) are ties, broken by the pairs' order.
    vc = np.round(v[canon].astype(np.float64), 5)
    val = np.concatenate([vc, vc])
    # One sort on (claim, then cosine high to low): cosines are in [-1, 1], so
    # ``claim + (1 - cos) / 4`` stays inside the claim's unit interval.
    order = np.argsort(src + (1.0 - val) * 0.25, kind="stable")
    s_sorted = src[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, s_sorted.size]))
    rank = np.arange(s_sorted.size) - group_start
    top = order[rank < k]  # below n: the pair's a end; from n: its b end
    in_a = np.zeros(n, dtype=bool)
    in_b = np.zeros(n, dtype=bool)
    in_a[canon[top[top < n]]] = True
    in_b[canon[top[top >= n] - n]] = True
    return in_a, in_b


def _topk_pairs(a: np.ndarray, b: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """Mask of the undirected pairs (a[i], b[i]) that are in the top-k of a or of b."""
    in_a, in_b = _topk_sides(a, b, v, k)
    return in_a | in_b


# Whose top-k list a pair is in, stored with each edge (``sim_edges.ranks``): an update
# decides a pair between a claim whose list may change and one whose list cannot from
# the second claim's bit, without reading every edge of the second claim.
RANK_A, RANK_B = 1, 2


def pair_ranks(a, b, v, d, k: int = DEFAULT_K) -> np.ndarray:
    """Per pair, ``RANK_A`` if it is in the top-k of ``a`` and ``RANK_B`` if in that of
    ``b``; duplicates (``d``) are ranked among themselves and the rest among the rest."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    d = np.asarray(d, dtype=bool)
    ranks = np.zeros(a.size, dtype=np.int64)
    for part in (~d, d):
        idx = np.flatnonzero(part)
        in_a, in_b = _topk_sides(a[idx], b[idx], np.asarray(v)[idx], k)
        ranks[idx] = in_a * RANK_A + in_b * RANK_B
    return ranks


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
    ``"auto"`` is exact up to ``EXACT_LIMIT`` vectors, and exact at any size on a GPU:
    ``method="torch"`` (chosen by ``"auto"`` when torch is loaded and sees CUDA, see
    :func:`cuda_torch`) multiplies blocks of rows by the whole matrix on the device and
    keeps each row's top-k (O(n k) memory): 55,800 claims in about a second on one GPU.
    """
    n = len(matrix)
    if method == "auto":
        if n > 2 * block and cuda_torch() is not None:
            method = "torch"
        else:
            method = "exact" if n <= EXACT_LIMIT else "clustered"
    if method == "torch":
        device = "cuda" if cuda_torch() is not None else "cpu"
        return _torch_pairs(matrix, k, threshold, duplicate_threshold, device=device)
    if method == "exact":
        return _exact_pairs(matrix, k, threshold, duplicate_threshold, block, budget)
    if method == "clustered":
        return _clustered_pairs(matrix, k, threshold, duplicate_threshold, nprobe, seed)
    raise ValueError(f"unknown method {method!r}: use 'auto', 'exact' or 'clustered'")


def cuda_torch():
    """The torch module when it is already loaded (the model loaded it) and sees a GPU,
    else None. Set ``EXPLORER_SIMILARITY_DEVICE=cuda`` to load torch for this alone;
    ``cpu`` keeps the pass on the CPU even with a GPU."""
    choice = os.environ.get("EXPLORER_SIMILARITY_DEVICE", "")
    if choice == "cpu":
        return None
    torch = sys.modules.get("torch")
    if torch is None and choice == "cuda":
        import torch
    try:
        return torch if torch is not None and torch.cuda.is_available() else None
    except Exception:  # a broken CUDA set-up: the CPU pass
        return None


def _torch_pairs(X, k, threshold, duplicate_threshold, device="cuda", block=None):
    """Exact pairs from blocked products on ``device``: each row's top-k similar and
    top-k duplicates, then the top-k of either end over that pool."""
    import torch

    n = len(X)
    empty_i, empty_v = np.zeros(0, np.int32), np.zeros(0, np.float32)
    if n < 2:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    T = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)).to(device)
    block = block or max(1, min(n, (1 << 28) // n))  # 1 GiB of cosines at a time
    # A few more than k per row: cosines within float noise of the k-th count as ties
    # (see _topk_pairs), and the tie-break needs them all in the pool.
    kk = min(k + 4, n - 1)
    rows_out, cols_out, vals_out = [], [], []
    for i0 in range(0, n, block):
        S = T[i0 : i0 + block] @ T.T
        r = torch.arange(S.shape[0], device=S.device)
        S[r, r + i0] = -float("inf")
        dup = duplicate_threshold <= S
        for part in (S.masked_fill(~dup, -float("inf")), S.masked_fill_(dup, -float("inf"))):
            vals, idx = torch.topk(part, kk, dim=1)
            keep = vals >= threshold
            rows_out.append((r[:, None].expand_as(idx)[keep] + i0).cpu().numpy())
            cols_out.append(idx[keep].cpu().numpy())
            vals_out.append(vals[keep].cpu().numpy())
    i = np.concatenate(rows_out).astype(np.int64)
    j = np.concatenate(cols_out).astype(np.int64)
    v = np.concatenate(vals_out).astype(np.float32)
    if i.size == 0:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    a, b = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(a << 32 | b, return_index=True)
    a, b, v = a[first].astype(np.int32), b[first].astype(np.int32), v[first]
    return _split_dups(a, b, v, k, duplicate_threshold)


def _split_dups(a, b, v, k, duplicate_threshold):
    """Final answer from candidate pairs: top-k duplicates, plus top-k of the rest.

    Duplicates are capped per claim too: a vault that repeats one line n times would
    otherwise get n^2/2 duplicate edges (and the tension pass would compare them all).
    """
    d = _above(v, duplicate_threshold)
    rest = ~d
    keep = _topk_pairs(a[rest], b[rest], v[rest], k)
    a2, b2, v2 = a[rest][keep], b[rest][keep], v[rest][keep]
    keep_d = _topk_pairs(a[d], b[d], v[d], k)
    a3, b3, v3 = a[d][keep_d], b[d][keep_d], v[d][keep_d]
    is_dup = np.r_[np.zeros(a2.size, bool), np.ones(a3.size, bool)]
    return np.r_[a2, a3], np.r_[b2, b3], np.r_[v2, v3].astype(np.float32), is_dup


def spherical_kmeans(
    X: np.ndarray, cells: int, iters: int = 5, sample: int = 20_000, seed: int = 0
) -> np.ndarray:
    """Unit-length centroids of ``cells`` groups of the rows of ``X`` (fitted on a sample)."""
    rng = np.random.default_rng(seed)
    S = X[rng.choice(len(X), size=min(sample, len(X)), replace=False)]
    C = S[rng.choice(len(S), size=cells, replace=False)].copy()
    for _ in range(iters):
        assign = np.argmax(S @ C.T, axis=1)
        onehot = np.zeros((cells, len(S)), dtype=np.float32)
        onehot[assign, np.arange(len(S))] = 1.0
        sums = onehot @ S  # each cell's sum of members, as one matrix product
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        full = norms[:, 0] > 0
        C[full] = sums[full] / norms[full]
    return C


def _probes(X: np.ndarray, C: np.ndarray, nprobe: int) -> np.ndarray:
    """Each row's ``nprobe`` nearest cells, its home (nearest) cell first."""
    n = len(X)
    probe = np.empty((n, nprobe), dtype=np.int32)
    for i0 in range(0, n, 8192):
        sims = X[i0 : i0 + 8192] @ C.T
        near = np.argpartition(-sims, nprobe - 1, axis=1)[:, :nprobe]
        # Order the few chosen by similarity, so column 0 is the home cell.
        rows = np.arange(len(near))[:, None]
        near = near[rows, np.argsort(-sims[rows, near], axis=1, kind="stable")]
        probe[i0 : i0 + 8192] = near
    return probe


def _clustered_pairs(X, k, threshold, duplicate_threshold, nprobe, seed):
    X = np.ascontiguousarray(X, dtype=np.float32)
    n = len(X)
    empty_i, empty_v = np.zeros(0, np.int32), np.zeros(0, np.float32)
    if n < 2:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    cells = max(1, int(np.sqrt(n)))
    nprobe = min(nprobe, cells)
    C = spherical_kmeans(X, cells, seed=seed)
    probe = _probes(X, C, nprobe)
    home = probe[:, 0]
    # Rows sorted by home cell: each cell's members are one contiguous slice.
    by_home = np.argsort(home, kind="stable").astype(np.int32)
    Xh = X[by_home]
    cell_start = np.searchsorted(home[by_home], np.arange(cells + 1))
    order = np.argsort(probe.ravel(), kind="stable")
    probers_flat = (order // nprobe).astype(np.int32)
    bounds = np.searchsorted(probe.ravel()[order], np.arange(cells + 1))
    parts_a, parts_b, parts_v = [], [], []
    held = 0
    budget = max(4 * n * max(k, 1), 1_000_000)
    for c in range(cells):
        lo, hi = cell_start[c], cell_start[c + 1]
        p = probers_flat[bounds[c] : bounds[c + 1]]
        if hi == lo or p.size == 0:
            continue
        m = by_home[lo:hi]
        for p0 in range(0, p.size, 4096):
            pc = p[p0 : p0 + 4096]
            S = X[pc] @ Xh[lo:hi].T
            r, col = np.nonzero(threshold <= S)
            if r.size == 0:
                continue
            i, j, v = pc[r], m[col], S[r, col]
            # Each pair once: i finds j in j's home cell; when j also looks into i's
            # home cell it finds i there too, and only the i < j side keeps the pair.
            mutual = (probe[j] == home[i][:, None]).any(axis=1)
            keep = (i != j) & ((i < j) | ~mutual)
            i, j, v = i[keep], j[keep], v[keep]
            parts_a.append(np.minimum(i, j))
            parts_b.append(np.maximum(i, j))
            parts_v.append(v.astype(np.float32))
            held += i.size
            if held > budget:
                a, b, v = (np.concatenate(x) for x in (parts_a, parts_b, parts_v))
                keep = _topk_pairs(a, b, v, k) | (v >= duplicate_threshold)
                parts_a[:], parts_b[:], parts_v[:] = [a[keep]], [b[keep]], [v[keep]]
                held = int(keep.sum())
    if not parts_a:
        return empty_i, empty_i, empty_v, np.zeros(0, bool)
    a, b, v = (np.concatenate(x) for x in (parts_a, parts_b, parts_v))
    return _split_dups(a, b, v, k, duplicate_threshold)


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
    parts_a: list[np.ndarray] = []
    parts_b: list[np.ndarray] = []
    parts_v: list[np.ndarray] = []
    dup_a: list[np.ndarray] = []
    dup_b: list[np.ndarray] = []
    dup_v: list[np.ndarray] = []
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
            r, c = np.nonzero(threshold - _NOISE <= S)
            if r.size == 0:
                continue
            v = S[r, c]
            ok = _above(v, threshold)
            r, c, v = r[ok], c[ok], v[ok]
            r = (r + i0).astype(np.int32)
            c = (c + j0).astype(np.int32)
            d = _above(v, duplicate_threshold)
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


def _pair_split(a, b, v, d, k):
    """Top-k of either endpoint, ranked within duplicates (``d``) and within the rest."""
    return pair_ranks(a, b, v, d, k) > 0


def update_pairs(
    matrix: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    changed: np.ndarray,
    lost: np.ndarray | None = None,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    block: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of :func:`similar_pairs` after some rows changed, from the pairs before.

    ``a``, ``b``: the previous pairs (row indices into ``matrix`` as it is now; pairs
    of a removed row left out by the caller). ``changed``: mask of rows that are new or
    whose vector changed. ``lost``: mask of rows that had a pair with a removed row.

    Only rows that lost a neighbour, and the changed rows, are compared with every row
    (``|changed| x n`` products, not ``n x n``); every other row keeps its previous
    list, into which a changed row may enter. Each row's top-k is taken over a pool
    that holds all of its true top-k, so the answer is that of an exact pass.
    """
    X = np.ascontiguousarray(matrix, dtype=np.float32)
    n = len(X)
    changed = np.asarray(changed, dtype=bool)
    lost = np.zeros(n, bool) if lost is None else np.asarray(lost, dtype=bool)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    drop = changed[a] | changed[b]
    redo = lost.copy()
    redo[a[drop]] = True
    redo[b[drop]] = True
    redo |= changed
    a, b = a[~drop], b[~drop]
    pa, pb = [a], [b]
    rows = np.flatnonzero(redo)
    block = block or max(1, (1 << 24) // max(n, 1))  # 64 MiB of cosines at a time
    for r0 in range(0, rows.size, block):
        r = rows[r0 : r0 + block]
        S = X[r] @ X.T
        S[np.arange(r.size), r] = -np.inf
        i, j = np.nonzero(threshold - _NOISE <= S)
        # A changed row's pair is also a candidate for the other row's list: it is in
        # the pool either way, so the top-k of either end sees it.
        pa.append(np.minimum(r[i], j))
        pb.append(np.maximum(r[i], j))
    a, b = np.concatenate(pa), np.concatenate(pb)
    if a.size == 0:
        e = np.zeros(0, np.int32)
        return e, e, np.zeros(0, np.float32), np.zeros(0, bool)
    key = a << 32 | b
    _, first = np.unique(key, return_index=True)
    a, b = a[first], b[first]
    # Exact cosines for every pair in the pool (the stored weights are rounded).
    v = np.empty(a.size, dtype=np.float32)
    for c in range(0, a.size, 8192):  # in slices: two gathers of every pair at once are GBs
        v[c : c + 8192] = np.einsum("ij,ij->i", X[a[c : c + 8192]], X[b[c : c + 8192]])
    ok = _above(v, threshold)
    a, b, v = a[ok], b[ok], v[ok]
    d = _above(v, duplicate_threshold)
    keep = _pair_split(a, b, v, d, k)
    return (
        a[keep].astype(np.int32),
        b[keep].astype(np.int32),
        v[keep].astype(np.float32),
        d[keep],
    )


def pairs_above(
    matrix: np.ndarray, rows: np.ndarray, threshold: float, at: np.ndarray | None = None
) -> tuple:
    """Every pair (min, max) of a row in ``rows`` with another row at cosine >= threshold
    (give or take float noise: :func:`decide_pairs` decides).

    With ``at``, row ``i`` is ``matrix[at[i]]``: the matrix may hold other rows, in
    another order, and rows may share one (the vector files beside the store, which
    need not be copied into claim order for the few rows an update compares)."""
    X = matrix
    n = len(X) if at is None else at.size
    block = max(1, (1 << 24) // max(len(X), n, 1))
    pa, pb = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for r0 in range(0, rows.size, block):
        r = rows[r0 : r0 + block]
        S = X[r] @ X.T if at is None else np.asarray(X[at[r]] @ X.T)[:, at]
        S[np.arange(r.size), r] = -np.inf
        i, j = np.nonzero(threshold - _NOISE <= S)
        pa.append(np.minimum(r[i], j))
        pb.append(np.maximum(r[i], j))
    a, b = np.concatenate(pa), np.concatenate(pb)
    _, first = np.unique(a << 32 | b, return_index=True)
    return a[first], b[first]


def decide_pairs(
    matrix: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    at: np.ndarray | None = None,
):
    """Exact cosines of a pool of pairs, and whose top-k within the pool each is in:
    ``(a, b, v, is_duplicate, ranks)``, the pool deduplicated, ``ranks`` as for
    :func:`pair_ranks` and 0 below ``threshold``. ``at`` as for :func:`pairs_above`."""
    X = matrix if at is not None else np.ascontiguousarray(matrix, dtype=np.float32)
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    _, first = np.unique(a << 32 | b, return_index=True)
    a, b = a[first], b[first]
    ra, rb = (a, b) if at is None else (at[a], at[b])
    v = np.empty(a.size, dtype=np.float32)
    for c in range(0, a.size, 8192):
        v[c : c + 8192] = np.einsum("ij,ij->i", X[ra[c : c + 8192]], X[rb[c : c + 8192]])
    d = _above(v, duplicate_threshold)
    ranks = np.where(_above(v, threshold), pair_ranks(a, b, v, d, k), 0)
    return a, b, v, d, ranks


def ranked_similarity_edges(
    ids: Sequence[str],
    matrix: np.ndarray,
    k: int = DEFAULT_K,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    block: int = 4096,
    method: str = "auto",
) -> tuple[list[Edge], list[int]]:
    """:func:`similarity_edges` and, for each edge, whose top-k it is in (``RANK_A``: its
    source's, ``RANK_B``: its target's; see :func:`pair_ranks`)."""
    if len(ids) != matrix.shape[0]:
        raise ValueError(f"{len(ids)} ids for {matrix.shape[0]} vectors")
    a, b, v, dup = similar_pairs(matrix, k, threshold, duplicate_threshold, block, method=method)
    # A claim's top-k are all kept (each pair is kept for either end), so ranking the
    # kept pairs again finds each claim's own list.
    ranks = pair_ranks(a, b, v, dup, k)
    edges = [
        Edge(ids[i], ids[j], "duplicate" if d else "similar", round(float(w), 4))
        for i, j, w, d in zip(a.tolist(), b.tolist(), v.tolist(), dup.tolist(), strict=True)
    ]
    return edges, ranks.tolist()


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
    return ranked_similarity_edges(ids, matrix, k, threshold, duplicate_threshold, block, method)[0]


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
        group.sort(key=lambda e: (-e.weight, e.source, e.target))  # ties: by ids
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
    ma, mb = _NEG.search(a), _NEG.search(b)
    negation = ma or mb
    if negation is None or (ma is not None and mb is not None):
        return None  # neither is negated, or both are
    ca, cb = _content(a), _content(b)
    if not ca or not cb:
        return None
    overlap = len(ca & cb) / len(ca | cb)
    if overlap < min_overlap:
        return None
    neg = negation.group()
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
