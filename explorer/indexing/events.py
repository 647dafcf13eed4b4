"""What an index run reports: :class:`Progress` events, then one :class:`Summary`;
and what it hands its vault stages: :class:`Changes`.

The window's progress bar, the command line's bar and a script all read the same
events (``Workspace.index`` yields them), so a stage reports its progress once.

>>> p = Progress("index", 3, 10, path="a.md")
>>> (p.stage, p.done, p.total, p.level)
('index', 3, 10, 'info')
>>> status_line(Summary("v", "db", 2, 5, 1, 5, 1, 0, 0, 0, 0, 0.1, False))
'2 notes, 5 claims (1 read, 1 unchanged)'
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of an index run.

    ``stage`` is ``lock``, ``scan``, ``remove``, ``index``, ``finish`` or a vault
    stage's name; ``level`` is ``info``, ``warning`` (something was skipped or
    degraded, ``message`` says what and names the file) or ``error``.
    """

    stage: str
    done: int
    total: int
    path: str | None = None
    message: str | None = None
    level: str = "info"


@dataclass(frozen=True, slots=True)
class Summary:
    """The outcome of an index run (the generator's last item)."""

    vault: str
    db_path: str
    notes: int  # notes in the store afterwards
    claims: int  # claims in the store afterwards
    indexed: int  # notes parsed and written by this run
    claims_written: int  # claims those notes hold
    unchanged: int  # notes found unchanged (by stat or by content hash)
    removed: int  # notes gone from the vault, removed from the store
    skipped: int  # files not indexed: too large, binary, unreadable
    errors: int  # notes whose parsing or stages failed (their old version is kept)
    reattached: int  # user rows moved to a claim's new id
    seconds: float
    cancelled: bool
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # one message per skipped file or error


@dataclass(slots=True)
class Changes:
    """What an index run changed, handed to vault stages."""

    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cancel: threading.Event | None = None

    @property
    def any(self) -> bool:
        return bool(self.indexed or self.removed)


def model_failed(event: Progress) -> bool:
    """Whether an event says the embedding model failed (the run goes on without it)."""
    return event.stage == "embed" and event.level != "info" and bool(event.message)


def status_line(s: Summary) -> str:
    """The run's outcome in one status-bar line."""
    if s.cancelled:
        return f"cancelled after {s.indexed} notes"
    line = f"{s.notes} notes, {s.claims} claims ({s.indexed} read, {s.unchanged} unchanged"
    line += f", {s.removed} removed)" if s.removed else ")"
    if s.skipped or s.errors:
        line += f"; {s.skipped} skipped, {s.errors} errors"
    return line


def report(s: Summary) -> str:
    """Two lines a person reads after an index run on the command line."""
    read = f"{s.indexed} read, {s.unchanged} unchanged, {s.removed} removed"
    line1 = (
        f"{s.notes} notes, {s.claims} claims ({read}); "
        f"{s.skipped} skipped, {s.errors} errors, {s.seconds:.1f} s"
    )
    if s.reattached:
        line1 += f"; {s.reattached} corrections followed their claims"
    if s.cancelled:
        line1 += "; cancelled"
    return f"{line1}\ndatabase: {s.db_path}"
