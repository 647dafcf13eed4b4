"""The entry point end to end: stages together, swappable stages, bad input."""

import time
from pathlib import Path

import pytest

from explorer.core.parse import parse_note
from explorer.semantic.analyse import Analyser, analyse_note
from explorer.semantic.annotations import NullAnnotationDetector
from explorer.semantic.concepts import NullConceptExtractor, vault_concepts
from explorer.semantic.embedder import HashingEmbedder
from explorer.semantic.kinds import NullKindClassifier
from explorer.semantic.references import NullReferenceExtractor
from explorer.semantic.taxonomy import default_taxonomy
from tests.semantic.conftest import make_note

SEED = Path("/work/shared/seeds/000_d36a40b1e579613a.txt")

ITEMS = [
    "# Limitations of autoregressive LLMs (mostly from lecun at lex)",
    "LLMs themselves cannot be made factual.",
    "What is the last step for us is the only step for the LM (now I would disagree with this statement: they go backwards)",
    "LLMs can interpolate between programs.",
    "This just seems plain wrong.",
    "# References",
    "Machine Consciousness - Joscha Bach",
]


def test_analyse_note_produces_every_part(fake_embedder):
    note = make_note(ITEMS)
    result = Analyser(default_taxonomy(), fake_embedder).analyse(note)
    texts = [c.text for c in result.claims]
    assert texts == [
        "LLMs themselves cannot be made factual.",
        "What is the last step for us is the only step for the LM",
        "LLMs can interpolate between programs.",
    ]
    assert set(result.kinds) == {c.id for c in result.claims}
    assert result.kinds[result.claims[0].id].kind == "limitation"
    assert result.kinds[result.claims[2].id].kind == "capability"
    stances = {a.text: (a.stance, a.target_claim_id) for a in result.annotations}
    assert stances["This just seems plain wrong."] == ("disagree", result.claims[2].id)
    assert (
        stances["now I would disagree with this statement: they go backwards"][1]
        == result.claims[1].id
    )
    keys = {r.key: r for r in result.references}
    assert len(keys["src:lecun at lex"].claim_ids) == 3
    assert keys["entry:machine consciousness - joscha bach"].scope == "note"
    assert any(c.id == "con:llm" for c in result.concepts)


def test_segment_matches_analyse_claims_and_vectors_are_not_recomputed(fake_embedder):
    note = make_note(ITEMS)
    analyser = Analyser(default_taxonomy(), fake_embedder)
    claims = analyser.segment(note)
    vectors = dict(
        zip([c.id for c in claims], fake_embedder.encode([c.text for c in claims]), strict=True)
    )
    seen = fake_embedder.texts_seen
    result = analyser.analyse(note, vectors)
    assert [c.id for c in result.claims] == [c.id for c in claims]
    # analyse embedded the taxonomy examples (once) and the one standalone annotation
    # (segment leaves it out, so the caller has no vector for it), but no claim again.
    examples = sum(len(k.examples) for k in default_taxonomy().kinds)
    assert fake_embedder.texts_seen - seen == examples + 1


def test_null_stages_switch_parts_off():
    note = make_note(ITEMS)
    tax = default_taxonomy()
    result = Analyser(
        tax,
        kinds=NullKindClassifier(tax),
        annotations=NullAnnotationDetector(),
        references=NullReferenceExtractor(),
        concepts=NullConceptExtractor(),
    ).analyse(note)
    assert len(result.claims) == len(note.claims)
    assert {k.kind for k in result.kinds.values()} == {"assertion"}
    assert result.annotations == result.references == result.concepts == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[[A]] [[B]] https://example.com/x",
        "Das Bewusstsein ist kein Ding. 意识是一个过程。 Сознание — это процесс.",
    ],
)
def test_bad_input_does_not_crash(text):
    note = parse_note(text, "bad.md")
    result = analyse_note(note, embedder=HashingEmbedder())
    assert len(result.kinds) == len(result.claims)
    for lab in result.kinds.values():
        assert 0.0 <= lab.confidence <= 1.0


def test_non_english_claims_get_low_confidence():
    note = make_note(
        ["Das Bewusstsein ist kein Ding, sondern ein Prozess.", "Le modèle apprend vite."]
    )
    result = analyse_note(note, embedder=HashingEmbedder())
    assert all(k.confidence <= 0.5 for k in result.kinds.values())


def test_ten_thousand_word_paragraph_is_fast():
    words = (
        "LLMs cannot plan because gradient descent is limited and (Brown et al., 2020) said so "
        * 700
    ).split()[:10000]
    note = make_note([" ".join(words)])
    t = time.perf_counter()
    result = analyse_note(note, embedder=HashingEmbedder())
    assert time.perf_counter() - t < 5
    assert len(result.claims) == 1 and result.kinds[result.claims[0].id].kind == "limitation"


@pytest.mark.slow
@pytest.mark.skipif(not SEED.exists(), reason="the seed note lives in the shared folder")
def test_seed_note_with_the_real_model():
    from explorer.semantic.embedder import Embedder

    note = parse_note(SEED.read_text(encoding="utf-8"), "seed.txt")
    result = Analyser(default_taxonomy(), Embedder()).analyse(note)
    kind = {c.text: result.kinds[c.id].kind for c in result.claims}
    assert kind["LLMs themselves cannot be made factual."] == "limitation"
    assert kind["LLMs struggle with learning from their own output."] == "limitation"
    assert kind["LLMs are usually GPTs."] == "assertion"
    assert any(k.source == "embedding" for k in result.kinds.values())
    ann = {a.text: a for a in result.annotations}
    thoughts = next(a for t, a in ann.items() if t.startswith("Thoughts I had some time"))
    assert thoughts.stance == "note" and thoughts.target_claim_id == next(
        c.id for c in result.claims if c.text.startswith("Wouldn’t it make sense")
    )
    assert any(
        a.text.startswith("now I would disagree") and a.stance == "disagree"
        for a in result.annotations
    )
    assert any(t.startswith("Not sure about the “truthfulness” argument") for t in ann)
    keys = {r.key for r in result.references}
    assert {"src:joscha", "src:lecun at lex", "title:attention is all you need"} <= keys
    concepts = {c.id for c in vault_concepts([result.concepts])}
    assert {"con:llm", "con:gradient-descent"} <= concepts
