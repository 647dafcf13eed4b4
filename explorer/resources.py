"""Where the files shipped beside the code live: data/, assets/.

In a source checkout or an editable install they sit at the repository root; in the
PyInstaller build they sit under the bundle's directory (``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return root() / "data"


def assets_dir() -> Path:
    return root() / "assets"


def sample_vault() -> Path:
    return data_dir() / "sample-vault"
