"""The note parser alone: claims per second on synthetic notes, the corpus, and the seed.

    python benchmarks/bench_parse.py [--notes 500] [--repeat 2] [--rounds 3] [--corpus DIR]

Synthetic notes come from ``synth_vault.note_text`` (seeded, no files written). The corpus
(default /work/shared/corpora/swyx-ai-notes) and the seed export are parsed ``--repeat``
times when present. Each set is timed ``--rounds`` times and the fastest round is shown, in
wall clock and process CPU time; on a shared, busy machine the CPU figure is the steadier. The whole cold index targets >= 5,000 claims/s, so the parser
alone should stay well above 10,000 claims/s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "benchmarks"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

DEFAULT_CORPUS = Path("/work/shared/corpora/swyx-ai-notes")
DEFAULT_SEED = Path("/work/shared/seeds/000_d36a40b1e579613a.txt")


def synthetic_notes(count: int, seed: int = 1) -> list[tuple[str, str]]:
    from synth_vault import note_text

    rng = random.Random(seed)
    titles = [f"Note {i}" for i in range(count)]
    return [(f"{t}.md", note_text(rng, t, titles, rng.randint(10, 80))) for t in titles]


def files(folder: Path) -> list[tuple[str, str]]:
    paths = sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    return [
        (p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8", errors="replace"))
        for p in paths
    ]


def measure(name: str, notes: list[tuple[str, str]], repeat: int, rounds: int) -> None:
    """Parse ``notes`` ``repeat`` times per round; report the fastest of ``rounds`` rounds."""
    from explorer.core.parse import parse_note

    for path, text in notes[:5]:  # warm up: imports, regex compilation, pysbd's first call
        parse_note(text, path)
    chars = sum(len(t) for _, t in notes) * repeat
    best_wall = best_cpu = float("inf")
    claims = 0
    for _ in range(rounds):
        claims = 0
        wall = time.perf_counter()
        cpu = time.process_time()
        for _ in range(repeat):
            for path, text in notes:
                claims += len(parse_note(text, path).claims)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(
        f"{name:<10} {len(notes) * repeat:>6} notes {claims:>8} claims {chars / 1e6:7.2f} MB | "
        f"wall {best_wall:6.2f} s {claims / best_wall:>8.0f} claims/s | "
        f"cpu {best_cpu:6.2f} s {claims / best_cpu:>8.0f} claims/s {chars / best_cpu / 1e6:5.2f} MB/s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time parse_note on realistic notes.")
    ap.add_argument("--notes", type=int, default=500, help="synthetic notes to generate")
    ap.add_argument("--repeat", type=int, default=2, help="passes over the corpus and the seed")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds; the fastest is shown")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--seed-note", type=Path, default=DEFAULT_SEED)
    args = ap.parse_args(argv)

    measure("synthetic", synthetic_notes(args.notes), 1, args.rounds)
    if args.corpus.is_dir():
        measure("corpus", files(args.corpus), args.repeat, args.rounds)
    else:
        print(f"corpus     not found: {args.corpus}")
    if args.seed_note.is_file():
        seed = [(args.seed_note.name, args.seed_note.read_text(encoding="utf-8"))]
        measure("seed", seed * 20, args.repeat, args.rounds)
    else:
        print(f"seed       not found: {args.seed_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
