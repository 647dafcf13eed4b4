"""A plain progress bar on stderr, drawn only on a terminal; no extra dependency.

Warnings are printed on their own line either way (above the bar when there is one),
so a log of a non-interactive run still names every skipped file.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from explorer.indexing.events import Progress


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self._last = 0.0
        self._shown = False

    def update(self, event: Progress) -> None:
        if event.level != "info" and event.message:
            self._message(f"{event.level}: {event.message}")
            return
        if not self.enabled:
            return
        now = time.monotonic()
        final = event.total and event.done >= event.total
        if now - self._last < 0.1 and not final:
            return  # redrawing 2,000 times costs more than indexing unchanged notes
        self._last = now
        self._draw(self._line(event))

    def close(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def _line(self, event: Progress) -> str:
        width = 28
        if event.total:
            filled = int(width * event.done / event.total)
            bar = "#" * filled + "-" * (width - filled)
            head = f"{event.stage:<7} [{bar}] {event.done}/{event.total}"
        else:
            head = f"{event.stage:<7}"
        tail = event.path or event.message or ""
        room = max(0, 100 - len(head) - 1)
        if len(tail) > room:
            tail = "…" + tail[-(room - 1) :] if room > 1 else ""
        return f"{head} {tail}"

    def _draw(self, line: str) -> None:
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self._shown = True

    def _message(self, text: str) -> None:
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self._shown = False
        self.stream.write(text + "\n")
        self.stream.flush()
