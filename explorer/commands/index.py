"""``explorer index VAULT``: read a folder of notes into its claim store."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands._common import add_db_option, resolve_db, run_guarded

HELP = "read a folder of notes into its claim store (only changed notes are read again)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("index", help=HELP, description=HELP + ".")
    p.add_argument("vault", metavar="VAULT", help="the folder of notes (never written to)")
    add_db_option(p)
    add_index_options(p)
    p.set_defaults(run=run)


def add_index_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that indexes first."""
    p.add_argument("--force", action="store_true", help="read and parse every note, changed or not")
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="if another explorer is indexing into the same database, wait this long "
        "(default: 0, report that the index is busy)",
    )
    p.add_argument(
        "--max-note-mb",
        type=float,
        default=10.0,
        metavar="MB",
        help="skip notes larger than this, with a message (default: 10)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")


def run(args: argparse.Namespace) -> int:
    return run_guarded("index", _run, args)


def _run(args: argparse.Namespace) -> int:
    db_path = resolve_db(args.db, args.vault, "index")
    summary = index_with_progress(args.vault, db_path, args)
    if not args.quiet:
        print(format_summary(summary))
    return 1 if summary.errors else 0


def index_with_progress(vault: str, db_path: Path, args: argparse.Namespace):
    """Run the pipeline with a progress bar on stderr; return its Summary."""
    from explorer.commands._progress import ProgressBar
    from explorer.pipeline import Summary, default_stages, index_vault

    note_stages, vault_stages = default_stages()
    bar = ProgressBar(enabled=False if args.quiet else None)
    summary = None
    try:
        for event in index_vault(
            vault,
            db_path,
            note_stages=note_stages,
            vault_stages=vault_stages,
            force=args.force,
            lock_timeout=args.wait,
            max_note_bytes=int(args.max_note_mb * 1024 * 1024),
        ):
            if isinstance(event, Summary):
                summary = event
            else:
                bar.update(event)
    finally:
        bar.close()
    assert summary is not None
    return summary


def format_summary(s) -> str:
    """Two lines a person reads after an index run."""
    read = f"{s.indexed} read, {s.unchanged} unchanged, {s.removed} removed"
    line1 = (
        f"{s.notes} notes, {s.claims} claims ({read}); "
        f"{s.skipped} skipped, {s.errors} errors, {s.seconds:.1f} s"
    )
    if s.reattached:
        line1 += f"; {s.reattached} corrections followed their claims"
    if s.cancelled:
        line1 += "; cancelled"
    return f"{line1}\ndatabase: {s.db_path}"
