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

# Literals shorter than this are too common to rule anything out.
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
        if found is not None:
            candidates.append(found)
    flush()
    usable = [
        tuple(s.lower() for s in c)
        for c in candidates
        if all(s.isascii() and len(s) >= MIN_LITERAL for s in c)
    ]
    if not usable:
        return None
    # The most selective: the one whose shortest alternative is longest.
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))
