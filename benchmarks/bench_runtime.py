"""ONNX Runtime against sentence-transformers (torch), with the project's own embedders.

    python benchmarks/bench_runtime.py [--parts side,search,index] [--runs 3]
                                       [--sentences 2000] [--corpus DIR]

Parts (each run in fresh processes, the runtimes alternating run by run):

* ``side``: a fresh process importing, loading and embedding a first query; import and
  session-load times apart; sentences per second at batch 32 and 64 over real claims
  (the sample vault, then the swyx corpus); agreement (cosine of each vector with
  torch's, top-10 neighbours of 50 queries); the run-time install size.
* ``search``: ``explorer search`` on the sample vault, default (hybrid) against
  ``--words``, and hybrid with ``--runtime torch``, each a fresh process.
* ``index``: ``explorer index`` of the corpus into a fresh store with ``--runtime onnx``
  and ``--runtime torch``: wall and CPU seconds, and their ratio.

Needs the shipped model's ONNX form with the int8 graph (``explorer model export
--int8``; exported here when missing). Prints Markdown tables and the raw numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata as md
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = Path("/work/shared/corpora/swyx-ai-notes")
RUNTIMES = ("torch", "onnx", "onnx-int8")
QUERY = "can a language model plan without a world model"

FIRST_QUERY = r"""
import json, sys, time
t0 = time.perf_counter()
runtime = sys.argv[1]
if runtime == "torch":
    import torch, sentence_transformers  # noqa: F401
else:
    import numpy, onnxruntime, tokenizers  # noqa: F401
t1 = time.perf_counter()
from explorer.semantic.models import make_embedder
e = make_embedder("default", runtime)
e.load()
t2 = time.perf_counter()
e.encode([sys.argv[2]])
t3 = time.perf_counter()
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first": t3 - t2, "heavy": heavy}))
"""

THROUGHPUT = r"""
import json, sys, time
import numpy as np
from explorer.semantic.models import make_embedder
runtime, texts_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
texts = json.loads(open(texts_file, encoding="utf-8").read())
e = make_embedder("default", runtime)
e.load()
e.encode(texts[:8])  # warm-up
result = {}
for batch in (32, 64):
    e.batch_size = batch
    t, c = time.perf_counter(), time.process_time()
    vecs = e.encode(texts)
    result[str(batch)] = len(texts) / (time.perf_counter() - t)
    result[f"cpu{batch}"] = len(texts) / (time.process_time() - c)  # per CPU second
np.save(out, vecs)
print(json.dumps(result))
"""


def sh(cmd, env=None, timeout=3600) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``; (wall seconds, CPU seconds of the child, the result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, cpu, done


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def claims_of(folder: Path) -> list[str]:
    from explorer.core.parse import parse_note

    out = []
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".md", ".txt") and p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            out += [c.text for c in parse_note(text, p.relative_to(folder).as_posix()).claims]
    return out


def sentences(corpus: Path, n: int) -> list[str]:
    """``n`` distinct real claims: the sample vault's, then the corpus's, evenly spread."""
    from explorer.resources import sample_vault

    seen: dict[str, None] = {}
    for t in claims_of(sample_vault()):
        seen.setdefault(t, None)
    rest = [t for t in dict.fromkeys(claims_of(corpus)) if t not in seen]
    need = max(0, n - len(seen))
    step = max(1, len(rest) // max(1, need))
    return (list(seen) + rest[::step][:need])[:n]


def dist_size(name: str) -> int:
    try:
        files = md.distribution(name).files or []
    except md.PackageNotFoundError:
        return 0
    total = 0
    for f in files:
        with contextlib.suppress(OSError):
            total += f.locate().stat().st_size
    return total


def closure(names: list[str]) -> set[str]:
    """The distributions ``names`` need at run time (no extras), recursively."""
    todo, seen = list(names), set()
    while todo:
        name = re.split(r"[\s<>=!~;\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if not name or name in seen:
            continue
        try:
            reqs = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        seen.add(name)
        todo += [r for r in reqs if "extra ==" not in r]
    return seen


def install_sizes() -> dict:
    onnx = closure(["onnxruntime", "tokenizers", "numpy"])
    torch = closure(["sentence-transformers", "torch", "transformers"])
    return {
        "onnx_mb": sum(map(dist_size, onnx)) / 1e6,
        "onnx_dists": sorted(onnx),
        "torch_mb": sum(map(dist_size, torch)) / 1e6,
        "torch_dists": sorted(torch),
        "torch_only_mb": sum(map(dist_size, torch - onnx)) / 1e6,
    }


def part_side(args, env) -> dict:
    from explorer.semantic.embedder import default_model_dir
    from explorer.semantic.models import find_onnx

    folder = find_onnx(default_model_dir())
    texts = sentences(args.corpus, args.sentences)
    work = Path(tempfile.mkdtemp(prefix="bench-runtime-"))
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    first = {r: [] for r in RUNTIMES}
    speed = {r: [] for r in RUNTIMES}
    print(f"side by side: {len(texts)} sentences, {args.runs} runs; {load()}", flush=True)
    for run in range(args.runs):
        for r in RUNTIMES:
            wall, _, done = sh([sys.executable, "-c", FIRST_QUERY, r, QUERY], env)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["wall"] = wall
            first[r].append(row)
            _, _, done = sh(
                [sys.executable, "-c", THROUGHPUT, r, str(texts_file), str(work / f"{r}.npy")],
                env,
            )
            speed[r].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  run {run + 1} {r}: first {row} speed {speed[r][-1]}; {load()}", flush=True)
    import numpy as np

    vecs = {r: np.load(work / f"{r}.npy") for r in RUNTIMES}
    agreement = {}
    sims_t = vecs["torch"] @ vecs["torch"].T
    queries = np.linspace(0, len(texts) - 1, 50).astype(int)

    def top(sims, q):
        order = [i for i in np.argsort(-sims[q]) if i != q]
        return set(order[:10])

    for r in ("onnx", "onnx-int8"):
        cos = (vecs[r] * vecs["torch"]).sum(axis=1)
        sims = vecs[r] @ vecs[r].T
        overlaps = [len(top(sims, q) & top(sims_t, q)) / 10 for q in queries]
        agreement[r] = {
            "cos_min": float(cos.min()),
            "cos_mean": float(cos.mean()),
            "top10_identical": int(sum(o == 1.0 for o in overlaps)),
            "overlap10": float(np.mean(overlaps)),
        }
    sizes = install_sizes()
    sizes["model_files_mb"] = {
        "model.safetensors": (default_model_dir() / "model.safetensors").stat().st_size / 1e6,
        "model.onnx": (folder / "model.onnx").stat().st_size / 1e6,
        "model_int8.onnx": (folder / "model_int8.onnx").stat().st_size / 1e6,
    }
    return {
        "first": first,
        "speed": speed,
        "agreement": agreement,
        "sizes": sizes,
        "sentences": len(texts),
    }


def med(values) -> float:
    return statistics.median(values)


def print_side(res: dict) -> None:
    f, s, a, z = res["first"], res["speed"], res["agreement"], res["sizes"]
    t = {r: med([x["wall"] for x in f[r]]) for r in RUNTIMES}
    imp = {r: med([x["import"] for x in f[r]]) for r in RUNTIMES}
    lod = {r: med([x["load"] for x in f[r]]) for r in RUNTIMES}
    fq = {r: med([x["first"] for x in f[r]]) for r in RUNTIMES}
    sp = {r: {b: med([x[b] for x in s[r]]) for b in ("32", "64")} for r in RUNTIMES}
    print()
    print("| | sentence-transformers (torch CPU) | ONNX Runtime fp32 | ONNX Runtime int8 |")
    print("| --- | --- | --- | --- |")
    print(
        "| fresh process: import + load + first query (wall, with interpreter start) | "
        + " | ".join(f"{t[r]:.2f} s" for r in RUNTIMES)
        + " |"
    )
    print(
        "| import / load / first query | "
        + " | ".join(f"{imp[r]:.2f} / {lod[r]:.2f} / {fq[r] * 1000:.0f} ms" for r in RUNTIMES)
        + " |"
    )
    print(
        f"| sentences/s, batch 32 / 64 ({res['sentences']} claims) | "
        f"{sp['torch']['32']:.1f} / {sp['torch']['64']:.1f} | "
        + " | ".join(
            f"{sp[r]['32']:.1f} / {sp[r]['64']:.1f} "
            f"({sp[r]['32'] / sp['torch']['32']:.2f}x / {sp[r]['64'] / sp['torch']['64']:.2f}x)"
            for r in ("onnx", "onnx-int8")
        )
        + " |"
    )
    cs = {
        r: {b: med([x[f"cpu{b}"] for x in s[r] if f"cpu{b}" in x] or [0]) for b in ("32", "64")}
        for r in RUNTIMES
    }
    print(
        "| sentences per CPU second, batch 32 / 64 | "
        + " | ".join(f"{cs[r]['32']:.1f} / {cs[r]['64']:.1f}" for r in RUNTIMES)
        + " |"
    )
    print(
        "| agreement with torch | - | "
        + " | ".join(
            f"cosine min {a[r]['cos_min']:.7f}, mean {a[r]['cos_mean']:.7f}; top-10 identical "
            f"{a[r]['top10_identical']}/50, overlap@10 {a[r]['overlap10']:.2f}"
            for r in ("onnx", "onnx-int8")
        )
        + " |"
    )
    m = z["model_files_mb"]
    print(
        f"| run-time install (site-packages, dependency closure) | {z['torch_mb']:.0f} MB "
        f"(of which {z['torch_only_mb']:.0f} MB not needed by ONNX) + model "
        f"{m['model.safetensors']:.0f} MB | {z['onnx_mb']:.0f} MB + model {m['model.onnx']:.0f} MB"
        f" | same + model {m['model_int8.onnx']:.0f} MB |"
    )
    print(f"\nONNX stack: {', '.join(z['onnx_dists'])}")
    print(f"torch stack: {', '.join(z['torch_dists'])}")
    for r in RUNTIMES:
        print(f"{r}: heavy modules after the first query: {f[r][0]['heavy']}")


def part_search(args, env) -> dict:
    from explorer.resources import sample_vault

    data = Path(tempfile.mkdtemp(prefix="bench-search-"))
    env = dict(env, EXPLORER_DATA_DIR=str(data))
    base = [sys.executable, "-m", "explorer"]
    sh(base + ["index", str(sample_vault()), "-q"], env)
    modes = {
        "hybrid": ["--vault", str(sample_vault())],
        "words": ["--vault", str(sample_vault()), "--words"],
        "hybrid_torch": ["--vault", str(sample_vault()), "--runtime", "torch"],
    }
    times = {m: [] for m in modes}
    print(f"search: {args.runs} runs; {load()}", flush=True)
    for _ in range(args.runs):
        for m, extra in modes.items():
            wall, _, done = sh(base + ["search", QUERY, *extra], env)
            times[m].append(wall)
    for m in modes:
        print(f"  {m}: {[round(x, 2) for x in times[m]]}")
    return times


def print_search(times: dict) -> None:
    h, w, t = med(times["hybrid"]), med(times["words"]), med(times["hybrid_torch"])
    print()
    print("| `explorer search` on the sample vault | median wall | ratio to `--words` |")
    print("| --- | --- | --- |")
    print(f"| `--words` | {w:.2f} s | 1 |")
    print(f"| default (hybrid, ONNX) | {h:.2f} s | **{h / w:.1f}x** (target ≤ 3x) |")
    print(f"| hybrid with `--runtime torch` | {t:.2f} s | {t / w:.1f}x |")


def part_index(args, env) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    env = dict(env, EXPLORER_DATA_DIR=str(work / "data"))
    res = {r: [] for r in ("onnx", "torch")}
    print(f"index {args.corpus}: {args.runs} runs; {load()}", flush=True)
    for run in range(args.runs):
        for r in ("onnx", "torch"):
            db = work / f"{r}-{run}.db"
            cmd = [sys.executable, "-m", "explorer", "index", str(args.corpus), "--db", str(db)]
            wall, cpu, done = sh(cmd + ["--runtime", r, "-q"], env)
            res[r].append({"wall": wall, "cpu": cpu, "load": os.getloadavg()[0]})
            db.unlink(missing_ok=True)
            print(f"  run {run + 1} {r}: {wall:.1f} s wall, {cpu:.1f} s CPU; {load()}", flush=True)
    return res


def print_index(res: dict) -> None:
    print()
    print("| run | ONNX wall / CPU | torch wall / CPU | ratio ONNX/torch wall / CPU |")
    print("| --- | --- | --- | --- |")
    for i, (o, t) in enumerate(zip(res["onnx"], res["torch"], strict=True), 1):
        print(
            f"| {i} | {o['wall']:.1f} s / {o['cpu']:.1f} s | {t['wall']:.1f} s / {t['cpu']:.1f} s"
            f" | {o['wall'] / t['wall']:.2f} / {o['cpu'] / t['cpu']:.2f} |"
        )
    ow, oc = med([x["wall"] for x in res["onnx"]]), med([x["cpu"] for x in res["onnx"]])
    tw, tc = med([x["wall"] for x in res["torch"]]), med([x["cpu"] for x in res["torch"]])
    print(
        f"| **median** | **{ow:.1f} s / {oc:.1f} s** | **{tw:.1f} s / {tc:.1f} s** | "
        f"**{ow / tw:.2f} / {oc / tc:.2f}** |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default="side,search,index")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k not in ("EXPLORER_MODEL", "EXPLORER_RUNTIME")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # Every run, whatever its data folder, finds the one export (made here when missing).
    from explorer.semantic.models import MODELS_ENV, models_dir

    env[MODELS_ENV] = str(models_dir())
    # The int8 graph too; a no-op when it is there.
    sh([sys.executable, "-m", "explorer", "model", "export", "--int8"], env)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs; {load()}")
    results = {}
    parts = args.parts.split(",")
    if "side" in parts:
        results["side"] = part_side(args, env)
        print_side(results["side"])
    if "search" in parts:
        results["search"] = part_search(args, env)
        print_search(results["search"])
    if "index" in parts:
        results["index"] = part_index(args, env)
        print_index(results["index"])
    print(f"\nfinished {time.strftime('%H:%M UTC', time.gmtime())}; {load()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
