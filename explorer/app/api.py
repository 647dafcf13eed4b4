"""The application API: what the desktop window, the command line and scripts call.

:class:`explorer.app.workspace.Workspace` implements it over a vault and its SQLite
store; ``explorer.gui.fake_backend.FakeBackend`` implements it over a synthetic graph
for the window's tests and its demo mode. Nothing here imports Qt, so every caller
works the same way and the window is tested against the same contract the CLI uses.

Threads. ``index``, ``graph``, ``positions`` and ``search`` can take seconds (the
first meaning search loads the model): the window calls them on worker threads, so
an implementation over SQLite opens its connection per thread. Everything else is
quick and called on the window's own thread.

Errors. Every problem the user can put right is an ``ExplorerError`` whose message
says what is at fault (see ``explorer.app.errors``): ``VaultMissingError`` when the
vault folder is gone, ``DatabaseDamagedError`` when the store cannot be read (then
``rebuild_database`` helps), ``IndexBusyError`` while another explorer indexes.

Search modes. One vocabulary everywhere: ``words`` (full text, never loads the
model), ``meaning`` (cosine to the text's embedding) and ``both`` (the two fused).
The command line's older names ``semantic`` and ``hybrid`` are accepted as aliases.

>>> search_mode("hybrid"), search_mode("semantic"), search_mode("words")
('both', 'meaning', 'words')
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    import networkx as nx

    from explorer.indexing.events import Progress, Summary

SEARCH_MODES = ("words", "meaning", "both")
SEARCH_MODE_ALIASES = {"semantic": "meaning", "hybrid": "both"}


def search_mode(mode: str) -> str:
    """The mode's name in :data:`SEARCH_MODES`; ``ValueError`` naming the choices otherwise."""
    mode = SEARCH_MODE_ALIASES.get(mode, mode)
    if mode not in SEARCH_MODES:
        raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(SEARCH_MODES)}")
    return mode


@runtime_checkable
class Backend(Protocol):
    """One vault and its store, as every front end sees them (see the module docstring)."""

    db_path: Path | None  # the database file in use (the window keeps a lock file beside it)

    def open(self, vault: Path | str | None = None, db_path: Path | str | None = None):
        """Attach to a vault and its database (made or migrated if needed); quick, no
        indexing. With no arguments, (re)open the vault given before.

        Raises VaultMissingError, DatabaseDamagedError or another ExplorerError.
        """

    def close(self) -> None:
        """Release the database; called when the window closes or opens another vault."""

    def index(self, cancel: threading.Event | None = None) -> Iterator[Progress | Summary]:
        """Worker thread. Incremental (re-)index of the open vault: Progress events,
        then one Summary. Stops between notes soon after ``cancel`` is set, leaving the
        store consistent."""

    def graph(self) -> nx.MultiDiGraph:
        """Worker thread. The concept graph of docs/EXPORT.md with ``x``, ``y``,
        ``community`` and ``centrality`` on nodes; hidden items left out."""

    def layouts(self) -> list[str]:
        """Layouts this store can show; the first is the one in the nodes' ``x``/``y``."""

    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        """Worker thread. Node positions in another layout (e.g. ``"semantic"``)."""

    def search(self, text: str, mode: str = "words", limit: int = 50) -> list[dict]:
        """Worker thread. Claims, best first: dicts with id, type, text, kind, note, line,
        score, snippet. ``mode`` is one of SEARCH_MODES (or an alias). Hidden claims are
        never returned."""

    def details(self, node_id: str) -> dict:
        """What the store knows of one claim, note or own annotation; KeyError if none."""

    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        """Lines ``line-context .. line+context`` of a note as (1-based number, text);
        FileNotFoundError when the note file is gone."""

    def set_kind(self, claim_id: str, kind: str) -> None:
        """Record the user's kind for a claim (survives re-index)."""

    def add_annotation(self, claim_id: str, text: str, stance: str = "note") -> str:
        """Record the user's own annotation on a claim; returns its node id."""

    def hide(self, item_id: str) -> None:
        """Hide a claim, or an edge given by ``explorer.graph.ids.edge_id`` (survives
        re-index; gone from search and the graph at once)."""

    def semantic_status(self) -> tuple[bool, str]:
        """Whether meaning search can run; when not, the reason shown to the user."""

    def model_name(self) -> str:
        """The embedding model in use, for the About box (empty when none)."""

    def kind_styles(self) -> dict[str, dict]:
        """Claim kinds in display order: ``{kind: {"name": str, "colour": "#rrggbb"}}``."""

    def export_formats(self) -> list[tuple[str, str, str]]:
        """Exporters as (format id, menu label, file suffix)."""

    def export(self, fmt: str, graph: nx.MultiDiGraph, path: Path | str) -> dict:
        """Write ``graph`` (already filtered) in ``fmt``, coloured by this vault's kinds."""

    def decide_edge(self, a: str, b: str, edge_type: str, decision: str) -> None:
        """Accept or dismiss a tension (``edge_type="tension"``) or a suggested link
        (``"link"``; accepted makes a ``user_link`` edge). Survives re-index; a dismissed
        tension leaves the graph."""

    def save_view(self, name: str, state: dict) -> None:
        """Save a named view: filters, focus, layout, zoom and centre (JSON-able)."""

    def saved_views(self) -> dict[str, dict]:
        """``{name: state}`` of the saved views."""

    def delete_view(self, name: str) -> bool:
        """Forget a saved view; True if there was one."""

    def pin(self, node_id: str, layout: str, x: float, y: float) -> None:
        """Keep a node at (x, y) in ``layout``'s coordinates, across re-indexes."""

    def unpin(self, node_id: str, layout: str) -> bool:
        """Let the layout place a node again; True if it was pinned."""

    def rebuild_database(self) -> Path:
        """After DatabaseDamagedError: keep the user's rows in a backup beside the
        database, start a fresh one; returns the backup's path."""
