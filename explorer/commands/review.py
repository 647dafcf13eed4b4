"""``explorer review [VAULT]``: go through the least certain kinds in the terminal.

One claim at a time, lowest confidence first, with its note, heading and neighbouring
lines; one key answers (``explorer.app.review``): ``a`` or Enter accepts the kind, ``1``..``5``
change it to the numbered kind, ``s`` skips, ``q`` quits. Accepted and changed kinds are
stored as your corrections and never asked again. On a terminal a key needs no Enter;
without one (a pipe, a test) each line of stdin is one key.
"""

from __future__ import annotations

import argparse
import sys

from explorer.commands._common import CommandError, add_db_option, run_guarded

HELP = "review the least certain claim kinds one key at a time (accept, change, skip)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("review", help=HELP, description=HELP + ".")
    p.add_argument("vault", metavar="VAULT", nargs="?", help="the vault whose store to review")
    add_db_option(p)
    p.add_argument(
        "--limit", type=int, metavar="N", help="stop after N answers (default: until q or done)"
    )
    p.add_argument(
        "--context", type=int, default=2, metavar="N", help="lines shown around a claim (default 2)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_guarded("review", _run, args)


def _run(args: argparse.Namespace) -> int:
    from explorer.app.review import ReviewQueue
    from explorer.commands._workspace import open_workspace

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1")
    if args.context < 0:
        raise CommandError("--context cannot be negative")
    ws = open_workspace(args.vault, args.db, "review")
    try:
        queue = ReviewQueue.for_workspace(ws)
        return session(queue, read_key(), sys.stdout, limit=args.limit, context=args.context)
    finally:
        ws.close()


def session(queue, keys, out, *, limit: int | None = None, context: int = 2) -> int:
    """Show claims and act on keys until q, the end of the keys, ``limit`` answers or an
    empty queue; print what was done."""
    legend = "  ".join(f"{i}={k}" for i, k in enumerate(queue.kinds, start=1))
    counts = {"accepted": 0, "changed": 0, "skipped": 0}
    answers = 0
    while queue.current() is not None and (limit is None or answers < limit):
        item = queue.current()
        show(item, queue, out, context)
        print(f"[a/Enter] accept  [{legend}]  [s] skip  [q] quit", file=out)
        while True:
            key = next(keys, None)
            if key is None:
                return _bye(queue, counts, out)
            what = queue.handle_key(key)
            if what != "unknown":
                break
            print(f"  unknown key {key!r}", file=out)
        if what == "quit":
            return _bye(queue, counts, out)
        counts[what] = counts.get(what, 0) + 1
        answers += what != "skipped"
        if what == "changed":
            print(f"  -> {queue.kind_for_key(key.strip())}", file=out)
    if queue.current() is None:
        print("nothing left to review", file=out)
    return _bye(queue, counts, out)


def show(item, queue, out, context: int) -> None:
    print("", file=out)
    print(f"{queue.progress_text()}  ({len(queue)} waiting)", file=out)
    where = f"{item.note}:{item.line}" + (f"  # {item.heading}" if item.heading else "")
    print(where, file=out)
    for n, line in queue.context(item, context):
        mark = ">" if n == item.line else " "
        print(f" {mark}{n:5} | {line}", file=out)
    print(f"claim: {item.text}", file=out)
    print(
        f"kind:  {item.kind}  (confidence {item.confidence:.2f}, from {_origin(item.kind_source)})",
        file=out,
    )


def _origin(source: str) -> str:
    return {"rule": "the rules", "embedding": "the model", "default": "nothing fitting"}.get(
        source, source
    )


def _bye(queue, counts, out) -> int:
    print(
        f"{queue.progress_text()}; this session: {counts['accepted']} accepted, "
        f"{counts['changed']} changed, {counts['skipped']} skipped",
        file=out,
    )
    return 0


def read_key():
    """Keys from stdin: single key presses on a terminal, else one per line."""
    if sys.stdin.isatty():
        yield from _raw_keys()
    else:
        for line in sys.stdin:
            yield line.rstrip("\r\n")


def _raw_keys():
    if sys.platform == "win32":  # msvcrt reads one key without Enter
        import msvcrt

        while True:
            ch = msvcrt.getwch()
            if ch == "\x03":
                raise KeyboardInterrupt
            yield ch
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        # cbreak for the whole session (keys typed while a claim is drawn are kept; Ctrl-C
        # still interrupts), the terminal restored however the session ends.
        tty.setcbreak(fd)
        while True:
            ch = sys.stdin.read(1)
            if not ch or ch == "\x04":
                return
            yield ch
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
