from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Default stores go to a temporary data folder, never the real user's."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(folder))
    return folder
