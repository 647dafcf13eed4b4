"""``explorer stats [VAULT]``: what a claim store holds."""

from __future__ import annotations

import argparse
import json

from explorer.commands._common import add_db_option, resolve_db, run_guarded

HELP = (
    "count the notes, claims, kinds, annotations, references, concepts, edges and "
    "corrections in a claim store"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("stats", help=HELP, description=HELP + ".")
    p.add_argument("vault", metavar="VAULT", nargs="?", help="the vault whose store to read")
    add_db_option(p)
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("stats", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.app.workspace import Workspace

    ws = Workspace(args.vault, resolve_db(args.db, args.vault, "stats"), create=False)
    try:
        numbers = ws.stats()
    finally:
        ws.close()
    if args.json:
        print(json.dumps(numbers, indent=2, ensure_ascii=False))
    else:
        print(format_stats(numbers))
    return 0


def format_stats(n: dict) -> str:
    lines = [
        f"database   {n['database']}",
        f"vault      {n['vault'] or '(unknown)'}",
        f"notes      {n['notes']}  ({n['notes_with_warnings']} with warnings)",
        f"sections   {n['sections']}",
        f"claims     {n['claims']}  "
        + ", ".join(f"{k} {v}" for k, v in n["claims_by_block"].items())
        + f"  ({n['fragments']} fragments, off the map by default)",
        f"links      {n['links']}",
        f"kinds      {_pairs(n['claims_by_kind']) or '(none: index with this version)'}"
        + (
            f"  ({n['low_confidence_share']:.0%} below 0.5 confidence)"
            if n["claims_by_kind"]
            else ""
        ),
        f"voice      {_pairs(n.get('claims_by_voice', {})) or '(none: index with this version)'}"
        f"  ({n.get('reactions', 0)} reactions linked to what they answer)",
        f"annotations {n['annotations']}  {_pairs(n['annotations_by_stance'])}",
        f"references {n['references']}  ({n['cites']} citations)",
        f"concepts   {n['concepts']}  ({n['mentions']} mentions)",
        f"edges      {_pairs(n['edges_by_type'])}",
        f"model      {n['model'] or '(none: no vectors)'}"
        + (f"  ({n['claims_with_vectors']} claims with vectors)" if n["model"] else ""),
        f"your edits {n['user_kinds']} kinds, {n['user_annotations']} annotations, "
        f"{n['user_hidden']} hidden ({n['user_rows_detached']} waiting for their claim)",
        f"size       {n['size_bytes'] / 1024:.0f} KiB, schema {n['schema_version']}",
    ]
    return "\n".join(lines)


def _pairs(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())
