"""The map as a vector SVG: what the view shows, written element by element.

Qt's QSvgGenerator would record the canvas's cached layers and node sprites as
embedded bitmaps, so the SVG is written here from the same arrays the canvas
draws from, with the same level-of-detail rules: circles and squares for nodes,
lines styled per edge type, labels only when the view is zoomed in far enough.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np
from PySide6.QtCore import Qt

from explorer.gui.canvas_model import CanvasModel
from explorer.gui.style import edge_style

_DASH = {
    Qt.PenStyle.DotLine: "1 3",
    Qt.PenStyle.DashLine: "6 4",
    Qt.PenStyle.DashDotLine: "6 3 1 3",
}


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def canvas_svg(
    model: CanvasModel,
    view: tuple[float, float, float, float],
    size: tuple[int, int],
    *,
    background: str,
    text_colour: str,
    zoom: float,
    faint_from: float,
    labels_from: float,
    max_labels: int,
    selected: list[int] = (),
    select_colour: str = "#d35400",
    title: str = "concept map",
) -> str:
    """SVG text of the scene rectangle ``view`` = (left, top, width, height) drawn at ``size``."""
    left, top, vw, vh = view
    width, height = size
    sx, sy = width / vw, height / vh
    xy = model.xy
    inside = (
        model.node_visible
        & (xy[:, 0] >= left - 20)
        & (xy[:, 0] <= left + vw + 20)
        & (xy[:, 1] >= top - 20)
        & (xy[:, 1] <= top + vh + 20)
    )

    def px(i: int) -> tuple[float, float]:
        return (xy[i, 0] - left) * sx, (xy[i, 1] - top) * sy

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="100%" height="100%" fill="{background}"/>',
    ]
    # Edges with at least one end in view, grouped by type with one style each.
    ends = inside[model.src] | inside[model.dst]
    for etype in np.unique(model.etype[model.edge_visible & ends]) if len(model.etype) else []:
        st = edge_style(str(etype))
        if st.faint and zoom < faint_from:
            continue
        dash = _DASH.get(st.style)
        attrs = (
            f'stroke="{st.colour}" stroke-opacity="{st.alpha / 255:.2f}" stroke-width="{st.width}"'
        )
        if dash:
            attrs += f' stroke-dasharray="{dash}"'
        out.append(f'<g class="edges {escape(str(etype))}" {attrs} fill="none">')
        for e in np.flatnonzero(model.edge_visible & ends & (model.etype == etype)).tolist():
            x1, y1 = px(int(model.src[e]))
            x2, y2 = px(int(model.dst[e]))
            out.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>')
        out.append("</g>")
    # Nodes, small first so big ones lie on top, as on screen.
    idx = np.flatnonzero(inside)
    idx = idx[np.argsort(model.radius[idx], kind="stable")]
    out.append('<g class="nodes" stroke-width="0.8">')
    for i in idx.tolist():
        x, y = px(i)
        r = max(float(model.radius[i]) * sx, 1.0)
        c = model.colour[i]
        tip = f"<title>{escape(model.labels[i])}</title>"
        if model.square[i]:
            out.append(
                f'<rect x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" height="{_num(2 * r)}" fill="{c}">{tip}</rect>'
            )
        else:
            out.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{c}">{tip}</circle>'
            )
    out.append("</g>")
    for i in selected:
        if inside[i]:
            x, y = px(i)
            r = float(model.radius[i]) * sx + 4
            out.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="none" stroke="{select_colour}" stroke-width="3"/>'
            )
    if zoom >= labels_from and len(idx):
        chosen = idx[np.argsort(-model.radius[idx], kind="stable")[:max_labels]]
        out.append(
            f'<g class="labels" font-family="sans-serif" font-size="11" fill="{text_colour}">'
        )
        for i in chosen.tolist():
            x, y = px(i)
            text = model.labels[i] if len(model.labels[i]) <= 40 else model.labels[i][:38] + "…"
            out.append(
                f'<text x="{_num(x + model.radius[i] * sx + 3)}" y="{_num(y + 4)}">{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["canvas_svg"]
