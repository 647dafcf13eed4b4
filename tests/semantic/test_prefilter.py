"""The cue prefilter only skips regex scans that could not match: same scores as without it."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from explorer.semantic import annotations, prefilter, references
from explorer.semantic.kinds import RuleKindClassifier
from explorer.semantic.taxonomy import default_taxonomy

DEV = Path(__file__).parent / "dev_labels.jsonl"
EVAL = Path(__file__).resolve().parents[2] / "data" / "eval" / "labels.jsonl"


def _texts() -> list[str]:
    out = []
    for path in (DEV, EVAL):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                out += [row[k] for k in ("text", "context") if isinstance(row.get(k), str)]
    # Case-folding corners: the Kelvin sign and the long s fold to ASCII letters in the
    # regex engine, so non-ASCII text must bypass the filter.
    out += ["The \u212aernel can\u017ft solve it.", "CANNOT REASON", "Ünable to plan", ""]
    # Citations, quotes and handles, for the reference patterns.
    out += [
        'Hinton\'s "Forward-Forward" paper (Hinton, 2022) via @geoffhinton, doi 10.1/x.',
        "Wei et al. showed it (see arXiv:2201.11903); Prof. Okafor disagrees.",
    ]
    return out


@pytest.mark.parametrize(
    ("pattern", "need"),
    [
        (r"\bunable to\b", ("unable to",)),
        (r"\b(?:is|are) able to\b", (" able to",)),
        (r"\b(?:forgets?|drifts?)\b", ("forget", "drift")),
        (r"\bcan\b(?!\s*not)", ("can",)),
        (r"\b(?:a|it)\b", None),  # one-letter alternatives rule nothing out
        # A set of characters: the ASCII side of it, one punctuation mark being rare enough.
        (r"[’']t\b", ("'",)),
        (r"[“\"]([^”\"]{3,120})[”\"]", ('"',)),
        (r"[Kk]elvin", ("elvin",)),
        (r"[\u212a]x", None),  # the Kelvin sign matches k under IGNORECASE: no filter
        (r"[ab]c", None),  # one letter rules nothing out
    ],
)
def test_required_literals(pattern, need):
    assert prefilter.required(re.compile(pattern, re.I)) == need


def test_rule_scores_unchanged_by_the_prefilter(monkeypatch):
    taxonomy = default_taxonomy()
    texts = _texts()
    assert len(texts) > 200
    fast = RuleKindClassifier(taxonomy)
    with_filter = [fast.rule_scores(t, c) for t in texts for c in ("", texts[0], "Limits > x")]
    monkeypatch.setattr(prefilter, "fold", lambda text: None)
    monkeypatch.setattr("explorer.semantic.kinds.fold", lambda text: None)
    slow = RuleKindClassifier(taxonomy)
    without = [slow.rule_scores(t, c) for t in texts for c in ("", texts[0], "Limits > x")]
    assert with_filter == without
    assert any(with_filter)  # the rules do fire on these texts


def test_literal_scan_finds_exactly_the_literals_a_text_contains():
    # Nested, overlapping and prefix-sharing literals, and regex metacharacters: each
    # must be reported exactly when ``in`` says it is there.
    literals = [
        "able to",
        " able to",
        "unable to",
        "to be",
        "be",
        "abl",
        "a.b",
        "c+",
        "x|y",
        "(no",
        "fail",
        "failure",
        "fails to",
        "ail",
        "to",
    ]
    scan = prefilter.LiteralScan(literals)
    rng = random.Random(7)
    alphabet = "abelnotuifrsxy |.+(c"
    texts = ["", "unable to be", "it fails to fail", "x|y (no a.b c+", "to", "failuree"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert scan.found(text) == {lit for lit in literals if lit in text}, text
    assert prefilter.LiteralScan([]).found("anything") == set()


def test_pattern_set_candidates_are_what_could_match_says():
    taxonomy = default_taxonomy()
    patterns = [p for kind in taxonomy.kinds for p in kind.cues + kind.about + kind.not_about]
    patterns += [*references._FIND_SET.patterns, *annotations._SENTENCE]
    patterns.append(re.compile(r"\b\w+ly\b"))  # no literal: always a candidate
    pset = prefilter.PatternSet(patterns)
    seen_skip = False
    for text in _texts():
        folded = prefilter.fold(text)
        got = list(pset.candidates(folded))
        want = [i for i, p in enumerate(patterns) if prefilter.could_match(p, folded)]
        assert got == want, text
        matching = {i for i, p in enumerate(patterns) if p.search(text)}
        assert matching <= set(got), text
        assert pset.search_any(text) == bool(matching)
        seen_skip |= len(got) < len(patterns)
    assert seen_skip  # the scan does rule patterns out
