"""``explorer export [VAULT] --format FMT -o FILE``: write the concept graph to a file.

``json`` (networkx node-link JSON, docs/EXPORT.md) is built in. Every other format
is a module ``explorer.export.<format>`` with a function ``write(graph, path)``; the
formats offered are the modules that exist.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded
from explorer.commands.index import add_index_options, format_summary, index_with_progress

HELP = "write the concept graph to a file (with a VAULT, index it first)"


def formats() -> list[str]:
    """json, then every ``explorer.export.<name>`` module (found without importing it)."""
    import explorer.export

    found = {
        m.name for m in pkgutil.iter_modules(explorer.export.__path__) if not m.name.startswith("_")
    }
    return ["json", *sorted(found - {"json"})]


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
    add_index_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("export", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.graph.build import graph_from_store
    from explorer.store import open_db

    writer = _writer(args.format)
    db_path = resolve_db(args.db, args.vault, "export")
    if args.vault:
        summary = index_with_progress(args.vault, db_path, args)
        if not args.quiet:
            print(format_summary(summary), file=sys.stderr)
    db = open_db(db_path, create=False)
    try:
        graph = graph_from_store(db, include_hidden=args.include_hidden)
    finally:
        db.close()
    out = Path(args.output).expanduser()
    if out.is_dir():
        raise CommandError(f"{out} is a folder; give a file name with -o")
    writer(graph, out)
    if not args.quiet:
        print(
            f"wrote {out} ({args.format}: {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges)",
            file=sys.stderr,
        )
    return 0


def _writer(fmt: str):
    if fmt == "json":
        return write_json
    if fmt not in formats():
        raise CommandError(f"unknown format {fmt!r}; available: {', '.join(formats())}")
    module = importlib.import_module(f"explorer.export.{fmt}")
    write = getattr(module, "write", None)
    if write is None:
        raise CommandError(f"format {fmt!r} is not available in this build")
    return write


def write_json(graph, path: str | os.PathLike[str]) -> None:
    """networkx node-link JSON with links under ``edges``, UTF-8, written atomically."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file beside the target, renamed over it: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
