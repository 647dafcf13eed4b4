"""Stable identifiers for claims and sections.

An id must survive edits elsewhere in the note, so it is derived from what the item *is*
(note path, normalised text or heading path, and its occurrence number among identical
ones in the note), never from where it sits (line, offset, position).

>>> claim_id("a.md", "LLMs are  GPTs.", 0) == claim_id("a.md", "llms are GPTs.", 0)
True
>>> claim_id("a.md", "x", 0)[:4], len(claim_id("a.md", "x", 0))
('clm:', 20)
>>> section_id("a.md", ("Intro", "Part"), 0)[:4], len(section_id("a.md", ("Intro",), 0))
('sec:', 16)
"""

from __future__ import annotations

import hashlib


def normalise(text: str) -> str:
    """Case-folded text with whitespace collapsed: the identity of a claim."""
    return " ".join(text.split()).casefold()


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)
    return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()


def claim_id(path: str, text: str, occurrence: int, *, normalised: bool = False) -> str:
    key = text if normalised else normalise(text)
    return "clm:" + _digest("claim", path, key, str(occurrence))[:16]


def section_id(path: str, heading_path: tuple[str, ...], occurrence: int) -> str:
    key = "\x1e".join(normalise(t) for t in heading_path)
    return "sec:" + _digest("section", path, key, str(occurrence))[:12]


class Occurrences:
    """Counts how often a key was seen, so identical texts get distinct, stable ids."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict = {}

    def next(self, key) -> int:
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        return n
