"""Structure that a flattened export (or a plain text note) keeps without Markdown marks.

Exports lose ``#`` marks, blank lines and list bullets, and leave debris behind. These are
the general rules the parser applies to a top-level paragraph line, in this order:

1. **Debris** is never a claim: ``Transclude of Note#^id`` (kept as a link),
   ``Link to original``, an empty link ``![]()``, formula remains such as ``… =length``.
2. **Known section words** (``References``, ``Sources``, ``See also``, ``Summary`` …)
   alone on a line are headings.
3. **Label families**: when two or more lines open with the same ``Label:`` and every one
   of them continues with a short title (``Functional limitation: Reliability``), optionally
   followed by `` - `` and a sentence, each is a heading ``Label: Title``; the sentence after
   the dash is a claim in that section. A lone ``Peculiarity: Once it selects…`` is a claim.
4. **Colon intros**: a short line (at most 12 words, one sentence) ending in ``:``,
   optionally followed by a parenthetical (``Limitations of X: (mostly from Y)``), is a
   heading that introduces what follows, one level below the current heading. Lines ending in
   an enumeration cue (``for example:``, ``such as:``) stay claims.
5. **Question headings**: a short question (at most 8 words) on its own line is a heading
   when the next line answers it, that is, is content and not another question, and it does
   not itself stand in a list of questions (the previous line is neither a question nor a
   ``:`` intro). ``Are LLMs conscious?`` followed by an answer is a heading; the questions
   after ``The questions we need to be asking:`` are claims.
6. **Plain headings**: a short line (at most 10 words, 80 characters) that starts with a
   capital, has no final punctuation, no verb of a sentence (``is``, ``are``, ``can``,
   ``not``…), no URL or ``=``, and is directly followed by content is a heading, unless the
   line before or after has the same shape (then the run is an unmarked list, and stays
   claims). One that starts with a digit is a heading only above a list (``3 things made it
   possible``), not above prose (``28 TFLOPS for the half-precision format``).
   ``Learning roadmap (from ZickZack)`` and ``Capability limitations`` are headings;
   ``LLMs are not controllable`` is a claim.

Inside a references-like section (``References``, ``Sources``…), rules 5 and 6 are off: its
short lines are entries, not headings.

Levels: a marked heading has its ``#`` count; plain, question, known-word and family
headings sit one level below the last marked heading (level 2 in a note without marks, the
note itself being level 1); a colon intro sits one level below the heading it follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def word_set(words: str) -> frozenset[str]:
    """A set of whitespace-separated words, written as one readable string."""
    return frozenset(words.split())


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_LEAD_MARKUP = "*_=~\"'“‘([`#> \t"
_TERMINAL = ".,;:!?…-–—=+*/\\|&"

VERB_CUES = word_set(
    """is are was were be been being am can cannot can't could will won't would should shall
    may might must do does did don't doesn't didn't has have had not isn't aren't wasn't
    weren't shouldn't wouldn't couldn't never"""
)
SECTION_WORDS = word_set(
    """references sources source bibliography citations footnotes notes links resources
    related summary conclusion conclusions background introduction overview abstract
    takeaways todo questions"""
) | {
    "see also",
    "further reading",
    "reading list",
    "related notes",
    "open questions",
    "key takeaways",
    "external links",
    "tl;dr",
    "tldr",
}
REFERENCE_WORDS = word_set(
    """references sources source bibliography citations footnotes links resources related"""
) | {"see also", "further reading", "reading list", "related notes", "external links"}
_ENUM_CUES = (
    "for example",
    "for instance",
    "e.g.",
    "i.e.",
    "such as",
    "including",
    "like",
    "namely",
    "as follows",
    "the following",
    "following",
    "e.g",
    "eg",
)

_DEBRIS = re.compile(
    r"(?:Link to original|Transclude of \S.*|!?\[[^\]\n]*\]\(\s*\)|\[\[\s*\]\]|Open in Obsidian"
    r"|Open original|Back to top|\^[A-Za-z0-9-]+)",
    re.IGNORECASE,
)
_LETTER_RUN = re.compile(r"[^\W\d_]{2,}")
_FORMULA_SYMBOLS = re.compile(r"[=^_\\{}<>|∑∫√±×÷≤≥≈∞]")
_ARROW = re.compile(r"(?:->|=>|-->|[→⇒➔➜⟶])")
_ARROW_LEAD = re.compile(r"[ \t]*(?:->|=>|-->|[→⇒➔➜⟶])[ \t]*")
_ARROW_INNER = re.compile(r"[ \t]+(?:->|=>|-->|[→⇒➔➜⟶])[ \t]+(?=\S)")
_PREFIX = re.compile(r"([A-Z][\w'’-]*(?: [\w'’-]+){0,2}): (\S.*)$")
_DASH = re.compile(r" [-–—] ")
_COLON_END = re.compile(r"^(?P<head>.*?\S)\s*:\s*(?:\((?P<paren>[^()]*)\))?\s*$")
_URLISH = re.compile(r"https?://|www\.|\[\[|\]\(")
_INNER_STOP = re.compile(r"[.!?…]\s+\S")
_STOPWORD_END = re.compile(
    r"\b(?:the|a|an|of|to|and|or|in|on|with|for|by|from|that|which|as|at|but|into|than)\s*$",
    re.IGNORECASE,
)


_PROPERTY_TEXT = re.compile(r"[A-Za-z](?:[\w -]{0,40}?\w)?::(?:[ \t]|$)")


def is_property_text(text: str) -> bool:
    """A Dataview ``key:: value`` field."""
    return bool(_PROPERTY_TEXT.match(text.strip()))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _first_char(text: str) -> str:
    for c in text:
        if c not in _LEAD_MARKUP:
            return c
    return ""


def _starts_upper(text: str) -> bool:
    c = _first_char(text)
    return c.isupper() or c.isdigit()


def _has_verb(ws: list[str]) -> bool:
    return any(w.lower().replace("’", "'") in VERB_CUES for w in ws)


def is_debris(text: str) -> bool:
    """Export leftovers that are never a claim (their links are still collected)."""
    t = text.strip()
    if not t:
        return False
    if _DEBRIS.fullmatch(t):
        return True
    # formula remains: "… =length", "x^2 + y"
    return bool(_FORMULA_SYMBOLS.search(t)) and len(_LETTER_RUN.findall(t)) <= 1


def arrow_pieces(text: str) -> list[tuple[int, int]] | None:
    """Items of a line that opens with an arrow (``→ Is it…? → Does it…?``), or None."""
    lead = _ARROW_LEAD.match(text)
    if not lead or lead.end() >= len(text.rstrip()):
        return None
    pieces = []
    start = lead.end()
    for m in _ARROW_INNER.finditer(text, start):
        pieces.append((start, m.start()))
        start = m.end()
    pieces.append((start, len(text.rstrip())))
    return [(a, b) for a, b in pieces if b > a]


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip("\"'”’»)]*_")
    return bool(t) and t[-1] in ".!?…:;"


def joins(prev: str, nxt: str) -> bool:
    """Whether ``nxt`` continues the sentence of ``prev`` (a soft-wrapped line)."""
    if ends_sentence(prev):
        return False
    n = nxt.lstrip()
    if not n:
        return False
    if n.startswith(("…", "...")):
        rest = n.lstrip("….").lstrip()
        return bool(rest) and rest[0].islower()
    c = n[0]
    if c.islower():
        return True
    return c.isalpha() and bool(_STOPWORD_END.search(prev))


def is_section_word(text: str) -> bool:
    return text.strip().rstrip(":").strip().lower() in SECTION_WORDS


def is_reference_title(title: str) -> bool:
    return title.strip().rstrip(":").strip().lower() in REFERENCE_WORDS


def title_like(text: str, max_words: int = 6) -> bool:
    t = text.strip()
    ws = words(t)
    if not ws or len(ws) > max_words or not _starts_upper(t):
        return False
    if t[-1] in _TERMINAL or _INNER_STOP.search(t):
        return False
    return not _has_verb(ws)


def plain_shape(text: str) -> bool:
    """A short title-like line: the shape of an un-marked heading."""
    t = text.strip()
    if not t or len(t) > 80 or _URLISH.search(t) or is_debris(t):
        return False
    ws = words(t)
    if not 1 <= len(ws) <= 10 or not _starts_upper(t):
        return False
    if t[-1] in _TERMINAL or _INNER_STOP.search(t) or _has_verb(ws) or "=" in t:
        return False
    colon = t.find(": ")
    if colon >= 0:  # "Title: Subtitle" with a short subtitle
        return len(ws) <= 6 and title_like(t[colon + 2 :], 3)
    return not _ARROW.search(t)


def question_shape(text: str) -> bool:
    t = text.strip().rstrip("\"'”’)*_")
    if not t.endswith("?") or _URLISH.search(t):
        return False
    ws = words(t)
    return 1 <= len(ws) <= 8 and _starts_upper(t) and not _INNER_STOP.search(t[:-1])


def colon_shape(text: str) -> bool:
    t = text.strip()
    m = _COLON_END.match(t)
    if not m or ": " in m.group("head") or _URLISH.search(t):
        return False
    head = m.group("head")
    ws = words(head)
    if not 1 <= len(ws) <= 12 or _INNER_STOP.search(head):
        return False
    low = head.lower()
    return not any(low == cue or low.endswith(" " + cue) for cue in _ENUM_CUES)


def colon_title(title: str) -> str:
    """``Limitations of X: (mostly Y)`` -> ``Limitations of X (mostly Y)``."""
    m = _COLON_END.match(title.strip())
    if not m:
        return title.strip()
    paren = m.group("paren")
    return m.group("head") + (f" ({paren.strip()})" if paren and paren.strip() else "")


def families(lines: list[str]) -> frozenset[str]:
    """``Label:`` prefixes that mark headings in this note (rule 3)."""
    members: dict[str, list[str]] = {}
    for line in lines:
        m = _PREFIX.match(line.strip())
        if m:
            members.setdefault(m.group(1), []).append(m.group(2))
    found = set()
    for prefix, rests in members.items():
        if len(rests) < 2:
            continue
        shaped = all(title_like(r) or title_like(_DASH.split(r, 1)[0]) for r in rests)
        if shaped and (len(rests) >= 3 or any(title_like(r) for r in rests)):
            found.add(prefix)
    return frozenset(found)


_MAX_HEADING_CHARS = 160  # longer than any colon intro, question or plain heading allowed


@dataclass(frozen=True, slots=True)
class HeadingCall:
    kind: str  # "known" | "family" | "colon" | "question" | "plain"
    title_end: int  # offset in the line's text where the title ends
    rest_start: int | None = None  # where a claim after "Label: Title - " starts


def classify(
    text: str,
    prev: tuple[str, str] | None,
    nxt: tuple[str, str] | None,
    family: frozenset[str],
    in_references: bool,
) -> HeadingCall | None:
    """Whether a top-level paragraph line is an un-marked heading, and which kind.

    ``prev`` and ``nxt`` are the neighbouring lines as (kind, text), kind being the line
    kind of ``markdown`` ("para", "list", "quote", "blank", …), or None at the note's edges.
    """
    t = text.rstrip()
    if len(t) > _MAX_HEADING_CHARS and not family:
        return None  # every kind of un-marked heading is a short line; most lines are not
    if not t.strip() or is_debris(t):
        return None
    if is_section_word(t):
        return HeadingCall("known", len(t))
    if family:
        m = _PREFIX.match(t.strip())
        if m and m.group(1) in family:
            lead = len(t) - len(t.lstrip())
            rest = m.group(2)
            rest_at = lead + m.start(2)
            if title_like(rest):
                return HeadingCall("family", len(t))
            dash = _DASH.search(rest)
            if dash and title_like(rest[: dash.start()]):
                return HeadingCall("family", rest_at + dash.start(), rest_at + dash.end())
    if colon_shape(t):
        return HeadingCall("colon", len(t))
    if in_references:
        return None
    if nxt is None or nxt[0] not in ("para", "list", "quote", "table"):
        return None  # nothing with content follows
    if nxt[1].lstrip().startswith(("…", "...")):
        return None  # the next line continues this one
    if question_shape(t):
        if nxt[0] == "para" and question_shape(nxt[1]):
            return None
        if (
            prev is not None
            and prev[0] == "para"
            and (question_shape(prev[1]) or prev[1].rstrip().endswith(":"))
        ):
            return None
        return HeadingCall("question", len(t))
    if plain_shape(t):
        if nxt[0] == "para" and plain_shape(nxt[1]):
            return None
        if _first_char(t).isdigit() and nxt[0] != "list":
            return None  # "28 TFLOPS for half precision": a figure, unless it heads a list
        if prev is not None and prev[0] == "para" and plain_shape(prev[1]):
            return None
        return HeadingCall("plain", len(t))
    return None
