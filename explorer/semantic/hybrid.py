"""Hybrid search maths: fuse a full-text ranking and a vector ranking into one.

Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009) needs no score
calibration: BM25 scores and cosines live on different scales, ranks do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
    limit: int | None = None,
) -> list[tuple[str, float]]:
    """Ids ordered by sum over rankings of ``weight / (k + rank)`` (rank from 1).

    An id missing from a ranking contributes nothing for it. Ties keep the order in
    which ids were first seen, so the result is deterministic.

    >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]])[0][0]
    'b'
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    score: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        # A ranking naming an id twice counts its best rank only, and later ids move up.
        unique = list(dict.fromkeys(ranking))
        for rank, item in enumerate(unique, start=1):
            score[item] = score.get(item, 0.0) + w / (k + rank)
    ranked = sorted(score.items(), key=lambda kv: -kv[1])
    return ranked[:limit] if limit is not None else ranked


def bm25_ranking(scores: Mapping[str, float]) -> list[str]:
    """Ids ordered best first from SQLite FTS5 ``bm25()`` values (lower is better there)."""
    return [i for i, _ in sorted(scores.items(), key=lambda kv: kv[1])]


def cosine_ranking(scores: Mapping[str, float], min_cosine: float = 0.0) -> list[str]:
    """Ids ordered best first by cosine, dropping those below ``min_cosine``."""
    return [i for i, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= min_cosine]


def hybrid_rank(
    fts_scores: Mapping[str, float],
    cosine_scores: Mapping[str, float],
    *,
    k: int = RRF_K,
    fts_weight: float = 1.0,
    vector_weight: float = 1.0,
    min_cosine: float = 0.0,
    limit: int | None = None,
) -> list[tuple[str, float]]:
    """Fuse FTS5 bm25 values and cosines (each by id) into one ranking."""
    return reciprocal_rank_fusion(
        [bm25_ranking(fts_scores), cosine_ranking(cosine_scores, min_cosine)],
        k=k,
        weights=[fts_weight, vector_weight],
        limit=limit,
    )
