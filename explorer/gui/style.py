"""How things look: node colours and shapes, edge line styles, light and dark palettes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

# Node types that are not claims get a fixed colour; claims take their kind's colour
# from the taxonomy. Containers and sources are squares, ideas are discs.
TYPE_COLOURS = {
    "note": "#34495e",
    "section": "#95a5a6",
    "annotation": "#27ae60",
    "reference": "#b7950b",
    "concept": "#c0392b",
}
SQUARE_TYPES = frozenset({"note", "section", "reference"})
UNKNOWN_KIND_COLOUR = "#bdc3c7"


@dataclass(frozen=True)
class EdgeStyle:
    colour: str
    style: Qt.PenStyle
    width: float  # device pixels (cosmetic pens: the same at every zoom)
    alpha: int  # 0..255
    faint: bool  # drawn only when zoomed in
    label: str


EDGE_STYLES: dict[str, EdgeStyle] = {
    "contains": EdgeStyle("#95a5a6", Qt.PenStyle.SolidLine, 1.0, 70, True, "contains"),
    "links_to": EdgeStyle("#34495e", Qt.PenStyle.SolidLine, 1.0, 110, True, "links to"),
    "mentions": EdgeStyle("#c0392b", Qt.PenStyle.DotLine, 1.0, 80, True, "mentions"),
    "cites": EdgeStyle("#7f8c8d", Qt.PenStyle.SolidLine, 1.2, 170, False, "cites"),
    "annotates": EdgeStyle("#27ae60", Qt.PenStyle.SolidLine, 1.6, 220, False, "annotates"),
    "similar": EdgeStyle("#2980b9", Qt.PenStyle.DotLine, 1.2, 160, False, "similar"),
    "duplicate": EdgeStyle("#2c3e50", Qt.PenStyle.DashDotLine, 1.4, 200, False, "duplicate"),
    "tension": EdgeStyle("#e74c3c", Qt.PenStyle.DashLine, 1.6, 230, False, "tension"),
}
DEFAULT_EDGE_STYLE = EdgeStyle("#7f8c8d", Qt.PenStyle.SolidLine, 1.0, 120, True, "other")


def edge_style(edge_type: str) -> EdgeStyle:
    return EDGE_STYLES.get(edge_type, DEFAULT_EDGE_STYLE)


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
