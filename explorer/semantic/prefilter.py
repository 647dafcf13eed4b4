"""A cheap test that rules out most cue patterns before the regex engine runs them.

The kind rules try some two hundred case-insensitive patterns on every claim, and
most of them cannot match: ``\\bunable to\\b`` needs the letters "unable to" in the
text. :func:`required` reads a pattern's parse tree once for the literal strings at
least one of which any match must contain; :func:`could_match` checks those with
``in`` on the lower-cased text, which costs a fraction of a regex scan.

The test is exact, never a guess: it is used only on ASCII text (where lower-casing
agrees with the regex engine's case folding) and with ASCII literals, and it only
says "cannot match", so a pattern it lets through is still run as before.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

# Literals shorter than this are too common to rule anything out (but one punctuation
# mark, such as '@' or '"', is rare enough; see _selective).
MIN_LITERAL = 2


def fold(text: str) -> str | None:
    """The text to test with :func:`could_match`, or None when the test does not apply."""
    return text.lower() if text.isascii() else None


def could_match(pattern: re.Pattern, folded: str | None) -> bool:
    """False only when ``pattern`` certainly has no match in the text ``folded`` came from."""
    if folded is None:
        return True
    need = required(pattern)
    return need is None or any(s in folded for s in need)


@lru_cache(maxsize=4096)
def required(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` contains (None: unknown)."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unusual pattern: no filter, the regex decides
        return None
    return _required(list(tree))


def _required(seq) -> tuple[str, ...] | None:
    candidates: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(("".join(run),))
            run.clear()

    for op, av in seq:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found = None
        if op is sre.SUBPATTERN:
            found = _required(list(av[3]))
        elif op is sre.BRANCH:
            strings: list[str] = []
            for alternative in av[1]:
                need = _required(list(alternative))
                if need is None:
                    break
                strings.extend(need)
            else:
                found = tuple(strings)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = _required(list(av[2]))
        elif op is sre.IN and av and all(item is sre.LITERAL for item, _ in av):
            found = tuple(chr(code) for _, code in av)  # a set of characters: [“"]
        if found is not None:
            candidates.append(found)
    flush()
    usable = [c for c in map(_ascii_side, candidates) if c and all(map(_selective, c))]
    if not usable:
        return None
    # The most selective: the one whose shortest alternative is longest.
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


def _ascii_side(alternatives: tuple[str, ...]) -> tuple[str, ...]:
    """The alternatives an ASCII text could contain, lower-cased.

    The filter applies to ASCII text only, where a match cannot contain “ or ’; a
    non-ASCII letter may still match an ASCII one under IGNORECASE (the Kelvin sign
    matches k), so an alternative with a non-ASCII letter keeps the whole tuple out.
    """
    out = []
    for s in alternatives:
        if s.isascii():
            out.append(s.lower())
        elif any(ch.isalpha() for ch in s):
            return ()
    return tuple(out)


def _selective(literal: str) -> bool:
    """Long enough to rule something out: two characters, or one punctuation mark."""
    if len(literal) >= MIN_LITERAL:
        return True
    return len(literal) == 1 and not literal.isalnum() and not literal.isspace()


class PatternSet:
    """Patterns, and one literal scan that rules out at once those that cannot match.

    For a text, :meth:`candidates` gives the indexes (ascending) of the patterns whose
    required literals it contains, plus those the prefilter knows nothing about: a
    superset of the patterns that match, exact in the same way as :func:`could_match`.
    """

    def __init__(self, patterns) -> None:
        self.patterns = tuple(patterns)
        self._by_literal: dict[str, list[int]] = {}
        always = []
        for i, pattern in enumerate(self.patterns):
            need = required(pattern)
            if not need:
                always.append(i)
            for literal in need or ():
                self._by_literal.setdefault(literal, []).append(i)
        self._always = tuple(always)
        self._scan = LiteralScan(self._by_literal)

    def candidates(self, folded: str | None):
        """Indexes of the patterns that could match the text ``folded`` came from."""
        if folded is None:  # not ASCII: nothing is ruled out
            return range(len(self.patterns))
        hits = set(self._always)
        by_literal = self._by_literal
        for literal in self._scan.found(folded):
            hits.update(by_literal[literal])
        return sorted(hits)

    def search_any(self, text: str) -> bool:
        """True when one of the patterns matches somewhere in ``text``."""
        patterns = self.patterns
        return any(patterns[i].search(text) for i in self.candidates(fold(text)))


class LiteralScan:
    """Which of many literals a folded text contains, found in one regex scan.

    Asking ``literal in text`` for each of a few hundred literals costs a Python step
    per literal. Instead one pattern, the literals merged into a trie so that the
    regex engine tries a few characters per position, finds at each position the
    longest literal that starts there. Every literal the text contains is a prefix
    of the longest one found where it starts, so the answer is exactly the found
    literals and the literals inside them (worked out once, in ``_inside``).
    """

    def __init__(self, literals) -> None:
        self.literals = tuple(sorted(set(literals)))
        body = _trie_pattern(self.literals)
        self._scan = re.compile(f"(?=({body}))") if body else None
        self._inside = {
            lit: tuple(other for other in self.literals if other in lit) for lit in self.literals
        }

    def found(self, folded: str) -> set[str]:
        """The literals that occur in ``folded`` (a lower-cased ASCII text)."""
        if self._scan is None:
            return set()
        out: set[str] = set()
        for longest in set(self._scan.findall(folded)):
            out.update(self._inside[longest])
        return out


def _trie_pattern(literals) -> str:
    """A regex matching the longest of ``literals`` at a position (``""`` for none)."""
    trie: dict = {}
    for lit in literals:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = {}  # a literal ends here

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy and optional where a literal may end: the longest match is tried first.
        return f"(?:{body})?" if ends else body

    return build(trie)
