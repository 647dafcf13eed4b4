"""Time from navigation to the first frame with every node drawn, in headless Chromium.

    python benchmarks/bench_html.py [--sizes 2000 20000] [--runs 5] [--cap 120] [--huge]

The same synthetic graphs (``synth_graph.make_graph``) are written four ways:

1. ``pyvis defaults``: ``Network()``, ``add_node(id, label=..., title=...)``, edges,
   ``write_html`` with physics on. One change is unavoidable: pyvis's default
   ``cdn_resources="local"`` loads vis-network itself from cdnjs, so offline the page
   never draws at all; ``"in_line"`` is used instead (same template, same options).
2. ``pyvis, positions, physics off``: the same template with our layout and
   ``toggle_physics(False)``.
3. ``explorer``: ``explorer.export.html.write`` with its default cap (3,000 claims;
   bigger graphs open on collapsed communities).
4. ``explorer, no cap``: every node drawn at once (``max_claims=None``).

The time is ``performance.now()`` at vis-network's first ``afterDrawing`` event (our
page records it; pyvis pages get the same one-line hook after ``new vis.Network``).
With physics on, vis-network draws the first frame only after stabilising, so that is
the moment every node is drawn. A page that has not drawn within ``--cap`` seconds is
reported as "> cap". Each variant is loaded once to warm up, then ``--runs`` times (pyvis
defaults: no warm-up, at most 3 runs, and none after one hits the cap); the median is
reported, with the page's main-thread CPU time (Chromium's ThreadTime metric) up to
that frame, which a busy machine does not inflate as much. pyvis's ``add_edge`` scans every edge for duplicates on each
call (quadratic: hours at 60,000 edges), so edges are appended as pyvis's own ``Edge``
records after the same de-duplication; the written page is identical.

``--huge`` adds a 100,000-node graph (``synthetic.cheap_graph``) through our exporter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synth_graph import make_graph  # noqa: E402

HOOK_AT = "network = new vis.Network(container, data, options);"
HOOK = (
    HOOK_AT + ' network.once("afterDrawing", function () {'
    " window.__firstDrawMs = performance.now(); });"
)


def pyvis_page(G, path: Path, *, positions: bool) -> None:
    """Write ``G`` with pyvis's own template (see the module docstring)."""
    from pyvis.edge import Edge
    from pyvis.network import Network

    from explorer.export.html import _IdList

    net = Network(cdn_resources="in_line")
    net.node_ids = _IdList()
    for n, d in G.nodes(data=True):
        opts = {"title": str(d.get("text", ""))}
        if positions:
            opts.update(x=float(d["x"]), y=float(d["y"]))
        net.add_node(str(n), label=str(d.get("label") or n), **opts)
    seen = set()
    for u, v in G.edges():
        key = frozenset((str(u), str(v)))
        if key in seen:
            continue  # what pyvis's undirected add_edge would skip
        seen.add(key)
        net.edges.append(Edge(str(u), str(v), directed=False).options)
    if positions:
        net.toggle_physics(False)
    cwd = os.getcwd()
    os.chdir(path.parent)  # pyvis writes relative to the working directory
    try:
        net.write_html(path.name)
    finally:
        os.chdir(cwd)
    page = path.read_text(encoding="utf-8")
    if HOOK_AT not in page:
        raise RuntimeError("pyvis template changed: cannot hook afterDrawing")
    path.write_text(page.replace(HOOK_AT, HOOK, 1), encoding="utf-8")


def first_draw_s(
    path: Path, runs: int, cap: float, script: str, warmup: int = 1
) -> list[tuple[float, float] | None]:
    """``(seconds to the first frame, main-thread CPU seconds)`` for ``runs`` loads
    (after ``warmup`` loads); None where the page did not draw within ``cap`` seconds
    (and no further loads). The CPU figure is Chromium's ThreadTime metric for the
    page's main thread, read right after the first frame: on a shared machine it says
    what the page costs, while the wall time also says how busy the machine was."""
    from explorer.export.browser import OfflineChromium

    out: list[tuple[float, float] | None] = []
    # "none": open() returns at once; the page's own clock says when it first drew.
    with OfflineChromium(page_load_strategy="none") as b:
        # A page stabilising in one long task blocks every script call until it ends.
        b.driver.set_script_timeout(cap + 10)
        b.driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
        for i in range(runs + warmup):
            b.open(path, query=f"run={i}")
            try:
                ms = float(
                    b.wait_for(f"location.search === '?run={i}' && ({script})", timeout=cap + 5)
                )
            except TimeoutError:
                ms = None
            if ms is None or ms > cap * 1000:
                out.append(None)
                break  # one capped load says enough; the next would take as long
            metrics = b.driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
            cpu = next((m["value"] for m in metrics if m["name"] == "ThreadTime"), float("nan"))
            if i >= warmup:
                out.append((ms / 1000.0, float(cpu)))
            if "explorerMap" in script and b.console_errors():
                raise RuntimeError(f"console errors on {path}")
    return out


def fmt_times(times: list[tuple[float, float] | None], cap: float) -> tuple[str, str, str]:
    """Median wall seconds, median CPU seconds, and every run's wall seconds."""
    done = [t for t in times if t is not None]
    if not done:
        return f"> {cap:.0f}", "", "none within cap"
    med = f"{statistics.median(w for w, _ in done):.2f}"
    cpu = f"{statistics.median(c for _, c in done):.2f}"
    if len(done) < len(times):
        med, cpu = f"> {cap:.0f}", ""
    return med, cpu, ", ".join("> cap" if t is None else f"{t[0]:.2f}" for t in times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cap", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--huge", action="store_true", help="add a 100,000-node graph")
    ap.add_argument("--skip-pyvis-defaults", action="store_true")
    args = ap.parse_args(argv)
    from explorer.export import html
    from explorer.graph.analyze import enrich
    from explorer.graph.synthetic import cheap_graph

    ours = "window.explorerMap && window.explorerMap.ready && window.explorerMap.firstDrawMs"
    theirs = "window.__firstDrawMs"
    rows = []
    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
        folder = Path(tmp)
        graphs = []
        for size in args.sizes:
            G = make_graph(size, args.seed)
            t0 = time.perf_counter()
            enrich(G, seed=args.seed)
            graphs.append((G, time.perf_counter() - t0))
        if args.huge:
            graphs.append((cheap_graph(100_000, seed=args.seed), 0.0))
        for G, enrich_s in graphs:
            n, m = G.number_of_nodes(), G.number_of_edges()
            variants = []
            if not args.skip_pyvis_defaults and n <= 50_000:
                variants.append(("pyvis defaults (physics on)", "pyvis", False, theirs))
            if n <= 50_000:
                variants.append(("pyvis template, positions, physics off", "pyvis", True, theirs))
            variants.append(("explorer (cap 3,000 claims)", "ours", 3000, ours))
            if n <= 50_000:
                variants.append(("explorer, no cap", "ours", None, ours))
            for name, how, opt, script in variants:
                path = folder / f"{n}-{len(rows)}.html"
                t0 = time.perf_counter()
                if how == "pyvis":
                    pyvis_page(G, path, positions=opt)
                else:
                    html.write(G, path, max_claims=opt)
                write_s = time.perf_counter() - t0
                slow = name.startswith("pyvis defaults")
                runs = min(args.runs, 3) if slow else args.runs
                times = first_draw_s(path, runs, args.cap, script, warmup=0 if slow else 1)
                med, cpu, each = fmt_times(times, args.cap)
                row = (f"| {n:,} | {m:,} | {name} | {path.stat().st_size / 1e6:.1f} | "
                       f"{write_s:.1f} | {med} | {cpu} | {each} |")  # fmt: skip
                rows.append(row)
                print(row, flush=True)
            print(f"(graph layer for {n:,} nodes: {enrich_s:.1f} s)", flush=True)
    print()
    print(
        "| nodes | edges | page | MB | write s | first frame s (median) | main-thread CPU s | runs |"
    )
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        print(row)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
