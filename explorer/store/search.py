"""Ranked full-text search over claims (SQLite FTS5, bm25)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from explorer.core.words import STOP_WORDS

# Words as the unicode61 tokenizer sees them; anything else would be FTS5 syntax.
_WORD = re.compile(r"\w+\*?", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchHit:
    claim_id: str
    note: str
    line: int
    text: str
    snippet: str  # the text with matches in [brackets]
    score: float  # bm25 relevance, higher is better
    same_text: int = 0  # other hits with this very text, folded into this one

    @property
    def where(self) -> str:
        """``note:line``, the way editors and grep print a location."""
        return f"{self.note}:{self.line}"


def fts_query(words: str | Sequence[str]) -> str:
    """Turn what a user typed into an FTS5 query: every word must match, in any order.

    Punctuation never reaches FTS5 (where ``-``, ``:`` or a stray quote are syntax
    errors); a trailing ``*`` keeps its meaning of "any word starting with".

    >>> fts_query("self-attention  is:all*")
    '"self" "attention" "is" "all"*'
    """
    text = words if isinstance(words, str) else " ".join(words)
    terms = []
    for match in _WORD.finditer(text):
        token = match.group()
        star = "*" if token.endswith("*") else ""
        terms.append(f'"{token.rstrip("*")}"{star}')
    return " ".join(terms)


def any_words_query(words: str | Sequence[str]) -> str:
    """An FTS5 query matching claims with any of the words, stop words left out.

    "what is the hard problem of consciousness" asks about its content words; bm25
    then ranks a claim higher the more of them (and the rarer ones) it holds.

    >>> any_words_query("what is the hard problem of consciousness?")
    '"hard" OR "problem" OR "consciousness"'
    """
    text = words if isinstance(words, str) else " ".join(words)
    terms = []
    for match in _WORD.finditer(text):
        token = match.group()
        star = "*" if token.endswith("*") else ""
        word = token.rstrip("*")
        if word.casefold() in STOP_WORDS or f'"{word}"{star}' in terms:
            continue
        terms.append(f'"{word}"{star}')
    return " OR ".join(terms)


def content_words(words: str | Sequence[str]) -> list[str]:
    """The words an any-words search looks for, in order."""
    return [t.strip('"*') for t in any_words_query(words).split(" OR ") if t]


def search(
    db: Database,
    words: str | Sequence[str],
    *,
    limit: int = 20,
    include_hidden: bool = False,
    any_words: bool = False,
) -> list[SearchHit]:
    """Claims containing all ``words`` (stemmed), best match first.

    ``any_words``: claims holding any of them, stop words dropped, ranked by bm25 (for
    a question typed as a sentence). Hits with the same text (one link text pasted in
    six notes) are folded into the best of them, which counts the others in
    ``same_text``.
    """
    query = any_words_query(words) if any_words else fts_query(words)
    if not query:
        if any_words and fts_query(words):
            return []  # only stop words: nothing to rank by
        raise ValueError("nothing to search for: give at least one word")
    hidden = (
        ""
        if include_hidden
        else "AND c.id NOT IN (SELECT claim_id FROM user_hidden WHERE edge_type = '')"
    )
    sql = f"""
        SELECT c.id, c.note, c.line, c.text,
               snippet(claims_fts, 0, '[', ']', '…', 16),
               -bm25(claims_fts) AS score
        FROM claims_fts JOIN claims c ON c.seq = claims_fts.rowid
        WHERE claims_fts MATCH ? {hidden}
        ORDER BY bm25(claims_fts), c.note, c.position
        LIMIT ?
    """
    limit = max(1, int(limit))
    # Fetch extra rows so that folding identical texts still fills the page.
    rows = db.conn.execute(sql, (query, limit * 4 + 20))
    return _fold_same_text([SearchHit(*row) for row in rows])[:limit]


def _fold_same_text(hits: list[SearchHit]) -> list[SearchHit]:
    first: dict[str, int] = {}
    out: list[SearchHit] = []
    for h in hits:
        key = " ".join(h.text.casefold().split())
        at = first.get(key)
        if at is None:
            first[key] = len(out)
            out.append(h)
        else:
            best = out[at]
            out[at] = SearchHit(
                best.claim_id,
                best.note,
                best.line,
                best.text,
                best.snippet,
                best.score,
                best.same_text + 1,
            )
    return out


@dataclass(frozen=True, slots=True)
class AnnotationHit:
    annotation_id: str
    claim_id: str | None  # the claim it comments on
    note: str
    line: int
    text: str
    stance: str
    snippet: str
    score: float


def search_annotations(
    db: Database, words: str | Sequence[str], *, limit: int = 20
) -> list[AnnotationHit]:
    """The author's annotations containing all ``words`` (stemmed), best match first."""
    query = fts_query(words)
    if not query:
        raise ValueError("nothing to search for: give at least one word")
    sql = """
        SELECT a.id, a.claim_id, a.note, a.line, a.text, a.stance,
               snippet(annotations_fts, 0, '[', ']', '…', 16),
               -bm25(annotations_fts) AS score
        FROM annotations_fts JOIN annotations a ON a.seq = annotations_fts.rowid
        WHERE annotations_fts MATCH ?
        ORDER BY bm25(annotations_fts), a.note, a.seq
        LIMIT ?
    """
    return [AnnotationHit(*row) for row in db.conn.execute(sql, (query, max(1, int(limit))))]
