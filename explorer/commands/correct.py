"""``explorer correct CLAIM_ID [--vault VAULT] --kind KIND | --hide | --annotate TEXT``: what the
window's corrections do, from a script.

Writes the same rows as the window (``explorer.store.user`` through ``Workspace``): a
kind chosen here wins over every re-index, a hidden claim stays hidden, an annotation is
the user's own. Several actions may be given at once; they run in the order kind, hide,
annotate, and each is checked before anything is written.
"""

from __future__ import annotations

import argparse

from explorer.commands._common import CommandError, add_db_option, run_guarded

HELP = "correct one claim: set its kind, hide it, or annotate it (as the window does)"
STANCES = ("agree", "disagree", "doubt", "revise", "note")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("correct", help=HELP, description=HELP + ".")
    p.add_argument(
        "claim_id", metavar="CLAIM_ID", help="the claim's id (from search --json or export)"
    )
    p.add_argument("--vault", metavar="VAULT", help="change the default store of this vault")
    add_db_option(p)
    p.add_argument("--kind", metavar="KIND", help="set the claim's kind (one of the vault's kinds)")
    p.add_argument("--clear-kind", action="store_true", help="forget your kind for this claim")
    p.add_argument("--hide", action="store_true", help="hide the claim (it survives re-index)")
    p.add_argument("--unhide", action="store_true", help="show a hidden claim again")
    p.add_argument("--annotate", metavar="TEXT", help="add your own annotation to the claim")
    p.add_argument(
        "--stance",
        choices=STANCES,
        default="note",
        help="the stance of --annotate (default note)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("correct", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.commands._workspace import open_workspace

    actions = [args.kind, args.clear_kind, args.hide, args.unhide, args.annotate]
    if not any(a for a in actions):
        raise CommandError(
            "nothing to do: give --kind, --clear-kind, --hide, --unhide or --annotate"
        )
    if args.hide and args.unhide:
        raise CommandError("--hide and --unhide contradict each other")
    if args.kind and args.clear_kind:
        raise CommandError("--kind and --clear-kind contradict each other")
    if args.annotate is not None and not args.annotate.strip():
        raise CommandError("--annotate needs some text")
    ws = open_workspace(args.vault, args.db, "correct")
    try:
        claim = _claim(ws, args.claim_id)
        kinds = ws.taxonomy().ids
        if args.kind and args.kind not in kinds:
            raise CommandError(
                f"unknown kind {args.kind!r}; the kinds of this vault are: {', '.join(kinds)}"
            )
        done = []
        if args.kind:
            ws.set_kind(claim["id"], args.kind)
            done.append(f"kind {args.kind}")
        if args.clear_kind:
            from explorer.store import clear_kind

            had = clear_kind(ws.db(), claim["id"])
            done.append("your kind forgotten" if had else "no kind of yours to forget")
        if args.hide:
            ws.hide(claim["id"])
            done.append("hidden")
        if args.unhide:
            from explorer.store import unhide

            done.append("shown again" if unhide(ws.db(), claim["id"]) else "was not hidden")
        if args.annotate:
            node = ws.add_annotation(claim["id"], args.annotate, args.stance)
            done.append(f"annotated ({args.stance}, {node})")
    finally:
        ws.close()
    print(f"{claim['id']} ({claim['note']}:{claim['line']}): {'; '.join(done)}")
    return 0


def _claim(ws, claim_id: str) -> dict:
    try:
        info = ws.details(claim_id)
    except KeyError:
        raise CommandError(
            f"no claim with id {claim_id!r} in {ws.db_path}; ids are shown by "
            "`explorer search --json` and `explorer export --format json`"
        ) from None
    if info.get("type") != "claim":
        raise CommandError(f"{claim_id!r} is a {info.get('type')}, not a claim")
    return info
