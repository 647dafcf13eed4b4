"""Moved to :mod:`explorer.app.workspace`; this name stays so older scripts keep working."""

from explorer.app.workspace import *  # noqa: F403
from explorer.app.workspace import __all__  # noqa: F401
