"""Seeded synthetic concept graphs for the graph and HTML benchmarks.

    python benchmarks/synth_graph.py --nodes 20000 --out graph.json [--seed 0] [--enrich]

Builds a graph that follows docs/EXPORT.md with about ``--nodes`` nodes in total
(claims are about 81 % of them, as in ``explorer.graph.synthetic``), and writes it as
node-link JSON. ``--enrich`` adds communities, centrality and the force layout first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLAIM_SHARE = 0.815  # claims / all nodes in synthetic_graph at these sizes


def make_graph(n_nodes: int, seed: int = 0):
    """A synthetic graph with about ``n_nodes`` nodes (within a few percent)."""
    from explorer.graph.synthetic import synthetic_graph

    return synthetic_graph(max(1, round(n_nodes * CLAIM_SHARE)), seed=seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--enrich", action="store_true")
    args = ap.parse_args(argv)
    from explorer.export import nodelink

    t0 = time.perf_counter()
    G = make_graph(args.nodes, args.seed)
    if args.enrich:
        from explorer.graph.analyze import enrich

        enrich(G, seed=args.seed)
    info = nodelink.write(G, args.out)
    print(
        f"{info['nodes']} nodes, {info['edges']} edges -> {info['path']} "
        f"({info['bytes'] / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
