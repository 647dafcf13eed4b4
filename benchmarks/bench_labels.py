"""Labels at every zoom: what they cost in the window and on the HTML page.

    python benchmarks/bench_labels.py [--claims 20000] [--frames 30] [--runs 3]
                                      [--page-sizes 2000 20000] [--skip-page]

**Window** (offscreen Qt, the canvas alone over the fake backend's seeded synthetic
vault of ``--claims`` claims): the canvas model is built (with the community titles),
then at several zooms (overview: the whole map; middle: about 150 nodes in view;
close: about 30, around a claim of typical density) ``--frames`` zoom steps (x1.05 in and out in turn) and as many pan
steps (40 px), each followed by one frame drawn into an image of the viewport's size,
with the label layer on and off; also "wide", about 5,000 nodes in view (where the
window's earlier frame numbers were taken, benchmarks/bench_gui.py). Each frame is timed on the wall clock and in this
process's CPU time (the machine is shared). ``--runs`` repetitions; the table gives
the median over all frames of all runs.

**Page** (headless Chromium, offline): a synthetic graph of each ``--page-sizes``
claims (explorer.graph.synthetic, with communities and layout) written by the HTML
exporter (collapsed past 3,000 claims as shipped), opened ``--runs`` times after one
warm-up load; the page's own clock says when the first frame with labels was drawn
(``explorerMap.firstDrawMs``), and Chromium's ThreadTime metric the page's main-thread
CPU time. The first frame counts only once the label overlay has placed its labels.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def window(n_claims: int, n_frames: int, runs: int) -> dict:
    import numpy as np
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtWidgets import QApplication

    from explorer.gui.canvas import GraphCanvas
    from explorer.gui.canvas_model import CanvasModel
    from explorer.gui.fake_backend import synthetic_vault

    app = QApplication.instance() or QApplication([])
    G = synthetic_vault(n_claims, seed=0)[0]
    t, cpu = time.perf_counter(), time.process_time()
    model = CanvasModel.styled(G, None)
    out = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "model_s": time.perf_counter() - t,
        "model_cpu_s": time.process_time() - cpu,
    }
    # What the window adds on each graph load: the Views panel and the claims table.
    from explorer.graph.views import all_views
    from explorer.gui.claims_table import ClaimsTable

    t, cpu = time.perf_counter(), time.process_time()
    all_views(G)
    out["views_s"], out["views_cpu_s"] = time.perf_counter() - t, time.process_time() - cpu
    table = ClaimsTable()
    t, cpu = time.perf_counter(), time.process_time()
    table.set_claims(G)
    out["table_s"], out["table_cpu_s"] = time.perf_counter() - t, time.process_time() - cpu
    c = GraphCanvas()
    c.resize(1200, 800)
    c.show()
    c.set_model(model)
    app.processEvents()
    centre_px = QPoint(c.viewport().width() // 2, c.viewport().height() // 2)

    def in_view() -> int:
        r = c.mapToScene(c.viewport().rect()).boundingRect()
        return len(model.nodes_in(r.left(), r.top(), r.right(), r.bottom()))

    # Zoomed in around a claim of typical density: the one whose 30th nearest
    # neighbour is at the median distance (the densest spot of the synthetic map has
    # nodes stacked so tightly that the zoom ceiling comes first).
    sample = np.random.default_rng(0).choice(len(model), size=min(400, len(model)), replace=False)
    d30 = [np.sort(np.hypot(*(model.xy - model.xy[i]).T))[30] for i in sample]
    typical = sample[int(np.argsort(d30)[len(d30) // 2])]
    spot = QPointF(*model.xy[typical])

    def go(band: str) -> None:
        c.fit()
        if band == "overview":
            return
        target = {"wide": 5000, "middle": 150, "close": 30}[band]
        dense = spot
        c.centerOn(dense)
        for _ in range(200):  # the zoom has a ceiling: never loop for ever
            if in_view() <= target:
                break
            c.zoom_by(1.05)
            c.centerOn(dense)

    for band in ("overview", "wide", "middle", "close"):
        for labels in (True, False):
            c.label_layer.setVisible(labels)
            samples: list[tuple[float, float]] = []
            counts = []
            for _ in range(runs):
                go(band)
                c.render_image()  # warm-up frame
                for i in range(n_frames * 2):
                    if i < n_frames:
                        c.zoom_at(1.05 if i % 2 else 1 / 1.05, centre_px)
                    else:
                        h = c.horizontalScrollBar()
                        h.setValue(h.value() + (40 if (i // 2) % 2 else -40))
                    t, cpu = time.perf_counter(), time.process_time()
                    c.render_image()
                    samples.append(
                        ((time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000)
                    )
                    counts.append(len(c.label_layer.placed) if labels else 0)
            key = f"{band}/{'labels' if labels else 'no labels'}"
            wall = [w for w, _ in samples]
            out[key] = {
                "median_ms": statistics.median(wall),
                "p90_ms": sorted(wall)[int(0.9 * (len(wall) - 1))],
                "median_cpu_ms": statistics.median(cp for _, cp in samples),
                "labels": statistics.median(counts),
                "band": c.label_layer.band,
                "in_view": in_view(),
            }
    c.label_layer.setVisible(True)
    c.close()
    return out


def page(sizes: list[int], runs: int, cap: float = 120.0) -> list[dict]:
    from bench_html import first_draw_s

    from explorer.export import html
    from explorer.graph.analyze import enrich
    from explorer.graph.synthetic import synthetic_graph

    script = (
        "window.explorerMap && window.explorerMap.ready && window.explorerMap.labels().band"
        " && window.explorerMap.firstDrawMs"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-labels-") as tmp:
        for n in sizes:
            G = synthetic_graph(n, seed=0)
            enrich(G, seed=0)
            path = Path(tmp) / f"{n}.html"
            t = time.perf_counter()
            stats = html.write(G, path)
            write_s = time.perf_counter() - t
            times = first_draw_s(path, runs, cap, script)
            got = [x for x in times if x is not None]
            rows.append(
                {
                    "claims": n,
                    "nodes": stats["nodes"],
                    "collapsed": stats["collapsed"],
                    "mb": path.stat().st_size / 1e6,
                    "write_s": write_s,
                    "first_frame_s": statistics.median(w for w, _ in got) if got else None,
                    "cpu_s": statistics.median(cp for _, cp in got) if got else None,
                    "runs": [round(w, 2) for w, _ in got],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=20000)
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--page-sizes", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--skip-page", action="store_true")
    ap.add_argument("--skip-window", action="store_true")
    args = ap.parse_args(argv)
    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    if not args.skip_window:
        w = window(args.claims, args.frames, args.runs)
        print(
            f"\nwindow: {args.claims:,} claims, {w['nodes']:,} nodes, {w['edges']:,} edges; "
            f"canvas model with community titles {w['model_s']:.2f} s wall, "
            f"{w['model_cpu_s']:.2f} s CPU; views {w['views_s']:.2f} s wall, "
            f"{w['views_cpu_s']:.2f} s CPU; claims table {w['table_s']:.2f} s wall, "
            f"{w['table_cpu_s']:.2f} s CPU"
        )
        print(
            "\n| zoom | labels | band | nodes in view | labels drawn | frame ms (median) | p90 | CPU ms |"
        )
        print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for band in ("overview", "wide", "middle", "close"):
            for lab in ("labels", "no labels"):
                r = w[f"{band}/{lab}"]
                print(
                    f"| {band} | {lab} | {r['band'] or '-'} | {r['in_view']:,} | {r['labels']:.0f} | "
                    f"{r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['median_cpu_ms']:.1f} |",
                    flush=True,
                )
    if not args.skip_page:
        rows = page(args.page_sizes, args.runs)
        print(
            "\n| claims | nodes | collapsed | MB | write s | first frame s (median) | CPU s | runs |"
        )
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |")
        for r in rows:
            ff = "-" if r["first_frame_s"] is None else f"{r['first_frame_s']:.2f}"
            cp = "-" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
            print(
                f"| {r['claims']:,} | {r['nodes']:,} | {r['collapsed']} | {r['mb']:.1f} | "
                f"{r['write_s']:.1f} | {ff} | {cp} | {r['runs']} |",
                flush=True,
            )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
