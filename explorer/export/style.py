"""Colours and shapes shared by the HTML page, GEXF and JSON Canvas.

A vault may bring its own taxonomy of claim kinds: ``{kind_id: {"name": ..., "colour":
...}}``. Kinds it does not name, and every kind when there is no taxonomy, take colours
from a fixed palette (colour-blind-friendly Okabe-Ito first), assigned in sorted order so
the same kinds always get the same colours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

DEFAULT_KINDS: dict[str, dict[str, str]] = {
    "capability": {"name": "Capability", "colour": "#0072B2"},
    "limitation": {"name": "Limitation", "colour": "#D55E00"},
    "consciousness-criterion": {"name": "Consciousness criterion", "colour": "#CC79A7"},
    "question": {"name": "Question", "colour": "#E69F00"},
    "assertion": {"name": "Assertion", "colour": "#56B4E9"},
}
_PALETTE = (
    "#009E73", "#F0E442", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF",
    "#9467BD", "#FF9896", "#C5B0D5", "#98DF8A", "#AEC7E8", "#FFBB78",
)  # fmt: skip

NODE_TYPES: dict[str, dict[str, str]] = {
    "note": {"name": "Note", "colour": "#4D4D4D", "shape": "square"},
    "section": {"name": "Section", "colour": "#999999", "shape": "triangle"},
    "claim": {"name": "Claim", "colour": "#56B4E9", "shape": "dot"},
    "annotation": {"name": "Your annotation", "colour": "#009E73", "shape": "star"},
    "reference": {"name": "Reference", "colour": "#8C564B", "shape": "diamond"},
    "concept": {"name": "Concept", "colour": "#F0E442", "shape": "hexagon"},
}
EDGE_TYPES: dict[str, dict[str, str]] = {
    "contains": {"name": "contains", "colour": "#C8C8C8"},
    "links_to": {"name": "links to", "colour": "#7F7F7F"},
    "mentions": {"name": "mentions", "colour": "#D4C84A"},
    "cites": {"name": "cites", "colour": "#8C564B"},
    "annotates": {"name": "annotates", "colour": "#009E73"},
    "similar": {"name": "similar", "colour": "#56B4E9"},
    "duplicate": {"name": "duplicate", "colour": "#0072B2"},
    "tension": {"name": "tension", "colour": "#D55E00"},
}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def kind_styles(
    taxonomy: Mapping[str, Mapping[str, str]] | None, kinds_present: Iterable[str] = ()
) -> dict[str, dict[str, str]]:
    """``{kind: {"name", "colour"}}`` for the taxonomy's kinds and every kind present.

    Colours must be ``#rrggbb``; anything else is replaced by a palette colour (the
    taxonomy comes from a file in the vault and is not trusted to be well formed).
    """
    base = dict(DEFAULT_KINDS) if taxonomy is None else {}
    for kid, spec in (taxonomy or {}).items():
        base[str(kid)] = {
            "name": str(spec.get("name") or kid),
            "colour": str(spec.get("colour") or spec.get("color") or ""),
        }
    for kid in kinds_present:
        if kid not in base:
            base[str(kid)] = {"name": str(kid), "colour": ""}
    used = {s["colour"].lower() for s in base.values() if _HEX.match(s["colour"])}
    spare = [c for c in _PALETTE if c.lower() not in used]
    for i, kid in enumerate(sorted(k for k, s in base.items() if not _HEX.match(s["colour"]))):
        base[kid]["colour"] = spare[i % len(spare)] if spare else _PALETTE[i % len(_PALETTE)]
    return base


def node_colour(data: Mapping, kinds: Mapping[str, Mapping[str, str]]) -> str:
    """Claims by kind, everything else by node type."""
    if data.get("type") == "claim" and data.get("kind") in kinds:
        return kinds[data["kind"]]["colour"]
    return NODE_TYPES.get(str(data.get("type")), {"colour": "#7F7F7F"})["colour"]


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
