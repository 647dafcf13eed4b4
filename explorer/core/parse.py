"""TEMPORARY stand-in for the note parser (being written): blank-line paragraphs, naive sentences.

Entry point ``parse_note(text, path) -> ParsedNote``; the real parser keeps this signature.
"""

from __future__ import annotations

import hashlib
import re

from explorer.core.model import Claim, ParsedNote

_SENT = re.compile(r"[^.!?\n]+[.!?]?")


def parse_note(text: str, path: str) -> ParsedNote:
    title = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    note = ParsedNote(path=path, title=title)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    seen: dict[str, int] = {}
    for m in _SENT.finditer(text):
        sent = m.group().strip()
        if len(sent) < 3:
            continue
        n = seen.get(sent, 0)
        seen[sent] = n + 1
        cid = "clm:" + hashlib.sha1(f"{path}\0{sent}\0{n}".encode()).hexdigest()[:16]
        line = sum(1 for s in line_starts if s <= m.start())
        note.claims.append(
            Claim(cid, sent, None, None, "paragraph", len(note.claims), line, line, m.start(), m.end())
        )
    return note
