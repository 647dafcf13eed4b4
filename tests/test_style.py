"""The window and the HTML page draw every kind and node type with the same colour and shape.

Both read ``explorer.style``; these tests compare what each actually produces for one
graph (the window's canvas arrays, the page's vis-network records), so a colour set in
one place only, or a shape one view cannot draw, fails here.
"""

from __future__ import annotations

import networkx as nx
import pytest

from explorer import style
from explorer.core.model import EDGE_TYPES, NODE_TYPES
from explorer.export.html import build_payload
from explorer.gui.canvas_model import CanvasModel  # numpy only: no Qt needed


def every_kind_and_type() -> nx.MultiDiGraph:
    """One node of each type, one claim of each shipped kind, one of a kind no taxonomy
    names, and one with no kind at all."""
    G = nx.MultiDiGraph()
    for i, t in enumerate(NODE_TYPES):
        G.add_node(f"{t}:0", type=t, label=t, x=float(i), y=0.0)
    for i, kind in enumerate([*style.default_kinds(), "made-up-kind", None]):
        attrs = {"kind": kind} if kind else {}
        G.add_node(f"claim:{i + 1}", type="claim", label="c", x=float(i), y=1.0, **attrs)
    return G


@pytest.mark.parametrize(
    "taxonomy",
    [None, {"idea": {"name": "Idea", "colour": "#123456"}, "capability": {"colour": "bad"}}],
    ids=["shipped taxonomy", "vault taxonomy"],
)
def test_window_and_html_page_draw_nodes_alike(taxonomy):
    G = every_kind_and_type()
    window = CanvasModel.styled(G, taxonomy)
    page = {rec["id"]: rec for rec in build_payload(G, taxonomy=taxonomy)["nodes"]}
    for n in G:
        i = window.index[n]
        assert window.colour[i].lower() == page[n]["color"].lower(), n
        assert ("square" if window.square[i] else "dot") == page[n]["shape"], n


def test_node_types_and_kinds_are_told_apart():
    """No node type shares a colour with a shipped kind or another type (a concept and a
    limitation were once the same red in the window)."""
    colours = [s["colour"].lower() for s in style.default_kinds().values()]
    colours += [
        s["colour"].lower() for t, s in style.NODE_TYPES.items() if t != "claim"
    ]  # a claim is drawn in its kind's colour
    assert len(colours) == len(set(colours))
    assert set(style.NODE_TYPES) == set(NODE_TYPES)
    assert {s["shape"] for s in style.NODE_TYPES.values()} <= set(style.SHAPES)


def test_every_edge_type_has_one_style_for_window_and_page():
    assert set(style.EDGE_TYPES) == set(EDGE_TYPES)
    G = every_kind_and_type()
    for t in EDGE_TYPES:
        G.add_edge("claim:1", "claim:2", key=t, type=t, weight=0.9)
    page = build_payload(G)["edges"]
    assert {e["color"] for e in page} == {s["colour"] for s in style.EDGE_TYPES.values()}


def _hue_and_saturation(colour: str) -> tuple[float, float]:
    import colorsys

    r, g, b = (c / 255 for c in style.hex_to_rgb(colour))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360, s


def test_no_two_kinds_or_node_types_share_a_hue():
    """One colour-blind-safe palette: the shipped kinds and the node types each own a
    hue at least 20 degrees from any other (notes and sections are greys, no hue)."""
    chromatic = {}
    for kind, spec in style.default_kinds().items():
        chromatic[kind] = spec["colour"]
    for t, spec in style.NODE_TYPES.items():
        if t != "claim":
            chromatic[t] = spec["colour"]
    hues = {}
    for name, colour in chromatic.items():
        h, s = _hue_and_saturation(colour)
        if s < 0.15:
            assert name in ("note", "section"), f"{name} is a grey"
            continue
        hues[name] = h
    assert len(hues) == 8
    names = sorted(hues)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = abs(hues[a] - hues[b])
            assert min(d, 360 - d) >= 20, (a, b, hues[a], hues[b])


def test_shipped_taxonomy_takes_its_colours_from_the_palette():
    assert {k: s["colour"].lower() for k, s in style.default_kinds().items()} == {
        k: c.lower() for k, c in style.SHIPPED_KIND_COLOURS.items()
    }
    assert set(style.SHIPPED_KIND_COLOURS.values()) <= set(style.PALETTE.values())


def test_every_stance_has_a_colour():
    from explorer.core.model import STANCES

    assert set(style.STANCE_COLOURS) == set(STANCES)
