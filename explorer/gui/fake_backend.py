"""An in-memory stand-in for the real backend: a seeded synthetic vault and graph.

Used by the GUI tests, the GUI benchmark and the hidden ``explorer gui --demo`` mode.
It is a fake, not a product: search is word overlap, "meaning" search is word
overlap on topic words, export writes node-link JSON for every format. What it does
faithfully is the *contract* of :class:`explorer.app.api.Backend`: the graph
follows docs/EXPORT.md, corrections change what ``graph()`` and ``details()`` return,
``index`` honours cancel and raises when the vault is gone, and every call is
counted in ``calls`` so tests can assert on the traffic.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from explorer.app.errors import DatabaseDamagedError, VaultMissingError
from explorer.core.model import STANCES
from explorer.graph.build import annotation_attrs
from explorer.graph.ids import parse_edge_id
from explorer.graph.queries import details_from_graph
from explorer.graph.synthetic import (
    WORD,
    hashed_id,
    kind_ring_positions,
    link_edge,
    synthetic_vault,
)
from explorer.indexing.events import Progress
from explorer.style import default_kinds


def _counted(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            self.calls[method.__name__] += 1
        return method(self, *args, **kwargs)

    return wrapper


class FakeBackend:
    """A :class:`~explorer.app.api.Backend` over :func:`synthetic_vault`.

    Knobs for tests: ``index_steps`` and ``index_delay`` (seconds per step) shape
    indexing; ``corrupt=True`` makes ``open`` raise DatabaseDamagedError until
    ``rebuild_database``; ``semantic=(False, reason)`` switches meaning search off.
    ``calls`` counts every method call by name.
    """

    def __init__(
        self,
        n_claims: int = 300,
        seed: int = 0,
        *,
        index_steps: int = 5,
        index_delay: float = 0.0,
        corrupt: bool = False,
        semantic: tuple[bool, str] = (True, ""),
    ):
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._G, self._notes = synthetic_vault(n_claims, seed)
        self._seed = seed
        self.index_steps = index_steps
        self.index_delay = index_delay
        self.corrupt = corrupt
        self.semantic = semantic
        self.vault: Path | None = None
        self._db: Path | None = None
        self.exports: list[tuple[str, Path, int]] = []
        self.views: dict[str, dict] = {}
        self.pinned: dict[tuple[str, str], tuple[float, float]] = {}

    def write_vault(self, folder: Path) -> Path:
        """Write the synthetic notes as files, so a test or the demo has a real folder."""
        folder = Path(folder)
        for rel, text in self._notes.items():
            p = folder / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return folder

    # -- Backend ---------------------------------------------------------------------
    @_counted
    def open(self, vault: Path, db_path: Path | None = None) -> None:
        vault = Path(vault)
        if not vault.is_dir():
            raise VaultMissingError(vault)
        self.vault = vault
        self._db = Path(db_path) if db_path else vault.parent / f".{vault.name}.explorer-fake.db"
        if self.corrupt:
            raise DatabaseDamagedError(self._db, "file is not a database")
        self._G.graph["vault"] = str(vault)

    @_counted
    def close(self) -> None:
        self.vault = None

    @property
    def db_path(self) -> Path | None:
        return self._db

    @_counted
    def index(self, cancel: threading.Event | None = None) -> Iterator[Progress]:
        cancel = cancel or threading.Event()
        for i in range(self.index_steps):
            if cancel.is_set():
                return
            if self.vault is None or not self.vault.is_dir():
                raise VaultMissingError(self.vault or "")
            if self.index_delay:
                time.sleep(self.index_delay)
            yield Progress(
                "parse", i + 1, self.index_steps, message=f"step {i + 1} of {self.index_steps}"
            )

    @_counted
    def graph(self) -> nx.MultiDiGraph:
        H = self._G.copy()
        H.remove_edges_from([(u, v, k) for u, v, k, h in H.edges(keys=True, data="hidden") if h])
        H.remove_nodes_from([n for n, h in H.nodes(data="hidden") if h])
        for (n, layout), (x, y) in self.pinned.items():
            if layout == "force" and n in H:
                H.nodes[n].update(x=x, y=y, pinned=True)
        H.graph["saved_views"] = dict(self.views)
        return H

    @_counted
    def layouts(self) -> list[str]:
        return ["force", "semantic"]

    @_counted
    def positions(self, layout: str) -> dict[str, tuple[float, float]]:
        if layout == "force":
            return {n: (d["x"], d["y"]) for n, d in self._G.nodes(data=True)}
        if layout == "semantic":
            return kind_ring_positions(self._G, self._seed)
        raise KeyError(f"unknown layout: {layout}")

    @_counted
    def search(self, text: str, mode: str, limit: int = 50) -> list[dict]:
        if mode != "words" and not self.semantic[0]:
            raise RuntimeError(f"meaning search is off: {self.semantic[1]}")
        q = set(WORD.findall(text.lower()))
        if not q:
            return []
        hits = []
        for n, d in self._G.nodes(data=True):
            if d.get("type") not in ("claim", "annotation") or d.get("hidden"):
                continue
            words = set(WORD.findall(d["text"].lower()))
            score = len(q & words) / len(q)
            if score > 0:
                hits.append(
                    {
                        "id": n,
                        "text": d["text"],
                        "kind": d.get("kind", ""),
                        "note": d.get("note", ""),
                        "line": d.get("line", 0),
                        "score": round(score, 3),
                    }
                )
        hits.sort(key=lambda h: (-h["score"], len(h["text"])))
        return hits[:limit]

    @_counted
    def details(self, node_id: str) -> dict:
        return details_from_graph(self._G, node_id)

    @_counted
    def note_lines(self, note: str, line: int, context: int = 3) -> list[tuple[int, str]]:
        if self.vault is None:
            raise FileNotFoundError(note)
        path = self.vault / note
        lines = path.read_text(encoding="utf-8").splitlines()
        lo, hi = max(1, line - context), min(len(lines), line + context)
        return [(i, lines[i - 1]) for i in range(lo, hi + 1)]

    @_counted
    def set_kind(self, claim_id: str, kind: str) -> None:
        d = self._G.nodes[claim_id]
        if d.get("type") != "claim":
            raise ValueError(f"not a claim: {claim_id}")
        d.update(kind=kind, kind_source="user", confidence=1.0)

    @_counted
    def add_annotation(self, claim_id: str, text: str, stance: str) -> str:
        if stance not in STANCES:
            raise ValueError(f"unknown stance: {stance}")
        c = self._G.nodes[claim_id]
        aid = hashed_id("ann", claim_id, text, "user")
        attrs = annotation_attrs(
            text, stance, note=c.get("note", ""), source="user", line=c.get("line", 0)
        )
        self._G.add_node(
            aid,
            **attrs,
            community=c.get("community", 0),
            centrality=0.0,
            x=c.get("x", 0.0) + 0.05,
            y=c.get("y", 0.0) + 0.05,
        )
        link_edge(self._G, aid, claim_id, type="annotates", stance=stance, confidence=1.0)
        return aid

    @_counted
    def hide(self, item_id: str) -> None:
        edge = parse_edge_id(item_id)
        if edge is None:
            self._G.nodes[item_id]["hidden"] = True
            return
        u, v, t = edge
        for _, d in (self._G.get_edge_data(u, v) or {}).items():
            if d.get("type") == t:
                d["hidden"] = True

    @_counted
    def semantic_status(self) -> tuple[bool, str]:
        return self.semantic

    @_counted
    def model_name(self) -> str:
        return "fake-bag-of-words" if self.semantic[0] else ""

    @_counted
    def kind_styles(self) -> dict[str, dict]:
        return default_kinds()

    @_counted
    def export_formats(self) -> list[tuple[str, str, str]]:
        return [
            ("json", "Node-link JSON", ".json"),
            ("html", "Standalone HTML", ".html"),
            ("graphml", "GraphML", ".graphml"),
            ("gexf", "GEXF", ".gexf"),
            ("canvas", "JSON Canvas", ".canvas"),
            ("csv", "CSV", ".csv"),
        ]

    @_counted
    def export(self, fmt: str, graph: nx.MultiDiGraph, path: Path) -> dict:
        data = nx.node_link_data(graph, edges="edges")
        Path(path).write_text(json.dumps({"format": fmt, **data}, default=str), encoding="utf-8")
        self.exports.append((fmt, Path(path), graph.number_of_nodes()))
        return {"path": str(path), "nodes": graph.number_of_nodes()}

    @_counted
    def decide_edge(self, a: str, b: str, edge_type: str, decision: str) -> None:
        if edge_type == "tension":
            for key in ("tension",):
                for u, v in ((a, b), (b, a)):
                    d = (self._G.get_edge_data(u, v) or {}).get(key)
                    if d is not None:
                        if decision == "dismissed":
                            d["hidden"] = True
                        else:
                            d["decision"] = decision
        elif edge_type == "link":
            if decision == "accepted":
                self._G.add_edge(a, b, key="user_link", type="user_link", by="user")
            else:
                self._G.graph.setdefault("dismissed_links", []).append([a, b])
        else:
            raise ValueError(f"unknown edge type {edge_type!r}")

    @_counted
    def save_view(self, name: str, state: dict) -> None:
        if not name.strip():
            raise ValueError("a saved view needs a name")
        self.views[name.strip()] = json.loads(json.dumps(state))

    @_counted
    def saved_views(self) -> dict[str, dict]:
        return dict(sorted(self.views.items()))

    @_counted
    def delete_view(self, name: str) -> bool:
        return self.views.pop(name, None) is not None

    @_counted
    def pin(self, node_id: str, layout: str, x: float, y: float) -> None:
        self.pinned[(node_id, layout)] = (float(x), float(y))

    @_counted
    def unpin(self, node_id: str, layout: str) -> bool:
        return self.pinned.pop((node_id, layout), None) is not None

    @_counted
    def rebuild_database(self) -> Path:
        self.corrupt = False
        assert self._db is not None
        return self._db.with_name(self._db.name + ".backup")
