"""Full-text search: ranked, stemmed, safe with punctuation, located by note:line."""

from __future__ import annotations

import pytest
from helpers import line_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.store import hide, search, write_note
from explorer.store.search import fts_query


@pytest.fixture
def filled(db):
    notes = {
        "a.md": "Planning is hard.\nLLMs fail at planning and planning again.\n",
        "dir/b.md": "Nothing here.\nA planner plans.\nSelf-attention is all you need.\n",
        "c.md": "Consciousness needs a global workspace.\n",
    }
    for path, text in notes.items():
        write_note(db, line_parser(text, path), size=1, mtime_ns=1, sha="x")
    return db


def test_hits_are_ranked_with_note_and_line(filled):
    hits = search(filled, "planning")
    # Two occurrences outrank one; "plans" matches through the stemmer.
    assert [h.where for h in hits] == ["a.md:2", "a.md:1", "dir/b.md:2"]
    assert hits[0].score > hits[1].score
    assert "[planning]" in hits[0].snippet


def test_stemming_finds_other_forms(filled):
    assert {h.where for h in search(filled, "plans")} >= {"dir/b.md:2"}
    assert [h.where for h in search(filled, "planner")] == ["dir/b.md:2"]


def test_all_words_must_match(filled):
    assert [h.where for h in search(filled, "global consciousness")] == ["c.md:1"]
    assert search(filled, "global planning") == []


def test_punctuation_is_not_query_syntax(filled):
    assert [h.where for h in search(filled, 'self-attention "need')] == ["dir/b.md:3"]
    assert search(filled, "NOT: AND (") == []  # FTS5 operators are plain words here


def test_prefix_star(filled):
    assert {h.where for h in search(filled, "consc*")} == {"c.md:1"}


def test_limit_and_empty_query(filled):
    assert len(search(filled, "planning", limit=1)) == 1
    with pytest.raises(ValueError, match="nothing to search for"):
        search(filled, "  ... ")


def test_hidden_claims_are_left_out_unless_asked(filled):
    (claim,) = [h.claim_id for h in search(filled, "workspace")]
    hide(filled, claim)
    assert search(filled, "workspace") == []
    assert [h.claim_id for h in search(filled, "workspace", include_hidden=True)] == [claim]


def test_fts_query_quotes_every_word():
    assert fts_query(["a-b", "c*"]) == '"a" "b" "c"*'
    assert fts_query("") == ""


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_typed_text_searches_without_an_sqlite_error(filled, typed):
    try:
        hits = search(filled, typed)
    except ValueError as exc:  # only "nothing to search for", never FTS syntax
        assert "nothing to search for" in str(exc)
    else:
        assert all(h.note in {"a.md", "dir/b.md", "c.md"} for h in hits)
