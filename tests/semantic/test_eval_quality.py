"""The quality script on a tiny labelled set made for this test (not data/eval)."""

import importlib.util
from pathlib import Path

from explorer.semantic.embedder import HashingEmbedder

FIXTURE = Path(__file__).parent / "eval_fixture"
_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "eval_quality.py"
_spec = importlib.util.spec_from_file_location("eval_quality", _SCRIPT)
eval_quality = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_quality)
evaluate, greedy_match, main, overlap = (
    eval_quality.evaluate,
    eval_quality.greedy_match,
    eval_quality.main,
    eval_quality.overlap,
)


def test_overlap_and_matching():
    assert overlap("LLMs cannot plan.", "llms cannot plan") == 1.0
    assert overlap("a b", "c d") == 0.0
    assert greedy_match(["x y z", "p q"], ["p q", "x y z w"]) == {0: 1, 1: 0}


def test_evaluate_scores_the_tiny_set():
    res = evaluate(FIXTURE, HashingEmbedder())
    c = res["counts"]
    assert c["claims_labelled"] == 5 and c["ann_labelled"] == 2 and c["refs_labelled"] == 3
    assert res["segmentation_recall"] == 1.0
    assert res["extra_claims_share"] == 0.0
    assert res["annotation_detection_recall"] == 1.0
    assert res["annotation_attachment_accuracy"] == 1.0
    assert res["reference_recall"] == 1.0
    assert res["kind_accuracy"] >= 0.8
    assert res["kind_baseline_commonest"] == 0.2


def test_main_reports_a_missing_set(tmp_path, capsys):
    assert main(["--eval-dir", str(tmp_path)]) == 2
    assert "no labels.jsonl" in capsys.readouterr().err
