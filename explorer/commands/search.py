"""``explorer search WORDS``: ranked full-text search over claims, printed as note:line."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded

HELP = "find claims containing all the words (ranked, stemmed); prints note:line and the claim"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("search", help=HELP, description=HELP + ".")
    p.add_argument("words", metavar="WORDS", nargs="+", help="words to find (word* for a prefix)")
    add_db_option(p)
    p.add_argument("--vault", metavar="VAULT", help="search the default store of this vault")
    p.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show at most N claims (default: 20)"
    )
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("search", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.store import open_db, search

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    db = open_db(resolve_db(args.db, args.vault, "search"), create=False)
    try:
        hits = search(db, args.words, limit=args.limit)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    if args.json:
        rows = [
            {
                "claim": h.claim_id,
                "note": h.note,
                "line": h.line,
                "text": h.text,
                "snippet": h.snippet,
                "score": round(h.score, 4),
            }
            for h in hits
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for h in hits:
            print(f"{h.where}: {h.snippet}")
        if not hits:
            print(f"no claim contains all of: {' '.join(args.words)}", file=sys.stderr)
    return 0 if hits else 1
