"""Calibrated kind confidence: the measures, the fit, and that it beats the raw confidence.

The weights were fitted on the dev labels; the dev tests below refit them by
cross-validation over the dev notes (fit on three quarters of the notes, score the fourth),
so they test the method on notes the fit did not see, not the memorised weights only.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.core.parse import parse_note
from explorer.semantic.analyse import Analyser
from explorer.semantic.calibration import (
    FEATURES,
    CalibratedKindClassifier,
    expected_calibration_error,
    fit_logistic,
    lowest_quarter_error_share,
)
from explorer.semantic.kinds import KindClassifier
from explorer.semantic.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
_spec = importlib.util.spec_from_file_location(
    "fit_calibration", ROOT / "benchmarks" / "fit_calibration.py"
)
fit_calibration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fit_calibration)


def test_ece_is_zero_for_honest_confidence_and_large_for_overconfidence():
    conf = [0.8] * 10
    assert expected_calibration_error(conf, [True] * 8 + [False] * 2) == pytest.approx(0.0)
    assert expected_calibration_error([0.95] * 10, [True] * 5 + [False] * 5) == pytest.approx(0.45)


def test_lowest_quarter_share_rewards_low_confidence_on_errors():
    correct = [False] * 5 + [True] * 15
    assert lowest_quarter_error_share(list(np.linspace(0.1, 0.9, 20)), correct) == 1.0
    assert lowest_quarter_error_share(list(np.linspace(0.9, 0.1, 20)), correct) == 0.0
    assert lowest_quarter_error_share([1.0] * 4, [True] * 4) is None


def test_fit_logistic_learns_which_feature_predicts_a_right_answer():
    rng = np.random.default_rng(0)
    x = rng.random((400, 2))
    y = (rng.random(400) < 0.2 + 0.7 * x[:, 0]).astype(float)  # only feature 0 matters
    w, _ = fit_logistic(x, y, l2=0.3)
    assert w[0] > 1.0 and abs(w[1]) < w[0] / 3


def test_shipped_weights_match_the_features():
    from explorer.semantic.calibration_params import PARAMS

    assert set(PARAMS) == {"model", "rules"}
    assert all(len(w) == len(FEATURES) for w, _ in PARAMS.values())


def test_calibration_changes_the_confidence_never_the_kind():
    tax = default_taxonomy()
    text = (
        "# Abilities\n\nLLMs can translate between languages.\n\n"
        "They cannot keep track of long plans, but they try.\n\nIs this consciousness?\n"
    )
    note = parse_note(text, "n.md")
    raw = Analyser(tax, kinds=KindClassifier(tax)).analyse(note).kinds
    calibrated = Analyser(tax).analyse(note).kinds
    assert isinstance(Analyser(tax).kinds, CalibratedKindClassifier)
    assert {k: v.kind for k, v in raw.items()} == {k: v.kind for k, v in calibrated.items()}
    assert {k: v.source for k, v in raw.items()} == {k: v.source for k, v in calibrated.items()}
    assert all(0.0 < v.confidence < 1.0 for v in calibrated.values())
    assert [v.confidence for v in raw.values()] != [v.confidence for v in calibrated.values()]


def test_calibrated_confidence_is_a_probability_and_deterministic():
    from explorer.resources import sample_vault
    from explorer.semantic.embedder import HashingEmbedder

    tax, emb = default_taxonomy(), HashingEmbedder()
    notes = [
        parse_note(p.read_text(encoding="utf-8"), p.name)
        for p in sorted(sample_vault().rglob("*.md"))
    ]
    runs = [
        [{k: v.confidence for k, v in Analyser(tax, e).analyse(n).kinds.items()} for n in notes]
        for e in (emb, emb, None)
    ]
    assert runs[0] == runs[1]  # a fresh analyser, the same confidences
    for run in (runs[0], runs[2]):
        values = [c for note in run for c in note.values()]
        assert values and all(0.0 <= c <= 1.0 for c in values)


def test_fitting_collects_features_when_a_feature_was_added_since_the_weights(monkeypatch):
    """fit_calibration must run when the shipped weights are one feature short (a feature
    was just added): the features do not depend on the weights."""
    from explorer.semantic import calibration_params

    short = {k: (list(w)[:-1], b) for k, (w, b) in calibration_params.PARAMS.items()}
    monkeypatch.setattr(calibration_params, "PARAMS", short)
    records = fit_calibration.dev_records(None)
    assert records and all(len(r["features"]) == len(FEATURES) for r in records)
    assert calibration_params.PARAMS is short


def _cross_validated(records: list[dict], folds: int = 4) -> tuple[list[float], list[bool]]:
    notes = sorted({r["note"] for r in records})
    x, y = fit_calibration.xy(records)
    conf = np.zeros(len(records))
    fold = np.asarray([notes.index(r["note"]) % folds for r in records])
    for k in range(folds):
        w, b = fit_logistic(x[fold != k], y[fold != k], fit_calibration.L2)
        conf[fold == k] = 1 / (1 + np.exp(-(x[fold == k] @ w + b)))
    return list(conf), [bool(v) for v in y]


def _check_dev(records: list[dict]) -> None:
    ok = [r["labelled"] == r["produced"] for r in records]
    raw = [r["raw"] for r in records]
    shipped = [r["calibrated"] for r in records]
    assert len(records) >= 150 and not all(ok)
    # The shipped weights are better calibrated than the classifier's own confidence ...
    assert expected_calibration_error(shipped, ok) < expected_calibration_error(raw, ok)
    # ... and so are weights fitted without the note they are scored on.
    cv, cv_ok = _cross_validated(records)
    assert expected_calibration_error(cv, cv_ok) < expected_calibration_error(raw, ok)
    # Low confidence points at errors more than chance does.
    assert lowest_quarter_error_share(cv, cv_ok) > 0.3


def test_calibration_beats_raw_confidence_on_the_dev_set_rules_only():
    records = fit_calibration.dev_records(None)
    assert all(r["features"][FEATURES.index("no_reg")] for r in records)
    _check_dev(records)


@pytest.mark.slow
def test_calibration_beats_raw_confidence_on_the_dev_set_with_the_model():
    from explorer.semantic.embedder import Embedder

    _check_dev(fit_calibration.dev_records(Embedder()))


def test_the_memoised_scores_give_the_same_kinds_as_the_raw_classifier():
    """Repeated lines (same text, same context) once made a memo hand back a dict the
    classifier had added to; every kind, source and reason must stay the raw one."""
    from explorer.resources import sample_vault

    tax = default_taxonomy()
    notes = [
        parse_note(p.read_text(encoding="utf-8"), p.name)
        for p in sorted(sample_vault().rglob("*.md"))
    ]
    notes.append(
        parse_note(
            "# Limits\n\n- [ ] they cannot plan\n- [ ] they cannot plan\n"
            "- they cannot plan\n- they cannot plan\n",
            "dup.md",
        )
    )
    from explorer.semantic.embedder import HashingEmbedder

    emb = HashingEmbedder()
    raw = Analyser(tax, emb, kinds=KindClassifier(tax, emb))
    calibrated = Analyser(tax, emb)
    for note in notes:
        a, b = raw.analyse(note).kinds, calibrated.analyse(note).kinds
        assert {k: (v.kind, v.source, v.reason) for k, v in a.items()} == {
            k: (v.kind, v.source, v.reason) for k, v in b.items()
        }, note.path
