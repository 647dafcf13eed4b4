"""Communities: reproducible, aligned with the topics the texts are about, well named."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from explorer.graph.communities import (
    claim_projection,
    community_labels,
    community_terms,
    detect_communities,
    majority_group,
    tokenize,
)
from explorer.graph.synthetic import synthetic_graph


def _topic_of(G, n):
    # The synthetic note title starts with its topic's first word.
    return G.nodes[n]["note"].split("/")[1].split()[0].lower()


def test_same_seed_same_partition_and_numbering():
    G = synthetic_graph(400, seed=11)
    assert detect_communities(G, seed=3) == detect_communities(G, seed=3)


def test_communities_follow_topics():
    G = synthetic_graph(600, seed=2)
    comm = detect_communities(G, seed=0)
    claims = [n for n, d in G.nodes(data=True) if d["type"] == "claim"]
    # Most claims of a community share its dominant topic (notes mix topics 15%).
    by_comm: dict[int, Counter] = {}
    for n in claims:
        by_comm.setdefault(comm[n], Counter())[_topic_of(G, n)] += 1
    pure = sum(c.most_common(1)[0][1] for c in by_comm.values())
    assert pure / len(claims) > 0.75
    # Numbering is by size, largest first.
    sizes = Counter(comm[n] for n in comm)
    assert sizes[0] == max(sizes.values())


def test_annotations_references_concepts_join_their_claims_community():
    G = synthetic_graph(300, seed=4)
    comm = detect_communities(G, seed=0)
    for n, d in G.nodes(data=True):
        if d["type"] == "annotation":
            (target,) = [v for _, v, e in G.out_edges(n, data=True) if e["type"] == "annotates"]
            assert comm[n] == comm[target]
        if d["type"] in ("note", "section"):
            assert n not in comm


def test_labels_name_the_topic_words():
    G = synthetic_graph(600, seed=2)
    comm = detect_communities(G, seed=0)
    terms = community_terms(G, comm, top_n=3)
    labels = community_labels(G, comm)
    big = Counter(comm[n] for n in comm if G.nodes[n]["type"] == "claim").most_common(3)
    for c, _ in big:
        topics = Counter(
            _topic_of(G, n) for n in comm if comm[n] == c and G.nodes[n]["type"] == "claim"
        )
        topic = topics.most_common(1)[0][0]
        vocab_words = {
            w
            for n in comm
            if comm[n] == c and G.nodes[n]["type"] == "claim" and _topic_of(G, n) == topic
            for w in tokenize(G.nodes[n]["text"])
        }
        assert terms[c] and set(terms[c]) <= vocab_words
        # Filler words ("model", "system") are everywhere, so never distinctive.
        assert not {"model", "models", "system", "people"} & set(terms[c])
        assert labels[c] == " · ".join(terms[c])


def test_isolated_claims_get_their_own_community():
    G = nx.MultiDiGraph()
    for i in range(3):
        G.add_node(f"clm:{i}", type="claim", text=f"alpha{i} beta", label="x")
    comm = detect_communities(G, seed=0)
    assert sorted(comm.values()) == [0, 1, 2]
    assert community_labels(G, comm)[0].startswith("alpha")


def test_empty_graph():
    assert detect_communities(nx.MultiDiGraph(), seed=0) == {}
    assert community_terms(nx.MultiDiGraph(), {}) == {}


def test_big_hubs_are_linked_linearly_not_as_cliques():
    G = nx.MultiDiGraph()
    G.add_node("con:x", type="concept", text="x", label="x")
    for i in range(500):
        G.add_node(f"clm:{i:03d}", type="claim", text="t", label="t")
        G.add_edge(f"clm:{i:03d}", "con:x", type="mentions")
    P = claim_projection(G)
    assert P.number_of_edges() == 500  # a ring, not 124,750 pairs


def test_majority_group_reaches_notes_through_sections():
    G = synthetic_graph(200, seed=1)
    comm = detect_communities(G, seed=0)
    ext = majority_group(G, comm)
    assert set(ext) == set(G.nodes)
    notes = [n for n, d in G.nodes(data=True) if d["type"] == "note" and not d.get("missing")]
    assert all(ext[n] >= 0 for n in notes)


def test_tokenize_keeps_unicode_words_and_drops_stop_words():
    assert tokenize("The Größe of naïve café-style models, 2024!") == [
        "größe",
        "naïve",
        "café-style",
        "models",
    ]
