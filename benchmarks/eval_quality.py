"""Score the parser + semantic layer against a hand-labelled set.

    python benchmarks/eval_quality.py [--eval-dir data/eval] [--fake-embedder] [--json]

Reads ``<eval-dir>/notes/*`` and ``<eval-dir>/labels.jsonl`` (format in
data/eval/README.md), runs ``parse_note`` and ``Analyser.analyse`` with the real
embedding model, matches produced claims to labelled ones by normalised word overlap,
and prints: segmentation recall, share of unlabelled extra claims, kind accuracy (and
the commonest-kind baseline), annotation detection recall, attachment accuracy,
stance accuracy, and reference recall. The set is held out: tune on the sample vault.
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
    h, n = " ".join(norm_words(hay)), " ".join(norm_words(needle))
    return bool(n) and (n in h or (len(h) >= 4 and h in n))


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


def evaluate(eval_dir: Path, embedder=None) -> dict:
    """All the numbers, overall and per note."""
    from explorer.core.parse import parse_note
    from explorer.semantic.analyse import Analyser

    labels = load_labels(eval_dir / "labels.jsonl")
    analyser = Analyser(embedder=embedder)
    tot = Counter()
    kinds_seen = Counter()
    per_note = {}
    for name, lab in sorted(labels.items()):
        text = (eval_dir / "notes" / name).read_text(encoding="utf-8")
        result = analyser.analyse(parse_note(text, name))
        claims = [c.text for c in result.claims]
        by_id = {c.id: c.text for c in result.claims}
        lc = lab.get("claim", [])
        m = greedy_match([x["text"] for x in lc], claims)
        kind_ok = sum(result.kinds[result.claims[j].id].kind == lc[i]["kind"] for i, j in m.items())
        kinds_seen.update(x["kind"] for x in lc)
        la = lab.get("annotation", [])
        am = greedy_match([x["text"] for x in la], [a.text for a in result.annotations], 0.5)
        attached = stance_ok = 0
        for i, j in am.items():
            a = result.annotations[j]
            target = by_id.get(a.target_claim_id, "")
            attached += overlap(target, la[i]["target"]) >= MATCH
            stance_ok += a.stance == la[i]["stance"]
        lr = lab.get("reference", [])
        hay = [" ".join(filter(None, (r.text, r.url or "", r.key))) for r in result.references]
        ref_found = sum(any(contains(h, x["text"]) for h in hay) for x in lr)
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
        "counts": dict(tot),
        "per_note": per_note,
    }


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
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.eval_dir / "labels.jsonl").is_file():
        print(f"no labels.jsonl under {args.eval_dir}", file=sys.stderr)
        return 2
    from explorer.semantic.embedder import Embedder, HashingEmbedder

    embedder = HashingEmbedder() if args.fake_embedder else Embedder()
    res = evaluate(args.eval_dir, embedder)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"evaluation set: {args.eval_dir} (embedder {embedder.name})")
    for key, value in res.items():
        if key in ("counts", "per_note"):
            continue
        goal = TARGETS.get(key)
        mark = ""
        if goal and value is not None:
            ok = value >= goal[1] if goal[0] == ">=" else value <= goal[1]
            mark = f"  (target {goal[0]} {goal[1]}: {'met' if ok else 'MISSED'})"
        print(f"{key:32} {value}{mark}")
    print("counts:", res["counts"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
