from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Default stores go to a temporary data folder, never the real user's."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def hashing_model(request, monkeypatch):
    """Fast command tests embed with the dependency-free hashing embedder; tests marked
    ``slow`` use the real model."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setenv("EXPLORER_MODEL", "hashing")
    else:
        monkeypatch.delenv("EXPLORER_MODEL", raising=False)
