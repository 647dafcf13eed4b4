"""The real program on a virtual X screen (Xvfb), judged by a screenshot of its window.

It opens a copy of ``data/sample-vault`` with a database in a temporary folder, on the
real backend: the store, the pipeline with the embedding model, the graph layer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

pytestmark = [pytest.mark.gui, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def xvfb():
    """A fresh X display 1280x800; its server is stopped after the test."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb)")
    for n in range(91, 160):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            break
    else:
        pytest.fail("no free X display number between :91 and :159")
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Xvfb :{n} did not start")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        proc.terminate()
        proc.wait(10)


def test_program_window_on_a_virtual_screen(xvfb, tmp_path):
    from explorer.resources import sample_vault

    vault = shutil.copytree(sample_vault(), tmp_path / "vault")
    db = tmp_path / "store" / "claims.db"
    shot = tmp_path / "window.png"
    env = dict(os.environ)
    env.pop("EXPLORER_MODEL", None)  # the shipped model, as a user gets it
    env.update(
        DISPLAY=xvfb,
        QT_QPA_PLATFORM="xcb",
        EXPLORER_GUI_SETTINGS=str(tmp_path / "settings.ini"),
        EXPLORER_DATA_DIR=str(tmp_path / "data"),
    )
    # Indexed first by the command line (the model loads there, outside the window's
    # own 90 s limit); the window then opens that store and re-indexes incrementally.
    first = subprocess.run(
        [sys.executable, "-m", "explorer", "index", str(vault), "--db", str(db), "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    out = subprocess.run(
        [
            sys.executable,
            *("-m", "explorer", "gui", str(vault), "--db", str(db)),
            *("--screenshot", str(shot)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert db.exists() and not list(Path(vault).rglob("*.db*"))  # nothing written into the vault
    line = next(x for x in out.stderr.splitlines() if x.startswith("screenshot "))
    win_w, win_h = map(int, line.split(" of window ")[1].split(" ")[0].split("x"))
    img = QImage(str(shot))
    assert not img.isNull()
    # The whole window, as large as the screen lets it be.
    assert (img.width(), img.height()) == (win_w, win_h)
    assert img.width() >= 1000 and img.height() >= 600
    px = np.frombuffer(img.convertToFormat(QImage.Format.Format_RGB32).constBits(), dtype=np.uint32)
    px = px.reshape(img.height(), -1)[:, : img.width()] & 0xFFFFFF
    colours = set(np.unique(px).tolist())
    assert len(colours) > 200, "the window looks blank"
    # The map is drawn: claims in their kinds' colours, in the middle of the window.
    from explorer.semantic.taxonomy import taxonomy_for_vault

    kind_rgb = {k.id: int(k.colour[1:], 16) for k in taxonomy_for_vault(vault).kinds}
    middle = px[img.height() // 4 : 3 * img.height() // 4, img.width() // 3 : 2 * img.width() // 3]
    present = [k for k, rgb in kind_rgb.items() if (middle == rgb).sum() > 20]
    assert len(present) >= 4, f"kind colours on the map: {present}"
