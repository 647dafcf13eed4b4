"""``explorer gui [VAULT] [--db PATH]``: the desktop explorer.

Qt is imported inside ``run`` only, so ``explorer --help`` never loads it. The GUI
package is loaded by name (importlib) because commands may not depend on it
statically: the import-linter contract keeps explorer.gui out of everything else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the desktop explorer",
        description="Open the desktop explorer, optionally on a vault (a folder of notes).",
    )
    p.add_argument("vault", nargs="?", type=Path, help="folder of notes to open")
    p.add_argument(
        "--db", type=Path, metavar="PATH", help="database file (default: the vault's usual one)"
    )
    from explorer.commands.index import add_runtime_option

    add_runtime_option(p)
    # Hidden: a synthetic vault on the fake backend, for demos and the window test.
    p.add_argument("--demo", action="store_true", help=argparse.SUPPRESS)
    # Hidden: save a screenshot of the window once indexing has finished, then exit.
    p.add_argument("--screenshot", type=Path, metavar="PNG", help=argparse.SUPPRESS)
    # Hidden: close the window N ms after it is shown (smoke tests of the binary).
    p.add_argument("--quit-after-ms", type=int, metavar="N", help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args) -> int:
    vault = args.vault
    if vault is not None and not vault.is_dir():
        print(f"explorer gui: vault folder not found: {vault}", file=sys.stderr)
        return 2
    if args.db is not None and args.db.is_dir():
        print(f"explorer gui: --db must be a file, not a folder: {args.db}", file=sys.stderr)
        return 2
    if args.runtime:  # the window's workspace reads it where it makes its embedder
        from explorer.semantic.models import RUNTIME_ENV

        os.environ[RUNTIME_ENV] = args.runtime
    demo = args.demo or os.environ.get("EXPLORER_GUI_DEMO") == "1"
    app = importlib.import_module("explorer.gui.app")
    return app.run_app(
        vault, args.db, demo=demo, screenshot=args.screenshot, quit_after_ms=args.quit_after_ms
    )
