"""The canvas's view of the graph as flat numpy arrays (no Qt).

Painting 20,000 nodes one Python object at a time is too slow, so the canvas draws
whole groups at once from these arrays, and answers "which node is under the
mouse" with one vectorised distance computation instead of a scene query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from explorer.graph.filters import Visible, edge_rows
from explorer.style import UNKNOWN_COLOUR

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx


# Scene units: the layout is rescaled so a node has about SPACING units of room,
# whatever the layout's own units were. Radii are in the same units.
SPACING = 36.0
R_MIN, R_MAX = 5.0, 16.0
SIZE_BUCKETS = 6


def position_frame(xy: np.ndarray) -> tuple[float, float, float]:
    """(centre x, centre y, scale) that puts a layout into scene units.

    Centred on the median; scaled so the typical distance between nodes is SPACING.
    """
    if len(xy) == 0:
        return (0.0, 0.0, 1.0)
    xy = np.asarray(xy, dtype=float)
    cx, cy = np.median(xy, axis=0)
    spread = float(np.sqrt(np.mean((xy[:, 0] - cx) ** 2 + (xy[:, 1] - cy) ** 2)))
    if spread <= 0 or not np.isfinite(spread):
        return (float(cx), float(cy), 1.0)
    # A disc of n nodes with room SPACING each has an RMS radius of about
    # SPACING * sqrt(n / (2 pi)).
    return (float(cx), float(cy), SPACING * np.sqrt(len(xy) / (2 * np.pi)) / spread)


def normalise_positions(
    xy: np.ndarray, frame: tuple[float, float, float] | None = None
) -> np.ndarray:
    """Layout coordinates to scene coordinates (see :func:`position_frame`)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    cx, cy, scale = frame or position_frame(xy)
    return (xy - (cx, cy)) * scale


def clip_segments(
    ends: np.ndarray,
    left: float,
    top: float,
    right: float,
    bottom: float,
    period: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut segments (rows of x1, y1, x2, y2) to a rectangle (Liang-Barsky, vectorised).

    Returns the clipped rows and the indices of the input rows that touch the rectangle.
    The canvas draws only the clipped parts: zoomed in, an edge to a far node is tens of
    thousands of device pixels long, and Qt strokes a dashed or antialiased pen along
    the whole length before it clips, which made close-up frames take 150-200 ms.
    With ``period`` (a dash pattern's length, in the segments' units) a cut start moves
    back to a whole number of periods from the segment's start, so dashes stay put
    while the view pans.
    """
    ends = np.asarray(ends, dtype=np.float64).reshape(-1, 4)
    x1, y1 = ends[:, 0], ends[:, 1]
    dx, dy = ends[:, 2] - x1, ends[:, 3] - y1
    t0 = np.zeros(len(ends))
    t1 = np.ones(len(ends))
    keep = np.ones(len(ends), dtype=bool)
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))  # parallel to this edge and outside it
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        entering = ~parallel & (p < 0)
        leaving = ~parallel & (p > 0)
        t0 = np.where(entering, np.maximum(t0, r), t0)
        t1 = np.where(leaving, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    idx = np.flatnonzero(keep)
    a, b = t0[idx], t1[idx]
    if period > 0:
        length = np.hypot(dx[idx], dy[idx])
        snapped = np.floor(a * length / period) * period
        a = np.where(length > 0, snapped / np.where(length > 0, length, 1.0), a)
    out = np.column_stack(
        [x1[idx] + a * dx[idx], y1[idx] + a * dy[idx], x1[idx] + b * dx[idx], y1[idx] + b * dy[idx]]
    )
    return out, idx


@dataclass
class CanvasModel:
    """Arrays indexed by node number (``index[node_id]``) and by edge number."""

    ids: list[str]
    index: dict[str, int]
    xy: np.ndarray  # (n, 2) scene coordinates
    radius: np.ndarray  # (n,) scene units, quantised to SIZE_BUCKETS values
    colour: list[str]  # "#rrggbb" per node
    square: np.ndarray  # (n,) bool
    ntype: list[str]
    labels: list[str]
    community: np.ndarray  # (n,) int, -1 when none
    edge_keys: list[tuple[str, str, object]]
    src: np.ndarray  # (m,) node numbers
    dst: np.ndarray
    etype: np.ndarray  # (m,) str
    node_visible: np.ndarray  # (n,) bool
    edge_visible: np.ndarray  # (m,) bool
    frame: tuple[float, float, float] = (0.0, 0.0, 1.0)  # layout -> scene, kept across small edits
    # community -> (title, representative claim) for the overview labels (graph/labels.py)
    community_titles: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def styled(
        cls,
        G: nx.MultiDiGraph,
        taxonomy: dict[str, dict] | None,
        positions: dict[str, tuple[float, float]] | None = None,
        frame: tuple[float, float, float] | None = None,
    ) -> CanvasModel:
        """:meth:`from_graph` with the colours and shapes of ``explorer.style``: the
        ones the HTML page and the other exporters use for the same graph."""
        from explorer import style

        present = {d.get("kind") for _, d in G.nodes(data=True) if d.get("type") == "claim"}
        kinds = style.kind_styles(taxonomy, sorted(k for k in present if k))
        return cls.from_graph(
            G,
            {k: s["colour"] for k, s in kinds.items()},
            {t: s["colour"] for t, s in style.NODE_TYPES.items()},
            frozenset(t for t, s in style.NODE_TYPES.items() if s["shape"] == "square"),
            style.UNKNOWN_COLOUR,
            positions,
            frame,
        )

    @classmethod
    def from_graph(
        cls,
        G: nx.MultiDiGraph,
        kind_colours: dict[str, str],
        type_colours: dict[str, str],
        square_types: frozenset[str],
        unknown_colour: str = UNKNOWN_COLOUR,
        positions: dict[str, tuple[float, float]] | None = None,
        frame: tuple[float, float, float] | None = None,
    ) -> CanvasModel:
        """Arrays for ``G``. Pass the ``frame`` of the model being replaced so that
        adding a node does not shift the whole map."""
        ids, data = zip(*G.nodes(data=True), strict=True) if len(G) else ((), ())
        ids = list(ids)
        index = {n: i for i, n in enumerate(ids)}
        if positions is None:
            raw = np.array(
                [(float(d.get("x", 0.0)), float(d.get("y", 0.0))) for d in data]
            ).reshape(-1, 2)
        else:
            raw = np.array([positions.get(n, (0.0, 0.0)) for n in ids], dtype=float).reshape(-1, 2)
        cent = np.array([float(d.get("centrality", 0.0) or 0.0) for d in data])
        level = np.round(np.sqrt(np.clip(cent, 0, 1)) * (SIZE_BUCKETS - 1)) / (SIZE_BUCKETS - 1)
        radius = R_MIN + (R_MAX - R_MIN) * level
        ntype = [str(d.get("type", "")) for d in data]
        radius = np.where(
            np.array([t == "note" for t in ntype], dtype=bool), np.maximum(radius, R_MAX), radius
        )
        colour = [
            kind_colours.get(d.get("kind"), unknown_colour)
            if t == "claim"
            else type_colours.get(t, unknown_colour)
            for d, t in zip(data, ntype, strict=True)
        ]
        # One pass over the edges: looking each one up again by key is several times slower.
        edges = [(u, v, k, d.get("type", "")) for u, v, k, d in edge_rows(G)]
        edge_keys = [(u, v, k) for u, v, k, _ in edges]
        src = np.fromiter((index[u] for u, _, _, _ in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((index[v] for _, v, _, _ in edges), dtype=np.int64, count=len(edges))
        etype = np.array([str(t) for *_, t in edges], dtype=object)
        frame = frame or position_frame(raw)
        from explorer.graph.labels import community_titles

        titles = {c: (t["title"], t["claim"]) for c, t in community_titles(G).items()}
        return cls(
            ids=ids,
            index=index,
            xy=normalise_positions(raw, frame),
            radius=radius,
            colour=colour,
            square=np.array([t in square_types for t in ntype], dtype=bool),
            ntype=ntype,
            labels=[
                str(d.get("label") or d.get("text") or n) for n, d in zip(ids, data, strict=True)
            ],
            community=np.array([int(d.get("community", -1)) for d in data], dtype=np.int64),
            edge_keys=edge_keys,
            src=src,
            dst=dst,
            etype=etype,
            node_visible=np.ones(len(ids), dtype=bool),
            edge_visible=np.ones(len(edge_keys), dtype=bool),
            frame=frame,
            community_titles=titles,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def set_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        raw = np.array([positions.get(n, (0.0, 0.0)) for n in self.ids], dtype=float).reshape(-1, 2)
        self.frame = position_frame(raw)
        self.xy = normalise_positions(raw, self.frame)

    def set_visible(self, visible: Visible) -> None:
        """Masks from a :class:`Visible` computed over the same graph as this model."""
        if len(visible.nodes) == len(self.ids) and len(visible.edges) == len(self.edge_keys):
            # Everything: the common case at start, without hashing every edge key.
            self.node_visible = np.ones(len(self.ids), dtype=bool)
            self.edge_visible = np.ones(len(self.edge_keys), dtype=bool)
            return
        self.node_visible = np.fromiter(
            (n in visible.nodes for n in self.ids), dtype=bool, count=len(self.ids)
        )
        self.edge_visible = np.fromiter(
            (k in visible.edges for k in self.edge_keys), dtype=bool, count=len(self.edge_keys)
        )

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of all nodes, radii included."""
        if len(self) == 0:
            return (-100.0, -100.0, 100.0, 100.0)
        lo = (self.xy - self.radius[:, None]).min(axis=0)
        hi = (self.xy + self.radius[:, None]).max(axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    def nodes_in(self, left: float, top: float, right: float, bottom: float) -> np.ndarray:
        """Numbers of the visible nodes inside a rectangle."""
        x, y = self.xy[:, 0], self.xy[:, 1]
        mask = self.node_visible & (x >= left) & (x <= right) & (y >= top) & (y <= bottom)
        return np.flatnonzero(mask)

    def node_at(self, x: float, y: float, tolerance: float) -> int | None:
        """The visible node whose disc (grown by ``tolerance``) holds the point, nearest first."""
        if len(self) == 0:
            return None
        d2 = (self.xy[:, 0] - x) ** 2 + (self.xy[:, 1] - y) ** 2
        reach = (self.radius + tolerance) ** 2
        hit = np.flatnonzero(self.node_visible & (d2 <= reach))
        if len(hit) == 0:
            return None
        return int(hit[np.argmin(d2[hit])])

    def edge_at(self, x: float, y: float, tolerance: float) -> int | None:
        """The visible edge whose segment passes within ``tolerance`` of the point."""
        idx = np.flatnonzero(self.edge_visible)
        if len(idx) == 0:
            return None
        a, b = self.xy[self.src[idx]], self.xy[self.dst[idx]]
        ab = b - a
        p = np.array([x, y])
        denom = np.maximum((ab**2).sum(axis=1), 1e-12)
        t = np.clip(((p - a) * ab).sum(axis=1) / denom, 0, 1)
        closest = a + ab * t[:, None]
        d2 = ((closest - p) ** 2).sum(axis=1)
        best = int(np.argmin(d2))
        return int(idx[best]) if d2[best] <= tolerance**2 else None

    def communities(self) -> list[tuple[int, float, float, float, int]]:
        """(community, centre x, centre y, radius, size) over visible nodes, biggest first."""
        out = []
        vis = self.node_visible & (self.community >= 0)
        for c in np.unique(self.community[vis]):
            pts = self.xy[vis & (self.community == c)]
            centre = pts.mean(axis=0)
            r = float(np.sqrt(((pts - centre) ** 2).sum(axis=1).mean())) * 1.5 + R_MAX
            out.append((int(c), float(centre[0]), float(centre[1]), r, len(pts)))
        out.sort(key=lambda t: -t[4])
        return out
