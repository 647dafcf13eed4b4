"""How things look: node colours and shapes, edge line styles, light and dark palettes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from explorer import style as shared

# Everything here is derived from ``explorer.style``, which the exporters read too, so
# the window and the HTML page draw every kind and node type alike.
TYPE_COLOURS = {t: spec["colour"] for t, spec in shared.NODE_TYPES.items()}
SQUARE_TYPES = frozenset(t for t, spec in shared.NODE_TYPES.items() if spec["shape"] == "square")
UNKNOWN_KIND_COLOUR = shared.UNKNOWN_COLOUR

_PEN_STYLES = {
    "solid": Qt.PenStyle.SolidLine,
    "dot": Qt.PenStyle.DotLine,
    "dash": Qt.PenStyle.DashLine,
    "dashdot": Qt.PenStyle.DashDotLine,
}


@dataclass(frozen=True)
class EdgeStyle:
    colour: str
    style: Qt.PenStyle
    width: float  # device pixels (cosmetic pens: the same at every zoom)
    alpha: int  # 0..255
    faint: bool  # drawn only when zoomed in
    label: str


def _qt_edge_style(spec: dict) -> EdgeStyle:
    return EdgeStyle(
        spec["colour"], _PEN_STYLES[spec["dash"]], spec["width"], spec["alpha"], spec["faint"],
        spec["name"],
    )  # fmt: skip


EDGE_STYLES: dict[str, EdgeStyle] = {t: _qt_edge_style(s) for t, s in shared.EDGE_TYPES.items()}
DEFAULT_EDGE_STYLE = _qt_edge_style(shared.DEFAULT_EDGE)


def edge_style(edge_type: str) -> EdgeStyle:
    return EDGE_STYLES.get(edge_type, DEFAULT_EDGE_STYLE)


def kind_colours(taxonomy: dict[str, dict], kinds_present=()) -> dict[str, str]:
    """``{kind: colour}`` as the exporters colour them (``explorer.style.kind_styles``)."""
    return {k: s["colour"] for k, s in shared.kind_styles(taxonomy, kinds_present).items()}


def canvas_colours(dark: bool) -> dict[str, QColor]:
    """Background, label text and highlight colours of the canvas for a palette."""
    if dark:
        return {
            "background": QColor("#1e1f22"),
            "text": QColor("#e8e8e8"),
            "select": QColor("#f1c40f"),
            "highlight": QColor("#ff79c6"),
            "path": QColor("#f39c12"),
            "community": QColor(255, 255, 255, 22),
        }
    return {
        "background": QColor("#fbfbf8"),
        "text": QColor("#1b1b1b"),
        "select": QColor("#d35400"),
        "highlight": QColor("#e91e63"),
        "path": QColor("#e67e22"),
        "community": QColor(0, 0, 0, 16),
    }


def make_palette(dark: bool) -> QPalette:
    """A Fusion palette; light is close to Qt's default, dark is a neutral grey."""
    p = QPalette()
    if not dark:
        return p
    base, window, text = QColor("#232427"), QColor("#2d2e32"), QColor("#e8e8e8")
    R = QPalette.ColorRole
    p.setColor(R.Window, window)
    p.setColor(R.WindowText, text)
    p.setColor(R.Base, base)
    p.setColor(R.AlternateBase, window)
    p.setColor(R.ToolTipBase, QColor("#3a3b40"))
    p.setColor(R.ToolTipText, text)
    p.setColor(R.Text, text)
    p.setColor(R.Button, window)
    p.setColor(R.ButtonText, text)
    p.setColor(R.BrightText, QColor("#ff5555"))
    p.setColor(R.Link, QColor("#6cb4ff"))
    p.setColor(R.LinkVisited, QColor("#b48cff"))
    p.setColor(R.Highlight, QColor("#3d6fb6"))
    p.setColor(R.HighlightedText, QColor("#ffffff"))
    p.setColor(R.PlaceholderText, QColor("#8a8a8a"))
    for role in (R.Text, R.WindowText, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p
