"""Lookups for detail views, and the numbers of ``stats``."""

from __future__ import annotations

from helpers import line_parser

from explorer.store import (
    add_annotation,
    claim_at,
    claims_of_note,
    delete_note,
    get_claim,
    get_note,
    list_notes,
    set_kind,
    set_meta,
    stats,
    write_note,
)

TEXT = "---\n# Heading\nFirst claim.\n- An item.\n  - A sub item.\n"


def fill(db):
    parsed = line_parser(TEXT, "dir/n.md")
    parsed.tags.append("ai")
    parsed.frontmatter["created"] = "2024-01-01"
    write_note(db, parsed, size=len(TEXT), mtime_ns=1, sha="x")
    write_note(db, line_parser("Other.\n", "o.md"), size=7, mtime_ns=1, sha="y")
    return parsed


def test_note_and_claim_lookups(db):
    parsed = fill(db)
    note = get_note(db, "dir/n.md")
    assert (note.title, note.claim_count, note.tags) == ("n", 3, ["ai"])
    assert note.frontmatter == {"created": "2024-01-01"}
    assert note.warnings == ["front matter is not closed by ---; read as text"]
    assert get_note(db, "missing.md") is None
    assert [n.path for n in list_notes(db)] == ["dir/n.md", "o.md"]

    claims = claims_of_note(db, "dir/n.md")
    assert [c.text for c in claims] == ["First claim.", "An item.", "A sub item."]
    sub = get_claim(db, parsed.claims[2].id)
    assert sub.parent_id == parsed.claims[1].id and sub.section == "Heading"
    assert (sub.line, sub.block, sub.note) == (5, "list_item", "dir/n.md")
    assert get_claim(db, "clm:none") is None
    assert claim_at(db, "dir/n.md", 4).text == "An item."
    assert claim_at(db, "dir/n.md", 1) is None


def test_stats_counts_everything(db):
    parsed = fill(db)
    set_meta(db, "vault", "/some/vault")
    set_kind(db, parsed.claims[0].id, "assertion")
    add_annotation(db, parsed.claims[1].id, "Hm.", stance="doubt")
    delete_note(db, "dir/n.md")  # its corrections now wait for their claims
    n = stats(db)
    assert (n["notes"], n["claims"], n["sections"]) == (1, 1, 0)
    assert (n["user_kinds"], n["user_annotations"], n["user_rows_detached"]) == (1, 1, 2)
    assert n["vault"] == "/some/vault" and n["schema_version"] >= 1
    assert n["claims_by_block"] == {"paragraph": 1}
    assert n["largest_notes"] == [{"path": "o.md", "claims": 1}]
    assert n["size_bytes"] > 0
