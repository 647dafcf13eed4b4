"""Background work for the window: every slow call runs here, never on the GUI thread.

A :class:`Job` runs one function on the global QThreadPool. If the function returns
a generator (indexing does), each yielded item is emitted as ``progress`` and the
generator's return value as ``result``. The worker never touches a widget: it only
emits signals, which Qt delivers to the GUI thread. Cancel is a
``threading.Event`` the function receives and must check; the job also stops
pulling from a generator as soon as it is set.

Every job that has not finished is listed by :func:`running_jobs`, which the window
waits on when it closes and the tests use to prove no work is left running.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_running: weakref.WeakSet[Job] = weakref.WeakSet()
_running_lock = threading.Lock()


class JobSignals(QObject):
    progress = Signal(object)
    result = Signal(object)
    error = Signal(object)  # the exception
    finished = Signal(bool)  # True when it ran to its end, False when cancelled or failed


class Job(QRunnable):
    """``fn(cancel, *args)`` on a pool thread; see the module docstring."""

    def __init__(self, name: str, fn: Callable[..., Any], *args: Any):
        super().__init__()
        self.setAutoDelete(False)  # Python owns it: the window keeps it until finished
        self.name = name
        self.fn = fn
        self.args = args
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.signals = JobSignals()

    def start(self, pool: QThreadPool | None = None) -> Job:
        with _running_lock:
            _running.add(self)
        (pool or QThreadPool.globalInstance()).start(self)
        return self

    def run(self) -> None:
        ok = False
        try:
            out = self.fn(self.cancel, *self.args)
            if inspect.isgenerator(out):
                try:
                    while not self.cancel.is_set():
                        self.signals.progress.emit(next(out))
                except StopIteration as stop:
                    out = stop.value
                else:
                    out.close()  # cancelled: let the generator run its clean-up
                    out = None
            if not self.cancel.is_set():
                self.signals.result.emit(out)
                ok = True
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the window
            self.signals.error.emit(exc)
        finally:
            with _running_lock:
                _running.discard(self)
            self.done.set()
            self.signals.finished.emit(ok)

    def stop(self) -> None:
        """Ask the job to stop; it finishes at its next cancel check."""
        self.cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished (or the timeout passes); True when finished."""
        return self.done.wait(timeout)


def running_jobs() -> list[Job]:
    with _running_lock:
        return list(_running)


def stop_all(timeout: float = 10.0) -> bool:
    """Cancel every running job and wait for them; True when all finished in time."""
    jobs = running_jobs()
    for job in jobs:
        job.stop()
    return all(job.wait(timeout) for job in jobs)
