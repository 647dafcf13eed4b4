from __future__ import annotations

import pytest

from explorer.store import open_db


@pytest.fixture
def db(tmp_path):
    """A fresh claim store in a real SQLite file."""
    database = open_db(tmp_path / "store.db")
    yield database
    database.close()
