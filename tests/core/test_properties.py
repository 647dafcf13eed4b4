"""Properties that hold for every input: no exception, spans in bounds, claim text drawn
from the note, ids stable under unrelated edits; and no pathological input takes long."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core.frontmatter import read_front_matter
from explorer.core.parse import parse_note

WORD = re.compile(r"[^\W_]+")

# Lines that exercise every construct the parser knows, to be shuffled and combined.
FRAGMENTS = [
    "---",
    "tags: [a, b]",
    "title: x: y",
    "# Heading one",
    "## Heading *two* ##",
    "Setext title",
    "=====",
    "- list item",
    "\t- nested [[Note|alias]] item",
    "    - deeper https://example.com/a_(b). Next.",
    "1. numbered item",
    "- [ ] open task #todo",
    "- [x] done task ^abc123",
    "> quoted text. More quote.",
    "> [!note] Callout title",
    "> - quoted item",
    "```python",
    "code. in fence",
    "```",
    "~~~",
    "$$",
    "x^2. = y",
    "$$ a $$",
    "%% comment",
    "still comment %%",
    "<!-- html",
    "comment -->",
    "| a | b |",
    "|---|---|",
    "| c [[X\\|y]] | d. e |",
    "key:: value",
    "→ Is this an arrow item? → Another?",
    "Transclude of CPU#^99471a",
    "Link to original",
    "![]()",
    "… =length",
    "See also ^f339b5.",
    "Capability limitations",
    "Functional limitation: Reliability",
    "Functional limitation: Coherence - LLMs learn. Minds understand.",
    "The questions we need to be asking:",
    "Are LLMs conscious?",
    "Not intrinsically agentic (can be one).LLMs self-report.",
    "nowadays)Invention: Bridging gaps.",
    "e.g. this, i.e. that, etc. and U.S. Dr. Smith 3.5 v1.2.3 CPU.md…",
    "Text with `code.span()` and $x.y$ and [link](http://a.b/c) and ![[embed.png]].",
    "**bold** _it_ ~~s~~ ==h== <br> [^1] [k:: v] #tag/sub",
    "",
    "   ",
    "\r",
    "[[unclosed",
    "`unclosed",
    "$unclosed",
    "[text](unclosed",
]

notes = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)),
    max_size=40,
).map("\n".join)

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_invariants(text: str) -> None:
    note = parse_note(text, "dir/note.md")
    assert not any("parser error" in w for w in note.warnings), note.warnings
    n = len(text)
    for c in note.claims:
        assert 0 <= c.start < c.end <= n
        assert c.line == text.count("\n", 0, c.start) + 1
        assert c.line <= c.end_line == text.count("\n", 0, c.end - 1) + 1
        assert c.text and c.text == c.text.strip()
        assert c.id.startswith("clm:") and len(c.id) == 20
        source = text[c.start : c.end]
        for word in WORD.findall(c.text):
            assert word in source, (word, c.text, source)
    assert [c.position for c in note.claims] == list(range(len(note.claims)))
    assert len({c.id for c in note.claims}) == len(note.claims)
    ids = {c.id for c in note.claims}
    assert all(c.parent_id is None or c.parent_id in ids for c in note.claims)
    section_ids = {s.id for s in note.sections}
    assert len(section_ids) == len(note.sections)
    assert all(c.section_id is None or c.section_id in section_ids for c in note.claims)
    for s in note.sections:
        assert 0 <= s.start <= s.end <= n and s.title and s.id.startswith("sec:")
        assert s.parent_id is None or s.parent_id in section_ids
    for link in note.links:
        assert 0 <= link.start < link.end <= n
        assert link.claim_id is None or link.claim_id in ids


@SETTINGS
@given(st.text())
def test_any_text_parses(text):
    check_invariants(text)


@SETTINGS
@given(notes)
def test_any_markdown_like_note_parses(text):
    check_invariants(text)


INSERTED = "Qzxvwj is an unrelated paragraph added later."


@SETTINGS
@given(notes)
def test_ids_survive_an_unrelated_paragraph(text):
    before = parse_note(text, "dir/note.md")
    at = read_front_matter(text).end
    after_start = parse_note(text[:at] + INSERTED + "\n\n" + text[at:], "dir/note.md")
    after_end = parse_note(text + "\n\n" + INSERTED + "\n", "dir/note.md")
    old = {c.id: c.text for c in before.claims}
    for after in (after_start, after_end):
        assert old.items() <= {c.id: c.text for c in after.claims}.items()
        assert {s.id for s in before.sections} <= {s.id for s in after.sections}


@SETTINGS
@given(notes)
def test_parsing_is_deterministic(text):
    assert parse_note(text, "n.md") == parse_note(text, "n.md")


# ---------------------------------------------------------------------------- no hangs

PATHOLOGICAL = {
    "backticks": "`a" * 100_000,
    "brackets": "[[" * 100_000,
    "link openers": "[a](" * 50_000,
    "dollars": "$a " * 100_000,
    "percent": "%%" * 100_000,
    "one long word": "a" * 2_000_000,
    "abbreviations": "e.g. J. Smith etc. U.S. " * 30_000,
    "periods": ". " * 300_000,
    "hashes": "#a #" * 100_000,
    "carets": " ^a1" * 100_000,
    "pipes": "|" * 200_000 + "\n|---|\n" + "| x |\n" * 10_000,
    "deep list": "".join("\t" * (i % 60) + "- item\n" for i in range(30_000)),
    "quotes": "> " * 100_000,
    "emphasis": "**a " * 100_000,
    "urls": "https://x.y/(" * 50_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_is_fast(name):
    text = PATHOLOGICAL[name]
    start = time.process_time()
    note = parse_note(text, "p.md")
    elapsed = time.process_time() - start
    assert elapsed < 20, f"{name}: {elapsed:.1f}s"
    assert not any("parser error" in w for w in note.warnings)


def test_ten_thousand_word_paragraph():
    para = " ".join(["word"] * 10_000) + ". " + "Another sentence follows here. " * 500
    start = time.process_time()
    note = parse_note(para, "long.md")
    assert time.process_time() - start < 5
    assert len(note.claims) == 501


def test_large_realistic_note_is_linear():
    """A ~2 MB note of the seed's kind parses at a steady rate (a 50 MB note is 25x this)."""
    unit = (
        "Capability limitations\n"
        "LLMs are program-retrieval machines - big interpolative databases. They interpolate.\n"
        "- a list item with [[a link|an alias]] and https://example.com/x\n"
        "\t- a nested item.Glued sentence here.\n"
        "→ Is the system acting on a causal model?\n"
    )
    small = unit * 1_000
    big = unit * 8_000
    t0 = time.process_time()
    parse_note(small, "s.md")
    t1 = time.process_time()
    note = parse_note(big, "b.md")
    t2 = time.process_time()
    assert len(note.claims) == 8_000 * 6
    assert (t2 - t1) < 16 * (t1 - t0) + 1  # eight times the text, about eight times the time
