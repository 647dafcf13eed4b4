"""Where the claim store of a vault lives when the user does not say.

One database per vault, in the user's data directory, never inside the vault:
``<user_data_dir>/concept-map-explorer/vaults/<name>-<hash>.db``. The hash of the
absolute vault path keeps two vaults with the same folder name apart; the name keeps
the file recognisable to a person browsing the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

APP_NAME = "concept-map-explorer"

# Environment override, mostly so tests and portable installs can move every store.
DATA_DIR_ENV = "EXPLORER_DATA_DIR"


def data_dir() -> Path:
    """The per-user folder holding the program's databases."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # small, but only the commands that need a default path pay for it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path(vault: str | os.PathLike[str]) -> Path:
    """The store for ``vault``: stable for one folder, different for two folders.

    >>> p = default_db_path("/tmp/My Notes")
    >>> p.parent.name, p.name.startswith("My-Notes-"), p.suffix
    ('vaults', True, '.db')
    """
    absolute = Path(vault).expanduser().resolve()
    digest = hashlib.sha256(str(absolute).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return data_dir() / "vaults" / f"{_safe_name(absolute.name)}-{digest}.db"


def _safe_name(name: str) -> str:
    # Keep file names portable (Windows forbids several characters) and short.
    cleaned = re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-.")
    return (cleaned or "vault")[:60]


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when ``path`` is ``folder`` itself or lies somewhere under it (symlinks resolved)."""
    p = Path(path).expanduser().resolve()
    f = Path(folder).expanduser().resolve()
    return p == f or f in p.parents
