"""Fit the kind-confidence calibration on the development labels and write its weights.

    python benchmarks/fit_calibration.py [--check]

Runs the analyser over the dev set (``tests/semantic/dev_labels.jsonl``: the sample vault
and the seed note in /work/shared/seeds) twice, with the real model and with rules only,
collects each matched claim's features (``explorer.semantic.calibration.FEATURES``) and
whether its kind is right, fits one logistic regression per run, and writes
``explorer/semantic/calibration_params.py``. ``data/eval`` is never read here: it stays
held out for measuring. ``--check`` prints the dev-set numbers without writing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_quality import calibration_report, evaluate  # noqa: E402

DEV = ROOT / "tests" / "semantic" / "dev_labels.jsonl"
DEV_NOTES = [ROOT / "data" / "sample-vault", Path("/work/shared/seeds")]
OUT = ROOT / "explorer" / "semantic" / "calibration_params.py"
L2 = 0.3  # chosen by 4-fold cross-validation over the dev notes


def dev_records(embedder, labels: Path = DEV, notes: list[Path] = DEV_NOTES) -> list[dict]:
    from explorer.semantic import calibration_params
    from explorer.semantic.calibration import FEATURES

    records: list = []
    notes = [n for n in notes if n.is_dir()]
    shipped = calibration_params.PARAMS
    if any(len(w) != len(FEATURES) for w, _ in shipped.values()):
        # A feature was added since the weights were written: the features do not depend
        # on the weights, so collect them with neutral ones and fit the new set.
        calibration_params.PARAMS = {k: ([0.0] * len(FEATURES), 0.0) for k in shipped}
    try:
        evaluate(None, embedder, labels_path=labels, note_dirs=notes, records=records)
    finally:
        calibration_params.PARAMS = shipped
    return records


def xy(records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([r["features"] for r in records], dtype=float)
    y = np.asarray([r["labelled"] == r["produced"] for r in records], dtype=float)
    return x, y


def fit(records: list[dict], *, with_regression: bool) -> tuple[list[float], float]:
    from explorer.semantic.calibration import FEATURES, fit_logistic

    no_reg = FEATURES.index("no_reg")
    if with_regression:
        records = [r for r in records if not r["features"][no_reg]]
    x, y = xy(records)
    w, b = fit_logistic(x, y, L2)
    return [round(float(v), 5) for v in w], round(float(b), 5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print, do not write")
    args = ap.parse_args(argv)
    from explorer.semantic.calibration import FEATURES
    from explorer.semantic.embedder import Embedder

    if not DEV_NOTES[1].is_dir():
        print(f"note: {DEV_NOTES[1]} is missing; fitting on the sample vault's labels only")
    params = {}
    for key, embedder in (("model", Embedder()), ("rules", None)):
        records = dev_records(embedder)
        params[key] = fit(records, with_regression=key == "model")
        print(key, len(records), "claims", calibration_report(records))
    if args.check:
        print(params)
        return 0
    lines = [
        '"""Calibration weights, written by benchmarks/fit_calibration.py from the dev labels.',
        "",
        "Features, in order: " + ", ".join(FEATURES) + ".",
        '"""',
        "",
        "PARAMS = {",
    ]
    for key, (w, b) in params.items():
        lines.append(f'    "{key}": (')
        lines.append("        [")  # one weight a line, as ruff format lays it out
        lines.extend(f"            {v!r}," for v in w)
        lines.append("        ],")
        lines.append(f"        {b!r},")
        lines.append("    ),")
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
