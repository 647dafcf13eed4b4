"""The review queue: the claims whose kind is least certain, one at a time, fixed fast.

Qt-free, so the terminal (``explorer review``) and the window's review dock share it.
It works on a :class:`~explorer.workspace.Workspace` (or anything with ``db()``,
``set_kind``, ``note_lines`` and ``taxonomy``):

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


class ReviewQueue:
    """The queue over one workspace; reload with :meth:`refresh` after an index run."""

    def __init__(self, workspace) -> None:
        self.ws = workspace
        self.kinds: list[str] = list(workspace.taxonomy().ids)
        self._queue: deque[ReviewItem] = deque()
        self.refresh()

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Reload the pending claims from the store (keeps nothing of skips)."""
        self._queue = deque(pending_claims(self.ws.db()))

    def current(self) -> ReviewItem | None:
        return self._queue[0] if self._queue else None

    def pending(self) -> list[ReviewItem]:
        return list(self._queue)

    def __len__(self) -> int:
        return len(self._queue)

    def progress(self) -> tuple[int, int]:
        return review_progress(self.ws.db())

    def progress_text(self) -> str:
        done, total = self.progress()
        return f"{done} of {total} reviewed"

    def context(self, item: ReviewItem, lines: int = 2) -> list[tuple[int, str]]:
        """The claim's neighbouring lines in its note (empty when the note is gone)."""
        try:
            return self.ws.note_lines(item.note, item.line, lines)
        except (OSError, ValueError):
            return []

    def kind_for_key(self, key: str) -> str | None:
        """The kind a number key stands for (``"1"`` is the first kind), else None."""
        if key.isdigit() and 1 <= int(key) <= len(self.kinds):
            return self.kinds[int(key) - 1]
        return None

    # ------------------------------------------------------------------ acting
    def accept(self) -> ReviewItem | None:
        """Store the current claim's kind as the user's; next claim."""
        item = self.current()
        if item is not None:
            self.ws.set_kind(item.claim_id, item.kind)
            self._queue.popleft()
        return item

    def change(self, kind: str) -> ReviewItem | None:
        """Store ``kind`` as the user's kind of the current claim; next claim."""
        item = self.current()
        if item is not None:
            self.ws.set_kind(item.claim_id, kind)  # raises ValueError for an unknown kind
            self._queue.popleft()
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
            self.ws.set_kind(cid, kind)
        done = set(ids)
        self._queue = deque(i for i in self._queue if i.claim_id not in done)
        return len(ids)

    def handle_key(self, key: str) -> str:
        """Act on one key; returns what happened: accepted, changed, skipped, quit,
        empty (nothing left) or unknown."""
        key = key.strip().lower() if key.strip() else key
        if self.current() is None:
            return "quit" if key == QUIT_KEY else "empty"
        if key == QUIT_KEY:
            return "quit"
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
