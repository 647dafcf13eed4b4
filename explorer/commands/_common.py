"""What the store commands share: finding the database, and saying what went wrong."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from explorer.errors import ExplorerError
from explorer.paths import default_db_path


class CommandError(ExplorerError):
    """A problem the user can fix; ``main`` prints it and exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the claim store (SQLite file); default: one per vault in your data folder",
    )


def resolve_db(db: str | None, vault: str | None, command: str) -> Path:
    """The database a command reads: ``--db``, else the default one of ``vault``."""
    if db:
        return Path(db).expanduser()
    if vault:
        if not Path(vault).expanduser().is_dir():
            raise CommandError(f"vault not found: {vault}")
        return default_db_path(vault)
    raise CommandError(
        f"no database to read: give a VAULT (its default database is used) or --db PATH, "
        f"e.g. `explorer {command} ~/notes`"
    )


def error(command: str, message: str) -> None:
    print(f"explorer {command}: error: {message}", file=sys.stderr)


def run_guarded(command: str, fn, args) -> int:
    """Run ``fn(args)``, turning the errors a user can fix into one clear line."""
    from explorer.store.errors import IndexBusyError

    try:
        return int(fn(args) or 0)
    except CommandError as exc:
        error(command, str(exc))
        return exc.code
    except ExplorerError as exc:  # every problem the user can put right says what it is
        error(command, str(exc))
        return 3 if isinstance(exc, IndexBusyError) else 2
    except sqlite3.DatabaseError as exc:  # e.g. --db /dev/null, or a file that is not one
        error(command, f"{getattr(args, 'db', None) or 'the database'} cannot be used: {exc}")
        return 2
    except OSError as exc:  # a read-only home or data folder, a full disk: name the path
        where = exc.filename or getattr(args, "db", None) or "a file"
        hint = " (give --db PATH or set EXPLORER_DATA_DIR to a writable folder)"
        error(command, f"cannot write or read {where}: {exc.strerror or exc}{hint}")
        return 2
