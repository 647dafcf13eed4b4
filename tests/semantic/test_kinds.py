import numpy as np
import pytest

from explorer.semantic.context import claim_contexts
from explorer.semantic.embedder import HashingEmbedder
from explorer.semantic.kinds import (
    KindClassifier,
    NullKindClassifier,
    RuleKindClassifier,
    fit_softmax,
    is_question,
    resolve_kind,
)
from explorer.semantic.taxonomy import default_taxonomy, parse_taxonomy
from explorer.semantic.types import KindLabel
from tests.semantic.conftest import make_note


def kinds_of(items, classifier=None, vectors=None):
    note = make_note(items)
    clf = classifier or RuleKindClassifier(default_taxonomy())
    labels = clf.classify(note.claims, claim_contexts(note), vectors)
    return {c.text: labels[c.id] for c in note.claims}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("LLMs themselves cannot be made factual.", "limitation"),
        ("LLMs struggle with learning from their own output.", "limitation"),
        ("The ability for generalization in LLMs is intrinsically limited.", "limitation"),
        ("LLMs can interpolate between the programs they memorised.", "capability"),
        ("The model is able to write working code.", "capability"),
        ("The model is not able to write working code.", "limitation"),
        ("LLMs can paraphrase well, but they fail to keep track of long arguments.", "limitation"),
        ("Is the system acting on a causal model of its own awareness?", "question"),
        ("Wouldn’t it make sense to train on children’s books first", "question"),
        ("LLMs self-reporting consciousness are almost meaningless.", "consciousness-criterion"),
        ("LLMs are usually GPTs.", "assertion"),
    ],
)
def test_rules(text, kind):
    assert kinds_of([text])[text].kind == kind


def test_negation_and_source_and_reason():
    lab = kinds_of(["The model is not capable of planning."])[
        "The model is not capable of planning."
    ]
    assert lab.kind == "limitation" and lab.source == "rule" and "negated" in lab.reason
    assert 0 < lab.confidence <= 1


def test_question_marks_inside_parentheses_do_not_make_a_question():
    assert not is_question("Functional limitation: Truthfulness (or rather grounding?)")
    assert is_question("Does the system possess an integrated model of now?")
    assert not is_question("What you want to have is a system which represents thoughts.")


def test_heading_context_counts():
    items = ["# Are LLMs conscious?", "Not real-time.", "# Capability limitations", "Mathematics."]
    out = kinds_of(items)
    assert out["Not real-time."].kind == "consciousness-criterion"
    assert out["Mathematics."].kind == "limitation"


def test_lead_in_line_acts_like_a_heading_in_flat_exports():
    out = kinds_of(["Limitations of autoregressive LLMs: (mostly from lecun at lex)", "Planning."])
    assert out["Planning."].kind == "limitation"


def test_null_classifier_gives_the_default():
    out = kinds_of(["LLMs cannot plan."], NullKindClassifier(default_taxonomy()))
    assert out["LLMs cannot plan."] == KindLabel(
        next(iter(out.values())).claim_id, "assertion", 0.0, "default"
    )


def test_user_correction_wins_over_every_computed_label():
    computed = KindLabel("clm:1", "limitation", 0.9, "rule", "'cannot'")
    assert resolve_kind(None, computed) is computed
    user = KindLabel("clm:1", "capability", 0.3, "user")
    got = resolve_kind(user, computed)
    assert (got.kind, got.confidence, got.source) == ("capability", 1.0, "user")


def test_prototypes_are_embedded_once_and_decide_uncued_claims():
    emb = HashingEmbedder(dim=256)
    tax = default_taxonomy()
    clf = KindClassifier(tax, emb, min_similarity=0.05, margin=0.0)
    # A claim that copies a limitation example's words but has no cue word.
    text = "Gradient descent is very data hungry indeed."
    note = make_note([text, "LLMs are usually GPTs."])
    vecs = dict(
        zip([c.id for c in note.claims], emb.encode([c.text for c in note.claims]), strict=True)
    )
    calls_before = emb.calls
    first = clf.classify(note.claims, claim_contexts(note), vecs)
    second = clf.classify(note.claims, claim_contexts(note), vecs)
    assert emb.calls == calls_before + len([k for k in tax.kinds if k.examples])
    assert first == second
    lab = first[note.claims[0].id]
    assert lab.source == "embedding" and lab.kind == "limitation"


def test_without_vectors_the_full_classifier_is_the_rule_classifier():
    clf = KindClassifier(default_taxonomy(), HashingEmbedder())
    out = kinds_of(["LLMs cannot plan.", "Soup will be."], clf)
    assert out["LLMs cannot plan."].kind == "limitation"
    assert out["Soup will be."].source == "default"
    assert clf.embedder.calls == 0


def test_non_english_text_gets_a_low_confidence_default(fake_embedder):
    texts = ["Das Bewusstsein ist kein Ding, sondern ein Prozess.", "意识是一个过程。"]
    note = make_note(texts)
    vecs = dict(zip([c.id for c in note.claims], fake_embedder.encode(texts), strict=True))
    labels = KindClassifier(default_taxonomy(), fake_embedder).classify(note.claims, {}, vecs)
    for lab in labels.values():
        assert lab.kind == "assertion" and lab.confidence <= 0.5
    assert np.isfinite([lab.confidence for lab in labels.values()]).all()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # A note's name in mid-sentence is not a cue ("see LLM Limitations").
        ("The counterpart is LLM Limitations, see also Machine Consciousness.", "assertion"),
        # "only" before a capability cue limits it.
        ("On ARC they only perform well with test-time tricks on top.", "limitation"),
        # "can ..., but do not ...": the point after the contrast wins.
        (
            "They can do ciphers on small numbers, but they don’t synthesize the algorithm.",
            "limitation",
        ),
        ("Like a script kiddie that can’t code.", "limitation"),
        # Plans and pointers are assertions, whatever they mention.
        ("Compare the indicator properties with my own list.", "assertion"),
        ("try the obfuscated puzzles myself", "assertion"),
        # Necessity plus the topic makes a criterion.
        (
            "A conscious machine would need a self-model it cannot see through.",
            "consciousness-criterion",
        ),
    ],
)
def test_weighted_cue_rules(text, kind):
    assert kinds_of([text])[text].kind == kind


def test_a_fragment_takes_the_kind_of_the_line_it_hangs_from(fake_embedder):
    items = [
        "# Are LLMs conscious?",
        "They may appear conscious, however, they are…",
        "Not real-time.",
        "# Planning",
        "LLMs cannot plan over many steps.",
        ("  ", "long horizons"),
    ]
    note = make_note(items)
    vecs = dict(
        zip(
            [c.id for c in note.claims],
            fake_embedder.encode([c.text for c in note.claims]),
            strict=True,
        )
    )
    # Hashing vectors mean nothing: a similarity bar no claim reaches (and no margin for
    # the default) leaves the decision to the rules and the context, this test's subject.
    clf = KindClassifier(default_taxonomy(), fake_embedder, min_similarity=1.5, margin=0.0)
    labels = clf.classify(note.claims, claim_contexts(note), vecs)
    got = {c.text: labels[c.id] for c in note.claims}
    assert got["Not real-time."].kind == "consciousness-criterion"
    assert got["long horizons"].kind == "limitation"
    assert "under a limitation line" in got["long horizons"].reason


def test_softmax_regression_separates_classes_and_balances_their_sizes():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8)
    x = np.vstack(
        [
            centres[0] + 0.1 * rng.standard_normal((30, 8)),
            centres[1] + 0.1 * rng.standard_normal((3, 8)),
            centres[2] + 0.1 * rng.standard_normal((10, 8)),
        ]
    )
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.array([0] * 30 + [1] * 3 + [2] * 10)
    w, b = fit_softmax(x, y, 3, l2=1e-3, steps=400)
    assert (np.argmax(x @ w + b, axis=1) == y).all()
    # Halfway between the big class and the small one: no pull toward the big class.
    mid = (centres[0] + centres[1]) / np.sqrt(2)
    p = np.exp(mid @ w + b)
    p /= p.sum()
    assert abs(p[0] - p[1]) < 0.15


def test_taxonomy_examples_train_the_classifier_of_a_vault_taxonomy(fake_embedder):
    toml = """
[[kind]]
id = "recipe"
name = "Recipe"
colour = "#aa0000"
examples = ["Stir the flour into the butter.", "Bake the bread for forty minutes.", "Whisk eggs with sugar."]

[[kind]]
id = "other"
name = "Other"
colour = "#999999"
default = true
examples = ["The train leaves at noon.", "Parliament met on Tuesday.", "The river floods in spring."]
"""
    tax = parse_taxonomy(toml)
    clf = KindClassifier(tax, fake_embedder, min_similarity=0.0, margin=0.0)
    texts = ["Stir the butter and bake the bread.", "Parliament met by the river."]
    note = make_note(texts)
    vecs = dict(zip([c.id for c in note.claims], fake_embedder.encode(texts), strict=True))
    labels = clf.classify(note.claims, {}, vecs)
    assert [labels[c.id].kind for c in note.claims] == ["recipe", "other"]
    assert labels[note.claims[0].id].source == "embedding"
