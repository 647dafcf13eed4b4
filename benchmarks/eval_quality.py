"""Score the parser + semantic layer against a hand-labelled set.

    python benchmarks/eval_quality.py [--eval-dir data/eval] [--fake-embedder] [--json]
    python benchmarks/eval_quality.py --labels tests/semantic/dev_labels.jsonl \
        --notes data/sample-vault --notes /work/shared/seeds --errors     # the dev set

Reads ``<eval-dir>/notes/*`` and ``<eval-dir>/labels.jsonl`` (format in
data/eval/README.md), or the labels file and note folders given, runs ``parse_note`` and
``Analyser.analyse`` with the real embedding model, matches produced claims to labelled
ones by normalised word overlap, and prints: segmentation recall, share of unlabelled
extra claims, kind accuracy (and the commonest-kind baseline), annotation detection
recall, attachment accuracy, stance accuracy, and reference recall. ``data/eval`` is held
out: tune on the dev set (``tests/semantic/dev_labels.jsonl``), and run this on
``data/eval`` only to measure.

Reference matching: a labelled reference counts as found when one produced reference
has a field (its text, its URL, or its key without the ``kind:`` prefix) that contains
the label or is contained in it, compared as case-folded words with punctuation dropped,
on word boundaries; a produced field shorter than three characters never counts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MATCH = 0.6  # word-overlap (Dice) needed to call two texts the same sentence


def norm_words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"\w+", t)


def overlap(a: str, b: str) -> float:
    """Dice coefficient of the two texts' word multisets (1.0 = same words)."""
    wa, wb = Counter(norm_words(a)), Counter(norm_words(b))
    total = sum(wa.values()) + sum(wb.values())
    return 2 * sum((wa & wb).values()) / total if total else 0.0


def contains(hay: str, needle: str) -> bool:
    """``needle`` occurs in ``hay`` as whole words, ignoring case and punctuation."""
    h, n = " ".join(norm_words(hay)), " ".join(norm_words(needle))
    return bool(n) and f" {n} " in f" {h} "


def reference_fields(ref) -> list[str]:
    """The strings a produced reference offers for matching: text, URL, key sans prefix."""
    key = ref.key.split(":", 1)[1] if ":" in ref.key else ref.key
    return [f for f in (ref.text, ref.url or "", key) if f]


def reference_found(label: str, refs) -> bool:
    """The matching rule of the module docstring: containment either way, per field."""
    for r in refs:
        for field in reference_fields(r):
            if contains(field, label):
                return True
            if len(" ".join(norm_words(field))) >= 3 and contains(label, field):
                return True
    return False


def greedy_match(
    labels: list[str], produced: list[str], threshold: float = MATCH
) -> dict[int, int]:
    """Label index -> produced index, one to one, best overlaps first."""
    scored = []
    for i, lt in enumerate(labels):
        for j, pt in enumerate(produced):
            s = overlap(lt, pt)
            if s >= threshold:
                scored.append((s, i, j))
    scored.sort(reverse=True)
    out, used = {}, set()
    for _, i, j in scored:
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def load_labels(path: Path) -> dict[str, dict[str, list[dict]]]:
    per_note: dict[str, dict[str, list[dict]]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise SystemExit(f"{path}, line {n}: not JSON: {exc}") from exc
        per_note.setdefault(row["note"], {}).setdefault(row["type"], []).append(row)
    return per_note


def find_note(name: str, note_dirs: list[Path]) -> Path:
    for d in note_dirs:
        if (d / name).is_file():
            return d / name
    raise SystemExit(f"note {name!r} of the labels is in none of {[str(d) for d in note_dirs]}")


def evaluate(
    eval_dir: Path | None,
    embedder=None,
    *,
    labels_path: Path | None = None,
    note_dirs: list[Path] | None = None,
    errors: list | None = None,
    records: list | None = None,
) -> dict:
    """All the numbers, overall and per note.

    ``labels_path`` and ``note_dirs`` default to ``<eval_dir>/labels.jsonl`` and
    ``<eval_dir>/notes``. A list passed as ``errors`` collects ``(note, text, labelled,
    produced, reason)`` for each wrongly kinded claim and ``(note, text, "reference")``
    for each missed reference. A list passed as ``records`` collects one dict per matched
    claim: note, text, labelled and produced kind, raw and calibrated confidence, features.
    """
    from explorer.core.parse import parse_note
    from explorer.semantic.analyse import Analyser

    labels = load_labels(labels_path or eval_dir / "labels.jsonl")
    note_dirs = note_dirs or [eval_dir / "notes"]
    analyser = Analyser(embedder=embedder)
    tot = Counter()
    kinds_seen = Counter()
    per_note = {}
    for name, lab in sorted(labels.items()):
        text = find_note(name, note_dirs).read_text(encoding="utf-8")
        result = analyser.analyse(parse_note(text, name))
        claims = [c.text for c in result.claims]
        by_id = {c.id: c.text for c in result.claims}
        lc = lab.get("claim", [])
        m = greedy_match([x["text"] for x in lc], claims)
        kind_ok = 0
        for i, j in sorted(m.items()):
            got = result.kinds[result.claims[j].id]
            kind_ok += got.kind == lc[i]["kind"]
            details = getattr(analyser.kinds, "details", {})
            if records is not None and result.claims[j].id in details:
                raw, feats = details[result.claims[j].id]
                records.append(
                    {
                        "note": name,
                        "text": lc[i]["text"],
                        "labelled": lc[i]["kind"],
                        "produced": got.kind,
                        "raw": raw.confidence,
                        "calibrated": got.confidence,
                        "features": feats,
                    }
                )
            if errors is not None and got.kind != lc[i]["kind"]:
                errors.append((name, lc[i]["text"], lc[i]["kind"], got.kind, got.reason))
        kinds_seen.update(x["kind"] for x in lc)
        la = lab.get("annotation", [])
        am = greedy_match([x["text"] for x in la], [a.text for a in result.annotations], 0.5)
        attached = stance_ok = 0
        for i, j in am.items():
            a = result.annotations[j]
            target = by_id.get(a.target_claim_id, "")
            attached += overlap(target, la[i]["target"]) >= MATCH
            stance_ok += a.stance == la[i]["stance"]
        voice = _voice_counts(lab, lc, m, result, by_id)
        lr = lab.get("reference", [])
        found = [reference_found(x["text"], result.references) for x in lr]
        ref_found = sum(found)
        if errors is not None:
            errors.extend(
                (name, x["text"], "reference") for x, f in zip(lr, found, strict=True) if not f
            )
        # An unmatched claim is extra unless it is (part of) a labelled annotation or reference.
        matched = set(m.values())
        other = [x["text"] for x in la] + [x["text"] for x in lr]
        extra = sum(
            1
            for j, c in enumerate(claims)
            if j not in matched and not any(overlap(c, o) >= MATCH for o in other)
        )
        row = Counter(
            claims_labelled=len(lc),
            claims_matched=len(m),
            claims_produced=len(claims),
            extra=extra,
            kind_ok=kind_ok,
            ann_labelled=len(la),
            ann_found=len(am),
            ann_attached=attached,
            stance_ok=stance_ok,
            refs_labelled=len(lr),
            refs_found=ref_found,
            **voice,
        )
        per_note[name] = dict(row)
        tot.update(row)

    def ratio(a, b):
        return round(tot[a] / tot[b], 3) if tot[b] else None

    commonest = kinds_seen.most_common(1)[0] if kinds_seen else ("", 0)
    return {
        "segmentation_recall": ratio("claims_matched", "claims_labelled"),
        "extra_claims_share": ratio("extra", "claims_produced"),
        "kind_accuracy": ratio("kind_ok", "claims_matched"),
        "kind_baseline_commonest": round(commonest[1] / sum(kinds_seen.values()), 3)
        if kinds_seen
        else None,
        "annotation_detection_recall": ratio("ann_found", "ann_labelled"),
        "annotation_attachment_accuracy": ratio("ann_attached", "ann_found"),
        "annotation_stance_accuracy": ratio("stance_ok", "ann_found"),
        "reference_recall": ratio("refs_found", "refs_labelled"),
        "voice_accuracy": ratio("voice_ok", "voice_matched"),
        "voice_author_recall": ratio("author_found", "author_labelled"),
        "voice_source_recall": ratio("source_found", "source_labelled"),
        "reaction_recall_before": ratio("reactions_as_annotations", "reactions_labelled"),
        "reaction_attachment_before": ratio(
            "reactions_as_annotations_attached", "reactions_as_annotations"
        ),
        "reaction_recall": ratio("reactions_found", "reactions_labelled"),
        "reaction_attachment": ratio("reactions_attached", "reactions_found"),
        "reaction_precision": ratio("reactions_found", "reactions_produced"),
        "counts": dict(tot),
        "per_note": per_note,
    }


def _voice_counts(lab, lc, m, result, by_id) -> dict:
    """Voice and reaction counts of one note (data/eval/README.md, "Voice").

    Before: today's annotation detector, which finds marked reactions only: a labelled
    reaction counts as found when an annotation's text matches it, attached when that
    annotation's target is the labelled target. After: the voice stage.
    """
    rows = lab.get("voice", [])
    if not rows:
        return {}
    produced = {lc[i]["text"]: result.claims[j] for i, j in m.items()}
    voices = getattr(result, "voices", {}) or {}
    c = Counter()
    for row in rows:
        claim = produced.get(row["text"])
        want = row["voice"]
        c[f"{want}_labelled"] += 1
        if row.get("target"):
            c["reactions_labelled"] += 1
            for a in result.annotations:
                if overlap(a.text, row["text"]) >= MATCH:
                    c["reactions_as_annotations"] += 1
                    target = by_id.get(a.target_claim_id, "")
                    c["reactions_as_annotations_attached"] += (
                        overlap(target, row["target"]) >= MATCH
                    )
                    break
        if claim is None:
            continue
        v = voices.get(claim.id)
        c["voice_matched"] += 1
        c["voice_ok"] += bool(v and v.voice == want)
        c[f"{want}_found"] += bool(v and v.voice == want)
        if row.get("target") and v and v.answers and v.answers != claim.id:
            c["reactions_found"] += 1
            target = produced.get(row["target"])
            c["reactions_attached"] += bool(target and v.answers == target.id)
    # Precision: every link the voice stage made in this note, labelled or not.
    c["reactions_produced"] = sum(1 for cid, v in voices.items() if v.answers and v.answers != cid)
    return dict(c)


def calibration_report(records: list[dict]) -> dict:
    """Reliability of the kind confidence, raw (the classifier's) and calibrated (stored).

    ECE: expected calibration error over ten confidence bins. Lowest quarter: the share
    of all wrong kinds among the quarter of claims with the lowest confidence (chance 0.25).
    """
    from explorer.semantic.calibration import (
        expected_calibration_error,
        lowest_quarter_error_share,
    )

    ok = [r["labelled"] == r["produced"] for r in records]
    out = {"claims": len(records), "wrong": len(ok) - sum(ok)}
    for key in ("raw", "calibrated"):
        conf = [r[key] for r in records]
        ece = expected_calibration_error(conf, ok)
        low = lowest_quarter_error_share(conf, ok)
        out[f"ece_{key}"] = round(ece, 3) if ece is not None else None
        out[f"lowest_quarter_errors_{key}"] = round(low, 3) if low is not None else None
    return out


TARGETS = {
    "kind_accuracy": (">=", 0.8),
    "annotation_detection_recall": (">=", 0.75),
    "annotation_attachment_accuracy": (">=", 0.6),
    "reference_recall": (">=", 0.75),
    "extra_claims_share": ("<=", 0.2),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score claims, kinds, annotations and references.")
    ap.add_argument("--eval-dir", type=Path, default=ROOT / "data" / "eval")
    ap.add_argument(
        "--fake-embedder", action="store_true", help="hashing embedder instead of the model"
    )
    ap.add_argument("--labels", type=Path, help="labels file (default <eval-dir>/labels.jsonl)")
    ap.add_argument(
        "--notes",
        type=Path,
        action="append",
        help="folder holding the labelled notes (repeatable; default <eval-dir>/notes)",
    )
    ap.add_argument("--errors", action="store_true", help="list wrong kinds and missed references")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    labels_path = args.labels or args.eval_dir / "labels.jsonl"
    if not labels_path.is_file():
        where = args.labels or f"no labels.jsonl under {args.eval_dir}"
        print(f"{where}: labels file not found" if args.labels else where, file=sys.stderr)
        return 2
    from explorer.semantic.embedder import Embedder, HashingEmbedder

    embedder = HashingEmbedder() if args.fake_embedder else Embedder()
    errors: list = []
    records: list = []
    res = evaluate(
        args.eval_dir,
        embedder,
        labels_path=labels_path,
        note_dirs=args.notes,
        errors=errors,
        records=records,
    )
    res["calibration"] = calibration_report(records)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    if args.errors:
        for e in errors:
            print("  ".join(map(str, e)))
    print(f"evaluation set: {labels_path} (embedder {embedder.name})")
    for key, value in res.items():
        if key in ("counts", "per_note", "calibration"):
            continue
        goal = TARGETS.get(key)
        mark = ""
        if goal and value is not None:
            ok = value >= goal[1] if goal[0] == ">=" else value <= goal[1]
            mark = f"  (target {goal[0]} {goal[1]}: {'met' if ok else 'MISSED'})"
        print(f"{key:32} {value}{mark}")
    print("calibration:", res["calibration"])
    print("counts:", res["counts"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
