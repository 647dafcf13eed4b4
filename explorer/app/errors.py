"""Every error the application API raises, in one place to import from.

All derive from :class:`explorer.errors.ExplorerError`; each is defined beside the
code that raises it and gathered here, so the window, the command line and scripts
catch ``ExplorerError`` and tell the cases apart with ``isinstance``:

- :class:`VaultMissingError` (a :class:`VaultError`): the vault folder is gone;
- :class:`DatabaseDamagedError`: the store cannot be read; ``rebuild_database`` helps;
- :class:`IndexBusyError` (a :class:`StoreError`): another explorer is indexing;
- :class:`EmbedderError`: the embedding model is missing or broken;
- :class:`TaxonomyError`, :class:`ExportError`, :class:`NothingMatches`;
- :class:`WorkspaceError`: anything else about the vault and its store.

>>> issubclass(VaultMissingError, ExplorerError) and issubclass(IndexBusyError, StoreError)
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from explorer.errors import ExplorerError
from explorer.indexing.vault import NoteReadError, VaultError, VaultMissingError
from explorer.store.errors import IndexBusyError, StoreError

if TYPE_CHECKING:  # loaded lazily below, see _LAZY
    from explorer.export.common import ExportError
    from explorer.graph.filters import NothingMatches
    from explorer.semantic.embedder import EmbedderError
    from explorer.semantic.taxonomy import TaxonomyError

__all__ = [
    "DatabaseDamagedError",
    "EmbedderError",
    "ExplorerError",
    "ExportError",
    "IndexBusyError",
    "NoteReadError",
    "NothingMatches",
    "StoreError",
    "TaxonomyError",
    "VaultError",
    "VaultMissingError",
    "WorkspaceError",
]


class WorkspaceError(ExplorerError):
    """Something about the vault and its store the user can put right; the message says what."""


class DatabaseDamagedError(WorkspaceError):
    """The database file is not readable as a claim store (damaged or not SQLite);
    ``Workspace.rebuild_database`` sets it aside and starts a fresh one."""

    def __init__(self, db_path: Path | str, reason: str) -> None:
        self.db_path = Path(db_path)
        self.reason = reason
        super().__init__(f"the database {self.db_path} cannot be read: {reason}")


# Defined in modules that import numpy or networkx: loaded when first asked for, so
# opening a vault (or ``explorer --help``) does not pay for them.
_LAZY = {
    "EmbedderError": "explorer.semantic.embedder",
    "ExportError": "explorer.export.common",
    "NothingMatches": "explorer.graph.filters",
    "TaxonomyError": "explorer.semantic.taxonomy",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
