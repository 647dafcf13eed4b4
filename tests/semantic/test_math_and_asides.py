"""Math is atomic; annotations are the author's words (issue 15, points 2 and 3).

The notes under tests/fixtures/issue15 were written for these tests.
"""

from pathlib import Path

import pytest

from explorer.core.parse import parse_note
from explorer.semantic.analyse import analyse_note
from explorer.semantic.annotations import is_annotation_aside, is_annotation_sentence, stance_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issue15"


def analysed(name: str):
    note = parse_note((FIXTURES / name).read_text(encoding="utf-8"), name)
    return note, analyse_note(note)


def test_math_is_kept_verbatim_and_never_split_or_mined():
    note, res = analysed("math-notes.md")
    texts = [c.text for c in res.claims]
    assert "For the negative class we set $y^{(i)} = -1$ so the margin is symmetric." in texts
    assert (
        "The average loss \\(L = \\frac{1}{n} \\sum_i \\ell(x_i)\\) is convex in the weights."
        in texts
    )
    assert not res.annotations, [a.text for a in res.annotations]
    assert not any(t == "(i)" or "\\min" in t for t in texts)
    # enumerators "(i)", "(ii)" in prose are not the author's comments either
    assert any(t.startswith("Three cases are treated separately") for t in texts)


@pytest.mark.parametrize(
    "inner",
    [
        "i",
        "iii",
        "b",
        "\\alpha",
        "x_i",
        "i.e. how little data a model needs",
        "Part I",
        "I-JEPA",
        "And How Things May Go Wrong",
        '"I love you"',
        "!",
        "see the appendix",
    ],
)
def test_asides_that_are_notation_quotes_or_titles_are_not_annotations(inner):
    assert not is_annotation_aside(inner)


@pytest.mark.parametrize(
    "text",
    [
        "?",
        "!",
        "!!",
        '"I disagree" is a short answer.',
        "It is true that every finite group has an identity element.",
        "The bound still holds for every n when the graph is connected and finite.",
    ],
)
def test_punctuation_examples_and_plain_sentences_are_not_annotation_sentences(text):
    assert not is_annotation_sentence(text)


def test_only_the_authors_comments_are_found_in_the_phrases_note():
    _, res = analysed("asides-that-are-not-comments.md")
    found = {a.text: a.stance for a in res.annotations}
    assert found == {
        "not sure about this anymore": "doubt",
        "hangs my browser when i try it": "note",
        "??": "doubt",
    }
    texts = [c.text for c in res.claims]
    assert any("I love you" in t for t in texts)


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Later we train the model on the full set.", "note"),
        ("It is used to compute attention maps.", "note"),
        ("There was broad agreement on the design.", "note"),
        ("The test gives false positives on short inputs.", "note"),
        ("later: probably not, the data moved", "revise"),
        ("I used to believe this.", "revise"),
        ("This is plainly false.", "disagree"),
        ("Exactly.", "agree"),
    ],
)
def test_a_stance_only_where_the_words_carry_one(text, stance):
    assert stance_of(text) == stance
