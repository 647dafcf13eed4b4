"""The application layer: one Qt-free API shared by the window, the CLI and scripts.

- ``explorer.app.api``: the :class:`Backend` protocol and the search-mode vocabulary;
- ``explorer.app.workspace``: :class:`Workspace`, which implements it over a vault;
- ``explorer.app.errors``: the program's exceptions, all ``ExplorerError``;
- ``explorer.indexing.events``: the Progress and Summary an index run yields;
- ``explorer.graph.ids``: edge ids and the ids of the user's own annotations.

Names are loaded when first used, so ``import explorer.app`` stays cheap.
"""

from __future__ import annotations

import importlib

_NAMES = {
    "Backend": "explorer.app.api",
    "SEARCH_MODES": "explorer.app.api",
    "search_mode": "explorer.app.api",
    "Workspace": "explorer.app.workspace",
    "ExplorerError": "explorer.errors",
    "Progress": "explorer.indexing.events",
    "Summary": "explorer.indexing.events",
    "edge_id": "explorer.graph.ids",
    "parse_edge_id": "explorer.graph.ids",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
