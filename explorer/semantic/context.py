"""The words above a claim that change what it means: headings, parent item, lead-in line.

"Not real-time." says little alone; under "Are LLMs conscious?" it is a criterion of
consciousness. Flattened exports lose heading marks, so a short line ending in ':' or
'…' (or a short question) also counts as a lead-in for the claims right after it.
"""

from __future__ import annotations

import re

from explorer.core.model import Claim, ParsedNote

LEAD_IN_SCOPE = 12  # claims after a lead-in line that it still governs
_WORD = re.compile(r"\w+")
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


def is_lead_in(text: str) -> bool:
    """A line that introduces what follows rather than stating something itself."""
    t = _TRAILING_PAREN.sub("", text).rstrip()
    if t.endswith((":", "…", "...")):
        return len(_WORD.findall(t)) <= 16
    return t.endswith("?") and len(_WORD.findall(t)) <= 6


def section_paths(note: ParsedNote) -> dict[str, str]:
    """Section id -> heading path joined with ' > '."""
    return {s.id: " > ".join(s.path) for s in note.sections}


def lead_in_scopes(claims: list[Claim]) -> dict[str, list[str]]:
    """Lead-in claim id -> ids of the claims it introduces (same section, up to the next lead-in)."""
    out: dict[str, list[str]] = {}
    current: Claim | None = None
    for c in claims:
        if current is not None and (
            current.section_id != c.section_id or len(out[current.id]) >= LEAD_IN_SCOPE
        ):
            current = None
        if is_lead_in(c.text):
            current = c
            out[c.id] = []
        elif current is not None:
            out[current.id].append(c.id)
    return out


def claim_contexts(note: ParsedNote, claims: list[Claim] | None = None) -> dict[str, str]:
    """Claim id -> the text of the headings, parent item and lead-in above it."""
    claims = note.claims if claims is None else claims
    paths = section_paths(note)
    by_id = {c.id: c for c in claims}
    out: dict[str, str] = {}
    lead: Claim | None = None
    lead_age = 0
    for c in claims:
        if lead is not None and (lead.section_id != c.section_id or lead_age >= LEAD_IN_SCOPE):
            lead = None
        parts = []
        if c.section_id and c.section_id in paths:
            parts.append(paths[c.section_id])
        parent = by_id.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            parts.append(parent.text)
        if lead is not None and lead is not parent:
            parts.append(lead.text)
        out[c.id] = " | ".join(parts)
        if is_lead_in(c.text):
            lead, lead_age = c, 0
        else:
            lead_age += 1
    return out
