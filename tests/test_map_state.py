"""The map's state without a window: filters, focus, selection, paths and corrections."""

from __future__ import annotations

import sys

import pytest
from helpers import graph_claims

from explorer.app.map_state import MapState
from explorer.graph.filters import FilterState
from explorer.graph.ids import edge_id
from explorer.graph.synthetic import synthetic_graph


@pytest.fixture
def m():
    return MapState(synthetic_graph(120, seed=3))


def claims(m, **attrs):
    return graph_claims(m.graph, **attrs)


def test_everything_is_visible_until_a_filter_says_otherwise(m):
    assert m.visible.nodes == set(m.graph.nodes)
    m.set_filters(FilterState(kinds=frozenset({"question"})))
    shown = [n for n in m.visible.nodes if m.graph.nodes[n]["type"] == "claim"]
    assert shown and all(m.graph.nodes[n]["kind"] == "question" for n in shown)
    assert m.counts()["claim"] == len(shown)


def test_selection_keeps_at_most_the_two_ends_of_a_path(m):
    a, b, c = claims(m)[:3]
    assert m.select(a) and m.selection == [a]
    m.select(b, add=True)
    assert m.selection == [a, b]
    m.select(c, add=True)
    assert m.selection == [b, c]
    assert not m.select("no such node") and m.selection == [b, c]
    m.clear_selection()
    assert m.selection == []


def test_focus_shows_the_neighbourhood_within_depth(m):
    centre = claims(m)[0]
    assert m.set_focus(centre, depth=1)
    near = set(m.graph.successors(centre)) | set(m.graph.predecessors(centre)) | {centre}
    assert m.visible.nodes == near
    m.set_focus(None)
    assert m.visible.nodes == set(m.graph.nodes)
    assert not m.set_focus("no such node")


def test_path_between_the_two_selected_nodes_is_explained(m):
    a, b = claims(m)[0], claims(m)[-1]
    m.select(a)
    m.select(b, add=True)
    nodes, steps, keys = m.path()
    assert nodes[0] == a and nodes[-1] == b
    assert len(steps) == len(keys) == len(nodes) - 1
    assert all(m.graph.has_edge(u, v, k) for u, v, k in keys)


def test_a_kind_correction_is_certain_and_refilters(m):
    m.set_filters(FilterState(kinds=frozenset({"limitation"})))
    cid = claims(m, kind="capability")[0]
    assert cid not in m.visible.nodes
    m.set_kind(cid, "limitation")
    d = m.graph.nodes[cid]
    assert (d["kind"], d["kind_source"], d["confidence"]) == ("limitation", "user", 1.0)
    assert cid in m.visible.nodes


def test_hiding_a_node_leaves_the_map_the_selection_and_the_focus(m):
    cid = claims(m)[0]
    m.select(cid)
    m.set_focus(cid)
    m.hide(cid)
    assert cid not in m.visible.nodes and m.selection == [] and m.focus is None


def test_hiding_an_edge_given_either_way_round(m):
    u, v, t = next((u, v, t) for u, v, t in m.graph.edges(data="type") if t == "similar")
    backwards = edge_id(v, u, t)
    stored = m.item_id(backwards)
    assert stored == edge_id(u, v, t)
    m.hide(stored)
    assert not any(
        (a, b) == (u, v) and m.graph.edges[a, b, k]["type"] == t for a, b, k in m.visible.edges
    )
    assert m.item_id(edge_id(u, v, "cites")) in (None, edge_id(u, v, "cites"))
    assert m.item_id("nothing") is None


def test_an_own_annotation_appears_beside_its_claim(m):
    cid = claims(m)[0]
    m.add_annotation("ann:user-1", cid, "Not so sure.", "doubt", {"id": "x", "list": [1]})
    d = m.graph.nodes["ann:user-1"]
    assert (d["type"], d["stance"], d["source"], d["text"]) == (
        "annotation",
        "doubt",
        "user",
        "Not so sure.",
    )
    assert "list" not in d and "id" not in d
    assert m.graph.has_edge("ann:user-1", cid) and "ann:user-1" in m.visible.nodes


def test_the_map_state_needs_no_qt():
    import subprocess

    code = (
        "import sys; from explorer.app.map_state import MapState; "
        "from explorer.graph.synthetic import synthetic_graph; "
        "MapState(synthetic_graph(20)); print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
