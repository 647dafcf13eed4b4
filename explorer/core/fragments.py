"""Claims that are not self-contained: a single term, a file name, a bare link, a formula.

A terse bullet vault is full of them ("SIGEMT", "favicon-167x167.png", a link's text
alone on a line, ``$E = mc^2$``). They are kept, stored and searchable like any claim,
but flagged ``fragment`` so the map can leave them out until asked (see
docs/SEMANTICS.md). Pure functions on clean claim text; the parser adds "a bare link",
which only it can see.

>>> [is_fragment(t) for t in ("SIGEMT", "favicon-167x167.png", "$E = mc^2$", "Intel CPUs")]
[True, True, True, True]
>>> [is_fragment(t) for t in ("Not real-time.", "LLMs cannot plan.", "no perception, no action")]
[False, False, False]
"""

from __future__ import annotations

import re

from explorer.core.inline import without_math

_WORD = re.compile(r"[^\W\d_]{2,}")
_FILE = re.compile(r"^[\w.~/\\-]*\.[A-Za-z][A-Za-z0-9]{0,4}$")
# Words that make two or three words a statement rather than a label: verbs and
# negations that turn "not intelligence" or "fails often" into something said.
_SAYS = re.compile(
    r"\b(?:not|no|never|none|nothing|cannot|can|can't|won't|is|are|was|were|be|has|have|had|"
    r"does|do|did|will|would|should|must|may|might|could|\w{3,}ed|fails?|works?|helps?|"
    r"needs?|makes?|gets?|beats?|wins?|loses?|runs?|lacks?|improves?|scales?|matters?|"
    r"wins?|hurts?|breaks?|means?|says?|seems?|looks?|feels?|knows?|wants?|sucks?|rocks?)\b",
    re.I,
)
LABEL_WORDS = 3


def is_fragment(text: str) -> bool:
    """Whether clean claim ``text`` says nothing on its own.

    True for: no word at all outside inline math (a formula, a number, "?"); a single
    token (a term, a file name, an identifier); a label of at most three words that
    has no verb or negation and no closing full stop ("Intel CPUs", "aws ec2 guide").
    """
    bare = without_math(text).strip()
    if not _WORD.search(bare):
        return True
    # Words are tokens with a letter or digit (not "-", "|"); counting stops past a label.
    words = 0
    for token in bare.split():
        if any(ch.isalnum() for ch in token):
            words += 1
            if words > LABEL_WORDS:
                break
    if words == 1:
        return True
    if _FILE.match(bare):
        return True
    if words <= LABEL_WORDS and not bare.endswith((".", "!", "?", ":")):
        return not _SAYS.search(bare)
    return False
