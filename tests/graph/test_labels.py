"""Label placement and community titles (explorer.graph.labels): no Qt, no browser."""

from __future__ import annotations

import random

import networkx as nx

from explorer.graph import labels
from explorer.graph.analyze import enrich
from explorer.graph.synthetic import synthetic_graph


def _rects(placed):
    return [(left, top, w, h) for _, left, top, w, h in placed]


def test_greedy_placement_never_overlaps_and_keeps_the_first():
    rng = random.Random(3)
    boxes = [
        (rng.uniform(0, 800), rng.uniform(0, 600), rng.uniform(30, 160), 14, 5) for _ in range(500)
    ]
    placed = labels.place_labels(boxes, gap=1)
    assert labels.overlaps(_rects(placed)) == []
    assert placed[0][0] == 0  # the most important label always gets a place
    assert 20 < len(placed) < len(boxes)  # crowded: some are dropped, many kept
    # Each placed label sits at one of its spots next to its anchor.
    for i, left, top, w, h in placed:
        x, y, *_ = boxes[i]
        assert abs(left - x) <= w + 5.001 and abs(top - y) <= h + 5.001


def test_keep_all_places_every_label_and_bounds_slide_them_inside():
    boxes = [(5, 5, 100, 14, 3), (790, 590, 100, 14, 3)]
    placed = labels.place_labels(boxes, keep_all=True, bounds=(0, 0, 800, 600))
    assert [p[0] for p in placed] == [0, 1]
    for _, left, top, w, h in placed:
        assert left >= 0 and left + w <= 800 and top >= 0 and top + h <= 600


def test_zoom_bands():
    assert labels.zoom_band(5000) == "overview"
    assert labels.zoom_band(labels.OVERVIEW_NODES) == "middle"
    assert labels.zoom_band(labels.CLOSE_NODES) == "close"
    assert labels.zoom_band(labels.CLOSE_NODES + 1) == "middle"


def test_community_titles_name_terms_and_a_member_claim_holding_them():
    G = synthetic_graph(300, seed=2)
    enrich(G, seed=0)
    titles = labels.community_titles(G)
    table = G.graph["communities"]
    assert titles and set(titles) <= {int(c) for c in table}
    with_claims = [c for c, t in titles.items() if t["claim_id"] is not None]
    assert len(with_claims) >= 3
    for c in with_claims:
        t = titles[c]
        assert t["title"] == " · ".join(table[c]["terms"]) or t["title"] == f"community {c}"
        member = G.nodes[t["claim_id"]]
        assert member["type"] == "claim" and member["community"] == c

        # No other member claim holds more of the community's terms.
        def hits(d, terms=table[c]["terms"]):
            return sum(w in str(d.get("text", "")).lower() for w in terms)

        best = max(
            hits(d)
            for _, d in G.nodes(data=True)
            if d.get("community") == c and d.get("type") == "claim"
        )
        assert hits(member) == best


def test_community_titles_of_a_graph_without_communities_is_empty():
    assert labels.community_titles(nx.MultiDiGraph()) == {}


def test_fixed_boxes_stay_put_and_others_avoid_them():
    fixed = [(0, 0, 100, 20)]
    boxes = fixed + [(10, 10, 50, 10, 2), (300, 300, 50, 10, 2)]
    placed = labels.place_labels(boxes, fixed=1)
    assert placed[0] == (0, 0.0, 0.0, 100.0, 20.0)
    assert labels.overlaps(_rects(placed)) == []
    assert [p[0] for p in placed][-1] == 2
