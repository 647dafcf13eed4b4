"""The embedding model alone: load, then encode every claim of a corpus.

    python benchmarks/bench_embed.py [CORPUS] [--batch-size 64]

CORPUS defaults to /work/shared/corpora/swyx-ai-notes. Notes are parsed with
``parse_note`` (not timed) and the claims' texts are encoded as one list. The
integrated index with embeddings should take at most 1.25x load + encode.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = Path("/work/shared/corpora/swyx-ai-notes")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time the embedding model on a corpus's claims.")
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    from explorer.core.parse import parse_note

    texts = []
    files = sorted(p for p in args.corpus.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    for p in files:
        note = parse_note(
            p.read_text(encoding="utf-8", errors="replace"), p.relative_to(args.corpus).as_posix()
        )
        texts.extend(c.text for c in note.claims)

    t0 = time.perf_counter()
    from explorer.semantic.embedder import Embedder

    emb = Embedder(batch_size=args.batch_size)
    emb.load()
    t1 = time.perf_counter()
    vecs = emb.encode(texts)
    t2 = time.perf_counter()
    print(
        f"corpus: {args.corpus} ({len(files)} notes, {len(texts)} claims, {sum(map(len, texts))} chars)"
    )
    print(f"model: {emb.name} on {emb.device}, batch {args.batch_size}")
    print(f"import + load: {t1 - t0:.1f} s")
    print(f"encode: {t2 - t1:.1f} s ({len(texts) / (t2 - t1):.0f} claims/s), vectors {vecs.shape}")
    print(f"model alone (load + encode): {t2 - t0:.1f} s; index target <= {1.25 * (t2 - t0):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
