"""Word search understands a question (issue 15, point 9). The notes under
tests/fixtures/issue15/question-vault were written for this test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.store import open_db
from explorer.store.search import any_words_query, search

VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "issue15" / "question-vault"


@pytest.fixture
def db(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(VAULT, vault)
    path = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(path), "--quiet"]) == 0
    return path


def test_a_question_finds_claims_by_any_of_its_words_and_says_so(db, capsys):
    capsys.readouterr()
    question = "what is the hard problem of consciousness"
    assert main(["search", "--words", *question.split(), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert f"no claim contains all of: {question}; ranked by any of: hard, problem" in err
    lines = out.splitlines()
    # claims holding two of the words rank above those holding one (bm25)
    assert {line.split(":")[0] for line in lines[:2]} == {"Hard problem.md", "Other notes.md"}
    assert "Chalmers calls" in " ".join(lines[:2]) and "planning" in " ".join(lines[:2])
    assert "[Consciousness] may need a body" in lines[2]
    assert len(lines) == 3


def test_identical_hit_texts_are_folded_into_one(db, capsys):
    capsys.readouterr()
    assert main(["search", "--words", "reading", "list", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # every word matched: no fallback
    (line,) = out.splitlines()
    assert line.endswith("[Reading] [list] (and 5 more with this text)")
    assert main(["search", "--words", "reading", "--json", "--db", str(db)]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["same_text"] == 5


def test_only_stop_words_find_nothing(db):
    store = open_db(db, create=False)
    try:
        assert search(store, "what is the", any_words=True) == []
        with pytest.raises(ValueError):
            search(store, "?!", any_words=True)
    finally:
        store.close()
    assert any_words_query("Hard hard HARD problem*") == '"Hard" OR "hard" OR "HARD" OR "problem"*'
