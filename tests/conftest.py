"""What every test shares: one ONNX export of the shipped model per machine.

Commands run the shipped model with ONNX Runtime and export it on first use into
``$EXPLORER_MODELS_DIR`` (by default ``<data folder>/models``). Tests give each run
its own data folder, so without this every test that embeds would export again
(torch, 6-20 s). Pointing $EXPLORER_MODELS_DIR at one folder in pytest's cache
makes the first test that needs the model export it, for this run and the next,
in this process and in every subprocess a test starts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_configure(config) -> None:
    if not os.environ.get("EXPLORER_MODELS_DIR"):
        folder = Path(config.rootpath) / ".pytest_cache" / "explorer-models"
        os.environ["EXPLORER_MODELS_DIR"] = str(folder)


@pytest.fixture(scope="session")
def onnx_model() -> Path:
    """The shipped model's ONNX folder (with the int8 graph), exported when missing.

    Skips when the model package or torch (needed once, to export) is missing.
    """
    from explorer.semantic.embedder import EmbedderError, default_model_dir
    from explorer.semantic.models import find_onnx, onnx_dir_for, torch_installed
    from explorer.semantic.onnx_embedder import INT8_FILE
    from explorer.semantic.onnx_export import export_onnx

    try:
        source = default_model_dir()
    except EmbedderError as exc:
        pytest.skip(str(exc))
    folder = find_onnx(source)
    if folder is None or not (folder / INT8_FILE).is_file():
        if not torch_installed():
            pytest.skip("torch is needed once to export the model to ONNX")
        folder = export_onnx(source, onnx_dir_for(source), int8=True)
    return folder
