"""Re-index after one edit in a large vault with embeddings: what the file watcher pays.

    python benchmarks/bench_reindex.py --notes 13400 --claims-per-note 5 --runs 5

Writes a seeded synthetic vault (benchmarks/synth_vault.py; 13,400 notes of about 5
claims each is the size of the 69,000-claim garden the issue measured), indexes it
once with the hashing embedder (so the model is not the cost: every stage around it
is, similarity included), then ``--runs`` times appends a sentence to one note and
re-indexes, in this process, reporting wall and CPU seconds (this process and its
workers) and where the time went, by stage. Target (issue 13): < 2 s wall.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth_vault import generate  # noqa: E402

from explorer.indexing.events import Progress, Summary  # noqa: E402
from explorer.indexing.pipeline import index_vault  # noqa: E402
from explorer.indexing.stages import SemanticIndex, make_embedder  # noqa: E402


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(vault: Path, db: Path, workers: int) -> tuple[Summary, float, float, dict]:
    semantic = SemanticIndex(vault, embedder=make_embedder("hashing"))
    notes, stages = semantic.stages()
    by_stage: dict[str, float] = {}
    t0, c0 = time.perf_counter(), cpu()
    last = t0
    summary = None
    for event in index_vault(vault, db, note_stages=notes, vault_stages=stages, workers=workers):
        now = time.perf_counter()
        if isinstance(event, Summary):
            summary = event
        elif isinstance(event, Progress):
            by_stage[event.stage] = by_stage.get(event.stage, 0.0) + now - last
        last = now
    assert summary is not None and not summary.errors, summary
    return summary, time.perf_counter() - t0, cpu() - c0, by_stage


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=13_400)
    ap.add_argument("--claims-per-note", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=0, help="default: every core")
    ap.add_argument("--workdir", help="where to put the vault and store (default: a temp dir)")
    args = ap.parse_args(argv)
    from explorer.indexing.parallel import default_workers

    workers = args.workers or default_workers()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-reindex-"))
    vault, db = work / "vault", work / "store.db"
    if not vault.exists():
        generate(vault, args.notes, seed=0, claims_per_note=args.claims_per_note)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {args.notes} notes; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{workers} workers, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    summary, wall, used, stages = run(vault, db, workers)
    print(
        f"cold index: {summary.notes} notes, {summary.claims} claims, {wall:.1f} s wall, "
        f"{used:.1f} s CPU; by stage {_fmt(stages)}",
        flush=True,
    )
    notes = sorted(p for p in vault.rglob("*.md") if ".obsidian" not in p.parts)
    walls, cpus = [], []
    for i in range(args.runs):
        note = notes[(i * 997) % len(notes)]
        with note.open("a", encoding="utf-8") as f:
            f.write(f"\nLarge language models cannot verify edit number {i} of this note.\n")
        summary, wall, used, stages = run(vault, db, workers)
        assert summary.indexed == 1, summary
        walls.append(wall)
        cpus.append(used)
        print(
            f"edit {i + 1} ({note.name}): {wall:.2f} s wall, {used:.2f} s CPU, load "
            f"{os.getloadavg()[0]:.1f}; by stage {_fmt(stages)}",
            flush=True,
        )
    print(
        f"median of {args.runs}: {statistics.median(walls):.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU (target < 2 s wall)"
    )
    return 0


def _fmt(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1]))


if __name__ == "__main__":
    sys.exit(main())
