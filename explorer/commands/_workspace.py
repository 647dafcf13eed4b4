"""Open the Workspace a correcting command acts on: from VAULT, or from --db alone (the
store remembers the vault it indexes, whose taxonomy names the kinds)."""

from __future__ import annotations

from pathlib import Path

from explorer.commands._common import CommandError, resolve_db


def open_workspace(vault: str | None, db: str | None, command: str):
    """The opened Workspace of ``vault`` / ``db``; CommandError when there is no store yet."""
    from explorer.app.workspace import Workspace
    from explorer.store.meta import peek_meta

    db_path = resolve_db(db, vault, command)
    if not Path(db_path).is_file():
        where = f"the vault {vault}" if vault and not db else str(db_path)
        raise CommandError(f"no claim store for {where} yet: run `explorer index` first")
    if not vault:
        vault = peek_meta(db_path, "vault")
        if not vault or not Path(vault).is_dir():
            raise CommandError(
                f"{db_path} does not name a vault folder that exists here; give the VAULT too"
            )
    # The model is never loaded by these commands: they read and write the store only.
    return Workspace(vault, db_path, create=False).open()
