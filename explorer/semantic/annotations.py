"""The author's own later voice: comments on a claim, found, given a stance, and attached.

Notes written over years carry second thoughts: "(now I would disagree …)", "Not sure
about this anymore.", "(??)", "This just seems plain wrong.". Such a sentence is not a
claim about the world; it is a comment on one. :class:`AnnotationDetector` takes them
out of the claim list (cutting a parenthetical out of the claim that holds it), decides
a stance, and finds the claim each one comments on.

Attachment, first rule that applies:

1. a parenthetical inside or after a sentence: that sentence;
   a parenthetical opening a glued line ("(not sure …)Invention: …"): the claim before;
2. a quoted phrase ("the “truthfulness” argument"): the latest claim containing it;
3. a nested list item: its parent item;
4. a lead-in ("Thoughts I had some time:"): the claim it introduces;
5. otherwise the claim just before it in the section, unless (with vectors) another
   earlier claim of the section is clearly closer in meaning.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from explorer.core.fragments import is_fragment
from explorer.core.inline import math_spans, without_math
from explorer.core.model import Claim, Section
from explorer.semantic.context import is_lead_in
from explorer.semantic.prefilter import PatternSet
from explorer.semantic.types import Annotation

_I = r"(?:I|I[’']m|I[’']d|I[’']ve|me|my|myself)"
# Whole sentences in the author's later voice. Each is specific on purpose: "I think X"
# alone is an ordinary claim, so first person counts only with a comment-like verb.
_SENTENCE_PATTERNS = [
    r"^(?:I[’']m |I am )?not (?:so |too |really |entirely |totally )?(?:sure|convinced)\b",
    r"^unsure\b",
    rf"\b{_I} (?:now |would now |[’']d now |still )?(?:would |[’']d )?(?:disagree|agree|doubt)\b",
    rf"\b{_I} (?:no longer|don[’']t (?:think|believe|buy)|changed my mind|used to (?:think|believe))\b",
    rf"\b{_I} (?:am|[’']m) not (?:sure|convinced)\b",
    rf"\b{_I} (?:would now|now think|now believe|now doubt)\b",
    r"^(?:update|edit|edited|note to self|addendum|correction|later|in hindsight|looking back)\b[^:]{0,25}[:\-–—]",
    r"^(?:(?:this|that|it|which) )?still (?:agree|holds|stands|true|valid)\b(?!(?:\W+\w+){10})",
    r"^(?:much |a bit |somewhat )?(?:less|more) sure\b",
    r"^(?:this|that|it)(?: just| all| really)? (?:seems|is|sounds|looks|feels)\b.{0,40}?\b(?:wrong|right|correct|silly|naive|false|true|dubious|questionable|off|overblown|nonsense|bullshit|doubtful|unclear|exaggerated|overstated)\b"
    r"(?:\s+(?:to me|now|anymore|here|imo|tbh|after all)){0,3}\s*(?:[.!?,;:)]|$|(?:because|since|as|given)\b)",
    r"^thoughts? (?:I|i) (?:had|have)\b",
    r"^my (?:own )?(?:thoughts?|take|two cents|opinion|view)\b",
    r"^\(\s*(?=[?!]*\?)[?!]{1,4}\s*\)\s*$",
    r"^hmm+\b",
    r"^(?:meh|nope|agreed|exactly|indeed|doubtful|questionable)\s*[.!?]*\s*$",
]
_SENTENCE = [re.compile(p, re.I) for p in _SENTENCE_PATTERNS]
# Asked of every sentence: one literal scan first (prefilter.PatternSet), then the few
# patterns that could match.
_SENTENCE_SET = PatternSet(_SENTENCE)
_LEADING_DEBRIS = re.compile(r"^[^\w(?!]+")
# Parenthetical asides are annotations when they speak in the first person or hedge.
_ASIDE = re.compile(
    r"(?<![\w.\-])(?:I|i)(?=\s+[a-z])|(?<![\w.\-])I[’'](?:m|d|ve)\b|\b(?:me|my|myself)\b|"
    r"\bnot sure\b|\bunsure\b|\bdisagree\b|\bdoubt\w*\b|\bnowadays\b|\banymore\b|"
    r"\bin hindsight\b|\bwrong\b|^\s*(?=[?!]*\?)[?!]{1,4}\s*$|^\s*(?:later|edit|edited|update|correction)\b|"
    r"\bstill (?:agree|holds|stands)\b|\b(?:less|more) sure\b",
    re.I,
)
# An aside opens after a space or at the start: "f(x)" and "y^{(i)}" are notation.
_PAREN = re.compile(r"(?<![\w^_{}\\$])\(([^()]{1,400})\)")
# Quoted text is somebody's words (an example, a title), not the author's comment.
_QUOTED = re.compile(
    r"“[^”]{0,200}”|\"[^\"]{0,200}\"|(?<!\w)‘[^’]{0,200}’(?!\w)|(?<!\w)'[^']{0,200}'(?!\w)|`[^`]*`"
)
# Inside an aside: LaTeX, code-ish notation, an enumerator "(i)", "(iv)", "(b)".
_NOTATION = re.compile(r"[\\^_{}=<>|]|^\s*(?:[ivxlcdm]{1,5}|[a-z]|\d{1,3})\s*$", re.I)
# Title Case words (a source or chapter named in brackets): "(And How Things Go Wrong)".
_TITLE = re.compile(r"^\s*(?:[A-Z][\w'’-]*[\s:,]+){2,}[A-Z][\w'’-]*[?!.]?\s*$")
_QUOTE = re.compile(r"[“\"‘]([^”\"’]{2,80})[”\"’]")
# "this", "that" early in a comment point at the claim just before it.
_DEICTIC = re.compile(
    r"^\W*(?:\w+\W+){0,4}?(?:this|that|it|these|those)\b|^\W*(?:agreed|true|wrong|nope|still)\b|^\W*[?!]+",
    re.I,
)
MEANING_MARGIN = 0.1  # how much closer in meaning another claim must be than the previous one

_STANCES = [
    (
        "revise",
        re.compile(
            r"^\W*(?:update|edit|edited|correction)\b|\bchanged my mind\b|\bwould now say\b|\bI now think\b",
            re.I,
        ),
    ),
    (
        "disagree",
        re.compile(
            r"\bdisagree\w*\b|\bwrong\b|\bnot true\b|^\W*false\b|\b(?:is|are|was|seems|sounds|looks|just|plainly|simply|probably) false\b|\bnonsense\b|\bbullshit\b|\bdon[’']t (?:think|believe|buy)\b|\bno longer (?:think|believe|agree)\b|\boverblown\b|\bexaggerated\b",
            re.I,
        ),
    ),
    (
        "doubt",
        re.compile(
            r"\bnot (?:so |too |really |entirely )?sure\b|\bunsure\b|\bdoubt\w*\b|\bnot convinced\b|\b(?:less|more) sure\b|\bquestionable\b|\bunclear\b|\bhmm+\b|\?",
            re.I,
        ),
    ),
    (
        "agree",
        re.compile(
            r"\bagree[ds]?\b|\bstill (?:holds|stands|true|valid)\b|^\W*(?:exactly|indeed|correct|true)\b|\b(?:is|seems|still|looks|sounds) (?:\w+ )?correct\b|\+1\b",
            re.I,
        ),
    ),
    (
        "revise",
        re.compile(
            r"\banymore\b|\bany more\b|\bnowadays\b|\bthese days\b|\bno longer\b|\b(?:I|we) used to\b|\bin hindsight\b|\blooking back\b|^\W*later\s*[:,\-–—]",
            re.I,
        ),
    ),
]
# The reason given after the verdict does not change it ("not sure ... because X is silly").
_REASON = re.compile(r"\b(?:because|since|as far as|given that)\b.*$", re.I | re.S)


def is_annotation_sentence(text: str) -> bool:
    """True for a sentence in the author's later, commenting voice.

    Quoted words and inline math are somebody else's words or notation: "\"I disagree\"
    is a short answer" is an example, not the author disagreeing.
    """
    text = _unquoted(text)
    text = _LEADING_DEBRIS.sub("", text)  # a stray ')' or '- ' left by a glued export
    return _SENTENCE_SET.search_any(text)


def is_annotation_aside(inner: str) -> bool:
    """True for the inside of a parenthetical that comments rather than explains."""
    if _NOTATION.search(inner) or _TITLE.match(inner):
        return False
    return bool(_ASIDE.search(_unquoted(inner)))


def _unquoted(text: str) -> str:
    """``text`` without its quotations, code and inline math."""
    text = without_math(text)
    if '"' in text or "“" in text or "'" in text or "‘" in text or "`" in text:
        text = _QUOTED.sub(" ", text)
    return text


def stance_of(text: str) -> str:
    """revise, disagree, doubt, agree, or note: the first that fits, strongest first.

    "Update 2024: I changed my mind" revises; "(now I would disagree: ...)" disagrees;
    "Not sure about this anymore." and "(??)" doubt; "I still agree" agrees.
    """
    verdict = _REASON.sub("", text) or text
    for stance, pat in _STANCES:
        if pat.search(verdict):
            return stance
    return "note"


def _ann_id(path: str, origin: str, text: str) -> str:
    return "ann:" + hashlib.sha1(f"{path}\0{origin}\0{text}".encode()).hexdigest()[:16]


@dataclass
class Found:
    """An annotation found by :meth:`AnnotationDetector.split`, not yet attached."""

    text: str
    origin: Claim
    parenthetical: bool
    at_start: bool
    start: int
    end: int
    index: int  # kept[:index] are the claims before it
    heading: bool = False  # a heading line in the author's voice ("Thoughts I had some time:")


def _strip_aside(text: str, m: re.Match) -> str:
    out = (text[: m.start()].rstrip() + " " + text[m.end() :].lstrip()).strip()
    return re.sub(r"\s+([.,;:!?])", r"\1", out)


class NullAnnotationDetector:
    """Finds no annotations (a no-op stage)."""

    def split(self, path: str, claims: Sequence[Claim], sections: Sequence[Section] = ()):
        return list(claims), []

    def attach(self, path, found, claims, vectors=None, embed=None) -> list[Annotation]:
        return []


class AnnotationDetector:
    """Finds annotations, cuts them out of claims, and attaches each to a target claim."""

    def __init__(self, window: int = 15) -> None:
        self.window = window  # earlier claims of the section considered by meaning

    def split(
        self, path: str, claims: Sequence[Claim], sections: Sequence[Section] = ()
    ) -> tuple[list[Claim], list[Found]]:
        """The claims left once annotations are taken out, and the annotations found.

        ``sections`` lets a heading in the author's voice (a flat export's bare
        "Thoughts I had some time:" line often becomes one) count as an annotation on
        the first claim under it.
        """
        kept: list[Claim] = []
        found: list[Found] = []
        voiced = {s.id: s for s in sections if is_annotation_sentence(s.title)}
        for c in claims:
            if c.section_id in voiced:
                s = voiced.pop(c.section_id)
                found.append(
                    Found(s.title, c, False, False, s.start, s.end, len(kept), heading=True)
                )
            text = c.text
            asides = []
            maths = math_spans(text)
            for m in reversed(list(_PAREN.finditer(text))):
                if any(a < m.end() and m.start() < b for a, b in maths):
                    continue  # notation inside a formula: the formula is atomic
                if is_annotation_aside(m.group(1)):
                    opening = not text[: m.start()].strip()
                    asides.append((m.group(1).strip(), opening, m.start(), m.end()))
                    text = _strip_aside(text, m)
            if not text.strip(" .,;:-–—…") or is_annotation_sentence(text):
                # The whole claim is the author's comment (perhaps with asides of its own).
                found.append(Found(c.text, c, False, False, c.start, c.end, len(kept)))
                continue
            # When the clean text is as long as its source, offsets carry over to the file.
            exact = len(c.text) == c.end - c.start
            for inner, opening, s, e in reversed(asides):
                start, end = (c.start + s, c.start + e) if exact else (c.start, c.end)
                index = len(kept) + (0 if opening else 1)
                found.append(Found(inner, c, True, opening, start, end, index))
            if text != c.text:  # what is left once the asides are out may be a fragment
                c = replace(c, text=text, fragment=c.fragment or is_fragment(text))
            kept.append(c)
        return kept, found

    def _target(
        self, f: Found, kept: list[Claim], vectors, ann_vec
    ) -> tuple[Claim | None, str, float]:
        earlier = kept[: f.index]
        if f.heading:
            return (kept[f.index] if f.index < len(kept) else None), "next", 0.7
        if f.parenthetical and not f.at_start:
            return (earlier[-1] if earlier else None), "own", 0.9
        for m in _QUOTE.finditer(f.text):
            phrase = m.group(1).casefold().strip()
            for c in reversed(earlier):
                if phrase in c.text.casefold() and not is_lead_in(c.text):
                    return c, "quote", 0.8
        if f.origin.parent_id and not f.parenthetical:
            parent = next((c for c in reversed(earlier) if c.id == f.origin.parent_id), None)
            if parent is not None:
                return parent, "parent", 0.8
        if not f.parenthetical and is_lead_in(f.text):
            # "Thoughts I had some time:" comments on what it introduces.
            nxt = kept[f.index] if f.index < len(kept) else None
            if nxt is not None and nxt.section_id == f.origin.section_id:
                return nxt, "next", 0.7
        same = [c for c in earlier if c.section_id == f.origin.section_id][-self.window :]
        if not same:
            return (earlier[-1], "previous", 0.4) if earlier else (None, "none", 0.0)
        prev = same[-1]
        prev_conf = 0.7 if prev.position == f.origin.position - 1 else 0.5
        if _DEICTIC.search(f.text) or f.parenthetical or ann_vec is None or not vectors:
            return prev, "previous", prev_conf
        cands = [c for c in same if c.id in vectors]
        if not cands or cands[-1] is not prev:
            return prev, "previous", prev_conf
        M = np.stack([np.asarray(vectors[c.id], dtype=np.float32) for c in cands])
        sims = M @ np.asarray(ann_vec, dtype=np.float32)
        best = int(np.argmax(sims))
        # Comments sit right after their claim far more often than not: another claim
        # must be clearly closer in meaning to win over the previous one.
        if best != len(cands) - 1 and sims[best] - sims[-1] >= MEANING_MARGIN:
            return cands[best], "meaning", float(np.clip(0.3 + sims[best], 0.3, 0.9))
        return prev, "previous", prev_conf

    def attach(
        self,
        path: str,
        found: Sequence[Found],
        kept: list[Claim],
        vectors: Mapping[str, np.ndarray] | None = None,
        embed=None,
    ) -> list[Annotation]:
        """Annotation records with stance and target; ``embed`` embeds their texts if needed."""
        ann_vecs: dict[int, np.ndarray] = {}
        if vectors and embed is not None:
            need = [
                i for i, f in enumerate(found) if not f.parenthetical and f.origin.id not in vectors
            ]
            if need:
                ann_vecs = dict(zip(need, embed([found[i].text for i in need]), strict=True))
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
                    how=(
                        "parenthetical"
                        if f.parenthetical
                        else "heading"
                        if f.heading
                        else "sentence"
                    )
                    + ":"
                    + how,
                )
            )
        return out
