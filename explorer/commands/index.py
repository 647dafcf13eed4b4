"""``explorer index VAULT``: read a folder of notes into its claim store."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.commands._common import CommandError, add_db_option, error, resolve_db, run_guarded
from explorer.indexing.events import model_failed, report

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
    model = p.add_mutually_exclusive_group()
    model.add_argument(
        "--model",
        metavar="PATH",
        help="a sentence-transformers model directory, or one exported by `explorer model "
        "export`, to embed claims with (remembered by the store); 'default' for the shipped "
        "all-MiniLM-L6-v2",
    )
    model.add_argument(
        "--no-embed",
        action="store_true",
        help="no embeddings: kinds by rules only, no meaning search or similarity edges "
        "for new text (fast)",
    )
    add_runtime_option(p)


def add_runtime_option(p: argparse.ArgumentParser) -> None:
    """``--runtime``: what runs the embedding model (docs/CLI.md, "Model runtimes")."""
    from explorer.semantic.models import RUNTIMES

    p.add_argument(
        "--runtime",
        choices=RUNTIMES,
        metavar="RUNTIME",
        help="what runs the model: onnx (ONNX Runtime, no torch), onnx-int8 (quantised, "
        "separate vectors), torch (sentence-transformers, e.g. on a GPU) or auto (default: "
        "torch when CUDA torch sees a GPU, else onnx; also $EXPLORER_RUNTIME)",
    )


def run(args: argparse.Namespace) -> int:
    return run_guarded("index", _run, args)


def _run(args: argparse.Namespace) -> int:
    db_path = resolve_db(args.db, args.vault, "index")
    summary, model_error = index_with_progress(args.vault, db_path, args)
    if not args.quiet:
        print(report(summary))
    return exit_code(summary, model_error)


# Exit status when the notes were indexed but the model could not embed them.
NO_MODEL = 4


def exit_code(summary, model_error: str | None) -> int:
    if summary.errors:
        return 1
    return NO_MODEL if model_error else 0


def index_with_progress(vault: str, db_path: Path, args: argparse.Namespace, command="index"):
    """``Workspace.index`` with a progress bar on stderr; return its Summary and the
    model's error (``None`` when the claims were embedded or ``--no-embed`` was asked).

    A taxonomy file with an error stops the run before anything is written. A model
    that cannot be found or read does not: the run goes on with kinds by rules only,
    and says so.
    """
    from explorer.app.workspace import Workspace
    from explorer.commands._progress import ProgressBar
    from explorer.indexing.events import Summary
    from explorer.semantic.taxonomy import TaxonomyError

    ws = Workspace(
        vault, db_path, getattr(args, "model", None), runtime=getattr(args, "runtime", None)
    )
    bar = ProgressBar(enabled=False if args.quiet else None)
    summary, problem = None, None
    try:
        for event in ws.index(
            force=args.force,
            lock_timeout=args.wait,
            embed=not getattr(args, "no_embed", False),
            max_note_bytes=int(args.max_note_mb * 1024 * 1024),
        ):
            if isinstance(event, Summary):
                summary = event
            elif model_failed(event):  # said once, as an error of this command
                problem = event.message
                bar.close()
                error(command, problem or "")
            else:
                bar.update(event)
    except TaxonomyError as exc:
        raise CommandError(f"the vault's taxonomy cannot be used: {exc}") from None
    finally:
        bar.close()
        ws.close()
    assert summary is not None
    return summary, problem
