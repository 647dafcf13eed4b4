"""Time the graph layer on synthetic graphs: communities, centrality, both layouts.

    python benchmarks/bench_layout.py [--sizes 2000 20000] [--runs 3] [--seed 0]

Prints a Markdown table (median of ``--runs`` runs, and the slowest) for
docs/BENCHMARKS.md. Target: the force layout of 20,000 nodes in under 10 s on
2 cores. The semantic map uses deterministic bag-of-words vectors (384-d) in place of
model embeddings, so it measures the projection, not the model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synth_graph import make_graph  # noqa: E402


def _time(fn, runs: int) -> tuple[float, float, float, object]:
    """Median wall seconds, slowest wall seconds, median CPU seconds, last result."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), max(times), statistics.median(cpu), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from explorer.graph.centrality import centrality
    from explorer.graph.communities import detect_communities
    from explorer.graph.layout import force_layout
    from explorer.graph.semantic_map import semantic_layout
    from explorer.graph.synthetic import bag_of_words_vectors

    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    print("| nodes | edges | step | median s | max s | median CPU s |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    for size in args.sizes:
        G = make_graph(size, args.seed)
        n, m = G.number_of_nodes(), G.number_of_edges()
        vectors = bag_of_words_vectors(G, dim=384)
        *t, comm = _time(lambda G=G: detect_communities(G, seed=args.seed), args.runs)
        rows = [("communities (Louvain on claim projection)", *t)]
        *t, _ = _time(lambda G=G: centrality(G), args.runs)
        rows.append(("centrality (PageRank, numpy)", *t))
        *t, _ = _time(lambda G=G, c=comm: force_layout(G, seed=args.seed, communities=c), args.runs)
        rows.append(("force layout (given communities)", *t))
        *t, _ = _time(lambda G=G, v=vectors: semantic_layout(G, v, seed=args.seed), args.runs)
        rows.append(("semantic map (PCA + overlap removal)", *t))
        for step, med, worst, cpu in rows:
            print(f"| {n:,} | {m:,} | {step} | {med:.2f} | {worst:.2f} | {cpu:.2f} |", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
