"""Open the Workspace a store command acts on: from VAULT, or from --db alone (the store
remembers the vault it indexes)."""

from __future__ import annotations

from pathlib import Path

from explorer.commands._common import CommandError, resolve_db


def open_workspace(vault: str | None, db: str | None, command: str):
    """The opened Workspace of ``vault`` / ``db``; CommandError when there is no store yet."""
    from explorer.store import open_db
    from explorer.store.meta import get_meta
    from explorer.workspace import Workspace

    db_path = resolve_db(db, vault, command)
    if not Path(db_path).is_file():
        where = f"the vault {vault}" if vault and not db else str(db_path)
        raise CommandError(f"no claim store for {where} yet: run `explorer index` first")
    if not vault:
        store = open_db(db_path, create=False)
        try:
            vault = get_meta(store, "vault")
        finally:
            store.close()
        if not vault or not Path(vault).is_dir():
            raise CommandError(
                f"{db_path} does not name a vault folder that exists here; give the VAULT too"
            )
    return Workspace(vault, db_path).open()  # the model is never loaded by these commands
