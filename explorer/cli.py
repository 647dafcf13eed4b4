"""Command line entry point.

Each command lives in its own module under ``explorer.commands`` with two
functions: ``register(subparsers)`` adds its parser, ``run(args) -> int`` does
the work. Modules are imported here, but each imports its heavy libraries
(torch, sentence-transformers, pyvis, Qt) inside ``run``, so ``explorer --help``
stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from explorer import __version__

# Order is the order shown in --help.
COMMANDS = ("index", "stats", "search", "export", "correct", "review", "gui", "model")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="explorer",
        description="Turn a folder of notes into a map of claims, references, concepts "
        "and your own annotations.",
    )
    parser.add_argument("--version", action="version", version=f"explorer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"explorer.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"explorer.commands.{name}":
                raise
            continue  # a command not built yet
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("explorer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
