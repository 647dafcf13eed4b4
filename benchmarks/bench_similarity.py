"""All-pairs similarity and top-k query speed on random-but-clustered unit vectors.

    python benchmarks/bench_similarity.py [--n 100000] [--dim 384] [--threads 2]

Targets (issue "Claims become meaning"): 100,000 x 384 in < 30 s and < 2 GB peak
memory on 2 cores; one semantic top-k query over 100,000 vectors in < 50 ms.
Peak memory is the process's maximum resident set (ru_maxrss), vectors included.
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--clusters", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads (set before numpy loads)")
    args = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import resource
    import time

    import numpy as np

    from explorer.semantic.similarity import similar_pairs, top_k
    from explorer.semantic.vectors import normalise_rows

    rng = np.random.default_rng(0)
    # Clusters of ~50 near-paraphrases around random topics, as claims of one subject are.
    centres = rng.normal(size=(args.clusters, args.dim)).astype(np.float32)
    X = centres[rng.integers(0, args.clusters, args.n)]
    X += 0.8 * rng.normal(size=X.shape).astype(np.float32)
    X = normalise_rows(X)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = time.perf_counter()
    a, b, v, dup = similar_pairs(X, k=args.k, threshold=args.threshold)
    pairs_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Recall of the pass against brute force, on a sample of rows: each sampled row's
    # exact top-k above the threshold must appear among the pairs found.
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    want = hit = 0
    for i in rng.choice(args.n, size=300, replace=False).tolist():
        idx, sc = top_k(X[i], X, args.k + 1)
        for j, s in zip(idx.tolist(), sc.tolist(), strict=True):
            if j != i and s >= args.threshold:
                want += 1
                hit += (min(i, j), max(i, j)) in found
    recall = hit / want if want else 1.0

    q = X[rng.integers(0, args.n, 200)]
    top_k(q[0], X, args.k)  # warm
    t = time.perf_counter()
    for row in q:
        top_k(row, X, args.k)
    query_ms = (time.perf_counter() - t) / len(q) * 1000

    print(
        f"vectors: {args.n} x {args.dim} float32 ({X.nbytes / 2**20:.0f} MiB), BLAS threads {args.threads}"
    )
    print(
        f"all-pairs (k={args.k}, threshold={args.threshold}): {pairs_s:.1f} s, "
        f"{int((~dup).sum())} similar + {int(dup.sum())} duplicate pairs"
    )
    print(f"recall vs brute force on 300 sampled rows: {recall:.3f} ({hit}/{want} top-k pairs)")
    print(f"peak RSS: {peak:.0f} MiB (before the pass: {base:.0f} MiB)")
    print(f"top-{args.k} query: {query_ms:.2f} ms")
    ok = pairs_s < 30 and peak < 2048 and query_ms < 50
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok or args.n != 100_000 else 1


if __name__ == "__main__":
    sys.exit(main())
