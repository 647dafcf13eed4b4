"""Benchmark the index pipeline (no embeddings): cold index, and re-index after one edit.

    python benchmarks/bench_index.py --notes 2000 --runs 5

Generates a seeded synthetic vault (benchmarks/synth_vault.py), then

* cold: indexes it into a new store ``--runs`` times, reporting notes/s and claims/s
  (median, with the CPU seconds of this process beside the wall-clock ones, since a
  shared machine makes wall-clock noisy), and how much of that time is the parser;
* one change: appends a sentence to one note and re-indexes, ``--runs`` times;
* no change: re-indexes with nothing changed.

Targets (the issue's, on 2 cores): cold >= 5,000 claims/s; re-index after one change in
a 2,000-note vault < 1 s. Results are recorded in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth_vault import generate  # noqa: E402

from explorer.indexing.pipeline import run_index  # noqa: E402
from explorer.indexing.vault import read_note, scan_vault  # noqa: E402


def _fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".index-lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def parse_only(vault: Path) -> tuple[float, float]:
    """Wall and CPU seconds the parser alone takes over the vault (reading excluded)."""
    from explorer.core.parse import parse_note

    texts = [(read_note(f).text, f.path) for f in scan_vault(vault).files]
    _, wall, cpu = timed(lambda: [parse_note(t, p) for t, p in texts])
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", help="where to put the vault and store (default: a temp dir)")
    args = ap.parse_args(argv)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-index-"))
    vault, db = work / "vault", work / "store.db"
    if vault.exists():
        shutil.rmtree(vault)
    generate(vault, args.notes, seed=args.seed)
    print(
        f"{args.notes} notes, seed {args.seed}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; Python "
        f"{platform.python_version()}"
    )

    cold = []
    for _ in range(args.runs):
        _fresh(db)
        summary, wall, cpu = timed(lambda: run_index(vault, db))
        assert summary.errors == 0 and summary.notes == args.notes, summary
        cold.append((wall, cpu, summary.claims))
    claims = cold[0][2]
    wall = statistics.median(c[0] for c in cold)
    cpu = statistics.median(c[1] for c in cold)
    parses = [parse_only(vault) for _ in range(min(3, args.runs))]
    parse_cpu = statistics.median(p[1] for p in parses)
    print(
        f"cold index: {claims} claims in {wall:.2f} s wall (median of {args.runs}), {cpu:.2f} s CPU"
    )
    print(
        f"  {args.notes / wall:,.0f} notes/s, {claims / wall:,.0f} claims/s wall; "
        f"{claims / cpu:,.0f} claims/s per CPU second"
    )
    print(
        f"  of which parsing: {parse_cpu:.2f} s CPU ({parse_cpu / cpu:.0%}; "
        f"{claims / parse_cpu:,.0f} claims/s per CPU second)"
    )

    files = sorted(p for p in vault.rglob("*.md") if ".obsidian" not in p.parts)
    changed = []
    for i in range(args.runs):
        target = files[(i * 7919) % len(files)]
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"\nA sentence added in run {i} about planning.\n")
        summary, wall1, _ = timed(lambda: run_index(vault, db))
        assert summary.indexed == 1, summary
        changed.append(wall1)
    unchanged = []
    for _ in range(args.runs):
        summary, wall0, _ = timed(lambda: run_index(vault, db))
        assert summary.indexed == 0, summary
        unchanged.append(wall0)
    print(
        f"re-index after one note changed: {statistics.median(changed) * 1000:.0f} ms "
        f"(median of {args.runs}; max {max(changed) * 1000:.0f} ms)"
    )
    print(f"re-index with nothing changed: {statistics.median(unchanged) * 1000:.0f} ms")
    if not args.workdir:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
