"""How the map looks, once for every view: the window, the HTML page, GEXF and JSON Canvas.

Claims are coloured by kind, every other node by its type; containers and sources
(notes, sections, references) are squares, ideas (claims, annotations, concepts) are
discs, in the window and on the page alike. Edges have a colour, a dash pattern and a
weight. Nothing here imports Qt: ``explorer.gui.style`` turns the dash names into Qt pen
styles, the exporters write the colours as they are.

One colour-blind-safe palette (:data:`PALETTE`, Okabe-Ito based) gives every kind and
node type its colour, and no two of them share a hue: the shipped kinds take the
palette's entries named in :data:`SHIPPED_KIND_COLOURS` (``data/taxonomy.toml`` repeats
them, and a test keeps the two equal), node types take the others, and notes and
sections are neutral greys (containers, not ideas). Shapes tell containers from ideas
too, for readers who cannot tell two colours apart at all.

Kind colours come from the taxonomy: the vault's own ``.explorer/taxonomy.toml``, else
the one shipped in ``data/taxonomy.toml``. Kinds a taxonomy does not name take colours
from a fixed spare palette, assigned in sorted order, so the same kinds always get
the same colours.

>>> kinds = kind_styles({"idea": {"name": "Idea", "colour": "#123456"}}, ["idea", "odd"])
>>> kinds["idea"]["colour"], kinds["odd"]["colour"]
('#123456', '#E69F00')
>>> node_style({"type": "claim", "kind": "idea"}, kinds)
('#123456', 'dot')
>>> node_style({"type": "reference"}, kinds)
('#6B8E23', 'square')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.semantic.taxonomy import Taxonomy

# The two shapes every view can draw: vis-network's "dot" and "square", the window's
# disc and square sprites.
SHAPES = ("dot", "square")

# The palette: Okabe & Ito's colour-blind-safe colours, plus a violet, an olive and an
# indigo where Okabe-Ito has two blues or two oranges that differ only in lightness.
# Hues (degrees): vermillion 26, yellow 56, olive 80, bluish green 164, sky blue 202,
# indigo 231, violet 282, reddish purple 327: at least 25 apart.
PALETTE: dict[str, str] = {
    "vermillion": "#D55E00",
    "yellow": "#F0E442",
    "olive": "#6B8E23",
    "bluish green": "#009E73",
    "sky blue": "#56B4E9",
    "indigo": "#3F51B5",
    "violet": "#8E44AD",
    "reddish purple": "#CC79A7",
    "dark grey": "#4D4D4D",
    "grey": "#A0A0A0",
    "light grey": "#BDBDBD",
}
# The shipped taxonomy's kinds (data/taxonomy.toml carries the same values).
SHIPPED_KIND_COLOURS: dict[str, str] = {
    "capability": PALETTE["bluish green"],
    "limitation": PALETTE["vermillion"],
    "consciousness-criterion": PALETTE["violet"],
    "question": PALETTE["yellow"],
    "assertion": PALETTE["sky blue"],
}

# For kinds a taxonomy does not colour: Okabe-Ito's remaining colours first.
_PALETTE = (
    "#E69F00", "#0072B2", "#000000", "#BCBD22", "#17BECF", "#9467BD",
    "#FF9896", "#C5B0D5", "#98DF8A", "#AEC7E8", "#FFBB78", "#8C564B",
)  # fmt: skip

# A claim with no kind, or a kind nobody named; also any node of an unknown type.
UNKNOWN_COLOUR = PALETTE["light grey"]

# Hues the shipped kinds leave free; notes and sections are greys.
NODE_TYPES: dict[str, dict[str, str]] = {
    "note": {"name": "Note", "colour": PALETTE["dark grey"], "shape": "square"},
    "section": {"name": "Section", "colour": PALETTE["grey"], "shape": "square"},
    "claim": {"name": "Claim", "colour": UNKNOWN_COLOUR, "shape": "dot"},
    "annotation": {"name": "Your annotation", "colour": PALETTE["reddish purple"], "shape": "dot"},
    "reference": {"name": "Reference", "colour": PALETTE["olive"], "shape": "square"},
    "concept": {"name": "Concept", "colour": PALETTE["indigo"], "shape": "dot"},
}

# How an annotation's stance is shown (the details panel's label, for one).
STANCE_COLOURS: dict[str, str] = {
    "agree": "#27AE60",
    "disagree": "#C0392B",
    "doubt": "#D68910",
    "revise": "#8E44AD",
    "note": "#7F8C8D",
}

# dash: "solid" | "dot" | "dash" | "dashdot"; width in pixels at any zoom; alpha
# 0..255; faint: drawn by the window only when zoomed in (there are many of them).
EDGE_TYPES: dict[str, dict[str, Any]] = {
    "contains": {"name": "contains", "colour": "#A0A0A0", "dash": "solid", "width": 1.0, "alpha": 70, "faint": True},
    "links_to": {"name": "links to", "colour": "#4D4D4D", "dash": "solid", "width": 1.0, "alpha": 110, "faint": True},
    "mentions": {"name": "mentions", "colour": "#3F51B5", "dash": "dot", "width": 1.0, "alpha": 80, "faint": True},
    "cites": {"name": "cites", "colour": "#6B8E23", "dash": "solid", "width": 1.2, "alpha": 170, "faint": False},
    "annotates": {"name": "annotates", "colour": "#CC79A7", "dash": "solid", "width": 1.6, "alpha": 220, "faint": False},
    "similar": {"name": "similar", "colour": "#2980B9", "dash": "dot", "width": 1.2, "alpha": 160, "faint": False},
    "duplicate": {"name": "duplicate", "colour": "#2C3E50", "dash": "dashdot", "width": 1.4, "alpha": 200, "faint": False},
    "user_link": {"name": "linked by you", "colour": "#E69F00", "dash": "solid", "width": 2.0, "alpha": 230, "faint": False},
    "tension": {"name": "tension", "colour": "#D62728", "dash": "dash", "width": 1.6, "alpha": 230, "faint": False},
}  # fmt: skip
DEFAULT_EDGE = {"name": "other", "colour": "#7F8C8D", "dash": "solid", "width": 1.0, "alpha": 120, "faint": True}  # fmt: skip
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def taxonomy_styles(taxonomy: Taxonomy) -> dict[str, dict[str, str]]:
    """``{kind: {"name", "colour"}}`` of a parsed taxonomy, in its display order."""
    return {k.id: {"name": k.name, "colour": k.colour} for k in taxonomy.kinds}


def default_kinds() -> dict[str, dict[str, str]]:
    """The shipped taxonomy's kinds (``data/taxonomy.toml``), parsed once."""
    from explorer.semantic.taxonomy import default_taxonomy

    return taxonomy_styles(default_taxonomy())


def kind_styles(
    taxonomy: Mapping[str, Mapping[str, str]] | None, kinds_present: Iterable[str] = ()
) -> dict[str, dict[str, str]]:
    """``{kind: {"name", "colour"}}`` for the taxonomy's kinds and every kind present.

    ``None`` means the shipped taxonomy. Colours must be ``#rrggbb``; anything else is
    replaced by a palette colour (a taxonomy can come from a file in the vault and is
    not trusted to be well formed).
    """
    base = default_kinds() if taxonomy is None else {}
    for kid, spec in (taxonomy or {}).items():
        base[str(kid)] = {
            "name": str(spec.get("name") or kid),
            "colour": str(spec.get("colour") or spec.get("color") or ""),
        }
    for kid in kinds_present:
        if kid and kid not in base:
            base[str(kid)] = {"name": str(kid), "colour": ""}
    used = {s["colour"].lower() for s in base.values() if _HEX.match(s["colour"])}
    spare = [c for c in _PALETTE if c.lower() not in used]
    for i, kid in enumerate(sorted(k for k, s in base.items() if not _HEX.match(s["colour"]))):
        base[kid]["colour"] = spare[i % len(spare)] if spare else _PALETTE[i % len(_PALETTE)]
    return base


def node_colour(data: Mapping, kinds: Mapping[str, Mapping[str, str]]) -> str:
    """Claims by kind, everything else by node type."""
    return node_style(data, kinds)[0]


def node_style(data: Mapping, kinds: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    """``(colour, shape)`` of a node: a claim's colour is its kind's, the rest its type's."""
    t = str(data.get("type"))
    spec = NODE_TYPES.get(t, {"colour": UNKNOWN_COLOUR, "shape": "dot"})
    if t == "claim":
        kind = kinds.get(data.get("kind") or "")
        return (kind["colour"] if kind else UNKNOWN_COLOUR), spec["shape"]
    return spec["colour"], spec["shape"]


def edge_style(edge_type: str) -> dict[str, Any]:
    """Colour, dash, width, alpha, faint and name of an edge type (a grey line if unknown)."""
    return EDGE_TYPES.get(edge_type, DEFAULT_EDGE)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
