"""Inline binary data and over-long texts, end to end through the CLI (issue 15, point 5).

The regression notes under tests/fixtures/issue15 were written for these tests; the
vault is a temporary copy, so nothing is ever written beside them.
"""

from __future__ import annotations

import base64
import shutil
import sqlite3
from pathlib import Path

from explorer.cli import main
from explorer.commands.search import shorten
from explorer.core.parse import MAX_CLAIM_CHARS, parse_note
from explorer.semantic.concepts import candidates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issue15"


def test_a_data_uri_becomes_an_embed_placeholder_with_a_warning():
    note = parse_note((FIXTURES / "pasted-screenshot.md").read_text("utf-8"), "s.md")
    texts = [c.text for c in note.claims]
    assert texts == [
        "The loss falls fast in the first epoch and then flattens.",
        "The same picture as HTML",
        "An icon inline: in the middle of a sentence.",
        "After the pictures the note goes on with a last claim.",
    ]
    assert [(link.kind, link.target) for link in note.links] == [
        ("embed", "data:image/png"),
        ("embed", "data:image/svg+xml"),
    ]
    assert len(note.warnings) == 3
    assert note.warnings[0].startswith("inline data (image/png, 3 KB) on line 4")


def test_concepts_never_come_from_base64_or_hex():
    blob = base64.b64encode(bytes(range(256)) * 4).decode()
    text = f"Look at ZRL9M7V{blob} and commit 9f8e7d6c5b4a3f2e1d0c for the Attention Head."
    terms = {t for t, _ in candidates(text)}
    assert terms == {"Attention Head"}


def test_a_claim_longer_than_the_cap_is_cut_with_a_warning():
    long_line = "word " * 3000
    note = parse_note(f"Short claim first.\n\n{long_line}\n", "log.md")
    assert len(note.claims[1].text) == MAX_CLAIM_CHARS
    assert note.claims[1].text.endswith("…")
    assert "claim on line 3 has 14,999 characters" in note.warnings[0]


def test_shorten_keeps_one_line():
    assert shorten("a\nb") == "a b"
    assert len(shorten("x" * 5000)) == 300


def test_index_and_search_a_vault_with_a_pasted_screenshot(tmp_path, capsys):
    vault = tmp_path / "vault"
    vault.mkdir()
    for name in (
        "pasted-screenshot.md",
        "nul-in-code-block.md",
        "unclosed-comment.md",
        "Whiteboard.excalidraw.md",
    ):
        shutil.copy(FIXTURES / name, vault)
    (vault / "dump.md").write_text("The flattened log line " + "again and again " * 400 + "\n")
    db = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "pasted-screenshot.md: inline data (image/png" in err
    assert "dump.md: claim on line 1 has" in err
    assert "nul-in-code-block.md: 2 NUL bytes read as spaces" in err
    assert "unclosed-comment.md: comment '%%' opened on line 2 is never closed" in err
    assert "skipped" not in err
    con = sqlite3.connect(db)
    assert con.execute("SELECT max(length(text)) FROM claims").fetchone()[0] <= MAX_CLAIM_CHARS
    assert con.execute("SELECT count(*) FROM refs WHERE label LIKE 'data:%'").fetchone()[0] == 0
    by_note = dict(con.execute("SELECT path, claim_count FROM notes").fetchall())
    assert by_note["nul-in-code-block.md"] == 2 and by_note["Whiteboard.excalidraw.md"] == 2
    con.close()
    assert main(["search", "--words", "again", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 320
