"""References that are references (issue 15, point 4).

tests/fixtures/issue15/references-that-are-not.md was written for this test.
"""

from pathlib import Path

from explorer.core.parse import parse_note
from explorer.semantic.analyse import analyse_note
from explorer.semantic.references import is_name, source_label

NOTE = Path(__file__).resolve().parents[1] / "fixtures" / "issue15" / "references-that-are-not.md"


def refs():
    note = parse_note(NOTE.read_text(encoding="utf-8"), NOTE.name)
    return analyse_note(note).references


def test_headings_code_and_common_words_give_no_attribution():
    found = {(r.kind, r.text) for r in refs()}
    attributions = {text for kind, text in found if kind == "attribution"}
    assert attributions == {"LeCun"}, found


def test_link_labels_are_words_not_numbers_or_generic_names():
    labels = {r.text for r in refs() if r.kind == "url"}
    assert labels == {
        "https://www.youtube.com/watch?v=abc123",
        "https://example.org/bench",
        "the benchmark page",
    }


def test_name_and_label_rules():
    assert is_name("LeCun") and is_name("Jean-Paul Sartre") and is_name("O'Neil")
    for word in ("To", "Let's", "Find", "Small", "Mom", "model_v2", "Foo.bar", "GPT4o"):
        assert not is_name(word), word
    assert source_label("YouTube Video", "https://y.t/v") == "https://y.t/v"
    assert source_label("2", "https://a.b/c") == "https://a.b/c"
    assert source_label("Attention Is All You Need", "https://a.b/c") == (
        "Attention Is All You Need"
    )
