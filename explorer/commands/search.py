"""``explorer search WORDS``: ranked full-text search over claims, printed as note:line."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded
from explorer.commands.index import add_runtime_option

HELP = (
    "find claims by words and meaning (both, when the store has vectors); prints note:line "
    "and the claim"
)

# A terminal line per hit: longer texts are cut (``--json`` gives them whole).
SHOWN_CHARS = 300


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("search", help=HELP, description=HELP + ".")
    p.add_argument(
        "words", metavar="TEXT", nargs="+", help="words or a phrase (word* for a prefix)"
    )
    add_db_option(p)
    p.add_argument("--vault", metavar="VAULT", help="search the default store of this vault")
    # The modes are the window's: words, meaning, both (explorer.app.api.SEARCH_MODES).
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--meaning",
        "--semantic",
        dest="mode",
        action="store_const",
        const="meaning",
        help="by meaning only (loads the embedding model); --semantic is the older name",
    )
    mode.add_argument(
        "--words",
        dest="mode",
        action="store_const",
        const="words",
        help="by words only (never loads the model)",
    )
    mode.add_argument(
        "--both",
        "--hybrid",
        dest="mode",
        action="store_const",
        const="both",
        help="words and meaning fused (the default; words only when the store has no vectors)",
    )
    p.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show at most N claims (default: 20)"
    )
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    add_runtime_option(p)
    p.set_defaults(run=run, mode="both")


def run(args: argparse.Namespace) -> int:
    return run_guarded("search", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.app.workspace import Workspace

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    text = " ".join(args.words)
    db_path = resolve_db(args.db, args.vault, "search")
    ws = Workspace(args.vault, db_path, create=False, runtime=args.runtime)
    try:
        mode, why = ws.usable_search_mode(args.mode)
        if why:
            print(f"explorer search: {why}", file=sys.stderr)
        hits = ws.search(text, mode, args.limit)
    finally:
        ws.close()
    if args.json:
        hits_out = [{k: v for k, v in h.items() if k != "type"} for h in hits]
        print(json.dumps(hits_out, indent=2, ensure_ascii=False))
    else:
        if any(h.get("any_words") for h in hits):
            from explorer.store.search import content_words

            print(
                f"no claim contains all of: {text}; ranked by any of: "
                f"{', '.join(content_words(text))}",
                file=sys.stderr,
            )
        for h in hits:
            same = f" (and {h['same_text']} more with this text)" if h.get("same_text") else ""
            print(f"{h['note']}:{h['line']}: {shorten(h.get('snippet') or h['text'])}{same}")
        if not hits:
            what = "contains any of" if mode == "words" else "matches"
            print(f"no claim {what}: {text}", file=sys.stderr)
    return 0 if hits else 1
