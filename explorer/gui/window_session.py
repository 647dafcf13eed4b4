"""The window's session with a vault: opening and closing it (the lock beside its
database, a damaged store's rebuild), settings and recent vaults, the background jobs,
indexing, and watching the vault's files to index again after an edit.

A mixin of :class:`explorer.gui.main_window.MainWindow`, split out to keep each file
about one job.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QStyleFactory,
)

from explorer.app.errors import DatabaseDamagedError, VaultMissingError
from explorer.app.map_state import MapState
from explorer.core.model import NOTE_SUFFIXES
from explorer.gui.jobs import Job
from explorer.gui.style import UNKNOWN_KIND_COLOUR, make_palette
from explorer.indexing.events import Progress, Summary, status_line

if TYPE_CHECKING:  # networkx is imported where a graph is first used, not at start-up
    pass


MAX_RECENT = 8
WATCH_LIMIT = 4000  # inotify watches are a shared, limited resource
REINDEX_DELAY_MS = 1500  # editors save in bursts; wait for the last write

# Windows of this process by vault, so a second window on one vault raises the first.
_open_vaults: dict[str, QMainWindow] = {}


class SessionMixin:
    """The vault session of :class:`MainWindow` (see the module docstring)."""

    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.act_dark.setChecked(str(s.value("view/dark", "false")).lower() == "true")
        self.act_legend.setChecked(str(s.value("view/legend", "true")).lower() == "true")
        self.depth.setValue(int(s.value("view/focus_depth", 2)))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("view/dark", self.act_dark.isChecked())
        s.setValue("view/legend", self.act_legend.isChecked())
        s.setValue("view/focus_depth", self.depth.value())
        s.sync()

    def recent_vaults(self) -> list[str]:
        value = self.settings.value("recent/vaults", [])
        if isinstance(value, str):  # QSettings gives a bare string for a one-item list
            value = [value]
        return [v for v in (value or []) if v]

    def _remember(self, vault: Path) -> None:
        items = [str(vault)] + [v for v in self.recent_vaults() if v != str(vault)]
        self.settings.setValue("recent/vaults", items[:MAX_RECENT])
        self._fill_recent()

    def set_dark(self, dark: bool) -> None:
        app = QApplication.instance()
        if app is not None:
            fusion = QStyleFactory.create("Fusion")  # palettes look the same on every platform
            if fusion is not None:
                app.setStyle(fusion)
            app.setPalette(make_palette(dark))
        self.canvas.set_dark(dark)

    def choose_vault(self) -> None:
        start = str(self.vault or (self.recent_vaults() or [str(Path.home())])[0])
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of notes", start)
        if folder:
            self.open_vault(Path(folder))

    def open_vault(self, vault: Path | str, db_path: Path | str | None = None) -> bool:
        """Open a vault: show what is indexed at once, then index what changed."""
        vault = Path(vault).expanduser().resolve()
        other = _open_vaults.get(str(vault))
        if other is not None and other is not self:
            other.raise_()
            other.activateWindow()
            self.notify(
                "Already open",
                f"The vault {vault} is already open in another window; it has been brought to the front.",
                QMessageBox.Icon.Information,
            )
            return False
        self.close_vault()
        try:
            self.backend.open(vault, Path(db_path) if db_path else None)
        except VaultMissingError as exc:
            self.notify(
                "Vault not found", f"The folder {exc.vault} does not exist or cannot be read."
            )
            return False
        except DatabaseDamagedError as exc:
            if not self._offer_rebuild(exc):
                return False
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.notify("Cannot open vault", f"Opening {vault} failed: {exc}")
            return False
        if not self._take_lock(vault):
            self.backend.close()
            return False
        self.vault = vault
        self._vault_missing = False
        _open_vaults[str(vault)] = self
        self._remember(vault)
        self.setWindowTitle(f"{vault.name} — Concept-map explorer")
        self.taxonomy = self.backend.kind_styles()
        self.details.set_taxonomy(self.taxonomy)
        self.views.set_kinds(self.taxonomy)
        self.claims.set_kinds(self.taxonomy)
        self.canvas.legend.set_kinds(
            [
                (v.get("name", k), v.get("colour", UNKNOWN_KIND_COLOUR))
                for k, v in self.taxonomy.items()
            ]
        )
        self.semantic = self._quietly(
            self.backend.semantic_status, (False, "the database is damaged")
        )
        self.search.set_semantic(*self.semantic)
        self.semantic_label.setText("" if self.semantic[0] else "Meaning search off")
        self.semantic_label.setToolTip("" if self.semantic[0] else self.semantic[1])
        self._fill_export_menu()
        self._fill_saved_views()
        layouts = self._layouts()
        self.layout_box.clear()
        for name in layouts:
            self.layout_box.addItem(name.capitalize(), name)
        self.layout_name = layouts[0] if layouts else ""
        self._set_vault_actions(True)
        self._watch(vault)
        self._start_job(
            "load", lambda cancel: self.backend.graph(), self._graph_loaded, then=self.reindex
        )
        return True

    def _quietly(self, ask, default):
        """``ask()``, or ``default`` when the database turns out damaged: asked on the
        window's thread, where a damaged page must not stop the window (the map's
        loading job meets the damage too, and offers the rebuild)."""
        try:
            return ask()
        except DatabaseDamagedError:
            return default

    def _layouts(self) -> list[str]:
        return self._quietly(self.backend.layouts, ["force"])

    def _offer_rebuild(self, exc: DatabaseDamagedError) -> bool:
        text = (
            f"The database {exc.db_path} cannot be read"
            + (f" ({exc.reason})" if exc.reason else "")
            + ".\n\nRebuild it from the vault? Your corrections and annotations are copied to a backup first."
        )
        if not self.ask("Database damaged", text):
            self.backend.close()
            return False
        try:
            backup = self.backend.rebuild_database()
        except Exception as exc2:  # noqa: BLE001
            self.notify("Rebuild failed", f"Rebuilding {exc.db_path} failed: {exc2}")
            return False
        self.notify(
            "Database rebuilt",
            f"A new database will be built from the vault. The old one is kept at {backup}.",
            QMessageBox.Icon.Information,
        )
        return True

    def _take_lock(self, vault: Path) -> bool:
        db = self.backend.db_path
        if db is None:
            return True
        lock = QLockFile(str(db) + ".lock")
        lock.setStaleLockTime(0)  # stale only when its process is gone
        if not lock.tryLock(100):
            info = lock.getLockInfo()  # (pid, host, app); pid 0 when unreadable
            pid, host = (
                (info[0], info[1]) if isinstance(info, tuple) and len(info) >= 2 else (0, "")
            )
            who = f" (process {pid} on {host})" if pid else ""
            self.notify(
                "Already open",
                f"The vault {vault} is open in another explorer window{who}. Close it there first.",
            )
            return False
        self._lock = lock
        return True

    def close_vault(self) -> None:
        if self.vault is None:
            return
        self._stop_jobs()
        if self._watcher is not None:
            paths = self._watcher.files() + self._watcher.directories()
            if paths:
                self._watcher.removePaths(paths)
        self._debounce.stop()
        _open_vaults.pop(str(self.vault), None)
        try:
            self.backend.close()
        finally:
            if self._lock is not None:
                self._lock.unlock()
                self._lock = None
            self.vault = None
            self.map = MapState()
            self.canvas.set_model(None)
            self.details.clear()
            self.stack.setCurrentWidget(self.welcome)
            self._set_vault_actions(False)

    def _start_job(
        self, name, fn, on_result=None, on_progress=None, then=None, on_finished=None, on_error=None
    ) -> Job:
        """Run ``fn(cancel)`` in the background. Every handler is connected before the
        job starts: a fast job may finish before this method returns."""
        job = Job(name, fn)
        self._jobs.add(job)
        if on_result:
            job.signals.result.connect(on_result)
        if on_progress:
            job.signals.progress.connect(on_progress)
        job.signals.error.connect(lambda exc, name=name: self._job_failed(name, exc))
        if on_error:
            job.signals.error.connect(on_error)

        def finished(ok, job=job):
            self._jobs.discard(job)
            if ok and then is not None:
                then()
            self.busyChanged.emit(bool(self._jobs))

        job.signals.finished.connect(finished)
        if on_finished:
            job.signals.finished.connect(on_finished)
        job.start()
        self.busyChanged.emit(True)
        return job

    def _job_failed(self, name: str, exc: BaseException) -> None:
        if isinstance(exc, VaultMissingError):
            self._vault_gone()
            return
        if isinstance(exc, DatabaseDamagedError):
            if self._offer_rebuild(exc):
                self.reindex()
            return
        what = {
            "load": "Loading the map",
            "index": "Indexing",
            "search": "Search",
            "layout": "Loading the layout",
            "export": "Export",
        }.get(name, name)
        if name == "search":
            self.search.set_error(f"{what} failed: {exc}")
            self.statusBar().showMessage(f"{what} failed: {exc}", 10000)
        else:
            self.notify(f"{what} failed", f"{what} failed: {exc}")

    def _stop_jobs(self, timeout: float = 15.0) -> None:
        jobs = list(self._jobs)
        for job in jobs:
            job.stop()
        for job in jobs:
            job.wait(timeout)
        # Deliver the queued finished signals now, while the receivers exist.
        QApplication.processEvents()
        self._jobs.clear()

    def busy(self) -> bool:
        return bool(self._jobs)

    def reindex(self) -> None:
        if self.vault is None:
            return
        if self._index_job is not None:
            self._pending_reindex = True
            return
        if not self.vault.is_dir():
            self._vault_gone()
            return
        backend = self.backend

        def work(cancel: threading.Event):
            for event in backend.index(cancel):
                if isinstance(event, Summary):
                    yield Progress("done", 1, 1, message=status_line(event))
                else:
                    yield event
            if cancel.is_set():
                return None
            yield Progress("graph", 0, 0, message="Building the map")
            return backend.graph()

        self.progress.setRange(0, 0)
        self.progress.setFormat("Indexing…")
        self.progress.show()
        self.cancel_btn.show()
        self.act_cancel.setEnabled(True)
        self.statusBar().showMessage("Indexing…")
        self._index_job = self._start_job(
            "index", work, self._graph_loaded, self._index_progress, on_finished=self._index_done
        )

    def _index_progress(self, p: Progress) -> None:
        if p.total > 0:
            self.progress.setRange(0, p.total)
            self.progress.setValue(min(p.done, p.total))
            self.progress.setFormat(f"{p.stage} %v/%m")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(p.stage)
        if p.message or p.path:
            self.statusBar().showMessage(p.message or p.path or "")

    def _index_done(self, ok: bool) -> None:
        job = self._index_job
        self._index_job = None
        self.progress.hide()
        self.cancel_btn.hide()
        self.act_cancel.setEnabled(False)
        if not ok and job is not None and job.cancel.is_set():
            self.statusBar().showMessage(
                "Indexing cancelled; the map shows what was indexed before.", 10000
            )
        elif ok:
            self.statusBar().showMessage("Index up to date.", 5000)
            self._watch(self.vault)
        self.indexFinished.emit(ok)
        if self._pending_reindex and self.vault is not None:
            self._pending_reindex = False
            self.reindex()

    def cancel_index(self) -> None:
        if self._index_job is not None:
            self._pending_reindex = False
            self._index_job.stop()
            self.progress.setFormat("Cancelling…")

    def _watch(self, vault: Path | None) -> None:
        if vault is None or not vault.is_dir():
            return
        from PySide6.QtCore import QFileSystemWatcher

        if self._watcher is None:
            self._watcher = QFileSystemWatcher(self)
            self._watcher.directoryChanged.connect(self._files_changed)
            self._watcher.fileChanged.connect(self._files_changed)
        old = self._watcher.files() + self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        paths = [str(vault)]
        for root, dirs, files in os.walk(vault):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # .obsidian, .git, .trash
            paths.append(root)
            paths.extend(os.path.join(root, f) for f in files if f.lower().endswith(NOTE_SUFFIXES))
            if len(paths) >= WATCH_LIMIT:
                break
        self._watcher.addPaths(sorted(set(paths))[:WATCH_LIMIT])

    def _files_changed(self, _path: str) -> None:
        if self.vault is None:
            return
        if not self.vault.is_dir():
            self._vault_gone()
            return
        self._debounce.start()

    def _files_settled(self) -> None:
        if self.vault is not None and self.vault.is_dir():
            self.statusBar().showMessage("Notes changed; updating the index…")
            self.reindex()

    def _vault_gone(self) -> None:
        if self._vault_missing:
            return
        self._vault_missing = True
        self._debounce.stop()
        self.act_reindex.setEnabled(False)
        if self._index_job is not None:
            self._index_job.stop()
        self.notify(
            "Vault folder missing",
            f"The vault folder {self.vault} is no longer there. The map shows what was last indexed; "
            "open the folder again when it is back.",
        )
