"""Concept-map explorer: notes become a map of claims, references, concepts and annotations."""

__version__ = "0.1.0"

from explorer import _moved  # noqa: E402 - the old names of moved modules stay importable

_moved.install()
