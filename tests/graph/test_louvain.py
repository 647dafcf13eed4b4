"""Louvain over arrays: planted groups found, modularity as good as networkx's, reproducible."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.graph.louvain import louvain_labels, modularity


def _planted(groups: int, size: int, p_in: float, p_out: float, seed: int):
    """A stochastic block model: ``groups`` blocks of ``size`` nodes."""
    rng = np.random.default_rng(seed)
    n = groups * size
    block = np.repeat(np.arange(groups), size)
    a, b = np.triu_indices(n, 1)
    p = np.where(block[a] == block[b], p_in, p_out)
    keep = rng.random(len(a)) < p
    return n, a[keep], b[keep], rng.uniform(0.5, 1.5, keep.sum()), block


def _nx_graph(n, src, dst, w) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for a, b, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        if G.has_edge(a, b):
            G[a][b]["weight"] += x
        else:
            G.add_edge(a, b, weight=x)
    return G


def test_planted_groups_are_found():
    n, src, dst, w, block = _planted(6, 40, 0.3, 0.01, seed=1)
    labels = louvain_labels(n, src, dst, w, seed=0)
    # Every planted block is one community, and no two blocks share one.
    assert all(len(set(labels[block == g].tolist())) == 1 for g in range(6))
    assert len(set(labels.tolist())) == 6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_modularity_is_as_good_as_networkx(seed):
    n, src, dst, w, _ = _planted(12, 30, 0.12, 0.02, seed=seed)
    ours = modularity(n, src, dst, w, louvain_labels(n, src, dst, w, seed=seed))
    G = _nx_graph(n, src, dst, w)
    parts = nx.community.louvain_communities(G, weight="weight", seed=seed)
    theirs = nx.community.modularity(G, parts, weight="weight")
    assert ours >= theirs - 0.01


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.1, 5.0)),
                max_size=120,
            ),
        )
    )
)
def test_modularity_matches_networkx_and_never_drops_below_singletons(case):
    n, edges = case
    src = np.array([a for a, _, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b, _ in edges], dtype=np.int64)
    w = np.array([x for _, _, x in edges], dtype=np.float64)
    labels = louvain_labels(n, src, dst, w, seed=0)
    assert labels.shape == (n,) and labels.min() == 0
    # Numbered by first member: 0 first, each new number one above the largest so far.
    seen = np.maximum.accumulate(labels)
    assert np.all(labels <= np.concatenate([[0], seen[:-1] + 1]))
    # Loops included: both count a loop's weight once inside, twice in the degree.
    G = _nx_graph(n, src, dst, w)
    parts = [set(np.flatnonzero(labels == c).tolist()) for c in range(labels.max() + 1)]
    if G.size(weight="weight") > 0:
        assert modularity(n, src, dst, w, labels) == pytest.approx(
            nx.community.modularity(G, parts, weight="weight"), abs=1e-9
        )
    singletons = np.arange(n)
    assert modularity(n, src, dst, w, labels) >= modularity(n, src, dst, w, singletons) - 1e-9


def test_same_seed_same_labels_and_isolated_nodes_alone():
    n, src, dst, w, _ = _planted(5, 25, 0.2, 0.03, seed=4)
    n += 3  # three nodes with no edge
    first = louvain_labels(n, src, dst, w, seed=7)
    assert np.array_equal(first, louvain_labels(n, src, dst, w, seed=7))
    alone = first[-3:]
    assert len(set(alone.tolist())) == 3
    assert not set(alone.tolist()) & set(first[:-3].tolist())


def test_no_nodes_and_no_edges():
    empty = np.array([], dtype=np.int64)
    assert louvain_labels(0, empty, empty, empty.astype(float)).tolist() == []
    assert louvain_labels(3, empty, empty, empty.astype(float)).tolist() == [0, 1, 2]
