"""Sentence boundaries in one block of masked text.

The input has links, code, URLs and math already masked (see ``inline.mask``), so every
full stop left is prose. A regex finds each candidate boundary and rules decide it:

* ``word. Next`` and ``word. next`` split (notes often start sentences in lower case),
  unless ``word`` is an abbreviation (``e.g.``, ``i.e.``, ``Dr.``, ``approx.``) ;
* ``?`` and ``!`` split only before a capital (``might? be solved`` stays whole);
* an ellipsis splits only before a capital (``meaningless… as it is`` stays whole);
* glued boundaries left by exports split: ``one).LLMs``, ``produced.Possible``,
  ``nowadays)Invention:``; ``CPU.md``, ``3.5``, ``v1.2.3`` and ``Node.JS`` do not;
* never before ``(`` (a parenthesis after a sentence belongs to it) or an inline
  enumeration marker such as ``3)``.

A boundary after an initial or a dotted abbreviation (``J. Smith``, ``U.S. The``,
``etc. Then``) is genuinely ambiguous: for those, and only those, the text around the
position is handed to pysbd (slow, about 3,600 sentences/s), and its verdict is taken.

>>> text = "LLMs are GPTs. They (e.g. BERT) interpolate.This is glued... and fine"
>>> [text[a:b] for a, b in split(text)]
['LLMs are GPTs.', 'They (e.g. BERT) interpolate.', 'This is glued... and fine']
"""

from __future__ import annotations

import re

from explorer.core.textexport import word_set

PYSBD_WINDOW = 240  # characters of context on each side of an ambiguous boundary
PYSBD_MAX_WINDOW = 2_000
PYSBD_BUDGET = 50_000  # characters pysbd may read per call of split() unless told otherwise

_MAYBE_SPLIT = "maybe-split"  # ambiguous, and the rules alone would split ("etc. Then")
_MAYBE_NOT = "maybe-not"  # ambiguous, and the rules alone would not ("J. Smith")

_CANDIDATE = re.compile(r"(?:[.!?…]+)[\"'”’»)\]]*")
_GLUED_PAREN = re.compile(r"\)(?=[A-Z][a-z]+\b)")
_CAP_WORD = re.compile(r"[A-Z][A-Za-z]*")
_SKIP_MARKUP = "*_~=\"'“‘«[`"
_ENUM = re.compile(r"\d{1,2}[.)]\s")

# Abbreviations that (almost) never end a sentence; compared lower-case, without final dot.
NEVER_END = word_set(
    """e.g eg i.e ie cf vs viz approx appr ca incl esp resp dr mr mrs ms prof mt fig figs eq
    eqs vol vols pp nr w.r.t wrt a.k.a aka et ibid abbr adj adv dept govt intl natl univ
    assoc"""
)
# Abbreviations that may end a sentence too, and words that may be abbreviations ("sat",
# "max", "Jan"): ambiguous before a capital, so pysbd decides.
MAYBE_END = word_set(
    """etc inc ltd co corp jr sr al no st llc bros pty plc sec min max avg misc ref refs est
    gen col lt rev ed eds ch op sgt capt hon jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue wed thu fri sat sun"""
)

_pysbd_segmenter = None


def split(s: str, budget: list[int] | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``s``, trimmed of surrounding whitespace, in order.

    ``budget`` holds how many characters pysbd may still read (shared by the caller across
    calls, e.g. one note); once spent, ambiguous positions are decided by rule alone.
    """
    if budget is None:
        budget = [PYSBD_BUDGET]
    n = len(s)
    cuts: list[int] = []  # offsets where a new sentence starts
    ambiguous: list[tuple[int, int, bool]] = []  # (first offset a cut may take, cut, fallback)
    for m in _CANDIDATE.finditer(s):
        end = m.end()
        if end >= n:
            break
        verdict = _judge(s, m.start(), end, n)
        if verdict is True:
            cuts.append(_next_start(s, end, n))
        elif verdict is not False:  # ambiguous: verdict says what the rules alone would do
            ambiguous.append((m.start() + 1, _next_start(s, end, n), verdict == _MAYBE_SPLIT))
    if ")" in s:
        for m in _GLUED_PAREN.finditer(s):
            if _opens_parenthetical(s, m.start()):
                cuts.append(m.end())
        cuts.sort()
    if ambiguous:
        cuts = sorted(set(cuts) | _resolve(s, ambiguous, budget))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, n]:
        if cut <= start:
            continue
        a, b = _trim(s, start, cut)
        if a < b:
            spans.append((a, b))
        start = cut
    return spans


def _next_start(s: str, pos: int, n: int) -> int:
    while pos < n and s[pos].isspace():
        pos += 1
    return pos


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    seg = s[a:b]
    left = seg.lstrip()
    a += len(seg) - len(left)
    return a, a + len(left.rstrip())


def _prev_token(s: str, pos: int) -> str:
    k = pos
    lo = max(0, pos - 40)
    while k > lo and not s[k - 1].isspace():
        k -= 1
    return s[k:pos].lstrip("([{\"'“‘*_")


def _judge(s: str, start: int, end: int, n: int) -> bool | str:
    """True: a boundary; False: not one; _MAYBE_SPLIT / _MAYBE_NOT: ask pysbd, else guess."""
    punct_end = start
    while punct_end < end and s[punct_end] in ".!?…":
        punct_end += 1
    punct = s[start:punct_end]
    glued = not s[end].isspace()
    if glued:
        return _judge_glued(s, start, end, punct)
    j = _next_start(s, end, n)
    if j >= n:
        return False
    if s[j] == "(" or _ENUM.match(s, j):
        return False
    k = j
    while k < n and s[k] in _SKIP_MARKUP:
        k += 1
    if k >= n:
        return False
    nxt = s[k]
    upper = nxt.isupper() or nxt.isdigit()
    if "." not in punct or "…" in punct or len(punct) > 1:
        # ? ! … and "...": only before a capital
        return upper
    # a single full stop
    tok = _prev_token(s, start)
    low = tok.lower()
    if low in NEVER_END:
        return False
    if low in MAYBE_END:
        return _MAYBE_SPLIT if upper else False
    letters = sum(c.isalpha() for c in tok)
    if "." in tok:  # U.S. / Ph.D. / a.m. / 1.2.
        if letters and all(len(p) <= 2 for p in tok.split(".")):
            return _MAYBE_NOT if upper else False
        return upper
    if len(tok) == 1 and tok.isalpha():  # an initial, "Plan B."
        return _MAYBE_NOT if upper else False
    if upper:
        return True
    # lower case after a full stop: a sentence when the stop ends an ordinary word
    return letters >= 2 and letters == len(tok.replace("-", "").replace("'", "").replace("’", ""))


def _judge_glued(s: str, start: int, end: int, punct: str) -> bool:
    """``produced.Possible``: an export dropped the space. ``CPU.md``, ``Node.JS``: not."""
    word = _CAP_WORD.match(s, end, end + 40)
    if not word or len(word.group()) < 2 or not any(c.islower() for c in word.group()):
        return False
    if start == 0:
        return False
    before = s[start - 1]
    if not (before.islower() or before.isdigit() or before in ")]”\"’'"):
        return False
    tok = _prev_token(s, start).lower()
    return not (tok in NEVER_END or tok in MAYBE_END or "." in tok)


def _opens_parenthetical(s: str, close: int) -> bool:
    """The ``)`` at ``close`` ends a parenthesis opened after a space, not ``f(x)``."""
    lo = max(0, close - 500)
    k = s.rfind("(", lo, close)
    if k < 0 or ")" in s[k + 1 : close]:
        return False
    return k == 0 or s[k - 1].isspace()


def _resolve(s: str, ambiguous: list[tuple[int, int, bool]], budget: list[int]) -> set[int]:
    """Ask pysbd about the ambiguous positions, showing it only the text around them.

    A few hundred characters of context are all pysbd needs to judge a boundary; nearby
    positions share one window, and no window grows past ``PYSBD_MAX_WINDOW``, so the cost
    stays linear in the block's length whatever pysbd does on long input. When the budget
    is spent the rules' own guess stands (split after "etc.", not after "J." or "U.S.").
    """
    found: set[int] = set()
    n = len(s)
    group: list[tuple[int, int, bool]] = []
    a = b = 0
    for lo, cut, guess in ambiguous:
        wa, wb = max(0, lo - PYSBD_WINDOW), min(n, cut + PYSBD_WINDOW)
        if group and wa <= b and wb - a <= PYSBD_MAX_WINDOW:
            group.append((lo, cut, guess))
            b = wb
            continue
        if group:
            found |= _judge_window(s, a, b, group, budget)
        group, a, b = [(lo, cut, guess)], wa, wb
    if group:
        found |= _judge_window(s, a, b, group, budget)
    return found


def _judge_window(
    s: str, a: int, b: int, group: list[tuple[int, int, bool]], budget: list[int]
) -> set[int]:
    if budget[0] < b - a:
        return {cut for _, cut, guess in group if guess}
    budget[0] -= b - a
    starts = [a + p for p in _pysbd_starts(s[a:b])]
    return {cut for lo, cut, _ in group if any(lo <= p <= cut for p in starts)}


def _pysbd_starts(s: str) -> list[int]:
    global _pysbd_segmenter
    try:
        if _pysbd_segmenter is None:
            import pysbd

            _pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)
        sentences = _pysbd_segmenter.segment(s)
    except Exception:  # pysbd is a heuristic too; its failure must not fail the note
        return []
    starts: list[int] = []
    pos = 0
    for sent in sentences:
        sent = sent.strip()
        if not sent:
            continue
        k = s.find(sent, pos)
        if k < 0:
            continue
        starts.append(k)
        pos = k + len(sent)
    return starts
