"""``explorer search WORDS``: ranked full-text search over claims, printed as note:line."""

from __future__ import annotations

import argparse
import json
import sys

from explorer.commands._common import CommandError, add_db_option, resolve_db, run_guarded
from explorer.commands.index import add_runtime_option

HELP = (
    "find claims by words and meaning (hybrid when the store has vectors); prints note:line "
    "and the claim"
)

MODES = ("hybrid", "semantic", "words")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("search", help=HELP, description=HELP + ".")
    p.add_argument(
        "words", metavar="TEXT", nargs="+", help="words or a phrase (word* for a prefix)"
    )
    add_db_option(p)
    p.add_argument("--vault", metavar="VAULT", help="search the default store of this vault")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--semantic",
        dest="mode",
        action="store_const",
        const="semantic",
        help="by meaning only (loads the embedding model)",
    )
    mode.add_argument(
        "--words",
        dest="mode",
        action="store_const",
        const="words",
        help="by words only (never loads the model)",
    )
    p.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show at most N claims (default: 20)"
    )
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    add_runtime_option(p)
    p.set_defaults(run=run, mode="hybrid")


def run(args: argparse.Namespace) -> int:
    return run_guarded("search", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.claim_search import ClaimSearch
    from explorer.store import open_db

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    text = " ".join(args.words)
    db = open_db(resolve_db(args.db, args.vault, "search"), create=False)
    try:
        searcher = ClaimSearch(db)
        mode = _mode(searcher, args.mode)
        try:
            if mode == "words":
                hits = searcher.words(text, args.limit)
            else:
                searcher.embedder = _embedder(
                    db, required=args.mode == "semantic", runtime=args.runtime
                )
                if searcher.embedder is None:
                    hits = searcher.words(text, args.limit)
                elif mode == "semantic":
                    hits = searcher.meaning(text, args.limit)
                else:
                    hits = searcher.hybrid(text, args.limit)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    finally:
        db.close()
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], indent=2, ensure_ascii=False))
    else:
        for h in hits:
            print(f"{h.where}: {h.snippet or h.text}")
        if not hits:
            what = "contains all of" if mode == "words" else "matches"
            print(f"no claim {what}: {text}", file=sys.stderr)
    return 0 if hits else 1


def _mode(searcher, asked: str) -> str:
    """Hybrid only where there are vectors to search; said once when there are none."""
    if asked == "words" or searcher.has_vectors():
        return asked
    if asked == "semantic":
        raise CommandError(
            "this store has no claim vectors to search by meaning (it was indexed with "
            "--no-embed or without a usable model); run `explorer index VAULT` first"
        )
    print(
        "explorer search: this store has no claim vectors: searching by words only",
        file=sys.stderr,
    )
    return "words"


def _embedder(db, *, required: bool, runtime: str | None = None):
    """The model the store's vectors were made with, or None (words only) when it is
    unusable and meaning was not explicitly asked for."""
    from explorer.index_stages import make_embedder
    from explorer.semantic.embedder import EmbedderError
    from explorer.store.meta import get_meta

    model = get_meta(db, "model")
    source = get_meta(db, "model_path")
    try:
        embedder = make_embedder(source or "default", runtime, model)
        if embedder.name != model:
            raise EmbedderError(
                f"the model at {source or 'the default model package'} ({embedder.name}) is "
                f"not the one this store's vectors were made with ({model}); re-index with "
                "--model"
            )
    except EmbedderError as exc:
        if required:
            raise CommandError(str(exc)) from None
        print(f"explorer search: {exc}: searching by words only", file=sys.stderr)
        return None
    return embedder
