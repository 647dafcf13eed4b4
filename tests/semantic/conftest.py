"""Notes built by hand, so the semantic tests do not depend on the parser's splitting."""

from __future__ import annotations

import hashlib

import pytest

from explorer.core.model import Claim, Link, ParsedNote, Section
from explorer.semantic.embedder import HashingEmbedder


def make_note(items, path: str = "note.md", links=()) -> ParsedNote:
    """Build a note from a list of entries.

    An entry is ``"# Title"`` (a section, level by the number of '#'), a claim text, or
    ``("  ", text)``-style ``(indent, text)`` for a list item nested under the previous
    claim with less indent.
    """
    note = ParsedNote(path=path, title=path.rsplit(".", 1)[0])
    section: Section | None = None
    offset, line = 0, 1
    stack: list[tuple[int, str]] = []
    for item in items:
        indent, text = item if isinstance(item, tuple) else (0, item)
        if isinstance(indent, str):
            indent = len(indent)
        if text.startswith("#"):
            level = len(text) - len(text.lstrip("#"))
            title = text.lstrip("#").strip()
            parents = [s for s in note.sections if s.level < level]
            parent = parents[-1] if parents else None
            sid = "sec:" + hashlib.sha1(f"{path}{title}{line}".encode()).hexdigest()[:12]
            section = Section(
                sid,
                title,
                level,
                (parent.path if parent else ()) + (title,),
                parent.id if parent else None,
                line,
                offset,
                offset + len(text),
            )
            note.sections.append(section)
            stack.clear()
        else:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent_id = stack[-1][1] if stack and indent else None
            cid = "clm:" + hashlib.sha1(f"{path}{text}{line}".encode()).hexdigest()[:12]
            note.claims.append(
                Claim(
                    cid,
                    text,
                    section.id if section else None,
                    parent_id,
                    "list_item" if indent else "paragraph",
                    len(note.claims),
                    line,
                    line,
                    offset,
                    offset + len(text),
                )
            )
            stack.append((indent, cid))
        offset += len(text) + 1
        line += 1
    for target, kind, claim_index in links:
        cid = note.claims[claim_index].id if claim_index is not None else None
        note.links.append(Link(target, kind, 1, 0, 1, claim_id=cid))
    return note


@pytest.fixture
def fake_embedder():
    return HashingEmbedder(dim=64)


def by_text(note_or_claims, text):
    claims = note_or_claims.claims if hasattr(note_or_claims, "claims") else note_or_claims
    return next(c for c in claims if c.text == text)
