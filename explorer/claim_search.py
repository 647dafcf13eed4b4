"""Search claims by words, by meaning, or both (hybrid), over one open store.

Words: SQLite FTS5 with bm25 (``store.search``). Meaning: the query's vector against
every claim vector of the store's model, held in memory as one matrix
(``VectorIndex``, loaded on first use and kept: a query over 100,000 claims is a
few milliseconds of matrix product after that). Both: reciprocal rank fusion of the
two rankings (``semantic.hybrid.hybrid_rank``), which needs no score calibration.

The embedder is only asked to encode the query, so a search by words alone never
loads the model (nor imports torch). Claims the user hid are left out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from explorer.semantic.hybrid import hybrid_rank
from explorer.semantic.similarity import VectorIndex
from explorer.store.meta import get_meta
from explorer.store.search import search as words_search
from explorer.store.vectors import claim_vectors, has_vectors

if TYPE_CHECKING:
    from explorer.semantic.embedder import TextEmbedder

# Below this cosine a claim is not "about" the query for all-MiniLM-L6-v2: unrelated
# sentences score about 0 to 0.15 with it.
MIN_COSINE = 0.2
# How many hits of each ranking go into the fusion.
POOL = 100


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    text: str
    kind: str | None
    note: str
    line: int
    score: float
    snippet: str = ""  # the text with matched words in [brackets], for word matches
    same_text: int = 0  # other claims with this very text, folded into this hit
    any_words: bool = False  # no claim held every word: this one holds some of them

    @property
    def where(self) -> str:
        return f"{self.note}:{self.line}"

    def as_dict(self) -> dict:
        out = asdict(self)
        if not out["snippet"]:
            del out["snippet"]
        if not out["same_text"]:
            del out["same_text"]
        if not out["any_words"]:
            del out["any_words"]
        return out


class ClaimSearch:
    """Searches over one store; keep it around to load the vectors once."""

    def __init__(
        self, db: Database, embedder: TextEmbedder | None = None, *, include_hidden: bool = False
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.include_hidden = include_hidden
        self.model = get_meta(db, "model")
        self._index: VectorIndex | None = None
        # Set by the last words() call: no claim held every word, so the hits are
        # claims holding any of them (stop words dropped), ranked by bm25.
        self.relaxed = False

    def has_vectors(self) -> bool:
        return has_vectors(self.db, self.model)

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            ids, matrix = claim_vectors(self.db, self.model, include_hidden=self.include_hidden)
            self._index = VectorIndex(ids, matrix)
        return self._index

    def words(self, text: str, limit: int = 20) -> list[Hit]:
        """Claims holding every word, else any of them (``relaxed``); ValueError when
        there is no word."""
        hits = words_search(self.db, text, limit=limit, include_hidden=self.include_hidden)
        self.relaxed = not hits
        if self.relaxed:
            hits = words_search(
                self.db, text, limit=limit, include_hidden=self.include_hidden, any_words=True
            )
        rows = self._rows([h.claim_id for h in hits])
        return [
            Hit(
                h.claim_id,
                h.text,
                rows[h.claim_id][1],
                h.note,
                h.line,
                round(h.score, 4),
                h.snippet,
                h.same_text,
                self.relaxed,
            )
            for h in hits
            if h.claim_id in rows
        ]

    def _cosines(self, text: str, k: int) -> list[tuple[str, float]]:
        if self.embedder is None:
            raise ValueError("searching by meaning needs the embedding model")
        if not len(self.index.ids):
            return []
        query = self.embedder.encode([text])[0]
        return [(cid, s) for cid, s in self.index.query(query, k) if s >= MIN_COSINE]

    def meaning(self, text: str, limit: int = 20) -> list[Hit]:
        """The claims closest in meaning to ``text``, by cosine."""
        scored = self._cosines(text, limit)
        rows = self._rows([cid for cid, _ in scored])
        return [self._hit(cid, rows[cid], round(s, 4)) for cid, s in scored if cid in rows]

    def hybrid(self, text: str, limit: int = 20) -> list[Hit]:
        """Word and meaning rankings fused; a claim found both ways ranks first."""
        try:
            found = words_search(self.db, text, limit=POOL, include_hidden=self.include_hidden)
        except ValueError:  # no word in the query: meaning alone
            found = []
        if not found:  # a question typed as a sentence: any of its content words
            found = words_search(
                self.db, text, limit=POOL, include_hidden=self.include_hidden, any_words=True
            )
        snippets = {h.claim_id: h.snippet for h in found}
        cosines = dict(self._cosines(text, POOL))
        fused = hybrid_rank({h.claim_id: -h.score for h in found}, cosines, limit=limit)
        rows = self._rows([cid for cid, _ in fused])
        return [
            self._hit(cid, rows[cid], round(score, 6), snippets.get(cid, ""))
            for cid, score in fused
            if cid in rows
        ]

    def _hit(self, cid: str, row: tuple, score: float, snippet: str = "") -> Hit:
        text, kind, note, line = row
        return Hit(cid, text, kind, note, line, score, snippet)

    def _rows(self, ids: list[str]) -> dict[str, tuple]:
        """id -> (text, kind shown, note, line); the user's kind wins."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.conn.execute(
            "SELECT c.id, c.text, COALESCE(u.kind, c.kind), c.note, c.line FROM claims c "
            f"LEFT JOIN user_kinds u ON u.claim_id = c.id WHERE c.id IN ({marks})",
            ids,
        )
        return {cid: (text, kind, note, line) for cid, text, kind, note, line in rows}
