import numpy as np
import pytest

from explorer.semantic.hybrid import hybrid_rank, reciprocal_rank_fusion
from explorer.semantic.similarity import (
    VectorIndex,
    negation_conflict,
    similar_pairs,
    similarity_edges,
    tension_edges,
    top_k,
)
from explorer.semantic.taxonomy import default_taxonomy
from explorer.semantic.types import Edge
from explorer.semantic.vectors import normalise_rows


def clustered(n, dim=32, clusters=8, spread=0.35, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    X = centres[rng.integers(0, clusters, n)] + spread * rng.normal(size=(n, dim))
    return normalise_rows(X)


def brute_force(X, k, thr, dup):
    S = X @ X.T
    np.fill_diagonal(S, -np.inf)
    keep = set()
    dups = set()
    for i in range(len(X)):
        order = np.argsort(-S[i])
        for j in order[:k]:
            if S[i, j] >= thr and S[i, j] < dup:
                keep.add((min(i, j), max(i, j)))
    for i, j in zip(*np.nonzero(np.triu(S, 1) >= dup), strict=True):
        dups.add((int(i), int(j)))
    return keep, dups


@pytest.mark.parametrize(("block", "budget"), [(4096, None), (37, None), (37, 50)])
def test_tiled_pairs_equal_brute_force(block, budget):
    X = clustered(300)
    X[5] = X[4]  # an exact duplicate
    k, thr, dup = 5, 0.5, 0.97
    a, b, v, is_dup = similar_pairs(X, k, thr, dup, block=block, budget=budget)
    got = {(int(i), int(j)) for i, j, d in zip(a, b, is_dup, strict=True) if not d}
    got_dup = {(int(i), int(j)) for i, j, d in zip(a, b, is_dup, strict=True) if d}
    want, want_dup = brute_force(X, k, thr, dup)
    # Random data has no ties at the k-th place, so the answer is unique.
    assert got_dup == want_dup and (4, 5) in got_dup
    assert got == want and len(want) > 100
    assert (a < b).all() and np.all(v >= thr)


def test_similarity_edges_types_weights_and_each_pair_once():
    X = normalise_rows(
        np.array([[1, 0, 0], [0.999, 0.01, 0], [0.8, 0.6, 0], [0, 0, 1]], dtype=np.float32)
    )
    edges = similarity_edges(["a", "b", "c", "d"], X, k=3, threshold=0.5, duplicate_threshold=0.95)
    kinds = {(e.source, e.target): e.type for e in edges}
    assert kinds[("a", "b")] == "duplicate"
    assert kinds[("a", "c")] == "similar" and kinds[("b", "c")] == "similar"
    assert not any("d" in pair for pair in kinds)
    assert len(kinds) == len(edges)
    with pytest.raises(ValueError, match="3 ids for 4 vectors"):
        similarity_edges(["a", "b", "c"], X)


def test_empty_and_single_inputs():
    assert similarity_edges([], np.zeros((0, 8), np.float32)) == []
    assert similarity_edges(["x"], normalise_rows(np.ones((1, 8)))) == []


def test_top_k_and_index():
    X = clustered(500, seed=3)
    idx, scores = top_k(X[7], X, 5)
    assert idx[0] == 7 and np.isclose(scores[0], 1.0, atol=1e-5)
    assert np.all(np.diff(scores) <= 1e-7)
    assert np.array_equal(np.sort(idx), np.sort(np.argsort(-(X @ X[7]))[:5]))
    index = VectorIndex([f"c{i}" for i in range(500)], X)
    assert index.query(X[9], 1)[0][0] == "c9"
    assert len(top_k(X[0], X, 1000)[0]) == 500


def test_negation_conflict():
    assert negation_conflict("LLMs can plan ahead.", "LLMs cannot plan ahead.")
    assert negation_conflict("LLMs can plan ahead.", "LLMs can plan ahead well.") is None
    assert negation_conflict("LLMs cannot plan.", "Cats are not dogs.") is None


def test_tension_edges_from_opposed_kinds_or_negation():
    edges = [
        Edge("a", "b", "similar", 0.8),
        Edge("a", "c", "similar", 0.9),
        Edge("c", "d", "similar", 0.9),
        Edge("a", "e", "similar", 0.3),
    ]
    texts = {
        "a": "LLMs can learn from interaction.",
        "b": "They are limited in learning from interaction.",
        "c": "Models can do arithmetic.",
        "d": "Models cannot do arithmetic.",
        "e": "x",
    }
    kinds = {
        "a": "capability",
        "b": "limitation",
        "c": "capability",
        "d": "capability",
        "e": "limitation",
    }
    out = {(e.source, e.target): e for e in tension_edges(edges, texts, kinds, default_taxonomy())}
    assert set(out) == {("a", "b"), ("c", "d")}
    assert "capability vs limitation" in out[("a", "b")].reason
    assert "negates" in out[("c", "d")].reason and out[("c", "d")].type == "tension"


def test_rrf_prefers_items_ranked_well_in_both():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "d"]])
    # c: 1/63 + 1/61, b: 2/62, a: 1/61, d: 1/63
    assert [i for i, _ in fused] == ["c", "b", "a", "d"]
    scores = dict(fused)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 62)
    assert scores["d"] == pytest.approx(1 / 63)
    assert reciprocal_rank_fusion([["a", "a", "b"]]) == reciprocal_rank_fusion([["a", "b"]])
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1, 2])


def test_hybrid_rank_reads_bm25_lower_is_better_and_cosine_higher_is_better():
    fts = {"x": -9.0, "y": -1.0}  # SQLite FTS5 bm25: more negative is a better match
    cos = {"y": 0.2, "z": 0.9, "w": 0.05}
    ranked = hybrid_rank(fts, cos, min_cosine=0.1, limit=10)
    ids = [i for i, _ in ranked]
    assert "w" not in ids
    assert ids[0] == "y"  # in both lists
    assert set(ids) == {"x", "y", "z"}


def test_clustered_pass_finds_the_exact_pairs_on_clustered_data():
    X = clustered(2000, dim=48, clusters=20, spread=0.3, seed=5)
    exact = similar_pairs(X, 5, 0.6, method="exact")
    approx = similar_pairs(X, 5, 0.6, method="clustered", nprobe=4)
    want = set(zip(exact[0].tolist(), exact[1].tolist(), strict=True))
    got = set(zip(approx[0].tolist(), approx[1].tolist(), strict=True))
    assert len(want) > 1000
    assert len(want & got) / len(want) >= 0.98
    assert (approx[0] < approx[1]).all()
    with pytest.raises(ValueError, match="unknown method"):
        similar_pairs(X, method="magic")


def test_a_line_repeated_many_times_keeps_duplicate_edges_per_claim_bounded():
    """n copies of one claim must not make n^2/2 duplicate edges (nor a quadratic tension pass)."""
    n, k = 300, 5
    matrix = np.tile(np.eye(1, 16, dtype=np.float32), (n, 1))
    ids = [f"c{i}" for i in range(n)]
    edges = similarity_edges(ids, matrix, k=k, threshold=0.6, duplicate_threshold=0.95)
    assert edges and all(e.type == "duplicate" for e in edges)
    linked = {e.source for e in edges} | {e.target for e in edges}
    assert len(edges) <= n * k
    assert linked == set(ids)  # every copy is still linked to some duplicate


def _pairs(result):
    a, b, v, d = result
    return {(int(i), int(j), bool(x)) for i, j, x in zip(a, b, d, strict=True)}


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_update_equals_a_full_pass(seed):
    """Change a few rows (an edited note), remove a few: the update's pairs are the
    exact pass's on the new vectors, and only the touched rows were compared."""
    from explorer.semantic.similarity import update_pairs

    rng = np.random.default_rng(seed)
    X = clustered(600, dim=24, clusters=12, spread=0.4, seed=seed)
    X[11] = X[10]  # a duplicate
    k, thr, dup = 4, 0.6, 0.97
    before = similar_pairs(X, k, thr, dup, method="exact")
    # Rows 0..7 are edited: new vectors near another cluster's members.
    Y = X.copy()
    Y[:8] = normalise_rows(X[300:308] + 0.1 * rng.normal(size=(8, 24)))
    # Rows 590.. are deleted: drop them, and mark their old neighbours as having lost one.
    keep = np.arange(590)
    a, b = before[0].astype(np.int64), before[1].astype(np.int64)
    gone = (a >= 590) | (b >= 590)
    lost = np.zeros(590, bool)
    lost[a[gone & (a < 590)]] = True
    lost[b[gone & (b < 590)]] = True
    changed = np.zeros(590, bool)
    changed[:8] = True
    got = update_pairs(Y[keep], a[~gone], b[~gone], changed, lost, k, thr, dup)
    want = similar_pairs(Y[keep], k, thr, dup, method="exact")
    assert _pairs(got) == _pairs(want)
    assert len(_pairs(want)) > 500 and any(p[0] < 8 or p[1] < 8 for p in _pairs(want))
    assert np.allclose(np.sort(got[2]), np.sort(want[2]), atol=1e-5)


def test_incremental_update_with_nothing_changed_keeps_the_pairs():
    from explorer.semantic.similarity import update_pairs

    X = clustered(300, dim=16, seed=4)
    before = similar_pairs(X, 5, 0.6, 0.95, method="exact")
    got = update_pairs(X, before[0], before[1], np.zeros(300, bool), None, 5, 0.6, 0.95)
    assert _pairs(got) == _pairs(before)


def test_blocked_torch_pass_equals_the_exact_pass():
    """The GPU path's code, run on the CPU: same pairs as the tiled numpy pass."""
    torch = pytest.importorskip("torch")
    from explorer.semantic.similarity import _torch_pairs

    X = clustered(500, dim=24, clusters=10, spread=0.45, seed=9)
    X[7] = X[6]
    want = similar_pairs(X, 5, 0.6, 0.97, method="exact")
    got = _torch_pairs(X, 5, 0.6, 0.97, device="cpu", block=64)
    assert _pairs(got) == _pairs(want) and (6, 7, True) in _pairs(got)
    assert torch.is_tensor(torch.zeros(1))


@pytest.mark.parametrize("seed", [3, 4])
def test_pair_ranks_say_whose_top_k_each_edge_is_in(seed):
    """The bits stored with each edge are each end's own top-k list, as a brute-force
    ranking of every pair above the threshold finds it (duplicates among themselves)."""
    from explorer.semantic.similarity import RANK_A, RANK_B, pair_ranks

    X = clustered(400, dim=16, clusters=8, spread=0.35, seed=seed)
    X[5] = X[6]  # a duplicate pair
    k, thr, dup = 4, 0.6, 0.97
    a, b, v, d = similar_pairs(X, k, thr, dup, method="exact")
    ranks = pair_ranks(a, b, v, d, k)
    S = X @ X.T
    np.fill_diagonal(S, -np.inf)
    for row in range(len(X)):
        for want_dup in (False, True):
            cand = [j for j in range(len(X)) if round(float(S[row, j]), 5) >= thr]
            cand = [j for j in cand if (round(float(S[row, j]), 5) >= dup) == want_dup]
            top = set(sorted(cand, key=lambda j: (-round(float(S[row, j]), 5), j))[:k])
            mine = {
                int(b[i]) if a[i] == row else int(a[i])
                for i in range(a.size)
                if bool(d[i]) == want_dup
                and ((a[i] == row and ranks[i] & RANK_A) or (b[i] == row and ranks[i] & RANK_B))
            }
            assert mine == top, (row, want_dup)
    assert (ranks > 0).all()  # every kept pair is in some claim's list
    assert ((ranks & RANK_A) > 0).sum() and ((ranks & RANK_B) > 0).sum()
