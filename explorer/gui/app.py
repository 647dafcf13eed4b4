"""Starting the desktop program: the QApplication, the backend, the first window.

Nothing here imports torch or the model: the window must be on screen before any
heavy library loads (the backend loads the model on a worker thread when a meaning
search first needs it).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from explorer import __version__

ORG, APP = "concept-map-explorer", "explorer"


def make_backend(demo: bool):
    """The backend for this run: the fake with ``demo``, else a :class:`Workspace`
    (the application API the command line uses too)."""
    if demo:
        from explorer.gui.fake_backend import FakeBackend

        n = int(os.environ.get("EXPLORER_DEMO_CLAIMS", "800"))
        return FakeBackend(n_claims=n, seed=0, index_steps=10, index_delay=0.05)
    from explorer.app.workspace import Workspace

    return Workspace()


def make_settings(demo: bool) -> QSettings:
    """``EXPLORER_GUI_SETTINGS=file.ini`` keeps settings in a file (tests, portable use)."""
    path = os.environ.get("EXPLORER_GUI_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    # The demo's temporary vaults must not end up in the user's recent list.
    return QSettings(ORG, APP + ("-demo" if demo else ""))


_STARTED = time.perf_counter()  # import time of the GUI: close to the launch


def _grab_and_quit(app: QApplication, win, path: Path) -> None:
    """Save what the window shows, as the screen has it, then leave."""
    screen = win.screen() or app.primaryScreen()
    pixmap = screen.grabWindow(win.winId()) if screen is not None else None
    if pixmap is None or pixmap.isNull():
        pixmap = win.grab()  # platforms without a real screen (offscreen)
    ok = pixmap.save(str(path), "PNG")
    print(
        f"screenshot {pixmap.width()}x{pixmap.height()} of window {win.width()}x{win.height()} -> {path}",
        file=sys.stderr,
    )
    app.exit(0 if ok else 1)


def run_app(
    vault: Path | None = None,
    db_path: Path | None = None,
    *,
    demo: bool = False,
    screenshot: Path | None = None,
    quit_after_ms: int | None = None,
    argv: list[str] | None = None,
) -> int:
    """Run the program until its last window closes; returns the exit status."""
    backend = make_backend(demo)
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("Concept-map explorer")

    from explorer.gui.main_window import MainWindow

    demo_dir = None
    if demo and vault is None:
        demo_dir = Path(tempfile.mkdtemp(prefix="explorer-demo-"))
        vault = backend.write_vault(demo_dir / "demo-vault")
    try:
        win = MainWindow(backend, make_settings(demo))
        win.set_dark(win.act_dark.isChecked())
        win.show()
        if screenshot is not None:
            shots = {"done": False}

            def ready(_ok=True):
                if not shots["done"]:
                    shots["done"] = True
                    QTimer.singleShot(700, lambda: _grab_and_quit(app, win, Path(screenshot)))

            win.indexFinished.connect(ready)
            QTimer.singleShot(90_000, lambda: app.exit(3))  # never hang a test run
        if quit_after_ms is not None:
            shown = time.perf_counter() - _STARTED
            print(f"window shown {shown:.2f} s after start", file=sys.stderr)
            QTimer.singleShot(max(0, quit_after_ms), win.close)
        if vault is not None:
            QTimer.singleShot(0, lambda: win.open_vault(vault, db_path))
        rc = app.exec()
        if win.isVisible():
            win.close()
        return rc
    finally:
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
