"""``explorer export [VAULT] --format FMT -o FILE``: write the concept graph to a file.

Formats come from the exporters' registry, ``explorer.export.FORMATS`` (format name ->
module with ``write(graph, path)``); ``json`` is networkx node-link JSON
(docs/EXPORT.md). Exporters are imported only when used.

The graph is the one the desktop window shows: ``Workspace.graph`` adds communities,
centrality and positions (all cached in the store per graph version), then the filters
shared by every format (``explorer.graph.filters.filter_graph``) cut it down.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded
from explorer.commands.index import NO_MODEL, add_index_options, index_with_progress

HELP = "write the concept graph to a file (with a VAULT, index it first)"


def formats() -> list[str]:
    """Format names, ``json`` first (the registry module imports no exporter)."""
    from explorer.export import FORMATS

    return sorted(FORMATS, key=lambda name: (name != "json", name))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help=HELP, description=HELP + ".")
    p.add_argument("vault", metavar="VAULT", nargs="?", help="index this vault first, then export")
    add_db_option(p)
    p.add_argument(
        "--format",
        "-f",
        required=True,
        metavar="FORMAT",
        help=f"file format: {', '.join(formats())}",
    )
    p.add_argument("--output", "-o", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--include-hidden",
        action="store_true",
        help="keep the claims you hid (marked hidden: true)",
    )
    p.add_argument(
        "--fragments",
        action="store_true",
        help="keep claims that are not self-contained (a single term, a file name, a bare "
        "link, a formula), left out by default",
    )
    add_filter_options(p)
    add_index_options(p)
    p.set_defaults(run=run)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The filters every format shares (see docs/EXPORTERS.md)."""
    g = p.add_argument_group("filters (every format)")
    g.add_argument("--kinds", type=_csv, metavar="K1,K2", help="keep claims of these kinds")
    g.add_argument("--notes", metavar="GLOB", help="keep notes whose path matches, e.g. 'daily/*'")
    g.add_argument("--edge-types", type=_csv, metavar="T1,T2", help="keep only these edge types")
    g.add_argument(
        "--min-similarity",
        type=float,
        metavar="X",
        help="drop similar/duplicate/tension edges below this cosine",
    )
    g.add_argument("--focus", metavar="ID", help="keep the neighbourhood of this node id")
    g.add_argument(
        "--depth", type=int, default=1, metavar="N", help="hops around --focus (default 1)"
    )
    g.add_argument("--max-nodes", type=int, metavar="N", help="keep the N most central nodes")
    g.add_argument(
        "--layout",
        choices=("force", "map"),
        default="force",
        help="positions: force layout, or the semantic map of the claims' meaning",
    )


def run(args: argparse.Namespace) -> int:
    return run_guarded("export", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.app.workspace import Workspace
    from explorer.indexing.events import report

    _check_format(args.format)
    db_path = resolve_db(args.db, args.vault, "export")
    code = 0
    if args.vault:
        summary, model_error = index_with_progress(args.vault, db_path, args, "export")
        if not args.quiet:
            print(report(summary), file=sys.stderr)
        code = NO_MODEL if model_error else 0
    ws = Workspace(args.vault or _stored_vault(db_path), db_path, create=False)
    started = time.perf_counter()
    try:
        graph = _prepared_graph(args, ws)
        out = Path(args.output).expanduser()
        ws.export(args.format, graph, out)  # the vault's kind colours, as in the window
    finally:
        ws.close()
    if not args.quiet:
        info = graph.graph["filter_info"]
        print(
            f"wrote {out} ({args.format}: {info['shown_nodes']:,} nodes, "
            f"{info['shown_edges']:,} edges) in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return code


def _stored_vault(db_path: Path) -> str:
    """With --db alone: the vault the store remembers indexing (its taxonomy colours)."""
    from explorer.store.meta import peek_meta

    return peek_meta(db_path, "vault") or "."


def _prepared_graph(args: argparse.Namespace, ws):
    """The enriched graph of the store, cut down by the filters every format shares."""
    from explorer.graph.filters import filter_graph

    layout = "semantic" if args.layout == "map" else "force"
    if layout == "semantic" and "semantic" not in ws.layouts():
        raise CommandError(
            f"the semantic map needs claim vectors, and {ws.db_path} has none; "
            "index with a model (without --no-embed) or use --layout force"
        )
    graph = ws.graph(layout, include_hidden=args.include_hidden, progress=_say(args))
    graph, _info = filter_graph(
        graph,
        kinds=args.kinds,
        notes_glob=args.notes,
        edge_types=args.edge_types,
        min_similarity=args.min_similarity,
        focus=args.focus,
        depth=args.depth,
        max_nodes=args.max_nodes,
        include_hidden=args.include_hidden,
        include_fragments=args.fragments,
        copy=False,  # the graph is this command's own: no copy of it
    )
    return graph


def _say(args: argparse.Namespace):
    """Where the slow steps are announced: stderr, unless --quiet."""
    if args.quiet:
        return None
    return lambda message: print(message + " ...", file=sys.stderr, flush=True)


def _check_format(fmt: str) -> None:
    from explorer.export import FORMATS

    if fmt not in FORMATS:
        raise CommandError(f"unknown format {fmt!r}; available: {', '.join(formats())}")
