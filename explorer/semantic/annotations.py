"""The author's own later voice: comments on a claim, found, given a stance, and attached.

Notes written over years carry second thoughts: "(now I would disagree …)", "Not sure
about … anymore", "(??)", "This just seems plain wrong.". Such a sentence is not a claim
about the world; it is a comment on one. :class:`AnnotationDetector` takes them out of
the claim list (cutting a parenthetical out of the claim that holds it), decides a
stance, and finds the claim each one comments on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from explorer.core.model import Claim
from explorer.semantic.types import Annotation

_I = r"(?:I|I[’']m|I[’']d|I[’']ve|me|my|myself)"
# Whole sentences in the author's later voice. Each is specific on purpose: "I think X"
# alone is an ordinary claim, so first person counts only with a comment-like verb.
_SENTENCE_PATTERNS = [
    r"^\s*(?:I[’']m |I am )?not (?:so |too |really |entirely |totally )?(?:sure|convinced)\b",
    r"^\s*unsure\b",
    rf"\b{_I} (?:now |would now |[’']d now )?(?:would |[’']d )?(?:disagree|agree|doubt)\b",
    rf"\b{_I} (?:no longer|don[’']t (?:think|believe|buy)|changed my mind|used to (?:think|believe))\b",
    rf"\b{_I} (?:am|[’']m) not (?:sure|convinced)\b",
    r"^\s*(?:update|edit|edited|note to self|addendum|correction|later|in hindsight|looking back)\s*[:\-–—]",
    r"^\s*(?:this|that|it)(?: just| all| really)? (?:seems|is|sounds|looks|feels)\b.{0,40}?\b(?:wrong|right|correct|silly|naive|false|true|dubious|questionable|off|overblown|nonsense|bullshit|doubtful|unclear|exaggerated|overstated)\b",
    r"^\s*thoughts? (?:I|i) (?:had|have)\b",
    r"^\s*my (?:own )?(?:thoughts?|take|two cents|opinion|view)\b",
    r"^\s*[?!]{1,4}\s*$",
    r"^\s*\(?\s*[?!]{1,4}\s*\)?\s*$",
    r"^\s*(?:hmm+|meh|nope|agreed|exactly|indeed|doubtful|questionable)\s*[.!?]*\s*$",
]
_SENTENCE = [re.compile(p, re.I) for p in _SENTENCE_PATTERNS]
# Parenthetical asides are annotations when they speak in the first person or hedge.
_ASIDE = re.compile(
    rf"\b{_I}\b|\bnot sure\b|\bunsure\b|\bdisagree\b|\bdoubt\w*\b|\bnowadays\b|\banymore\b|"
    r"\bin hindsight\b|\bwrong\b|^\s*[?!]{1,4}\s*$",
    re.I,
)
_PAREN = re.compile(r"\(([^()]{1,400})\)")
_QUOTE = re.compile(r"[“\"‘]([^”\"’]{2,80})[”\"’]")
_DEICTIC = re.compile(
    r"^\s*\(?\s*(?:(?:this|that|it|these|those|which|so|agreed|true|wrong|nope)\b|[?!]+)", re.I
)

_STANCES = [
    (
        "disagree",
        re.compile(
            r"\bdisagree\w*\b|\bwrong\b|\bnot true\b|\bfalse\b|\bnonsense\b|\bbullshit\b|\bdon[’']t (?:think|believe|buy)\b|\bsilly\b|\bnaive\b|\boverblown\b|\bexaggerated\b",
            re.I,
        ),
    ),
    (
        "revise",
        re.compile(
            r"\banymore\b|\bany more\b|\bnowadays\b|\bthese days\b|\bno longer\b|\bchanged my mind\b|\bused to\b|\bupdate\b|\bedit\b|\bcorrection\b|\bin hindsight\b|\blooking back\b|\bnow I\b",
            re.I,
        ),
    ),
    (
        "doubt",
        re.compile(
            r"\bnot (?:so |too |really |entirely )?sure\b|\bunsure\b|\bdoubt\w*\b|\bnot convinced\b|\bquestionable\b|\bunclear\b|\bhmm+\b|\?",
            re.I,
        ),
    ),
    (
        "agree",
        re.compile(
            r"\bagree\w*\b|\bexactly\b|\bindeed\b|\bcorrect\b|\bright\b|\btrue\b|\+1\b", re.I
        ),
    ),
]


def is_annotation_sentence(text: str) -> bool:
    """True for a sentence in the author's later, commenting voice."""
    return any(p.search(text) for p in _SENTENCE)


def is_annotation_aside(inner: str) -> bool:
    """True for the inside of a parenthetical that comments rather than explains."""
    return bool(_ASIDE.search(inner))


def stance_of(text: str) -> str:
    """agree, disagree, doubt, revise, or note (the first that fits, in that order of strength)."""
    # "now I would disagree" disagrees; "not sure about X anymore" revises; "(??)" doubts.
    for stance, pat in _STANCES:
        if pat.search(text):
            return stance
    return "note"


def _ann_id(path: str, origin: str, text: str) -> str:
    return "ann:" + hashlib.sha1(f"{path}\0{origin}\0{text}".encode()).hexdigest()[:16]


@dataclass
class _Found:
    text: str
    origin: Claim
    parenthetical: bool
    at_start: bool
    start: int
    end: int
    index: int  # position among the kept claims it follows (claims[:index] are earlier)


def _strip_aside(text: str, m: re.Match) -> str:
    out = (text[: m.start()].rstrip() + " " + text[m.end() :].lstrip()).strip()
    return re.sub(r"\s+([.,;:!?])", r"\1", out)


class NullAnnotationDetector:
    """Finds no annotations (a no-op stage)."""

    def split(self, path: str, claims: Sequence[Claim]):
        return list(claims), []

    def attach(self, path, found, claims, vectors=None, embed=None) -> list[Annotation]:
        return []


class AnnotationDetector:
    """Finds annotations, cuts them out of claims, and attaches each to a target claim."""

    def __init__(self, window: int = 15) -> None:
        self.window = window  # earlier claims considered when attaching by meaning

    def split(self, path: str, claims: Sequence[Claim]) -> tuple[list[Claim], list[_Found]]:
        """The claims left once annotations are taken out, and the annotations found."""
        kept: list[Claim] = []
        found: list[_Found] = []
        for c in claims:
            text = c.text
            asides = []
            for m in reversed(list(_PAREN.finditer(text))):
                if is_annotation_aside(m.group(1)):
                    asides.append(
                        (
                            m.group(1).strip(),
                            m.start() == 0 or not text[: m.start()].strip(),
                            m.start(),
                            m.end(),
                        )
                    )
                    text = _strip_aside(text, m)
            if not text.strip(" .,;:-–—…") or is_annotation_sentence(text):
                # The whole claim is the author's comment (perhaps with asides of its own).
                found.append(_Found(c.text, c, False, False, c.start, c.end, len(kept)))
                continue
            exact = (
                len(c.text) == c.end - c.start
            )  # then offsets into the text are offsets into the file
            for inner, at_start, s, e in reversed(asides):
                start, end = (c.start + s, c.start + e) if exact else (c.start, c.end)
                # An aside opening the sentence ("(not sure …)Invention: …") looks back.
                found.append(
                    _Found(inner, c, True, at_start, start, end, len(kept) + (0 if at_start else 1))
                )
            kept.append(replace(c, text=text) if text != c.text else c)
        return kept, found

    def _target(
        self, f: _Found, kept: list[Claim], vectors, ann_vec
    ) -> tuple[Claim | None, str, float]:
        earlier = kept[: f.index]
        if f.parenthetical and not f.at_start:
            own = earlier[-1] if earlier else None
            return own, "own", 0.9
        for m in _QUOTE.finditer(f.text):
            phrase = m.group(1).casefold().strip()
            for c in reversed(earlier):
                if phrase in c.text.casefold():
                    return c, "quote", 0.8
        same = [c for c in earlier if c.section_id == f.origin.section_id][-self.window :]
        if not same:
            return (earlier[-1], "previous", 0.4) if earlier else (None, "none", 0.0)
        prev = same[-1]
        adjacent = prev.position == f.origin.position - 1 or prev.id == f.origin.id
        if _DEICTIC.match(f.text) or f.parenthetical or ann_vec is None or not vectors:
            return prev, "previous", 0.7 if adjacent else 0.5
        cands = [c for c in same if c.id in vectors]
        if not cands:
            return prev, "previous", 0.5
        M = np.stack([np.asarray(vectors[c.id], dtype=np.float32) for c in cands])
        sims = M @ ann_vec
        # A slight pull toward the nearest claims: comments tend to sit close to their target.
        recency = np.linspace(-0.03, 0.0, len(cands))
        best = int(np.argmax(sims + recency))
        return cands[best], "meaning", float(np.clip(0.3 + sims[best], 0.3, 0.9))

    def attach(
        self,
        path: str,
        found: Sequence[_Found],
        kept: list[Claim],
        vectors: Mapping[str, np.ndarray] | None = None,
        embed=None,
    ) -> list[Annotation]:
        """Annotation records with stance and target; ``embed`` embeds annotation texts if needed."""
        ann_vecs: dict[int, np.ndarray] = {}
        if vectors and embed is not None:
            need = [i for i, f in enumerate(found) if not f.parenthetical or f.at_start]
            if need:
                vecs = embed([found[i].text for i in need])
                ann_vecs = dict(zip(need, vecs, strict=True))
        out = []
        for i, f in enumerate(found):
            vec = ann_vecs.get(i)
            if vec is None and vectors and not f.parenthetical:
                vec = vectors.get(f.origin.id)
            target, how, conf = self._target(f, kept, vectors, vec)
            out.append(
                Annotation(
                    id=_ann_id(path, f.origin.id, f.text),
                    text=f.text,
                    stance=stance_of(f.text),
                    target_claim_id=target.id if target else None,
                    confidence=conf,
                    line=f.origin.line,
                    start=f.start,
                    end=f.end,
                    section_id=f.origin.section_id,
                    origin_claim_id=f.origin.id,
                    how=("parenthetical" if f.parenthetical else "sentence") + ":" + how,
                )
            )
        return out
