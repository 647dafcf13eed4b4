"""Shared set-up for the GUI tests: offscreen Qt, throwaway settings, no stray threads."""

from __future__ import annotations

import os

# Before anything imports Qt: no display is needed or used.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from explorer.gui.fake_backend import FakeBackend
from explorer.gui.jobs import running_jobs


def leftover_threads(before: set[int], active_before: int, grace: float = 0.5) -> list[str]:
    """What a test left running: new Python threads, busy pool threads, unfinished jobs.

    Waits up to ``grace`` seconds for work that is already finishing (a pool thread
    returns to the pool a moment after its job reports done).
    """
    pool = QThreadPool.globalInstance()
    deadline = time.monotonic() + grace
    while True:
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
        threads = [
            t
            for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]
        jobs = running_jobs()
        busy = pool.activeThreadCount() - active_before
        if not threads and not jobs and busy <= 0:
            return []
        if time.monotonic() > deadline:
            return (
                [f"thread {t.name!r}" for t in threads]
                + [f"job {j.name!r}" for j in jobs]
                + ([f"{busy} busy QThreadPool thread(s)"] if busy > 0 else [])
            )
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def no_threads_left():
    """Fail any test that leaves a thread, a pool worker or a job running."""
    before = {t.ident for t in threading.enumerate()}
    active_before = QThreadPool.globalInstance().activeThreadCount()
    yield
    left = leftover_threads(before, active_before)
    if left:
        pytest.fail("test left work running: " + ", ".join(left))


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real settings."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder))
    monkeypatch.setenv("EXPLORER_GUI_SETTINGS", str(folder / "explorer.ini"))
    yield folder


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def fake():
    return FakeBackend(n_claims=300, seed=1)


@pytest.fixture
def vault(tmp_path, fake):
    return fake.write_vault(tmp_path / "vault")


@pytest.fixture
def window(qtbot, fake, settings):
    from explorer.gui.main_window import MainWindow

    win = MainWindow(fake, settings)
    win.open_url = lambda url: True  # never launch real applications from tests
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def opened(qtbot, window, vault):
    """A window with the fake vault open, indexed and drawn."""
    with qtbot.waitSignal(window.indexFinished, timeout=20000):
        assert window.open_vault(vault)
    return window
