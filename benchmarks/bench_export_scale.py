"""HTML export of a large vault: file size, export time, and the page's first frame.

    python benchmarks/bench_export_scale.py --notes 2100 --runs 3 --workdir /tmp/x

Writes a seeded synthetic vault (benchmarks/synth_vault.py, ``--seed 1``: about 32.7
claims a note, so 2,100 notes is the size of the 69,095-claim garden of issue 13),
indexes it once with the hashing embedder (the model is not the cost, but the index
stores vectors and similarity edges as a real one does), then ``--runs`` times runs
``explorer export --db STORE --format html`` in a fresh process (the command's own code
path: workspace graph, filters, writer) and reports wall and CPU seconds (user + sys of
the child), the file's size, what its bytes are (the page's JSON by key, the scripts),
and the time from navigation to the first frame in headless Chromium
(``bench_html.first_draw_s``). ``--cold`` clears the stored layouts and graph layers
before each export, so every run computes communities, centrality and the layout as a
first export does. The vault and store stay in ``--workdir`` and are reused by the next
run.

Targets (issue 13): ≤ 30 MB, ≤ 15 s export, first frame ≤ 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synth_vault import generate  # noqa: E402


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def prepare(work: Path, notes: int, seed: int, workers: int) -> tuple[Path, Path]:
    """The vault and its store, written and indexed unless already there."""
    from explorer.indexing.events import Summary
    from explorer.indexing.parallel import default_workers
    from explorer.indexing.pipeline import index_vault
    from explorer.indexing.stages import SemanticIndex, make_embedder

    vault, db = work / "vault", work / "store.db"
    work.mkdir(parents=True, exist_ok=True)
    if not vault.exists():
        generate(vault, notes, seed=seed)
    if not db.exists():
        t0 = time.perf_counter()
        semantic = SemanticIndex(vault, embedder=make_embedder("hashing"))
        note_stages, vault_stages = semantic.stages()
        summary = None
        for event in index_vault(
            vault,
            db,
            note_stages=note_stages,
            vault_stages=vault_stages,
            workers=workers or default_workers(),
        ):
            if isinstance(event, Summary):
                summary = event
        assert summary is not None and not summary.errors, summary
        print(
            f"indexed {summary.notes} notes, {summary.claims} claims in "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    return vault, db


def export(db: Path, out: Path, cold: bool) -> tuple[float, float]:
    """One ``explorer export --format html`` in a fresh process: (wall s, CPU s)."""
    if cold:  # positions, and the communities and centrality kept beside them
        with sqlite3.connect(db) as con:
            con.execute("DELETE FROM layouts")
            con.execute("DELETE FROM graph_layers")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "explorer", "export", "--db", str(db), "--format", "html"]
    c0, t0 = child_cpu(), time.perf_counter()
    subprocess.run([*cmd, "--output", str(out), "--quiet"], check=True, env=env, cwd=ROOT)
    return time.perf_counter() - t0, child_cpu() - c0


def breakdown(page: str) -> list[tuple[str, int]]:
    """Where the page's bytes are: each top-level key of its JSON, and the rest."""
    m = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S)
    if not m:
        return [("page", len(page.encode()))]
    data = json.loads(m.group(1))
    rows = [
        ("everything but the data (scripts, CSS)", len(page.encode()) - len(m.group(1).encode()))
    ]
    for key, value in data.items():
        if isinstance(value, dict) and key != "meta":
            for sub, v in value.items():
                rows.append((f"{key}.{sub}", _size(v)))
        else:
            rows.append((key, _size(value)))
    return rows


def _size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=2100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="exports (0: the page of the last)")
    ap.add_argument("--loads", type=int, default=3, help="page loads after one warm-up")
    ap.add_argument("--cap", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--workdir", default="/tmp/bench-export-scale")
    ap.add_argument(
        "--cold", action="store_true", help="clear stored layouts and graph layers before each run"
    )
    ap.add_argument("--skip-page", action="store_true")
    args = ap.parse_args(argv)

    work = Path(args.workdir)
    vault, db = prepare(work, args.notes, args.seed, args.workers)
    with sqlite3.connect(db) as con:
        claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {claims} claims; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    out = work / "export.html"
    walls, cpus = [], []
    for i in range(args.runs):
        load = os.getloadavg()[0]
        wall, used = export(db, out, args.cold)
        walls.append(wall)
        cpus.append(used)
        print(
            f"export {i + 1}: {wall:.2f} s wall, {used:.2f} s CPU, "
            f"{out.stat().st_size / 1e6:.1f} MB, load {load:.1f}",
            flush=True,
        )
    size = out.stat().st_size
    if walls:
        print(
            f"median of {args.runs}: {statistics.median(walls):.2f} s wall, "
            f"{statistics.median(cpus):.2f} s CPU; {size / 1e6:.1f} MB"
        )
    for name, n in breakdown(out.read_text(encoding="utf-8")):
        print(f"  {name:45s} {n / 1e6:8.2f} MB")
    if not args.skip_page:
        from bench_html import first_draw_s, fmt_times

        script = "window.explorerMap && window.explorerMap.ready && window.explorerMap.firstDrawMs"
        times = first_draw_s(out, args.loads, args.cap, script)
        med, cpu_s, each = fmt_times(times, args.cap)
        print(f"first frame: median {med} s, main-thread CPU {cpu_s} s (runs {each})")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
