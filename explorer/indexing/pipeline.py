"""Index a vault into its claim store, as a generator of progress events.

``index_vault`` yields :class:`Progress` events while it works and a final
:class:`Summary`; it prints nothing. The CLI draws a progress bar from the events,
the GUI runs the generator on a worker thread and passes a ``threading.Event`` to
cancel: it is checked between notes, so a cancelled run stops cleanly after the
current note's transaction.

Work per note is pluggable. ``note_stages`` are callables ``(db, parsed_note)`` run
inside the note's transaction after its claims are written (the semantic layer adds
kinds, embeddings, annotations there); their rows commit or roll back with the
note's. ``vault_stages`` are callables ``(db, changes)`` run once after all notes
(similarity, communities, layout); they may return an iterable of Progress events,
which are passed on. A stage may carry ``name`` and ``version`` attributes: they
form the pipeline key stored with each note, and a note indexed under another key
is indexed again even if its file did not change.

A note stage may also have ``prepare(db, parsed_notes)``: the pipeline then reads and
parses notes ahead, up to ``chunk_claims`` claims (the first chunk smaller, doubling
up to that, so the first notes land in the store within seconds), hands the chunk to
``prepare`` (outside any note transaction; it may yield Progress events, and a
cancel is honoured between them), and only then writes the chunk's notes one by one.
The semantic stage embeds a chunk's new texts there in one batch: one encode call per
tiny note costs several times more per claim than large, length-sorted batches.
Without such a stage every note is written as soon as it is parsed.

``default_stages`` returns the semantic layer's stages (explorer/indexing/stages.py).

Incremental rules, per file: same size and mtime_ns as stored -> not even read;
else same content hash -> only the stat is updated; else parsed and replaced.
Notes no longer in the vault are removed (their user rows stay, see reattach.py). A
note that cannot be read this time (too large, binary, unreadable) or whose parser or
stages fail keeps its previous version in the store, and is tried again next run.

Workers: with ``workers`` > 1 and enough notes to read, notes are read, parsed and
(when a note stage offers a ``task()``, see :mod:`explorer.indexing.parallel`)
analysed in worker processes; this generator stays the one writer, taking their
results in vault order, so the store's contents do not depend on the count.
``workers=1`` does everything in this process.

Threads: the store is opened on the first ``next()``, so create and iterate the
generator on the same (worker) thread.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlite_utils import Database

from explorer.core.model import ParsedNote
from explorer.indexing.events import Changes, Progress, Summary
from explorer.indexing.parallel import (
    MIN_PARALLEL_NOTES,
    NoteWorkers,
    ReadJob,
    ReadResult,
    TaskFailed,
    picklable,
)
from explorer.indexing.vault import (
    DEFAULT_MAX_NOTE_BYTES,
    NoteFile,
    NoteText,
    VaultError,
    check_vault,
    scan_vault,
)
from explorer.paths import is_inside
from explorer.store import bulk
from explorer.store.connection import check_store, open_db, write_transaction
from explorer.store.errors import IndexBusyError
from explorer.store.lock import index_lock
from explorer.store.meta import get_meta, set_meta
from explorer.store.notes import (
    NoteState,
    delete_note,
    derived_note_tables,
    note_states,
    touch_note,
    write_note,
)
from explorer.store.reattach import reattach_orphans

Parser = Callable[[str, str], ParsedNote]
NoteStage = Callable[[Database, ParsedNote], None]


VaultStage = Callable[[Database, Changes], Iterable[Progress] | None]

# Notes read and parsed ahead of writing, so a stage's ``prepare`` sees many at once.
CHUNK_CLAIMS = 4096
FIRST_CHUNK_CLAIMS = 256
CHUNK_NOTES = 1000
# A first index of at least this many notes into an empty store sets the lookup
# indexes aside and builds them once at the end, and fills the search index once per
# write group (explorer/store/bulk.py).
BULK_NOTES = 200


@dataclass(slots=True)
class _Pending:
    done: int
    file: NoteFile
    note: NoteText
    parsed: ParsedNote


def pipeline_key(parse: Parser, note_stages: Sequence[NoteStage]) -> str:
    """Names and versions of the parser and note stages: what a note was indexed with."""
    parts = [_stage_id(parse)]
    parts += [_stage_id(stage) for stage in note_stages]
    return ";".join(parts)


def _stage_id(fn: Callable) -> str:
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    version = getattr(fn, "version", None) or getattr(module, "PARSER_VERSION", None) or "1"
    name = getattr(fn, "name", None) or getattr(fn, "__qualname__", type(fn).__name__)
    return f"{name}@{version}"


def default_stages(
    vault: str | Path | None = None, *, embedder=None, taxonomy=None
) -> tuple[list[NoteStage], list[VaultStage]]:
    """The stages ``explorer index`` (and ``export VAULT``) run besides parsing and storing.

    Kinds, annotations, references and concepts per note; vault-wide concepts and
    similarity edges after. ``embedder`` is any object with ``name``, ``dim`` and
    ``encode`` (see ``explorer.indexing.stages.make_embedder`` for the one the user chose), or
    ``None`` for kinds by rules only and no vectors. ``taxonomy`` defaults to the
    vault's own ``.explorer/taxonomy.toml`` when ``vault`` has one (a
    ``TaxonomyError`` naming its line is raised here, before anything is written),
    else the shipped one. For the run's state (the model's error, if it failed to
    load) use ``explorer.indexing.stages.SemanticIndex`` directly.
    """
    from explorer.indexing.stages import SemanticIndex

    return SemanticIndex(vault, embedder=embedder, taxonomy=taxonomy).stages()


def _default_parser() -> Parser:
    # Looked up at call time, so the real parser replaces the stand-in with no change here.
    from explorer.core.parse import parse_note

    return parse_note


def index_vault(
    vault: str | Path,
    db_path: str | Path,
    *,
    note_stages: Sequence[NoteStage] = (),
    vault_stages: Sequence[VaultStage] = (),
    cancel: threading.Event | None = None,
    force: bool = False,
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES,
    lock_timeout: float = 0.0,
    parse: Parser | None = None,
    chunk_claims: int = CHUNK_CLAIMS,
    workers: int = 1,
) -> Iterator[Progress | Summary]:
    """Index ``vault`` into the store at ``db_path``; yield Progress, then one Summary.

    ``workers``: processes that read, parse and analyse notes (1: this one only).

    Raises :class:`VaultError` (vault missing, or the database inside it),
    :class:`IndexBusyError` (another run holds the store past ``lock_timeout``
    seconds) and the store's open errors, all before any note is touched.
    """
    started = time.perf_counter()
    root = check_vault(vault)
    db_file = Path(db_path).expanduser().absolute()
    if is_inside(db_file, root):
        raise VaultError(
            f"the database {db_file} is inside the vault {root}; explorer never writes "
            "into a vault, choose a --db outside it"
        )
    parse = parse or _default_parser()
    check_store(db_file)  # a wrong file is refused before a lock file appears beside it
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(index_lock(db_file, 0))
        except IndexBusyError as busy:
            if lock_timeout <= 0:
                raise
            yield Progress("lock", 0, 0, message=f"waiting: {busy}")
            stack.enter_context(index_lock(db_file, lock_timeout))
        db = open_db(db_file)
        stack.callback(db.close)
        pool = stack.enter_context(NoteWorkers(workers))
        run = IndexRun(
            db,
            root,
            db_file,
            parse,
            note_stages,
            vault_stages,
            cancel=cancel,
            force=force,
            max_note_bytes=max_note_bytes,
            started=started,
            chunk_claims=chunk_claims,
            pool=pool,
        )
        yield from run.events()


class IndexRun:
    """One index run over an open store: the steps of :func:`index_vault` after the lock.

    State the steps share (counts, the notes waiting for their chunk, what changed)
    lives on the object; each step is a generator of Progress events. Scan, remove
    the notes that are gone, read and parse the changed ones in chunks that the
    stages prepare together, write each note in its own transaction, re-attach the
    user's rows, run the vault stages, and yield the Summary.
    """

    def __init__(
        self,
        db: Database,
        root: Path,
        db_file: Path,
        parse: Parser,
        note_stages: Sequence[NoteStage],
        vault_stages: Sequence[VaultStage],
        *,
        cancel: threading.Event | None = None,
        force: bool = False,
        max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES,
        started: float | None = None,
        chunk_claims: int = CHUNK_CLAIMS,
        pool: NoteWorkers | None = None,
    ) -> None:
        self.db, self.root, self.db_file, self.parse = db, root, db_file, parse
        self.note_stages, self.vault_stages = note_stages, vault_stages
        self.cancel, self.force, self.max_note_bytes = cancel, force, max_note_bytes
        self.started = time.perf_counter() if started is None else started
        self.chunk_claims = chunk_claims
        self.warnings: list[str] = []
        self.problems: list[str] = []
        self.counts = dict(indexed=0, claims_written=0, unchanged=0, removed=0, skipped=0, errors=0)
        self.changes = Changes(cancel=cancel)
        self.cancelled = False
        self.total = 0
        self.key = pipeline_key(parse, note_stages)
        self.tables = derived_note_tables(db)
        self.has_user_rows = _has_user_rows(db)
        # Note stages that also prepare a chunk of notes at once (see the module docstring).
        self.preparers: list[Any] = [
            s for s in note_stages if callable(getattr(s, "prepare", None))
        ]
        self.pending: list[_Pending] = []
        self.pending_claims = 0
        self.limit = min(FIRST_CHUNK_CLAIMS, chunk_claims)
        self.removed_sha: dict[str, str] = {}
        self.added_sha: dict[str, str] = {}
        self.pool = pool or NoteWorkers(1)
        # Off in a first index: the claims a write group added are indexed for search
        # in one statement before it commits (bulk.index_new_claims), not note by note.
        self.search_index = True
        self.searched_up_to = 0  # the highest claims.seq already in the search index
        # Stages that can analyse a note in a worker (see explorer/indexing/parallel.py).
        self.task_stages: dict[int, Any] = {
            i: s for i, s in enumerate(note_stages) if callable(getattr(s, "task", None))
        }

    def _stop(self) -> bool:
        """Whether cancel was asked for (remembered: the run then ends early)."""
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
        return self.cancelled

    def _warn(self, stage: str, done: int, path: str | None, message: str) -> Progress:
        self.warnings.append(message)
        return Progress(stage, done, self.total, path, message, "warning")

    def events(self) -> Iterator[Progress | Summary]:
        files = yield from self._scan()
        yield from self._remove_gone(files)
        plan = [(f, self._fresh(f)) for f in files]
        jobs = [ReadJob(f, state.sha if state else None) for f, (skip, state) in plan if not skip]
        # Lookup indexes a crashed run left out come back before anything is written; a
        # first index of a large vault leaves them out until its notes are in.
        with write_transaction(self.db):
            bulk.restore(self.db)
            setting_aside = not self.states and not self.has_user_rows and len(jobs) >= BULK_NOTES
            if setting_aside:
                bulk.drop(self.db)
        self.search_index = not setting_aside
        try:
            yield from self._notes(plan, jobs)
        except BaseException:
            if setting_aside:
                with contextlib.suppress(Exception):  # the next run restores them
                    self._restore_indexes()
            raise
        if setting_aside:
            yield Progress("finish", 0, 1, message="building the lookup indexes")
            self._restore_indexes()
        yield from self._finish()

    def _index_new_claims(self) -> None:
        self.searched_up_to = bulk.index_new_claims(self.db, self.searched_up_to)

    def _restore_indexes(self) -> None:
        with write_transaction(self.db):
            bulk.restore(self.db)

    def _notes(self, plan, jobs: list[ReadJob]) -> Iterator[Progress]:
        """Read, parse, analyse and write the changed notes (in workers when worth it)."""
        early = {}
        if len(jobs) >= MIN_PARALLEL_NOTES and self.pool.n > 1 and picklable(self.parse):
            self.pool.start()
            # Analyses that need no vectors are done by the worker right after parsing.
            for i, stage in self.task_stages.items():
                task = stage.task()
                if task is not None and not task.needs_vectors and picklable(task):
                    early[i] = task
        results = self.pool.read(jobs, self.parse, self.max_note_bytes, early)
        for done, (f, (skip, _)) in enumerate(plan, 1):
            if self._stop():
                break
            if skip:
                self.counts["unchanged"] += 1
                yield Progress("index", done, self.total, f.path)
                continue
            yield from self._read(done, f, next(results))
            if self._chunk_full():
                self.limit = min(self.limit * 2, self.chunk_claims)
                yield from self._flush()
                if self.cancelled:
                    break
        if self.pending and not self.cancelled:
            yield from self._flush()
        self.pool.close()  # the workers' memory is free before the vault stages run

    def _fresh(self, f: NoteFile) -> tuple[bool, NoteState | None]:
        """(whether the file is unchanged by its stat, its state when it was indexed
        with this pipeline and no --force: a read that hashes the same is then a touch)."""
        state = self.states.get(f.path)
        if state is None or state.pipeline != self.key or self.force:
            return False, None
        return (state.size, state.mtime_ns) == (f.size, f.mtime_ns), state

    def _scan(self) -> Generator[Progress, None, list[NoteFile]]:
        """The vault's note files (the generator's return value), noting a moved vault."""
        db, root = self.db, self.root
        previous_vault = get_meta(db, "vault")
        if previous_vault and previous_vault != str(root):
            yield self._warn(
                "scan", 0, None, f"this store held the vault {previous_vault}; now {root}"
            )
        set_meta(db, "vault", str(root))
        yield Progress("scan", 0, 0, message=f"reading {root}")
        scan = scan_vault(root)
        for message in scan.warnings:
            yield self._warn("scan", 0, None, message)
        self.total = len(scan.files)
        yield Progress("scan", self.total, self.total, message=f"{self.total} note files")
        return scan.files

    def _remove_gone(self, files) -> Iterator[Progress]:
        self.states = note_states(self.db)
        gone = sorted(set(self.states) - {f.path for f in files})
        self.removed_sha = {path: self.states[path].sha for path in gone}
        for n, path in enumerate(gone, 1):
            delete_note(self.db, path, self.tables)
            self.changes.removed.append(path)
            yield Progress("remove", n, len(gone), path)
        self.counts["removed"] += len(gone)

    def _read(self, done: int, f, result: ReadResult) -> Iterator[Progress]:
        """Take one changed file as read and parsed (here or by a worker,
        :func:`parallel.read_and_parse`); a parsed note waits in ``pending`` for its
        chunk."""
        counts, total = self.counts, self.total
        state = self.states.get(f.path)
        if result.vanished is not None:
            yield self._warn("index", done, f.path, result.vanished)
            if state is not None:
                delete_note(self.db, f.path, self.tables)
                self.changes.removed.append(f.path)
                counts["removed"] += 1
            return
        if result.unreadable is not None:
            counts["skipped"] += 1
            self.problems.append(result.unreadable)
            yield self._warn("index", done, f.path, result.unreadable)
            return
        note = result.note
        assert note is not None  # read, since it neither vanished nor was unreadable
        for message in note.warnings:
            yield self._warn("index", done, f.path, message)
        if result.parsed is None and result.parse_error is None:  # same bytes as stored
            touch_note(self.db, f.path, size=note.size, mtime_ns=note.mtime_ns)
            counts["unchanged"] += 1
            yield Progress("index", done, total, f.path)
            return
        if state is None:
            self.added_sha[f.path] = note.sha
        if result.parse_error is not None:
            counts["errors"] += 1
            self.problems.append(result.parse_error)
            yield Progress("index", done, total, f.path, self.problems[-1], "error")
            return
        parsed = result.parsed
        assert parsed is not None
        for message in parsed.warnings[len(note.warnings) :]:
            yield self._warn("index", done, f.path, f"{f.path}: {message}")
        for i, analysis in result.early.items():
            if not isinstance(analysis, TaskFailed):
                self.task_stages[i].take(parsed, analysis)
        self.pending.append(_Pending(done, f, note, parsed))
        self.pending_claims += len(parsed.claims)

    def _chunk_full(self) -> bool:
        """Whether the waiting notes are written now (at once, without a preparing stage)."""
        if not self.pending:
            return False
        return (
            not self.preparers
            or self.pending_claims >= self.limit
            or len(self.pending) >= CHUNK_NOTES
        )

    def _flush(self) -> Iterator[Progress]:
        """Let the stages prepare the waiting notes together (one embedding batch), then
        write them one transaction each; stop early on cancel."""
        batch = self.pending[:]
        self.pending.clear()
        self.pending_claims = 0
        notes = [item.parsed for item in batch]
        for stage in self.preparers:
            try:
                for event in stage.prepare(self.db, notes) or ():
                    yield event
                    if self._stop():
                        return
            except Exception as err:  # the stage works per note without its preparation
                name = getattr(stage, "name", type(stage).__name__)
                yield self._warn("index", 0, None, f"{name}: preparing failed: {err}")
        streams = self._worker_analyses(batch)
        before_commit = None if self.search_index else self._index_new_claims
        with _WriteGroup(self.db, before_commit=before_commit) as group:
            for item in batch:
                if self._stop():
                    return
                for stage, stream in streams:
                    analysis = next(stream)
                    if not isinstance(analysis, TaskFailed):
                        stage.take(item.parsed, analysis)
                group.begin()
                yield from self._write(item)
                group.maybe_commit()

    def _worker_analyses(self, batch: list[_Pending]) -> list[tuple[Any, Iterator]]:
        """For each stage whose analysis needs what ``prepare`` made (vectors): a stream
        of the batch's analyses, one per note in order, done by the workers while this
        process writes the notes before them."""
        if not self.pool.started:
            return []
        streams: list[tuple[Any, Iterator]] = []
        for stage in self.task_stages.values():
            task = stage.task()
            if task is None or not task.needs_vectors:
                continue
            items = [(item.parsed, stage.table(item.parsed)) for item in batch]
            streams.append((stage, self.pool.analyse(task, items)))
        return streams

    def _write(self, item: _Pending) -> Iterator[Progress]:
        f, note, parsed = item.file, item.note, item.parsed
        try:
            n = write_note(
                self.db,
                parsed,
                size=note.size,
                mtime_ns=note.mtime_ns,
                sha=note.sha,
                pipeline=self.key,
                stages=self.note_stages,
                tables=self.tables,
                reattach=self.has_user_rows,
                search_index=self.search_index,
            )
        except Exception as err:  # the note's transaction was rolled back: old version kept
            self.counts["errors"] += 1
            self.problems.append(f"{f.path}: not stored: {type(err).__name__}: {err}")
            yield Progress("index", item.done, self.total, f.path, self.problems[-1], "error")
            return
        self.counts["indexed"] += 1
        self.counts["claims_written"] += n
        self.changes.indexed.append(f.path)
        yield Progress("index", item.done, self.total, f.path)

    def _finish(self) -> Iterator[Progress | Summary]:
        """Re-attach the user's rows, run the vault stages, count, and sum up."""
        db = self.db
        yield Progress("finish", 0, 1, message="re-attaching your corrections")
        with write_transaction(db):
            reattached = reattach_orphans(db, _replacements(self.removed_sha, self.added_sha))
        if not self.cancelled:
            for stage in self.vault_stages:
                if self._stop():
                    break
                events = stage(db, self.changes)
                if events is not None:
                    yield from events
        yield Progress("finish", 1, 1)
        notes_total, claims_total = db.conn.execute(
            "SELECT (SELECT COUNT(*) FROM notes), (SELECT COUNT(*) FROM claims)"
        ).fetchone()
        yield Summary(
            vault=str(self.root),
            db_path=str(self.db_file),
            notes=notes_total,
            claims=claims_total,
            reattached=reattached,
            seconds=time.perf_counter() - self.started,
            cancelled=self.cancelled,
            warnings=tuple(self.warnings),
            problems=tuple(self.problems),
            **self.counts,
        )


class _WriteGroup:
    """Consecutive note writes share one transaction, committed every ``seconds`` or
    ``notes``: a commit costs several milliseconds, more than writing a small note.

    Each note still commits or rolls back whole: ``write_note`` runs as a savepoint
    inside the group, a note that fails is rolled back to it alone, and at every
    point where the run yields (or is cancelled, or closed) the open transaction
    holds whole notes only, so leaving the group commits it.
    """

    def __init__(
        self,
        db: Database,
        seconds: float = 0.5,
        notes: int = 200,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db, self.seconds, self.notes = db, seconds, notes
        self.before_commit = before_commit  # runs inside the transaction, last
        self.opened = 0.0
        self.count = 0

    def __enter__(self) -> _WriteGroup:
        return self

    def begin(self) -> None:
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN IMMEDIATE")
            self.opened, self.count = time.perf_counter(), 0

    def maybe_commit(self) -> None:
        self.count += 1
        if self.count >= self.notes or time.perf_counter() - self.opened >= self.seconds:
            self._commit()

    def _commit(self) -> None:
        if self.db.conn.in_transaction:
            if self.before_commit is not None:
                self.before_commit()
            self.db.conn.execute("COMMIT")

    def __exit__(self, *exc) -> None:
        try:
            self._commit()
        except Exception:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise


def run_index(*args, **kwargs) -> Summary:
    """Run :func:`index_vault` to the end, ignoring progress; return its Summary."""
    summary = None
    for event in index_vault(*args, **kwargs):
        if isinstance(event, Summary):
            summary = event
    assert summary is not None
    return summary


def _has_user_rows(db: Database) -> bool:
    sql = (
        "SELECT EXISTS (SELECT 1 FROM user_kinds) OR EXISTS (SELECT 1 FROM user_annotations) "
        "OR EXISTS (SELECT 1 FROM user_hidden) OR EXISTS (SELECT 1 FROM user_edges) "
        "OR EXISTS (SELECT 1 FROM user_pins)"
    )
    return bool(db.conn.execute(sql).fetchone()[0])


def _replacements(removed: dict[str, str], added: dict[str, str]) -> dict[str, list[str]]:
    """Which new notes replaced each removed one: same content first, else same file name."""
    by_sha: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for path, sha in added.items():
        by_sha.setdefault(sha, []).append(path)
        by_name.setdefault(PurePosixPath(path).name.lower(), []).append(path)
    result = {}
    for path, sha in removed.items():
        same = by_sha.get(sha, []) + [
            p
            for p in by_name.get(PurePosixPath(path).name.lower(), [])
            if p not in by_sha.get(sha, [])
        ]
        if same:
            result[path] = same
    return result
