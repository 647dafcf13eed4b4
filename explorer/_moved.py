"""Old module names of moved modules, still importable: ``import explorer.pipeline``
gives ``explorer.indexing.pipeline`` itself (the same module object, so monkeypatching
either name patches both).

The files are gone from their old places, so version control follows each move; this
finder keeps scripts and branches written against the old names working. Nothing is
imported until an old name is asked for. New code uses the new names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

MOVED = {
    "explorer.pipeline": "explorer.indexing.pipeline",
    "explorer.index_stages": "explorer.indexing.stages",
    "explorer.vault": "explorer.indexing.vault",
    "explorer.workspace": "explorer.app.workspace",
    "explorer.export.style": "explorer.style",
    "explorer.gui.graphops": "explorer.graph.queries",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        return None  # a placeholder; exec_module puts the real module in its place

    def exec_module(self, module) -> None:
        # The import system reads sys.modules[old name] back after this call, so the
        # import gives the moved module itself (its own __spec__ left untouched).
        sys.modules[module.__name__] = importlib.import_module(MOVED[module.__name__])


def install() -> None:
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        # First: an old file of the same name elsewhere on the path must not win.
        sys.meta_path.insert(0, _Alias())
