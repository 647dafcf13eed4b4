"""Start-up of the built binary against the venv: the times a person waits for.

    .venv/bin/python benchmarks/bench_binary.py [--binary dist/explorer/explorer] [--runs 5]

Indexes the sample vault once (with embeddings) into a temporary store, then runs each
command ``--runs`` times in a fresh process, alternating the frozen binary and the venv's
``explorer``, and prints a Markdown table of the median wall and CPU seconds (user + sys of
the child, from ``getrusage``) with the load average. CPU seconds compare across runs on a
shared machine; wall seconds are what a user feels. Also prints ``du -sh`` of the onedir.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAULT = ROOT / "data" / "sample-vault"


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """(wall s, CPU s, stderr) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "dist" / "explorer" / "explorer"))
    ap.add_argument("--venv", default=str(ROOT / ".venv" / "bin" / "explorer"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    programs = {"binary": args.binary, "venv": args.venv}
    for name, path in programs.items():
        if not os.access(path, os.X_OK):
            raise SystemExit(f"no {name} at {path}")

    work = Path(tempfile.mkdtemp(prefix="bench-binary-"))
    env = dict(os.environ, EXPLORER_DATA_DIR=str(work / "data"), QT_QPA_PLATFORM="offscreen")
    db = work / "claims.db"
    try:
        timed([args.binary, "index", str(VAULT), "--db", str(db), "-q"], env)
        query = "can a machine be conscious"
        cases = {
            "--version": ["--version"],
            "word search (`search --words`)": [
                "search",
                "--words",
                "consciousness",
                "--db",
                str(db),
            ],
            "first embedding (`search --semantic`, fresh process)": [
                "search",
                "--semantic",
                query,
                "--db",
                str(db),
            ],
            "default search (hybrid, fresh process)": ["search", query, "--db", str(db)],
            "window (offscreen, `gui --quit-after-ms 0`)": [
                "gui",
                "--db",
                str(db),
                "--quit-after-ms",
                "0",
            ],
        }
        rows = []
        for label, argv in cases.items():
            samples: dict[str, list[tuple[float, float, float | None]]] = {p: [] for p in programs}
            for _ in range(args.runs):
                for name, path in programs.items():  # alternate, so load drifts hit both alike
                    wall, cpu, err = timed([path, *argv], env)
                    shown = re.search(r"window shown ([\d.]+) s", err)
                    samples[name].append((wall, cpu, float(shown.group(1)) if shown else None))
            cells = []
            for name in programs:
                wall = statistics.median(s[0] for s in samples[name])
                cpu = statistics.median(s[1] for s in samples[name])
                shown = [s[2] for s in samples[name] if s[2] is not None]
                extra = f" (window shown at {statistics.median(shown):.2f} s)" if shown else ""
                cells.append(f"{wall:.2f} / {cpu:.2f}{extra}")
            rows.append(f"| {label} | {cells[0]} | {cells[1]} |")
        size = subprocess.run(
            ["du", "-sh", str(Path(args.binary).parent)], capture_output=True, text=True
        ).stdout.split()[0]
        print(
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
            f"median of {args.runs}; wall s / CPU s; onedir {size} (du -sh)\n"
        )
        print("| command | binary | venv |")
        print("| --- | --- | --- |")
        print("\n".join(rows))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
