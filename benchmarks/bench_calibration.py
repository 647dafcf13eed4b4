"""What calibrating the kind confidence costs: the semantic analysis of a corpus with and
without ``CalibratedKindClassifier`` (same kinds; only the confidence differs).

    python benchmarks/bench_calibration.py [FOLDER] [--runs 3]

FOLDER defaults to /work/shared/corpora/swyx-ai-notes, else the sample vault. The hashing
embedder stands in for the model, so the numbers are the rules' and features' CPU time,
which the model's embedding time (the same for both) would only dilute.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from explorer.core.parse import parse_note
    from explorer.semantic.analyse import Analyser
    from explorer.semantic.embedder import HashingEmbedder
    from explorer.semantic.kinds import KindClassifier
    from explorer.semantic.taxonomy import default_taxonomy

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus = pathlib.Path("/work/shared/corpora/swyx-ai-notes")
    ap.add_argument(
        "folder",
        nargs="?",
        type=pathlib.Path,
        default=corpus if corpus.is_dir() else ROOT / "data" / "sample-vault",
    )
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".txt"))
    notes = [parse_note(p.read_text(encoding="utf-8"), p.name) for p in paths]
    emb, tax = HashingEmbedder(), default_taxonomy()
    analysers = {
        "raw": Analyser(tax, emb, kinds=KindClassifier(tax, emb)),
        "calibrated": Analyser(tax, emb),
    }
    times: dict[str, list[float]] = {name: [] for name in analysers}
    for analyser in analysers.values():
        analyser.analyse(notes[0])  # the examples' vectors and the regression, once
    # Interleaved, so a busy neighbour on a shared machine slows both alike.
    for _ in range(args.runs):
        for name, analyser in analysers.items():
            t = time.perf_counter()
            for n in notes:
                analyser.analyse(n)
            times[name].append(time.perf_counter() - t)
    result = {name: statistics.median(ts) for name, ts in times.items()}
    claims = sum(len(n.claims) for n in notes)
    print(f"{len(notes)} notes, {claims} claims, median of {args.runs} runs")
    for name, t in result.items():
        print(f"  {name:10} {t:6.2f} s  ({t / claims * 1e3:.2f} ms per claim)")
    print(f"  ratio calibrated / raw: {result['calibrated'] / result['raw']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
