"""``explorer export [VAULT] --format FMT -o FILE``: write the concept graph to a file.

Formats come from the exporters' registry, ``explorer.export.FORMATS`` (format name ->
module with ``write(graph, path)``); ``json`` is networkx node-link JSON
(docs/EXPORT.md). Exporters are imported only when used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded
from explorer.commands.index import (
    NO_MODEL,
    add_index_options,
    format_summary,
    index_with_progress,
)

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
    add_index_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("export", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.export.common import ExportError
    from explorer.graph.build import graph_from_store
    from explorer.store import open_db

    writer = _writer(args.format)
    db_path = resolve_db(args.db, args.vault, "export")
    code = 0
    if args.vault:
        summary, model_error = index_with_progress(args.vault, db_path, args, "export")
        if not args.quiet:
            print(format_summary(summary), file=sys.stderr)
        code = NO_MODEL if model_error else 0
    db = open_db(db_path, create=False)
    try:
        graph = graph_from_store(db, include_hidden=args.include_hidden)
    finally:
        db.close()
    out = Path(args.output).expanduser()
    try:
        writer(graph, out)
    except ExportError as exc:  # it names the path at fault
        raise CommandError(str(exc)) from None
    if not args.quiet:
        print(
            f"wrote {out} ({args.format}: {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges)",
            file=sys.stderr,
        )
    return code


def _writer(fmt: str):
    from explorer.export import FORMATS, writer

    if fmt not in FORMATS:
        raise CommandError(f"unknown format {fmt!r}; available: {', '.join(formats())}")
    return writer(fmt)
