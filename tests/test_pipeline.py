"""index_vault: incremental rules, stages, cancel, progress events, and no side effects."""

from __future__ import annotations

import os
import threading
import time

import pytest
from helpers import CountingParser, line_parser, snapshot, write_vault

import explorer.indexing.pipeline as pipeline
from explorer.indexing.pipeline import Changes, Progress, Summary, index_vault, run_index
from explorer.indexing.vault import VaultError
from explorer.store import IndexBusyError, index_lock, open_db

NOTES = {
    "a.md": "# A\nLLMs memorize programs.\n- They interpolate.\n",
    "b.md": "Transformers attend to tokens.\nSee [[a]].\n",
    "sub/c.txt": "A plain text export.\nWith two claims.\n",
    ".obsidian/app.md": "settings are not notes\n",
}


@pytest.fixture
def vault(tmp_path):
    return write_vault(tmp_path / "vault", NOTES)


@pytest.fixture
def dbp(tmp_path):
    return tmp_path / "data" / "store.db"


def claims_by_note(dbp):
    db = open_db(dbp)
    try:
        rows = db.conn.execute("SELECT note, seq, text FROM claims ORDER BY seq").fetchall()
    finally:
        db.close()
    out: dict[str, list] = {}
    for note, seq, text in rows:
        out.setdefault(note, []).append((seq, text))
    return out


def test_first_run_events_summary_and_no_side_effects(vault, dbp, capsys):
    before = snapshot(vault)
    events = list(index_vault(vault, dbp, parse=line_parser))
    assert isinstance(events[-1], Summary)
    assert all(isinstance(e, Progress) for e in events[:-1])
    stages = [e.stage for e in events[:-1]]
    assert stages[0] == "scan" and stages[-1] == "finish" and "index" in stages
    index_events = [e for e in events if isinstance(e, Progress) and e.stage == "index"]
    assert [(e.done, e.total, e.path) for e in index_events] == [
        (1, 3, "a.md"),
        (2, 3, "b.md"),
        (3, 3, "sub/c.txt"),
    ]
    s = events[-1]
    assert (s.notes, s.claims, s.indexed, s.claims_written) == (3, 6, 3, 6)
    assert (s.unchanged, s.removed, s.skipped, s.errors, s.cancelled) == (0, 0, 0, 0, False)
    assert s.vault == str(vault.resolve()) and s.db_path == str(dbp)
    assert capsys.readouterr() == ("", "")  # the pipeline prints nothing
    assert snapshot(vault) == before  # and writes nothing into the vault


def test_unchanged_files_are_not_even_read(vault, dbp, monkeypatch):
    run_index(vault, dbp, parse=line_parser)
    reads = []
    real = pipeline.read_note
    monkeypatch.setattr(
        pipeline, "read_note", lambda f, **kw: reads.append(f.path) or real(f, **kw)
    )
    parser = CountingParser()
    parser.__qualname__ = "line_parser"  # the same pipeline key as the first run
    s = run_index(vault, dbp, parse=parser)
    assert reads == [] and parser.calls == []
    assert (s.unchanged, s.indexed) == (3, 0)


def test_same_content_new_mtime_is_read_but_not_parsed(vault, dbp):
    run_index(vault, dbp, parse=line_parser)
    target = vault / "b.md"
    st = target.stat()

    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    parser = CountingParser()
    parser.__qualname__ = "line_parser"
    s = run_index(vault, dbp, parse=parser)
    assert parser.calls == [] and s.unchanged == 3
    db = open_db(dbp)
    assert db["notes"].get("b.md")["mtime_ns"] == target.stat().st_mtime_ns
    db.close()


def test_changed_note_replaces_only_its_own_rows(vault, dbp):
    run_index(vault, dbp, parse=line_parser)
    before = claims_by_note(dbp)
    (vault / "b.md").write_text("Completely rewritten.\n")
    parser = CountingParser()
    parser.__qualname__ = "line_parser"
    s = run_index(vault, dbp, parse=parser)
    assert parser.calls == ["b.md"] and s.indexed == 1
    after = claims_by_note(dbp)
    assert after["a.md"] == before["a.md"] and after["sub/c.txt"] == before["sub/c.txt"]
    assert [t for _, t in after["b.md"]] == ["Completely rewritten."]


def test_deleted_note_disappears(vault, dbp):
    run_index(vault, dbp, parse=line_parser)
    (vault / "sub" / "c.txt").unlink()
    s = run_index(vault, dbp, parse=line_parser)
    assert s.removed == 1 and s.notes == 2
    assert "sub/c.txt" not in claims_by_note(dbp)


def test_new_stage_or_force_reindexes_everything(vault, dbp):
    run_index(vault, dbp, parse=line_parser)

    def kinds(db, parsed):
        pass

    kinds.name, kinds.version = "kinds", "2"
    assert run_index(vault, dbp, parse=line_parser, note_stages=[kinds]).indexed == 3
    assert run_index(vault, dbp, parse=line_parser, note_stages=[kinds]).indexed == 0
    assert run_index(vault, dbp, parse=line_parser, note_stages=[kinds], force=True).indexed == 3


def test_cancel_stops_after_the_current_note_and_a_rerun_finishes(vault, dbp):
    cancel = threading.Event()
    seen = []
    for event in index_vault(vault, dbp, parse=line_parser, cancel=cancel):
        if isinstance(event, Progress) and event.stage == "index":
            seen.append(event.path)
            cancel.set()  # as a GUI's Cancel button would, from any thread
        if isinstance(event, Summary):
            summary = event
    assert summary.cancelled and summary.indexed == 1 and seen == ["a.md"]
    db = open_db(dbp)
    assert db.conn.execute("SELECT path FROM notes").fetchall() == [("a.md",)]
    db.close()
    again = run_index(vault, dbp, parse=line_parser)
    assert (again.indexed, again.unchanged, again.cancelled) == (2, 1, False)


def test_note_stage_failure_keeps_the_old_version_and_names_the_note(vault, dbp):
    run_index(vault, dbp, parse=line_parser)
    before = claims_by_note(dbp)
    (vault / "a.md").write_text("New text for a.\n")

    def flaky(db, parsed):
        if parsed.path == "a.md":
            raise RuntimeError("model exploded")

    s = run_index(vault, dbp, parse=line_parser, note_stages=[flaky])
    assert s.errors == 1 and s.indexed == 2
    assert s.problems == ("a.md: not stored: RuntimeError: model exploded",)
    assert claims_by_note(dbp)["a.md"] == before["a.md"]


def test_parser_failure_is_an_error_not_a_crash(vault, dbp):
    def parser(text, path):
        if path == "b.md":
            raise ValueError("cannot parse this")
        return line_parser(text, path)

    s = run_index(vault, dbp, parse=parser)
    assert s.errors == 1 and s.indexed == 2
    assert s.problems == ("b.md: the parser failed: ValueError: cannot parse this",)


def test_vault_stages_get_the_changes_and_pass_progress_on(vault, dbp):
    calls = []

    def similarity(db, changes: Changes):
        calls.append((sorted(changes.indexed), sorted(changes.removed)))
        yield Progress("similarity", 1, 1, message="done")

    events = list(index_vault(vault, dbp, parse=line_parser, vault_stages=[similarity]))
    assert calls == [(["a.md", "b.md", "sub/c.txt"], [])]
    assert any(isinstance(e, Progress) and e.stage == "similarity" for e in events)
    (vault / "b.md").unlink()
    run_index(vault, dbp, parse=line_parser, vault_stages=[similarity])
    assert calls[-1] == ([], ["b.md"])


def test_database_inside_the_vault_is_refused(vault):
    with pytest.raises(VaultError, match="inside the vault"):
        run_index(vault, vault / "store.db", parse=line_parser)
    assert not (vault / "store.db").exists()
    assert not (vault / "store.db.index-lock").exists()


def test_busy_store_is_reported_or_waited_for(vault, dbp):
    dbp.parent.mkdir(parents=True)
    with index_lock(dbp), pytest.raises(IndexBusyError, match="index is busy"):
        run_index(vault, dbp, parse=line_parser)

    held = threading.Event()

    def hold():
        with index_lock(dbp):
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    events = list(index_vault(vault, dbp, parse=line_parser, lock_timeout=10))
    t.join()
    assert events[0].stage == "lock" and "waiting" in events[0].message
    assert events[-1].indexed == 3


def test_abandoning_the_generator_releases_the_store(vault, dbp):
    gen = index_vault(vault, dbp, parse=line_parser)
    next(gen)
    gen.close()
    assert run_index(vault, dbp, parse=line_parser).indexed == 3


class PreparingStage:
    """A note stage with ``prepare``: records what it saw, in order."""

    name, version = "preparing", "1"

    def __init__(self, cancel: threading.Event | None = None) -> None:
        self.log: list[tuple[str, object]] = []
        self.cancel = cancel

    def prepare(self, db, notes):
        self.log.append(("prepare", [n.path for n in notes]))
        yield Progress("embed", 1, 1, message="prepared")
        if self.cancel is not None:
            self.cancel.set()

    def __call__(self, db, parsed):
        self.log.append(("write", parsed.path))


def test_a_preparing_stage_sees_growing_chunks_before_their_notes_are_written(tmp_path):
    notes = {f"n{i:02}.md": "".join(f"Claim {i}.{j}.\n" for j in range(50)) for i in range(30)}
    vault = write_vault(tmp_path / "v", notes)
    stage = PreparingStage()
    events = list(
        index_vault(
            vault, tmp_path / "s.db", parse=line_parser, note_stages=[stage], chunk_claims=1024
        )
    )
    chunks = [paths for what, paths in stage.log if what == "prepare"]
    # 256 claims, then 512, then up to 1024: notes of 50 claims each.
    assert [len(c) for c in chunks] == [6, 11, 13]
    expected = []
    for chunk in chunks:
        expected += [("prepare", chunk)] + [("write", p) for p in chunk]
    assert stage.log == expected and sum(chunks, []) == sorted(notes)
    assert sum(isinstance(e, Progress) and e.message == "prepared" for e in events) == 3
    assert events[-1].indexed == 30


def test_cancel_during_prepare_writes_nothing_of_that_chunk(vault, dbp):
    cancel = threading.Event()
    stage = PreparingStage(cancel)
    s = run_index(vault, dbp, parse=line_parser, note_stages=[stage], cancel=cancel)
    assert s.cancelled and s.indexed == 0
    assert [what for what, _ in stage.log] == ["prepare"]
    assert run_index(vault, dbp, parse=line_parser, note_stages=[PreparingStage()]).indexed == 3
