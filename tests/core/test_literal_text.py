"""Comment marks, math and binary debris that are text, not structure (issue 15).

Each regression note under tests/fixtures/issue15 was written for these tests.
"""

from pathlib import Path

from explorer.core.parse import parse_note
from explorer.indexing.vault import NoteReadError, decode_note

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issue15"


def parse_fixture(name: str):
    return parse_note((FIXTURES / name).read_text(encoding="utf-8"), name)


def texts(note) -> list[str]:
    return [c.text for c in note.claims]


# --- 1. no silent loss -------------------------------------------------------------------


def test_percent_marks_in_code_math_and_table_cells_are_text():
    note = parse_fixture("comment-marks-as-text.md")
    got = texts(note)
    assert "A PDF file ends with the marker %%EOF on its last line." in got
    assert any("starts a hidden comment" in t for t in got)
    assert "The modulo in $a %% b$ keeps both operands." in got
    assert "Everything after those marks is still part of the note." in got
    assert got[-1] == "The last sentence of this note must survive as well."
    assert not any("real comment" in t for t in got)
    assert note.warnings == []


def test_an_inline_code_mark_does_not_pair_with_a_real_comment():
    note = parse_note("Type `%%` to start. Shown. %% hidden %% Also shown.", "a.md")
    assert texts(note) == ["Type %% to start.", "Shown.", "Also shown."]


def test_an_unclosed_comment_says_which_lines_were_left_out():
    note = parse_fixture("unclosed-comment.md")
    assert texts(note) == ["The first sentence is shown to the reader."]
    (warning,) = note.warnings
    assert "opened on line 2 is never closed" in warning
    assert "lines 2-5" in warning and "3 lines of text" in warning


def test_an_unclosed_html_comment_is_reported_the_same_way():
    note = parse_note("Kept.\n<!-- never closed\nlost line", "a.md")
    assert texts(note) == ["Kept."]
    assert "'<!--' opened on line 2" in note.warnings[0]


def test_a_note_with_nul_bytes_in_a_code_block_is_read():
    data = (FIXTURES / "nul-in-code-block.md").read_bytes()
    text, warnings = decode_note(data, "nul-in-code-block.md")
    assert warnings == ["nul-in-code-block.md: 2 NUL bytes read as spaces"]
    note = parse_note(text, "nul-in-code-block.md")
    assert texts(note) == [
        "Terminal output pasted below.",
        "The note goes on after the block and is indexed.",
    ]


def test_binary_files_are_still_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02"
    for data in (png, "utf-16 text without a mark".encode("utf-16-le")):
        try:
            decode_note(data, "x.md")
        except NoteReadError as err:
            assert "looks like a binary file" in str(err)
        else:
            raise AssertionError(f"{data[:8]!r} was read as text")
