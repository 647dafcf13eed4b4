"""``explorer model export|path``: make and find the ONNX form of an embedding model.

``export`` loads the sentence-transformers folder with torch once and writes an ONNX
model folder (docs/CLI.md, "Model runtimes") into ``<data folder>/models`` unless
``--out`` says where; every other command then runs the model with ONNX Runtime.
``path`` prints where that folder is (the PyInstaller spec asks it), exit 1 when the
model has not been exported yet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.commands._common import CommandError, run_guarded

HELP = "export the embedding model to ONNX (so no command needs torch), or show where it is"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("model", help=HELP, description=HELP + ".")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    exp = sub.add_parser(
        "export",
        help="write the ONNX form of a sentence-transformers model (needs torch, once)",
        description="Write the ONNX form of a sentence-transformers model folder: model.onnx "
        "(and model_int8.onnx with --int8) beside its tokenizer and pooling configs and a "
        "manifest. Default: the shipped all-MiniLM-L6-v2 into your data folder's models/.",
    )
    _model_option(exp)
    exp.add_argument(
        "--int8", action="store_true", help="also write model_int8.onnx (per-channel int8)"
    )
    exp.add_argument(
        "--out",
        metavar="DIR",
        help="the folder to write (default: <data folder>/models/<name>-<fingerprint>-onnx)",
    )
    exp.add_argument(
        "--force", action="store_true", help="export again even when the folder is up to date"
    )
    exp.set_defaults(run=run)
    where = sub.add_parser(
        "path",
        help="print the folder holding the model's ONNX form (exit 1 when not exported)",
        description="Print the folder holding the ONNX form of a model; exit 1 when it has "
        "not been exported yet.",
    )
    _model_option(where)
    where.set_defaults(run=run)


def _model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="DIR",
        default="default",
        help="a sentence-transformers model folder (default: the shipped all-MiniLM-L6-v2)",
    )


def run(args: argparse.Namespace) -> int:
    return run_guarded(f"model {args.action}", _export if args.action == "export" else _path, args)


def _source(model: str) -> Path:
    """The sentence-transformers folder ``--model`` names; CommandError naming it else."""
    from explorer.semantic.embedder import EmbedderError, check_model_dir, default_model_dir

    try:
        source = (
            default_model_dir() if model in ("", "default") else Path(model).expanduser().resolve()
        )
        check_model_dir(source)
    except EmbedderError as exc:
        raise CommandError(str(exc)) from None
    return source


def _export(args: argparse.Namespace) -> int:
    from explorer.semantic.embedder import EmbedderError
    from explorer.semantic.models import onnx_dir_for
    from explorer.semantic.onnx_embedder import INT8_FILE, is_onnx_dir
    from explorer.semantic.onnx_export import export_onnx, same_source

    given = Path(args.model).expanduser()
    if args.model not in ("", "default") and given.is_dir() and is_onnx_dir(given):
        if args.int8 and not (given / INT8_FILE).is_file():
            raise CommandError(
                f"{given} is already an ONNX model folder without an int8 model; export "
                "the sentence-transformers folder it came from with --int8"
            )
        print(f"already an ONNX model folder: {given.resolve()}", file=sys.stderr)
        print(given.resolve())
        return 0
    source = _source(args.model)
    out = Path(args.out).expanduser().absolute() if args.out else onnx_dir_for(source)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out must be a folder, and {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not is_onnx_dir(out):
        raise CommandError(f"{out} is a folder that holds something else; give another --out")
    fresh = is_onnx_dir(out) and same_source(out, source)
    if fresh and not args.force and (not args.int8 or (out / INT8_FILE).is_file()):
        print(f"up to date (use --force to export again): {out}", file=sys.stderr)
        print(out)
        return 0

    def say(message: str) -> None:
        print(f"explorer model export: {message}", file=sys.stderr, flush=True)

    try:
        export_onnx(source, out, int8=args.int8, progress=say)
    except EmbedderError as exc:
        raise CommandError(str(exc)) from None
    print(out)
    return 0


def _path(args: argparse.Namespace) -> int:
    from explorer.semantic.models import bundled_onnx_dir, find_onnx, onnx_dir_for
    from explorer.semantic.onnx_embedder import is_onnx_dir

    given = Path(args.model).expanduser()
    if args.model not in ("", "default") and given.is_dir() and is_onnx_dir(given):
        print(given.resolve())
        return 0
    if args.model in ("", "default") and bundled_onnx_dir() is not None:
        print(bundled_onnx_dir())
        return 0
    source = _source(args.model)
    folder = find_onnx(source)
    if folder is None:
        print(
            f"explorer model path: {source} has not been exported (it would go to "
            f"{onnx_dir_for(source)}); run `explorer model export`",
            file=sys.stderr,
        )
        return 1
    print(folder)
    return 0
