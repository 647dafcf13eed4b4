"""The window's real backend: :class:`explorer.gui.backend.Backend` over a :class:`Workspace`.

A thin adapter. The work (store, pipeline, graph layer, search, exporters) is in
``explorer.workspace``, which knows no Qt; this module turns its results into what
the window expects and its errors into the ones the window explains
(:class:`VaultMissingError`, :class:`CorruptDatabaseError`, :class:`BackendError`).

Threads: ``index``, ``graph``, ``positions`` and ``search`` run on worker threads;
the workspace opens a connection per thread. ``details`` answers from the graph the
window holds (the last one ``graph`` returned, which the window corrects in place),
so selecting a node costs no query.

Nothing heavy is imported here: the window appears before torch, which loads on a
worker thread the first time a meaning search or an index run needs the model.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.gui.backend import (
    BackendError,
    CorruptDatabaseError,
    Progress,
    VaultMissingError,
    parse_edge_id,
)
from explorer.gui.graphops import details_from_graph
from explorer.workspace import DatabaseDamagedError, Workspace, WorkspaceError

if TYPE_CHECKING:
    import networkx as nx


class StoreBackend:
    """The desktop window's backend over the claim store of a vault.

    ``model_path`` picks the embedding model directory (default: the one the store
    was indexed with, else the shipped all-MiniLM-L6-v2).
    """

    def __init__(self, model_path: Path | str | None = None) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.workspace: Workspace | None = None
        self._G: nx.MultiDiGraph | None = None

    # ------------------------------------------------------------------ errors
    def _ws(self) -> Workspace:
        if self.workspace is None:
            raise BackendError("no vault is open")
        return self.workspace

    @contextlib.contextmanager
    def _explained(self) -> Iterator[None]:
        """The workspace's errors as the window's: a vanished vault, a damaged database."""
        from explorer.store import StoreError
        from explorer.vault import VaultError

        try:
            yield
        except DatabaseDamagedError as exc:
            raise CorruptDatabaseError(exc.db_path, exc.reason) from exc
        except VaultError as exc:
            ws = self.workspace
            if ws is not None and not ws.vault.is_dir():
                raise VaultMissingError(ws.vault) from exc
            raise BackendError(str(exc)) from exc
        except (WorkspaceError, StoreError) as exc:  # IndexBusyError included: its words
            raise BackendError(str(exc)) from exc

    # ------------------------------------------------------------------ opening
    def open(self, vault: Path, db_path: Path | None = None) -> None:
        self.close()
        vault = Path(vault)
        if not vault.is_dir():
            raise VaultMissingError(vault)
        ws = Workspace(vault, db_path, self.model_path)
        # Kept even when the database is damaged: rebuild_database() works on it.
        self.workspace = ws
        try:
            with self._explained():
                ws.open()
        except CorruptDatabaseError:
            raise
        except BackendError:
            self.workspace = None
            raise

    def close(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
        self.workspace = None
        self._G = None

    def db_path(self) -> Path | None:
        return self.workspace.db_path if self.workspace is not None else None

    # ------------------------------------------------------------------ worker thread
    def index(self, cancel: threading.Event) -> Iterator[Progress]:
        from explorer.pipeline import Summary

        ws = self._ws()
        if not ws.vault.is_dir():
            raise VaultMissingError(ws.vault)
        with self._explained():
            for event in ws.index(cancel):
                if isinstance(event, Summary):
                    yield Progress("done", 1, 1, _summary_line(event))
                else:
                    message = event.message or (event.path or "")
                    yield Progress(event.stage, event.done, event.total, message)

    def graph(self) -> nx.MultiDiGraph:
        ws = self._ws()
        with self._explained():
            G = ws.graph()
        self._G = G
        return G

    def layouts(self) -> list[str]:
        try:
            with self._explained():
                return self._ws().layouts()
        except CorruptDatabaseError:
            # Asked on the GUI thread, where a damaged page must not stop the window:
            # the map's loading job meets the damage too, and offers the rebuild.
            return ["force"]

    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        with self._explained():
            return self._ws().positions(layout)

    def search(self, text: str, mode: str, limit: int = 50) -> list[dict]:
        ws = self._ws()
        if mode != "words":
            ok, why = ws.semantic_status()
            if not ok:
                raise BackendError(f"meaning search is off: {why}")
        with self._explained():
            return ws.search(text, mode, limit)

    # ------------------------------------------------------------------ GUI thread
    def details(self, node_id: str) -> dict:
        G = self._G
        if G is not None and node_id in G:
            return details_from_graph(G, node_id)
        # Not drawn yet (an annotation just added) or not in the graph: ask the store.
        with self._explained():
            return self._ws().details(node_id)

    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        return self._ws().note_lines(note, line, context)

    def set_kind(self, claim_id: str, kind: str) -> None:
        with self._explained():
            self._ws().set_kind(claim_id, kind)

    def add_annotation(self, claim_id: str, text: str, stance: str) -> str:
        with self._explained():
            return self._ws().add_annotation(claim_id, text, stance)

    def hide(self, item_id: str) -> None:
        edge = parse_edge_id(item_id)
        with self._explained():
            if edge is None:
                self._ws().hide(item_id)
            else:
                source, target, edge_type = edge
                self._ws().hide(source, edge_type, target)

    def semantic_available(self) -> tuple[bool, str]:
        if self.workspace is None:
            return False, "no vault is open"
        try:
            with self._explained():
                return self.workspace.semantic_status()
        except CorruptDatabaseError as exc:  # see layouts()
            return False, str(exc)

    def model_name(self) -> str:
        if self.workspace is None:
            return ""
        try:
            with self._explained():
                return self.workspace.model_name()
        except CorruptDatabaseError:  # see layouts()
            return ""

    def taxonomy(self) -> dict[str, dict]:
        from explorer.semantic.taxonomy import TaxonomyError, default_taxonomy

        try:
            with self._explained():
                tax = self._ws().taxonomy()
        except TaxonomyError:
            # The vault's own taxonomy file has an error: draw with the shipped kinds;
            # the index that follows stops with the error, naming the file and line.
            tax = default_taxonomy()
        return {k.id: {"name": k.name, "colour": k.colour} for k in tax.kinds}

    def export_formats(self) -> list[tuple[str, str, str]]:
        return Workspace.export_formats()

    def export(self, fmt: str, graph: nx.MultiDiGraph, path: Path) -> None:
        from explorer.export.common import ExportError

        try:
            Workspace.export(fmt, graph, path)
        except ExportError as exc:  # it names the path at fault
            raise BackendError(str(exc)) from exc

    def rebuild_database(self) -> Path:
        self._G = None
        with self._explained():
            return self._ws().rebuild_database()


def _summary_line(s) -> str:
    """The index run's outcome in one status-bar line."""
    if s.cancelled:
        return f"cancelled after {s.indexed} notes"
    line = f"{s.notes} notes, {s.claims} claims ({s.indexed} read, {s.unchanged} unchanged"
    line += f", {s.removed} removed)" if s.removed else ")"
    if s.skipped or s.errors:
        line += f"; {s.skipped} skipped, {s.errors} errors"
    return line
