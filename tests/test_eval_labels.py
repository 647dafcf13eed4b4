"""The held-out evaluation set stays consistent with its notes.

A label whose text no longer occurs in its note would silently lower every measured score, so
the labels are checked against the notes they describe.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
# The held-out set and the second set, in another writer's voice (same format and guide).
SETS = [DATA / "eval", DATA / "eval" / "second-writer"]
KINDS = {"capability", "limitation", "consciousness-criterion", "question", "assertion"}
STANCES = {"agree", "disagree", "doubt", "revise", "note"}


def _plain(markdown: str) -> str:
    """The note's text with the Markdown marks the labelling guide says to drop."""
    out = []
    for line in markdown.splitlines():
        line = re.sub(r"^\s*>\s?", "", line)
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?", "", line)
        line = re.sub(r"\s\^[A-Za-z0-9-]+\s*$", "", line)
        line = re.sub(r"!?\[\[([^\]|]+)\|([^\]]+)\]\]", r"\2", line)
        line = re.sub(r"!?\[\[([^\]]+)\]\]", r"\1", line)
        line = re.sub(r"\*\*|__|==|`", "", line)
        line = re.sub(r"(?<![\w*])\*(?!\s)([^*]+)\*", r"\1", line)
        out.append(line.strip())
    return " ".join(out)


@pytest.fixture(scope="module", params=SETS, ids=lambda p: p.name)
def eval_dir(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def labels(eval_dir) -> list[dict]:
    with open(eval_dir / "labels.jsonl", encoding="utf-8") as fh:
        return [dict(json.loads(line), _dir=eval_dir) for line in fh if line.strip()]


def test_every_label_is_well_formed(labels):
    for row in labels:
        assert row["type"] in {"claim", "annotation", "reference", "voice"}, row
        assert (row["_dir"] / "notes" / row["note"]).is_file(), row
        if row["type"] == "claim":
            assert row["kind"] in KINDS, row
        if row["type"] == "annotation":
            assert row["stance"] in STANCES, row
        if row["type"] == "voice":
            assert row["voice"] in {"author", "source"}, row
            assert "target" not in row or row["voice"] == "author", row


def test_every_label_text_occurs_in_its_note(labels):
    parentheticals = {}
    for row in labels:
        if row["type"] == "annotation":
            parentheticals.setdefault(row["note"], []).append(row["text"])
    missing = []
    for row in labels:
        text = _plain((row["_dir"] / "notes" / row["note"]).read_text(encoding="utf-8"))
        without = text
        for ann in parentheticals.get(row["note"], []):
            without = without.replace(f" ({ann})", "").replace(f"({ann})", "")
        for key in ("text", "target"):
            if key in row and row[key] not in text and row[key] not in without:
                missing.append((row["note"], key, row[key]))
    assert not missing


def test_each_annotation_targets_exactly_one_labelled_claim(labels):
    claims = Counter((r["note"], r["text"]) for r in labels if r["type"] == "claim")
    for row in labels:
        if row["type"] == "annotation":
            assert claims[(row["note"], row["target"])] == 1, row


def test_each_voice_row_names_one_labelled_claim_and_source_notes_are_complete(labels):
    claims = Counter((r["note"], r["text"]) for r in labels if r["type"] == "claim")
    voiced = Counter((r["note"], r["text"]) for r in labels if r["type"] == "voice")
    for row in labels:
        if row["type"] == "voice":
            assert claims[(row["note"], row["text"])] == 1, row
            assert voiced[(row["note"], row["text"])] == 1, row
            if "target" in row:
                assert claims[(row["note"], row["target"])] == 1, row
                assert row["target"] != row["text"], row
    # A note with a source row is a note on a source: every one of its claims has a row.
    on_source = {r["note"] for r in labels if r["type"] == "voice" and r["voice"] == "source"}
    for note, text in claims:
        if note in on_source:
            assert voiced[(note, text)] == 1, (note, text)
