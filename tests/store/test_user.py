"""The user's corrections: kinds, annotations, hidden claims and edges."""

from __future__ import annotations

import pytest
from helpers import line_parser

from explorer.store import (
    add_annotation,
    annotations,
    clear_kind,
    delete_annotation,
    hidden_claims,
    hidden_edges,
    hide,
    set_kind,
    unhide,
    user_kinds,
    write_note,
)
from explorer.store.notes import text_hash
from explorer.store.user import UnknownClaimError


@pytest.fixture
def claims(db):
    parsed = line_parser("LLMs can plan.\nLLMs cannot plan.\n", "n.md")
    write_note(db, parsed, size=1, mtime_ns=1, sha="x")
    return [c.id for c in parsed.claims]


def test_set_kind_records_hash_and_note_and_replaces(db, claims):
    set_kind(db, claims[0], "capability")
    set_kind(db, claims[0], "limitation")
    row = db["user_kinds"].get(claims[0])
    assert row["kind"] == "limitation"
    assert row["text_hash"] == text_hash("LLMs can plan.") and row["note"] == "n.md"
    assert user_kinds(db) == {claims[0]: "limitation"}
    assert clear_kind(db, claims[0]) is True
    assert clear_kind(db, claims[0]) is False


def test_unknown_claim_and_bad_values_are_refused(db, claims):
    with pytest.raises(UnknownClaimError, match="no claim with id 'clm:nope'"):
        set_kind(db, "clm:nope", "question")
    with pytest.raises(ValueError, match="stance must be one of"):
        add_annotation(db, claims[0], "hm", stance="angry")
    with pytest.raises(ValueError, match="empty"):
        add_annotation(db, claims[0], "   ")
    assert db["user_kinds"].count == 0 and db["user_annotations"].count == 0


def test_annotations_add_list_delete(db, claims):
    first = add_annotation(db, claims[1], "I now disagree.", stance="disagree")
    add_annotation(db, claims[1], "Source?", stance="doubt")
    got = annotations(db, claims[1])
    assert [(a.text, a.stance, a.note) for a in got] == [
        ("I now disagree.", "disagree", "n.md"),
        ("Source?", "doubt", "n.md"),
    ]
    assert delete_annotation(db, first) is True
    assert [a.text for a in annotations(db)] == ["Source?"]


def test_hide_and_unhide_claims_and_edges(db, claims):
    hide(db, claims[0])
    hide(db, claims[0])  # twice is once
    hide(db, claims[0], "similar", claims[1])
    hide(db, "note:n.md", "links_to", "note:other.md")
    assert hidden_claims(db) == {claims[0]}
    assert hidden_edges(db) == {
        (claims[0], "similar", claims[1]),
        ("note:n.md", "links_to", "note:other.md"),
    }
    edge = db.conn.execute(
        "SELECT other_text_hash FROM user_hidden WHERE edge_type = 'similar'"
    ).fetchone()
    assert edge[0] == text_hash("LLMs cannot plan.")  # both ends can follow their claims
    assert unhide(db, claims[0]) is True
    assert hidden_claims(db) == set()
    with pytest.raises(ValueError, match="both its type and its other end"):
        hide(db, claims[0], "similar")
