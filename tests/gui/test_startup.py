"""Starting the program: fast, without torch, and with clear messages for bad arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]

_SHOW_WINDOW = r"""
import json, os, sys, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from explorer.gui.main_window import MainWindow
from explorer.gui.fake_backend import FakeBackend
backends = [FakeBackend(200)]
from explorer.app.workspace import Workspace
backends.append(Workspace())  # the real backend keeps the same promise
windows = []
for b in backends:
    w = MainWindow(b)
    w.show()
    app.processEvents()
    windows.append(w)
shown = time.perf_counter() - t0
heavy = [m for m in ("torch", "sentence_transformers", "transformers", "pyvis") if m in sys.modules]
print(json.dumps({"heavy": heavy, "shown": shown, "visible": all(w.isVisible() for w in windows), "n": len(windows)}))
for w in windows:
    w.close()
"""


def _env(tmp_path) -> dict:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", EXPLORER_GUI_SETTINGS=str(tmp_path / "s.ini"))
    return env


def test_window_appears_before_torch_is_imported(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", _SHOW_WINDOW],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["visible"]
    assert result["heavy"] == [], f"imported while showing the window: {result['heavy']}"


def _explorer(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gui_command_help_lists_vault_and_db_only(tmp_path):
    out = _explorer(tmp_path, "gui", "--help")
    assert out.returncode == 0, out.stderr
    assert "VAULT" in out.stdout.upper() and "--db PATH" in out.stdout
    assert "--demo" not in out.stdout and "--screenshot" not in out.stdout  # hidden


def test_gui_command_names_a_missing_vault(tmp_path):
    missing = tmp_path / "no-such-vault"
    out = _explorer(tmp_path, "gui", str(missing))
    assert out.returncode == 2
    assert f"vault folder not found: {missing}" in out.stderr
    assert not missing.exists()


def test_gui_command_rejects_a_folder_as_database(tmp_path):
    (tmp_path / "v").mkdir()
    out = _explorer(tmp_path, "gui", str(tmp_path / "v"), "--db", str(tmp_path))
    assert out.returncode == 2 and "--db must be a file" in out.stderr


def test_gui_command_opens_the_window_and_closes_it_on_request(tmp_path):
    """The real program, offscreen: shown, then closed by --quit-after-ms, exit 0."""
    out = _explorer(tmp_path, "gui", "--quit-after-ms", "200")
    assert out.returncode == 0, out.stderr
    assert "window shown" in out.stderr and "Traceback" not in out.stderr
