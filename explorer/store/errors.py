"""Errors the store raises. Each message names the database file at fault."""

from __future__ import annotations

from explorer.errors import ExplorerError


class StoreError(ExplorerError):
    """A claim store cannot be opened or used."""


class NotSQLiteError(StoreError):
    """The file exists but is not an SQLite database."""


class NotAStoreError(StoreError):
    """An SQLite database, but another program's: it is left alone."""


class SchemaTooNewError(StoreError):
    """Written by a newer explorer; this version cannot read it safely."""


class StoreMissingError(StoreError):
    """No database at the path given (and creating one was not asked for)."""


class IndexBusyError(StoreError):
    """Another process is indexing into the same database."""
