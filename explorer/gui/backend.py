"""The narrow interface between the desktop window and everything behind it.

The window never touches the store, the pipeline, the model or the exporters
directly: it talks to one object that satisfies :class:`Backend`. That keeps the
GUI testable with :class:`explorer.gui.fake_backend.FakeBackend` and keeps the
real implementation (a thin adapter over ``explorer.store``, ``explorer.pipeline``,
``explorer.graph`` and ``explorer.export``) in one place.

Threads. Methods marked *worker thread* below are called from a pool thread,
never from the GUI thread, because they can take seconds (indexing, loading the
graph, the first semantic search loads the model). An implementation over SQLite
must open its connection per thread. Every other method is called on the GUI
thread and should return quickly.

Errors. Raise the exceptions defined here for the conditions the window knows how
to explain to the user (a vanished vault, a corrupt database, a missing model);
anything else is shown as "<operation> failed: <message>".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from explorer.core.model import STANCES as STANCES  # re-exported for the panels

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx


SEARCH_MODES = ("words", "meaning", "both")


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a long job, as the progress bar shows it.

    ``total`` is 0 when the amount of work is not known yet (the bar then pulses).
    """

    stage: str
    done: int = 0
    total: int = 0
    message: str = ""

    @classmethod
    def coerce(cls, event: Any) -> Progress:
        """Accept a Progress, a mapping or any object with the same attribute names."""
        if isinstance(event, Progress):
            return event
        get = event.get if isinstance(event, dict) else lambda k, d=None: getattr(event, k, d)
        return cls(
            stage=str(get("stage", "") or ""),
            done=int(get("done", 0) or 0),
            total=int(get("total", 0) or 0),
            message=str(get("message", "") or ""),
        )


class BackendError(Exception):
    """A failure the window explains to the user in words."""


class VaultMissingError(BackendError):
    """The vault folder does not exist (any more)."""

    def __init__(self, vault: Path | str):
        self.vault = Path(vault)
        super().__init__(f"vault folder not found: {self.vault}")


class CorruptDatabaseError(BackendError):
    """The database file cannot be read; the window offers to rebuild it."""

    def __init__(self, db_path: Path | str, reason: str = ""):
        self.db_path = Path(db_path)
        self.reason = reason
        super().__init__(
            f"database cannot be read: {self.db_path}" + (f" ({reason})" if reason else "")
        )


def edge_id(source: str, target: str, edge_type: str) -> str:
    """The id ``hide()`` receives for an edge: ``edge:["<source>", "<target>", "<type>"]``.

    JSON, because a note path inside a node id may hold any character.
    """
    return "edge:" + json.dumps([source, target, edge_type], ensure_ascii=False)


def parse_edge_id(item_id: str) -> tuple[str, str, str] | None:
    """Inverse of :func:`edge_id`; ``None`` for a node id."""
    if not item_id.startswith("edge:"):
        return None
    source, target, edge_type = json.loads(item_id[5:])
    return source, target, edge_type


@runtime_checkable
class Backend(Protocol):
    """What the desktop window needs. See the module docstring for threads and errors."""

    def open(self, vault: Path, db_path: Path | None = None) -> None:
        """Attach to a vault and its database (made if absent). Quick: no indexing.

        Raises VaultMissingError or CorruptDatabaseError.
        """

    def close(self) -> None:
        """Release the database; called when the window closes or opens another vault."""

    def db_path(self) -> Path | None:
        """The database file in use (the window keeps a lock file beside it)."""

    def index(self, cancel: threading.Event) -> Iterator[Progress]:
        """Worker thread. Incremental (re-)index of the open vault, yielding progress.

        Must check ``cancel`` between steps and stop soon after it is set, leaving
        the database consistent. Raises VaultMissingError when the folder is gone.
        """

    def graph(self) -> nx.MultiDiGraph:
        """Worker thread. The concept graph of docs/EXPORT.md with ``x``, ``y``,
        ``community`` and ``centrality`` on nodes; hidden items left out."""

    def layouts(self) -> list[str]:
        """Names of cached layouts; the first is the one in the nodes' ``x``/``y``."""

    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        """Worker thread. Node positions of a cached layout (e.g. ``"semantic"``)."""

    def search(self, text: str, mode: str, limit: int = 50) -> list[dict]:
        """Worker thread. Hits, best first: dicts with id, text, kind, note, line, score.

        ``mode`` is one of SEARCH_MODES; "meaning" and "both" may load the model.
        """

    def details(self, node_id: str) -> dict:
        """Everything the details panel shows; see ``graphops.details_from_graph``."""

    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        """Lines ``line-context .. line+context`` of a note as (1-based number, text).

        Raises FileNotFoundError when the note file is gone.
        """

    def set_kind(self, claim_id: str, kind: str) -> None:
        """Record the user's kind for a claim (survives re-index)."""

    def add_annotation(self, claim_id: str, text: str, stance: str) -> str:
        """Record the user's own annotation on a claim; returns the annotation's node id."""

    def hide(self, item_id: str) -> None:
        """Hide a node id or an :func:`edge_id` (survives re-index)."""

    def semantic_available(self) -> tuple[bool, str]:
        """Whether meaning search can run; when not, the reason shown to the user."""

    def model_name(self) -> str:
        """The embedding model in use, for the About box (empty when none)."""

    def taxonomy(self) -> dict[str, dict]:
        """Claim kinds in display order: ``{kind: {"name": str, "colour": "#rrggbb"}}``."""

    def export_formats(self) -> list[tuple[str, str, str]]:
        """Exporters as (format id, menu label, file suffix), e.g. ("graphml", "GraphML", ".graphml")."""

    def export(self, fmt: str, graph: nx.MultiDiGraph, path: Path) -> None:
        """Write ``graph`` (already filtered by the window) with ``explorer.export.<fmt>.write``."""

    def rebuild_database(self) -> Path:
        """After CorruptDatabaseError: copy user data to a backup, start a fresh database.

        Returns the backup's path (shown to the user). The window re-indexes after.
        """
