"""The review queue: the claims whose kind is least certain, one at a time, fixed fast.

Qt-free, so the terminal (``explorer review``) and the window's review dock share it.
It reads the claims from a :class:`~explorer.app.workspace.Workspace`'s store
(:meth:`ReviewQueue.for_workspace`) or from the window's graph, whatever its backend
(:meth:`ReviewQueue.for_graph`), and stores answers through ``set_kind``:

* **Order**: claims not yet reviewed, lowest stored (calibrated) confidence first;
  hidden claims are left out. Ties keep the notes' reading order.
* **Reviewed** means the user's kind is stored (``user_kinds``, the same rows the
  window's kind menu and ``explorer correct --kind`` write): accepting a kind stores
  the computed kind as the user's, so it is never asked again, survives re-index, and
  shows as ``kind_source = "user"`` everywhere.
* **Skip** moves a claim to the back of this session's queue; nothing is stored.
* **Progress**: ``"37 of 120 reviewed"`` counts every visible claim with a kind.

Keys (:meth:`ReviewQueue.handle_key`): ``a`` or Enter accepts, ``1``..``9`` change the
kind to the numbered kind of :attr:`ReviewQueue.kinds`, ``s`` skips, ``q`` quits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

ACCEPT_KEYS = ("a", "", "\r", "\n", " ")
SKIP_KEY = "s"
QUIT_KEY = "q"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    claim_id: str
    text: str
    note: str
    line: int
    heading: str  # the heading path, " > " joined ("" at the top of a note)
    kind: str
    confidence: float
    kind_source: str


_PENDING_SQL = """
SELECT c.id, c.text, c.note, c.line, COALESCE(s.heading_path, ''), c.kind,
       COALESCE(c.confidence, 0.0), COALESCE(c.kind_source, 'default')
FROM claims c
LEFT JOIN sections s ON s.id = c.section_id
WHERE c.kind IS NOT NULL
  AND c.id NOT IN (SELECT claim_id FROM user_kinds)
  AND c.id NOT IN (SELECT claim_id FROM user_hidden WHERE edge_type = '')
ORDER BY COALESCE(c.confidence, 0.0), c.note, c.position
"""
_TOTAL_SQL = """
SELECT COUNT(*), COUNT(u.claim_id) FROM claims c
LEFT JOIN user_kinds u ON u.claim_id = c.id
WHERE c.kind IS NOT NULL
  AND c.id NOT IN (SELECT claim_id FROM user_hidden WHERE edge_type = '')
"""


def pending_claims(db) -> list[ReviewItem]:
    """Claims with a computed kind the user has neither confirmed nor corrected nor hidden,
    least certain first."""
    return [ReviewItem(*row) for row in db.conn.execute(_PENDING_SQL)]


def review_progress(db) -> tuple[int, int]:
    """(reviewed, total) over the visible claims that have a kind."""
    total, reviewed = db.conn.execute(_TOTAL_SQL).fetchone()
    return int(reviewed), int(total)


def graph_items(G) -> tuple[list[ReviewItem], int, int]:
    """(pending items least certain first, reviewed, total) from a concept graph's claim
    nodes (docs/EXPORT.md): what the window's queue reads, for any backend."""
    items, reviewed, total = [], 0, 0
    for node, d in G.nodes(data=True):
        if d.get("type") != "claim" or not d.get("kind") or d.get("hidden"):
            continue
        total += 1
        if d.get("kind_source") == "user":
            reviewed += 1
            continue
        items.append(
            ReviewItem(
                node,
                d.get("text", ""),
                d.get("note", ""),
                int(d.get("line") or 0),
                d.get("section", ""),
                d["kind"],
                float(d.get("confidence") or 0.0),
                d.get("kind_source") or "default",
            )
        )
    items.sort(key=lambda i: i.confidence)  # stable: the graph's reading order breaks ties
    return items, reviewed, total


class ReviewQueue:
    """The queue: pending claims, least certain first, and the session's answers.

    ``load()`` gives ``(pending items, reviewed, total)``; ``set_kind(claim_id, kind)``
    stores the user's kind; ``note_lines(note, line, n)`` reads the context. Build one
    with :meth:`for_workspace` (the store) or :meth:`for_graph` (the window's graph).
    """

    def __init__(self, kinds, load, set_kind, note_lines=None) -> None:
        self.kinds: list[str] = list(kinds)
        self._load = load
        self._set_kind = set_kind
        self._note_lines = note_lines
        self._queue: deque[ReviewItem] = deque()
        self._reviewed = self._total = 0
        self.refresh()

    @classmethod
    def for_workspace(cls, ws) -> ReviewQueue:
        """Over a :class:`~explorer.app.workspace.Workspace`'s store."""

        def load():
            reviewed, total = review_progress(ws.db())
            return pending_claims(ws.db()), reviewed, total

        return cls(ws.taxonomy().ids, load, ws.set_kind, ws.note_lines)

    @classmethod
    def for_graph(cls, graph_fn, kinds, set_kind, note_lines=None) -> ReviewQueue:
        """Over the claim nodes of ``graph_fn()`` (called on each refresh)."""
        return cls(kinds, lambda: graph_items(graph_fn()), set_kind, note_lines)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Reload the pending claims (forgets this session's skips)."""
        items, self._reviewed, self._total = self._load()
        self._queue = deque(items)

    def current(self) -> ReviewItem | None:
        return self._queue[0] if self._queue else None

    def pending(self) -> list[ReviewItem]:
        return list(self._queue)

    def __len__(self) -> int:
        return len(self._queue)

    def progress(self) -> tuple[int, int]:
        """(reviewed, total) claims with a kind."""
        return self._reviewed, self._total

    def progress_text(self) -> str:
        done, total = self.progress()
        return f"{done} of {total} reviewed"

    def context(self, item: ReviewItem, lines: int = 2) -> list[tuple[int, str]]:
        """The claim's neighbouring lines in its note (empty when the note is gone)."""
        if self._note_lines is None or not item.line:
            return []
        try:
            return list(self._note_lines(item.note, item.line, lines))
        except (OSError, ValueError):
            return []

    def kind_for_key(self, key: str) -> str | None:
        """The kind a number key stands for (``"1"`` is the first kind), else None."""
        key = key.strip()
        if key.isdigit() and 1 <= int(key) <= len(self.kinds):
            return self.kinds[int(key) - 1]
        return None

    # ------------------------------------------------------------------ acting
    def _store(self, claim_id: str, kind: str) -> None:
        if kind not in self.kinds:
            raise ValueError(f"unknown kind {kind!r}; the kinds are: {', '.join(self.kinds)}")
        self._set_kind(claim_id, kind)
        before = len(self._queue)
        self._queue = deque(i for i in self._queue if i.claim_id != claim_id)
        self._reviewed += before - len(self._queue)

    def accept(self) -> ReviewItem | None:
        """Store the current claim's kind as the user's; next claim."""
        item = self.current()
        if item is not None:
            self._store(item.claim_id, item.kind)
        return item

    def change(self, kind: str) -> ReviewItem | None:
        """Store ``kind`` as the user's kind of the current claim; next claim."""
        item = self.current()
        if item is not None:
            self._store(item.claim_id, kind)
        return item

    def skip(self) -> ReviewItem | None:
        """Put the current claim at the back of the queue (nothing stored)."""
        item = self.current()
        if item is not None:
            self._queue.rotate(-1)
        return item

    def set_kind_many(self, claim_ids, kind: str) -> int:
        """Bulk: give every claim of ``claim_ids`` the user's kind ``kind``; how many."""
        if kind not in self.kinds:
            raise ValueError(f"unknown kind {kind!r}; the kinds are: {', '.join(self.kinds)}")
        ids = list(dict.fromkeys(claim_ids))
        for cid in ids:
            self._store(cid, kind)
        return len(ids)

    def handle_key(self, key: str) -> str:
        """Act on one key; returns what happened: accepted, changed, skipped, quit,
        empty (nothing left) or unknown."""
        key = key.strip().lower() if key.strip() else key
        if key == QUIT_KEY:
            return "quit"
        if self.current() is None:
            return "empty"
        if key == SKIP_KEY:
            self.skip()
            return "skipped"
        if key in ACCEPT_KEYS:
            self.accept()
            return "accepted"
        kind = self.kind_for_key(key)
        if kind is not None:
            self.change(kind)
            return "changed"
        return "unknown"
