import pytest

from explorer.semantic.annotations import (
    AnnotationDetector,
    is_annotation_aside,
    is_annotation_sentence,
    stance_of,
)
from explorer.semantic.embedder import HashingEmbedder
from tests.semantic.conftest import by_text, make_note


def run(items, vectors=None, embed=None):
    note = make_note(items)
    det = AnnotationDetector()
    kept, found = det.split(note.path, note.claims)
    anns = det.attach(note.path, found, kept, vectors, embed)
    targets = {c.id: c.text for c in kept}
    return kept, [(a.text, a.stance, targets.get(a.target_claim_id)) for a in anns], anns


@pytest.mark.parametrize(
    "text",
    [
        "Not sure about the “truthfulness” argument anymore because predicting with p=1 is silly.",
        "This just seems plain wrong.",
        "Thoughts I had some time:",
        "(??)",
        "Update 2024: I changed my mind on the strong version of this.",
        "I still agree with this.",
        "EDIT 2023: the numbers were off by a factor of two.",
        "Hmm, I doubt this now.",
        "Less sure of this now.",
        "Still holds, as far as I can tell.",
    ],
)
def test_annotation_sentences(text):
    assert is_annotation_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        "LLMs cannot be made factual.",
        "I think transformers are program-retrieval machines.",
        "Is the system acting on a causal model of its own awareness?",
        "The model is not sure-footed on arithmetic.",
    ],
)
def test_ordinary_claims_are_not_annotations(text):
    assert not is_annotation_sentence(text)


def test_asides():
    assert is_annotation_aside("now I would disagree with this statement")
    assert is_annotation_aside("??")
    assert is_annotation_aside("later: this got fixed in v2")
    assert not is_annotation_aside("mostly from lecun at lex")
    assert not is_annotation_aside("can be agentic if you ask it to simulate one")


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("now I would disagree with this statement: they go backwards", "disagree"),
        ("This just seems plain wrong.", "disagree"),
        ("??", "doubt"),
        ("Not sure about this anymore.", "doubt"),
        (
            "Not sure about the “truthfulness” argument anymore because predicting with p=1 is silly.",
            "doubt",
        ),
        ("Update 2024: I changed my mind on the strong version of this.", "revise"),
        ("I still agree with this.", "agree"),
        ("Thoughts I had some time:", "note"),
    ],
)
def test_stances(text, stance):
    assert stance_of(text) == stance


def test_parenthetical_is_cut_out_and_targets_its_sentence():
    claim = "All the knowledge of LLMs takes space away from planning (now I would disagree with this statement: they go backwards)"
    kept, anns, raw = run([claim])
    assert [c.text for c in kept] == ["All the knowledge of LLMs takes space away from planning"]
    assert anns == [
        ("now I would disagree with this statement: they go backwards", "disagree", kept[0].text)
    ]
    assert raw[0].id.startswith("ann:") and raw[0].how == "parenthetical:own"
    assert kept[0].id == make_note([claim]).claims[0].id  # same claim id, shorter text


def test_parenthetical_opening_a_glued_line_targets_the_claim_before():
    kept, anns, _ = run(
        [
            "The real world is more complex than language.",
            "(not sure about this second point nowadays)Invention: bridging discontinuities.",
        ]
    )
    assert anns[0][2] == "The real world is more complex than language."
    assert kept[1].text == "Invention: bridging discontinuities."


def test_standalone_sentence_targets_the_claim_before_it():
    kept, anns, _ = run(
        [
            "Joscha claims that interpolation and extrapolation are the same (??)",
            "This just seems plain wrong.",
        ]
    )
    assert [c.text for c in kept] == [
        "Joscha claims that interpolation and extrapolation are the same"
    ]
    assert anns[0] == ("??", "doubt", kept[0].text)
    assert anns[1] == ("This just seems plain wrong.", "disagree", kept[0].text)


def test_quoted_phrase_finds_the_claim_containing_it():
    kept, anns, _ = run(
        [
            "# Truthfulness",
            "Even trained on the truth, they never predict it with p=1.",
            "The probability of error grows with length.",
            "Not sure about the “p=1” argument anymore.",
        ]
    )
    assert anns[0][2] == "Even trained on the truth, they never predict it with p=1."


def test_lead_in_annotation_targets_what_it_introduces():
    kept, anns, _ = run(
        [
            "Learning like a child exists: curriculum learning",
            "Thoughts I had some time:",
            "Train on children's books first.",
        ]
    )
    assert anns == [("Thoughts I had some time:", "note", "Train on children's books first.")]


def test_nested_annotation_targets_its_parent_item():
    kept, anns, _ = run(
        [
            "Weights are frozen at inference.",
            (2, "So they cannot learn mid-conversation."),
            (4, "not sure about this"),
        ]
    )
    assert anns[0][2] == "So they cannot learn mid-conversation."


def test_meaning_beats_the_previous_claim_only_when_clearly_closer():
    emb = HashingEmbedder(dim=512)
    items = [
        "# Memory",
        "Persistent memory can be added with a vector store of past conversations.",
        "Context windows are a workaround.",
        "Long contexts degrade in the middle.",
        "Not sure a vector store of past conversations counts as persistent memory anymore.",
    ]
    note = make_note(items)
    vecs = dict(
        zip([c.id for c in note.claims], emb.encode([c.text for c in note.claims]), strict=True)
    )
    kept, anns, raw = run(items, vecs, emb.encode)
    assert anns[0][2] == items[1] and raw[0].how == "sentence:meaning"
    # Without vectors the rule falls back to the claim just before it.
    _, anns2, _ = run(items)
    assert anns2[0][2] == items[3]


def test_annotation_first_in_note_has_no_target():
    kept, anns, raw = run(["This just seems plain wrong."])
    assert kept == [] and raw[0].target_claim_id is None


def test_heading_in_the_authors_voice_annotates_the_first_claim_under_it():
    note = make_note(
        [
            "# Training stages",
            "Curriculum learning exists.",
            "# Thoughts I had some time:",
            "Train on children's books first.",
            "Then novels.",
        ]
    )
    det = AnnotationDetector()
    kept, found = det.split(note.path, note.claims, note.sections)
    anns = det.attach(note.path, found, kept)
    assert len(kept) == 3
    assert [(a.text, a.stance, a.how) for a in anns] == [
        ("Thoughts I had some time:", "note", "heading:next")
    ]
    assert anns[0].target_claim_id == by_text(note, "Train on children's books first.").id
