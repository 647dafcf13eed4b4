"""Whose voice a claim is in: the source's (a talk, paper, book the note is about) or the
author's own, and which claim an unmarked reaction of the author answers.

Notes on a talk or a paper interleave what the source says with the note-taker's reactions.
The annotation stage finds reactions that carry a marker ("not sure about this anymore");
this stage finds the unmarked ones and says, per claim, whose voice it is:

* **Is the note about a source?** Its front matter or Dataview fields name a source,
  author or speaker; or its title, first heading or tags say notes on / seminar / talk /
  lecture / book / paper / podcast / reading notes. In any other note (one's own notebook)
  every claim is the author's.
* **The author's claims in a note on a source**: an unmarked reaction (below), first-person
  words ("I", "my"), a task, a claim under a heading of the author's own ("My questions",
  "Side notes", "Thoughts", "Homework"), a "See also" line. Everything else reports the
  source.
* **Unmarked reactions**, in any note, each with the claim it answers:
  a short evaluative reply right after a question ("Probably not, since ...") answers the
  question; a remark in statement word order that ends in (or holds) a question mark
  ("passing says more about the judges than the machine?") answers its parent item or the
  claim before; "Or ..." proposes an alternative to the claim before; a comment opening
  with a pointer to what was just said ("That is calibration, not experience.", "This
  suggests ...", "Yet ...") or naming "this argument / point / claim"; a first-person
  verdict ("I find the second story more convincing", "I found this the strongest");
  a parenthetical of the author's own experience ("(in my tests ...)") answers its own
  claim. The target is the parent item when there is one, else the nearest earlier claim
  in the section that is not itself a reaction, unless with vectors one of the three
  before it is clearly closer in meaning.

Pure functions over a parsed note and its kept claims; no database, no model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.model import Claim, ParsedNote
from explorer.semantic.kinds import is_question

VOICES = ("author", "source")

_SOURCE_KEYS = {"source", "author", "authors", "speaker", "speakers", "lecturer", "book", "paper"}
_SOURCE_TITLE = re.compile(
    r"^\s*(?:notes?\s+on|reading\s+notes|seminar|talk|lecture|keynote|podcast|book|paper|"
    r"summary\s+of|review\s+of|session)\b",
    re.I,
)
_SOURCE_TAGS = re.compile(
    r"^(?:reading[-_ ]?notes?|seminar|talk|lecture|book|paper|podcast|literature)$", re.I
)
_OWN_HEADING = re.compile(
    r"\b(?:my|own|thoughts?|reactions?|comments?|side\s+notes?|homework|to-?do|questions\s+i)\b",
    re.I,
)
_WORD = re.compile(r"\w+")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself)\b")
_SEE_ALSO = re.compile(r"^\s*see\s+also\b", re.I)
_OR_ALTERNATIVE = re.compile(r"^\s*or\b[\s,]", re.I)
_POINTER = re.compile(
    r"^\s*(?:(?:that|this|these|those|which)\s+(?:is|are|was|were|looks?|seems?|sounds?|"
    r"suggests?|says?|shows?|means?|feels?|reads?)\b|(?:yet|still)\b[\s,]|"
    r"(?:probably|maybe|perhaps|possibly|likely|unlikely|arguably)\b[\s,]+(?:not|so|yes|no)\b|"
    r"(?:yes|no|not really|not quite|true|fair|agreed)\b[\s,.:;!-])",
    re.I,
)
_NAMES_IT = re.compile(
    r"\b(?:this|that|the)\s+(?:argument|point|claim|idea|view|objection|estimate|story|"
    r"reasoning|conclusion)\b",
    re.I,
)
_VERDICT = re.compile(
    r"\bI\s+(?:honestly\s+|really\s+|still\s+)?(?:find|found|think|thought|doubt|like|liked|"
    r"disagree|agree|suspect|guess|cannot\s+tell|can't\s+tell|am\s+not\s+sure|'m\s+not\s+sure|"
    r"buy|don't\s+buy|do\s+not\s+buy|prefer)\b|\bwhich\s+I\s+(?:like|doubt|find)\b",
    re.I,
)
_HEDGE = re.compile(r"\b(?:probably|maybe|perhaps|possibly|might|seems?|not sure|i guess)\b", re.I)
_OWN_PAREN = re.compile(
    r"\((?:[^()]*\b(?:in my|my own|I\s+(?:saw|see|tried|found|noticed|had|use))\b[^()]*)\)",
    re.I,
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:who|what|when|where|why|how|which|whose|whom|is|are|was|were|do|does|did|can|"
    r"could|would|will|should|shall|may|might|has|have|had|must)\b",
    re.I,
)
SHORT_REPLY_WORDS = 16
CLOSER = 0.1  # a claim further back must be this much closer in cosine to win the target


@dataclass(frozen=True, slots=True)
class Voice:
    claim_id: str
    voice: str  # "author" | "source"
    confidence: float
    answers: str | None = None  # the claim this one reacts to
    how: str = ""  # why: "own note", "reply to a question", "first person", ...


def note_is_on_a_source(note: ParsedNote) -> bool:
    """The note records a talk, paper, book or seminar rather than the author's own notes."""
    keys = {str(k).casefold() for k in (note.frontmatter or {})} | {
        str(k).casefold() for k in (note.properties or {})
    }
    if keys & _SOURCE_KEYS:
        return True
    titles = [note.title] + [s.title for s in note.sections[:1]]
    if any(_SOURCE_TITLE.search(t or "") for t in titles):
        return True
    return any(_SOURCE_TAGS.match(t.lstrip("#").split("/")[-1]) for t in note.tags)


def is_statement_question(text: str) -> bool:
    """A remark in statement word order that ends in, or holds, a question mark:
    hedged ("passing says more about the judges?"), not a real question."""
    if "?" not in text:
        return False
    text = re.sub(r"\(\?\?+\)", "", text)  # "(??)" is an annotation marker: its own stage
    if "?" not in text:
        return False
    bare = re.sub(r"\([^()]*\)", "", text).strip()  # "(?)" is a remark; its sentence may ask
    if bare.rstrip(". ").endswith("?") and _QUESTION_WORD.match(bare):
        return False
    return not re.fullmatch(r"[\s(?!)]*", text)


def reaction_kind(claim: Claim, previous: Claim | None) -> tuple[str, float] | None:
    """How ``claim`` reacts to what came before (``previous`` claim), with a confidence;
    None when it is no unmarked reaction."""
    text = claim.text
    # Every claim of the vault comes through here: the cheap and the likely-false tests
    # go first, and the words are counted only where a rule needs them.
    if (
        previous is not None
        and is_question(previous.text)
        and not is_question(text)
        and _words(text) <= SHORT_REPLY_WORDS
        and (_POINTER.search(text) or _HEDGE.search(text) or _FIRST_PERSON.search(text))
    ):
        return "reply to a question", 0.8
    if is_statement_question(text):
        return "hedged remark", 0.7
    if _OR_ALTERNATIVE.search(text):
        return "alternative", 0.7
    if _VERDICT.search(text):
        return "first-person verdict", 0.75
    if _POINTER.search(text):
        return "comment on what came before", 0.6
    if _NAMES_IT.search(text) and _words(text) <= SHORT_REPLY_WORDS:
        return "comment on what came before", 0.55
    return None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def detect_voices(
    note: ParsedNote,
    claims: Sequence[Claim],
    vectors: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Voice]:
    """Claim id -> its :class:`Voice` (every claim of ``claims``)."""
    on_source = note_is_on_a_source(note)
    headings = {s.id: " > ".join(s.path) for s in note.sections}
    by_id = {c.id: c for c in claims}
    out: dict[str, Voice] = {}
    previous: Claim | None = None
    earlier: list[Claim] = []  # claims of the current section that are no reaction
    for c in claims:
        if previous is not None and previous.section_id != c.section_id:
            previous, earlier = None, []
        parent = by_id.get(c.parent_id) if c.parent_id else None
        before = parent or previous
        react = reaction_kind(c, before)
        answers = None
        if react is not None:
            answers = _target(c, parent, previous, earlier, vectors, react[0])
        if react is None and _OWN_PAREN.search(c.text):
            react, answers = ("own experience in parentheses", 0.6), c.id
        if react is not None and answers is not None:
            voice, conf, how = "author", react[1], react[0]
        elif not on_source:
            voice, conf, how = "author", 0.8, "own note"
        elif c.block == "task":
            voice, conf, how = "author", 0.9, "a task"
        elif _FIRST_PERSON.search(c.text) or _SEE_ALSO.search(c.text):
            voice, conf, how = "author", 0.8, "first person"
        elif _OWN_HEADING.search(headings.get(c.section_id or "", "")):
            voice, conf, how = "author", 0.7, "under the author's own heading"
        else:
            voice, conf, how = "source", 0.7, "reports the source"
        if how == "own experience in parentheses" and on_source:
            voice = "source"  # the sentence is the source's; its parenthetical is the author's
        out[c.id] = Voice(c.id, voice, conf, answers, how)
        if react is None:
            earlier.append(c)
        previous = c
    return out


def _target(claim, parent, previous, earlier, vectors, how) -> str | None:
    if parent is not None:
        return parent.id
    if previous is None:
        return None
    if how == "reply to a question" or how == "alternative":
        return previous.id
    candidates = earlier[-3:][::-1]  # nearest first
    if not candidates:
        return previous.id
    best = candidates[0]
    if vectors and claim.id in vectors and len(candidates) > 1:
        v = np.asarray(vectors[claim.id], dtype=np.float64)
        sims = [
            float(np.dot(v, np.asarray(vectors[c.id], dtype=np.float64)))
            if c.id in vectors
            else -1.0
            for c in candidates
        ]
        top = int(np.argmax(sims))
        if sims[top] >= sims[0] + CLOSER:
            best = candidates[top]
    return best.id
