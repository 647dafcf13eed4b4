"""Kinds stay quiet off-topic (issue 15, point 7): a consciousness criterion needs a
mind to be about; a tension needs two statements. Notes under tests/fixtures/issue15
were written for this test."""

from pathlib import Path

import pytest

from explorer.core.parse import parse_note
from explorer.semantic.analyse import analyse_note
from explorer.semantic.embedder import HashingEmbedder
from explorer.semantic.similarity import tension_edges
from explorer.semantic.taxonomy import default_taxonomy
from explorer.semantic.types import Edge

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issue15"
CRITERION = "consciousness-criterion"


def kinds_of(name: str, embedder=None) -> dict[str, str]:
    note = parse_note((FIXTURES / name).read_text(encoding="utf-8"), name)
    res = analyse_note(note, embedder=embedder)
    return {c.text: res.kinds[c.id].kind for c in res.claims}


@pytest.mark.parametrize("embedder", [None, HashingEmbedder()], ids=["rules", "hashing"])
@pytest.mark.parametrize("name", ["t-test conditions.md", "Install guide.md"])
def test_no_criterion_without_a_mind_to_be_about(name, embedder):
    kinds = kinds_of(name, embedder)
    assert CRITERION not in kinds.values(), kinds


def test_criteria_about_a_mind_are_still_found():
    kinds = kinds_of("Mind criteria.md")
    assert kinds["A conscious system must be able to monitor its own internal states."] == (
        CRITERION
    )
    # the claim names no mind, its heading does
    assert kinds["It requires a unified model of the present moment."] == CRITERION


def test_subject_rule_reads_claim_heading_and_title():
    kind = default_taxonomy().by_id[CRITERION]
    assert kind.has_subject("It must integrate information.", "", "Machine Consciousness")
    assert kind.has_subject("A self-model is needed.")
    assert not kind.has_subject(
        "The samples must be independent.", "Two-sample t-test > Conditions"
    )
    assert default_taxonomy().by_id["capability"].has_subject("anything at all")


def test_a_question_or_a_fragment_is_never_in_tension():
    texts = {
        "a": "X intercept: none",
        "b": "X intercept?",
        "c": "Models cannot plan.",
        "d": "Models can plan.",
        "e": "SIGEMT",
        "f": "not SIGEMT",
    }
    kinds = {"a": "assertion", "b": "question", "c": "limitation", "d": "capability"}
    kinds |= {"e": "assertion", "f": "assertion"}
    edges = [Edge("a", "b", "similar", 0.9), Edge("c", "d", "similar", 0.9)]
    edges += [Edge("e", "f", "similar", 0.9), Edge("a", "c", "similar", 0.9)]
    found = tension_edges(edges, texts, kinds, default_taxonomy())
    assert [(e.source, e.target) for e in found] == [("c", "d")]
    # without kinds, a '?' still marks the question
    assert tension_edges([Edge("a", "b", "similar", 0.9)], texts, {}, default_taxonomy()) == []
