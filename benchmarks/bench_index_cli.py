"""`explorer index --no-embed` as a user runs it: wall clock and CPU, against a baseline.

    python benchmarks/bench_index_cli.py --notes 2000 --runs 5 [--workers 2]
        [--baseline /path/to/other/checkout] [--workdir DIR]

Generates a seeded synthetic vault (benchmarks/synth_vault.py, seed 1 unless told),
then runs ``python -m explorer index VAULT --db STORE --no-embed --workers N`` into a
fresh store ``--runs`` times, each in a fresh process (interpreter start, imports and
worker processes included). With ``--baseline``, the same command from that checkout
(its own ``explorer`` package, this Python) alternates with this one, so both see the
same machine: a shared VM's speed drifts by 20-30% between quarter hours.

Prints each run and the medians: wall seconds, CPU seconds of the process and its
workers, claims per wall second, and the ratio to the baseline. Target (issue 13):
at least 5,000 claims/s wall on 2 cores, 2,000 notes. Results go to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth_vault import generate  # noqa: E402


def run_once(checkout: Path, vault: Path, db: Path, workers: int) -> tuple[float, float, int]:
    """(wall s, CPU s of the process and its children, claims stored) of one cold index."""
    for suffix in ("", "-wal", "-shm", ".index-lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "explorer", "index", str(vault), "--db", str(db)]
        + ["--no-embed", "--workers", str(workers), "--quiet"],
        cwd=checkout,  # `-m explorer` imports the package of this checkout
        check=True,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    conn = sqlite3.connect(db)
    try:
        claims = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    finally:
        conn.close()
    return wall, cpu, claims


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline", type=Path, help="another checkout to alternate with")
    ap.add_argument("--workdir", type=Path, help="where the vault and stores go (default: temp)")
    args = ap.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-index-cli-"))
    vault = work / f"vault-{args.notes}-{args.seed}"
    if not vault.exists():
        generate(vault, args.notes, seed=args.seed)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; Python "
        f"{platform.python_version()}; {args.notes} notes, {args.workers} workers"
    )
    checkouts = {"this": HERE.parent}
    if args.baseline:
        checkouts = {"baseline": args.baseline.resolve(), **checkouts}
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in checkouts}
    for i in range(args.runs):
        for name, checkout in checkouts.items():
            wall, cpu, claims = run_once(checkout, vault, work / f"{name}.db", args.workers)
            results[name].append((wall, cpu, claims))
            print(f"  run {i + 1} {name:8s} {wall:6.2f} s wall {cpu:6.2f} s CPU {claims} claims")
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        claims = runs[0][2]
        medians[name] = wall
        print(
            f"{name}: median {wall:.2f} s wall ({claims / wall:,.0f} claims/s), {cpu:.2f} s CPU "
            f"({claims / cpu:,.0f} claims per CPU-s)"
        )
    if args.baseline:
        print(f"ratio this / baseline, wall: {medians['this'] / medians['baseline']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
