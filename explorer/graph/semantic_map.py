"""The semantic map: claims placed by meaning, everything else beside its claims.

Claims go where a 2-D projection of their embeddings puts them: PCA of the centred
vectors (numpy eigh/SVD), so two claims that say similar things sit close together whatever
links the notes hold. Every other node (note, section, annotation, reference,
concept) sits at the mean position of the claims it is linked to, reached through up
to three hops (a note reaches its claims through its sections), with a small seeded
offset so an annotation does not hide its one claim. Claims without a vector are
treated the same way. A light overlap removal then separates nodes drawn on top of
each other without changing the map's shape. The graph's edges are drawn over it by
whoever renders it.

>>> from explorer.graph.synthetic import synthetic_graph, bag_of_words_vectors
>>> G = synthetic_graph(50, seed=1)
>>> pos = semantic_layout(G, bag_of_words_vectors(G), seed=0)
>>> len(pos) == G.number_of_nodes()
True
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

import networkx as nx
import numpy as np

from explorer.graph import forces


@contextmanager
def _one_blas_thread():
    """Run LAPACK on one thread. These matrices are small (384 x 384), and OpenBLAS's
    threads spin-wait for each other: on a busy 2-core machine a 40 ms eigh took
    0.4-3.6 s with two threads. threadpoolctl comes with scikit-learn (a
    sentence-transformers dependency); without it the call runs as configured."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """Rows of ``vectors`` projected on their first two principal components.

    Signs are fixed (largest absolute loading positive) so the same vectors always give
    the same picture, not a mirrored one.
    """
    X = np.asarray(vectors, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {X.shape}")
    if len(X) == 0:
        return np.zeros((0, 2))
    X = X - X.mean(axis=0)
    with _one_blas_thread():
        if X.shape[0] > X.shape[1]:
            # Many short rows: the eigenvectors of the small d x d scatter matrix are
            # the right singular vectors, at a fraction of a thin SVD's cost.
            _, vecs = np.linalg.eigh(X.T @ X)
            comps = vecs[:, ::-1][:, :2].T.copy()
        else:
            _, _, vt = np.linalg.svd(X, full_matrices=False)
            comps = vt[:2]
    for c in comps:
        if c[np.argmax(np.abs(c))] < 0:
            c *= -1
    out = X @ comps.T
    if out.shape[1] < 2:  # a single dimension, or a single vector
        out = np.hstack([out, np.zeros((len(out), 2 - out.shape[1]))])
    return out


def _unit_scale(a: np.ndarray) -> np.ndarray:
    """Each column to 0..1."""
    lo, hi = a.min(axis=0), a.max(axis=0)
    return (a - lo) / np.where(hi - lo > 1e-12, hi - lo, 1.0)


def _rank_scale(a: np.ndarray) -> np.ndarray:
    """Each column replaced by its rank, to 0..1 (ties broken by order, stable)."""
    ranks = np.argsort(np.argsort(a, axis=0, kind="stable"), axis=0, kind="stable")
    return ranks / max(len(a) - 1, 1)


def semantic_layout(
    G: nx.Graph,
    vectors: Mapping[str, np.ndarray],
    *,
    seed: int = 0,
    spacing: float = 40.0,
    spread: float = 0.5,
) -> dict[str, tuple[float, float]]:
    """``{node: (x, y)}`` for every node; claims by their vectors (``{claim_id: vector}``,
    extra ids ignored), the rest at the mean of their linked claims.

    The map covers about ``spacing``^2 per node. A PCA cloud is dense in the middle
    and thin at the rim; ``spread`` (0..1) blends each axis with its rank order to even
    that out (0 keeps the plain projection; order along each axis is always kept).
    """
    nodes = list(G.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    rng = np.random.default_rng(seed)
    index = {v: i for i, v in enumerate(nodes)}
    placed = np.zeros(n, dtype=bool)
    pos = np.zeros((n, 2))

    with_vec = [v for v in nodes if v in vectors and G.nodes[v].get("type") == "claim"]
    if with_vec:
        matrix = np.stack([np.asarray(vectors[v], dtype=np.float64) for v in with_vec])
        proj = project_2d(matrix)
        if spread > 0 and len(proj) > 2:
            proj = (1 - spread) * _unit_scale(proj) + spread * _rank_scale(proj)
        # Spread the cloud over about as much room as its nodes need: n * spacing^2.
        extent = np.sqrt(n) * spacing
        scale = extent / max(float(np.ptp(proj, axis=0).max()), 1e-9)
        idx = np.array([index[v] for v in with_vec])
        pos[idx] = (proj - proj.mean(axis=0)) * scale
        placed[idx] = True

    # Everything else: the mean of placed neighbours, a few rounds outward.
    undirected = G.to_undirected(as_view=True)
    for _ in range(3):
        todo = np.flatnonzero(~placed)
        if len(todo) == 0:
            break
        newly = []
        for i in todo:
            nbrs = [index[m] for m in undirected.neighbors(nodes[i]) if placed[index[m]]]
            if nbrs:
                newly.append((i, pos[nbrs].mean(axis=0)))
        if not newly:
            break
        for i, p in newly:
            angle = rng.random() * 2 * np.pi
            pos[i] = p + 0.5 * spacing * np.array([np.cos(angle), np.sin(angle)])
            placed[i] = True

    # Unreachable nodes: a row beneath the map, in graph order.
    rest = np.flatnonzero(~placed)
    if len(rest):
        bottom = pos[placed, 1].max() if placed.any() else 0.0
        left = pos[placed, 0].min() if placed.any() else 0.0
        per_row = max(1, int(np.sqrt(len(rest))))
        for r, i in enumerate(rest):
            pos[i] = (
                left + (r % per_row) * spacing,
                bottom + 2 * spacing + (r // per_row) * spacing,
            )

    pos = forces.remove_overlaps(pos, 0.5 * spacing, iterations=15)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, pos, strict=True)}
