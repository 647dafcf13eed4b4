"""Reading, parsing and analysing notes in worker processes; the store stays in one writer.

The index spends its non-model time in pure functions of one note: decode, parse,
split, kinds by rules, annotations, references, concepts. :class:`NoteWorkers` runs
those in a pool of processes (one per core by default) while the pipeline's own
process keeps everything that touches SQLite, in the same order and the same
transactions as with no workers, so the store ends up identical whatever the count.

Jobs go out in small batches with a bounded number in flight (``ahead``): the
writer takes results in submission order, and no more than a few batches of parsed
notes wait in memory, however large the vault. Workers ignore Ctrl-C (the parent
handles it) and are terminated when the run ends, normally, on cancel or on error.

Processes are started with ``spawn``: the GUI runs the index on a thread, and
forking a process that has threads is unsafe.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import Pool

from explorer.core.model import ParsedNote
from explorer.core.pickling import compact_pickle
from explorer.indexing.vault import NoteFile, NoteReadError, NoteText, NoteVanished, read_note

# Below this many notes to read, a pool costs more to start than it saves.
MIN_PARALLEL_NOTES = 24
# Notes per job at most: enough to amortise a round trip (on 2,000 notes and 2 cores,
# jobs of 8 notes took 8% longer than jobs of 32; 64 were no faster than 32).
MAX_BATCH_NOTES = 32


def batch_size(count: int, workers: int) -> int:
    """Notes per job for ``count`` notes over ``workers`` processes: at least four jobs
    per worker, so that each gets a share, and at most MAX_BATCH_NOTES."""
    return max(1, min(MAX_BATCH_NOTES, count // (4 * max(1, workers))))


def default_workers() -> int:
    """The cores this process may use (``os.process_cpu_count`` where Python has it)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        n = count()
    else:
        try:
            n = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            n = os.cpu_count()
    return max(1, n or 1)


def picklable(obj: object) -> bool:
    """Whether ``obj`` can be sent to a worker (a lambda or a local function cannot)."""
    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


@compact_pickle
@dataclass(slots=True)
class ReadResult:
    """One note file read (and parsed, unless its content is the stored one)."""

    note: NoteText | None = None
    parsed: ParsedNote | None = None
    vanished: str | None = None  # message: the file was deleted meanwhile
    unreadable: str | None = None  # message: too large, binary, unreadable
    parse_error: str | None = None  # message: the parser raised
    early: dict[int, object] = field(default_factory=dict)  # stage index -> analysis


@dataclass(frozen=True, slots=True)
class ReadJob:
    file: NoteFile
    stored_sha: str | None  # parse nothing when the bytes hash to this


def read_and_parse(
    job: ReadJob, parse: Callable[[str, str], ParsedNote], max_bytes: int, tasks: dict
) -> ReadResult:
    """Read one note, parse it, and run the analyses that need no vectors (``tasks``:
    stage index -> task). Pure: nothing is written anywhere."""
    f = job.file
    try:
        note = read_note(f, max_bytes=max_bytes)
    except NoteVanished as err:
        return ReadResult(vanished=str(err))
    except NoteReadError as err:
        return ReadResult(unreadable=str(err))
    result = ReadResult(note=note)
    if job.stored_sha is not None and job.stored_sha == note.sha:
        return result
    try:
        parsed = parse(note.text, f.path)
        parsed.path = f.path
        parsed.warnings = list(note.warnings) + list(parsed.warnings)
    except Exception as err:  # a parser bug must not stop the whole vault
        result.parse_error = f"{f.path}: the parser failed: {type(err).__name__}: {err}"
        return result
    result.parsed = parsed
    for i, task in tasks.items():
        result.early[i] = run_task(task, parsed, None)
    return result


def run_task(task, parsed: ParsedNote, table):
    """``task.run`` with the task's per-process state, or the exception it raised
    (returned, not raised: the writer then analyses that note itself)."""
    try:
        return task.run(parsed, table)
    except Exception as err:
        return TaskFailed(f"{type(err).__name__}: {err}")


@dataclass(frozen=True, slots=True)
class TaskFailed:
    """A worker could not analyse a note; the writer's own stage does it instead."""

    reason: str


def _read_batch(jobs, parse, max_bytes, tasks) -> list[ReadResult]:
    return [read_and_parse(job, parse, max_bytes, tasks) for job in jobs]


def _task_batch(task, items) -> list:
    return [run_task(task, parsed, table) for parsed, table in items]


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the parent stops the pool itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class NoteWorkers:
    """A pool of worker processes for note jobs, or the caller's own process (``n=1``).

    Use as a context manager: leaving it terminates the workers, whatever happened.
    """

    def __init__(self, n: int) -> None:
        self.n = max(1, n)
        self._pool: Pool | None = None

    def __enter__(self) -> NoteWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self) -> None:
        if self._pool is None and self.n > 1:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ctx.Pool(self.n, initializer=_ignore_interrupts)

    def close(self) -> None:
        """Stop the workers now (jobs still queued are dropped) and wait for them."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
            pool.join()

    def map_ordered(self, fn: Callable, batches: Iterable[tuple]) -> Iterator:
        """``fn(*batch)`` for each batch, results in order, at most ``2 n`` in flight.

        Without a started pool, each batch runs here when its result is asked for.
        """
        if self._pool is None:
            for args in batches:
                yield fn(*args)
            return
        pending: deque = deque()
        it = iter(batches)
        ahead = 2 * self.n
        for args in it:
            pending.append(self._pool.apply_async(fn, args))
            if len(pending) >= ahead:
                break
        while pending:
            result = pending.popleft().get()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(self._pool.apply_async(fn, nxt))
            yield result

    def read(self, jobs: list[ReadJob], parse, max_bytes: int, tasks: dict) -> Iterator[ReadResult]:
        """:func:`read_and_parse` over ``jobs``, in order."""
        size = batch_size(len(jobs), self.n)
        batches = ((jobs[i : i + size], parse, max_bytes, tasks) for i in range(0, len(jobs), size))
        for results in self.map_ordered(_read_batch, batches):
            yield from results

    def analyse(self, task, items: list[tuple[ParsedNote, object]]) -> Iterator:
        """``task.run(parsed, table)`` for each item, in order."""
        size = batch_size(len(items), self.n)
        batches = ((task, items[i : i + size]) for i in range(0, len(items), size))
        for results in self.map_ordered(_task_batch, batches):
            yield from results
