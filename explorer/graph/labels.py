"""What the map says at each zoom, and where it says it (no Qt).

Three zoom bands, as atlas maps have them:

- **overview** (many nodes in view): one label per community, over its region: its
  c-TF-IDF terms as the title and the claim that best represents it under them;
- **middle**: the labels of the most central nodes in view, placed so that none
  overlaps another (greedy: most central first, each tries a few spots around its
  node and is dropped when all are taken);
- **close** (few nodes in view): every visible node's label.

The window's canvas and the HTML page both follow these rules; the page's script
repeats :func:`place_labels` in JavaScript because it places labels as the user zooms.

>>> zoom_band(900)
'overview'
>>> zoom_band(120), zoom_band(30)
('middle', 'close')
>>> place_labels([(0, 0, 50, 10), (10, 0, 50, 10)], [(0, 0, 0, 0)])
[(0, 0.0, 0.0, 50.0, 10.0)]
>>> place_labels([(0, 0, 50, 10, 4), (10, 0, 50, 10, 4), (0, 30, 50, 10, 4)])
[(0, 4.0, -5.0, 50.0, 10.0), (2, 4.0, 25.0, 50.0, 10.0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import networkx as nx

OVERVIEW_NODES = 250  # more nodes than this in view: community labels only
CLOSE_NODES = 40  # this many or fewer in view: every node's label
MIDDLE_MAX_LABELS = 120  # at most this many node labels in the middle band

# Spots a label tries, in order: its box's top-left is anchor + (dx * width + px * pad,
# dy * height + py * pad), ``pad`` being the box's own (a node's radius on screen).
# A node label: right of its node first, then left, above, below.
NODE_SPOTS = ((0, -0.5, 1, 0), (-1, -0.5, -1, 0), (-0.5, -1, 0, -1), (-0.5, 0, 0, 1))
# A community label: centred on its region, then just above or below that.
COMMUNITY_SPOTS = ((-0.5, -0.5, 0, 0), (-0.5, -1.6, 0, 0), (-0.5, 0.6, 0, 0))


def zoom_band(in_view: int) -> str:
    """``"overview"``, ``"middle"`` or ``"close"`` for a view holding ``in_view`` nodes."""
    # By count, not by zoom: a dense spot zoomed far in still has too many nodes to
    # name them all without overlap.
    if in_view <= CLOSE_NODES:
        return "close"
    if in_view > OVERVIEW_NODES:
        return "overview"
    return "middle"


def place_labels(
    boxes: Sequence[tuple[float, ...]],
    spots: Sequence[tuple[float, float, float, float]] = NODE_SPOTS,
    *,
    gap: float = 0.0,
    keep_all: bool = False,
    bounds: tuple[float, float, float, float] | None = None,
    fixed: int = 0,
) -> list[tuple[int, float, float, float, float]]:
    """Greedy label placement without overlap.

    ``boxes``: ``(anchor x, anchor y, width, height[, pad])`` in screen units, most
    important first. A label tries each spot of ``spots`` in turn (see
    :data:`NODE_SPOTS`). The first spot that overlaps no placed label (grown by ``gap``) and lies inside
    ``bounds`` (left, top, right, bottom) wins; a label with no free spot is dropped,
    or, with ``keep_all``, put at its first spot anyway.

    The first ``fixed`` boxes are labels already placed elsewhere (their anchor is
    their top-left): they are kept where they are, as obstacles.

    Returns ``(index, left, top, width, height)`` of the placed labels, in input order.
    A uniform grid of buckets keeps each test local: linear in the number of labels.
    """
    placed: list[tuple[int, float, float, float, float]] = []
    if not boxes:
        return placed
    cell = max(16.0, max(h for *_, h in boxes) * 2)
    grid: dict[tuple[int, int], list[int]] = {}

    def cells(left, top, w, h):
        for cx in range(int(left // cell), int((left + w) // cell) + 1):
            for cy in range(int(top // cell), int((top + h) // cell) + 1):
                yield cx, cy

    def free(left, top, w, h) -> bool:
        for key in cells(left, top, w, h):
            for j in grid.get(key, ()):
                _, ol, ot, ow, oh = placed[j]
                if (
                    left < ol + ow + gap
                    and ol < left + w + gap
                    and top < ot + oh + gap
                    and ot < top + h + gap
                ):
                    return False
        return True

    for i, box in enumerate(boxes):
        x, y, w, h = (float(v) for v in box[:4])
        pad = float(box[4]) if len(box) > 4 else 0.0
        if i < fixed:
            spots_at = [(x, y)]
        else:
            spots_at = [(x + dx * w + px * pad, y + dy * h + py * pad) for dx, dy, px, py in spots]
        if bounds is not None:  # slid back inside the view rather than cut off by its edge
            spots_at = [
                (min(max(sx, bounds[0]), bounds[2] - w), min(max(sy, bounds[1]), bounds[3] - h))
                for sx, sy in spots_at
            ]
        chosen = spots_at[0] if i < fixed else next((s for s in spots_at if free(*s, w, h)), None)
        if chosen is None:
            if not keep_all:
                continue
            chosen = spots_at[0]
        rec = (i, float(chosen[0]), float(chosen[1]), w, h)
        placed.append(rec)
        for key in cells(rec[1] - gap, rec[2] - gap, w + 2 * gap, h + 2 * gap):
            grid.setdefault(key, []).append(len(placed) - 1)
    return placed


def overlaps(rects: Iterable[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Pairs of ``(left, top, width, height)`` rectangles that overlap (for tests and checks)."""
    rs = list(rects)
    out = []
    for i, (l1, t1, w1, h1) in enumerate(rs):
        for j in range(i + 1, len(rs)):
            l2, t2, w2, h2 = rs[j]
            if l1 < l2 + w2 and l2 < l1 + w1 and t1 < t2 + h2 and t2 < t1 + h1:
                out.append((i, j))
    return out


def community_titles(G: nx.Graph, limit: int = 70) -> dict[int, dict]:
    """``{community: {"title", "claim", "claim_id", "size"}}`` for a graph that
    :func:`explorer.graph.analyze.enrich` has annotated.

    ``title`` is the community's c-TF-IDF terms (``G.graph["communities"]``); ``claim``
    the member claim that best stands for it: the one holding most of those terms,
    the more central winning a tie. Communities without claims get their number.
    """
    table = G.graph.get("communities") or {}
    terms: dict[int, list[str]] = {}
    for k, v in table.items() if isinstance(table, Mapping) else ():
        try:
            c = int(k)
        except (TypeError, ValueError):
            continue
        if isinstance(v, Mapping):
            terms[c] = [str(t) for t in v.get("terms") or []]
            if not terms[c] and v.get("label"):
                terms[c] = [t.strip() for t in str(v["label"]).split("·") if t.strip()]
    if not terms:  # a graph nobody enriched: work the terms out here
        from explorer.graph.communities import community_terms

        comm = {
            n: d["community"]
            for n, d in G.nodes(data=True)
            if isinstance(d.get("community"), int) and d["community"] >= 0
        }
        terms = community_terms(G, comm) if comm else {}
    best: dict[int, tuple[tuple[int, float], str]] = {}
    sizes: dict[int, int] = {}
    for n, d in G.nodes(data=True):
        c = d.get("community")
        if not isinstance(c, int) or isinstance(c, bool) or c < 0:
            continue
        sizes[c] = sizes.get(c, 0) + 1
        if d.get("type") != "claim":
            continue
        text = str(d.get("text") or d.get("label") or "").lower()
        hits = sum(1 for t in terms.get(c, ()) if t in text)
        score = (hits, float(d.get("centrality", 0.0) or 0.0))
        if c not in best or score > best[c][0]:
            best[c] = (score, n)
    out = {}
    for c, size in sizes.items():
        words = terms.get(c) or []
        claim_id = best[c][1] if c in best else None
        claim = ""
        if claim_id is not None:
            claim = _short(
                str(G.nodes[claim_id].get("text") or G.nodes[claim_id].get("label")), limit
            )
        out[c] = {
            "title": " · ".join(words) if words else f"community {c}",
            "claim": claim,
            "claim_id": claim_id,
            "size": size,
        }
    return out


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "…"


def describe_edge(edge_type: str, attrs: Mapping) -> str:
    """What an edge is, in a few words: its relation type and what qualifies it.

    >>> describe_edge("similar", {"weight": 0.8312})
    'similar 0.83'
    >>> describe_edge("tension", {"weight": 0.7, "reason": "can / cannot"})
    'tension 0.70: can / cannot'
    >>> describe_edge("annotates", {"stance": "doubt"}), describe_edge("cites", {})
    ('annotates: doubt', 'cites')
    """
    from explorer.style import edge_style

    text = edge_style(edge_type)["name"] if edge_type else "edge"
    if edge_type not in _TYPE_NAMES_KNOWN():
        text = edge_type or "edge"
    weight = attrs.get("weight")
    if isinstance(weight, int | float) and not isinstance(weight, bool):
        text += f" {float(weight):.2f}"
    for key in ("stance", "reason"):
        if attrs.get(key):
            text += f": {attrs[key]}"
    if attrs.get("decision"):
        text += f" ({attrs['decision']} by you)"
    return text


def _TYPE_NAMES_KNOWN() -> set[str]:  # noqa: N802 - a constant, read lazily
    from explorer.style import EDGE_TYPES

    return set(EDGE_TYPES)
