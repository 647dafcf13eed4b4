"""Bad input: each case gets a clear message naming the thing at fault, and loses nothing.

Unreadable files: these tests run as root, for whom ``chmod 000`` changes nothing, so
the unreadable file is simulated by making the reader's one ``open`` seam
(``explorer.indexing.vault._open``) raise PermissionError for that file; a real ``chmod 000``
test runs as well when the suite is not run as root.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_fts_matches_claims, line_parser, snapshot, write_vault

import explorer.indexing.vault
from explorer.cli import main
from explorer.indexing.pipeline import Progress, index_vault, run_index
from explorer.store import open_db, schema_version

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
GOOD = {"good.md": "A sound claim.\nAnother sound claim.\n", "sub/also.md": "Still fine.\n"}


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "data"))
    # These cases are about files and stores, not meaning: the tiny hashing stand-in model
    # keeps a 1,200-claim note or a killed run from spending minutes in the real model,
    # which tests/test_semantic_index.py and the CLI end-to-end tests cover.
    monkeypatch.setenv("EXPLORER_MODEL", "hashing")


@pytest.fixture
def vault(tmp_path):
    return write_vault(tmp_path / "vault", GOOD)


def stored(dbp) -> dict[str, list[str]]:
    db = open_db(dbp, create=False)
    try:
        out: dict[str, list[str]] = {}
        for note, text in db.conn.execute("SELECT note, text FROM claims ORDER BY note, position"):
            out.setdefault(note, []).append(text)
        for (path,) in db.conn.execute("SELECT path FROM notes"):
            out.setdefault(path, [])
        return out
    finally:
        db.close()


def assert_good_notes_kept(dbp):
    notes = stored(dbp)
    assert notes["good.md"] == ["A sound claim.", "Another sound claim."]
    assert notes["sub/also.md"] == ["Still fine."]


def test_binary_file_named_md_is_skipped_with_a_warning(vault, tmp_path, capsys):
    (vault / "image.md").write_bytes(PNG)
    dbp = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(dbp)]) == 0
    out, err = capsys.readouterr()
    assert "warning: skipped image.md: looks like a binary file, not text" in err
    assert "1 skipped" in out
    assert "image.md" not in stored(dbp)
    assert_good_notes_kept(dbp)


def test_invalid_utf8_is_decoded_with_replacement_and_a_warning(vault, tmp_path, capsys):
    (vault / "latin1.md").write_bytes("Le café est noir.\n".encode("latin-1"))
    dbp = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(dbp)]) == 0
    err = capsys.readouterr().err
    assert "latin1.md: not valid UTF-8 (1 invalid sequence replaced with U+FFFD)" in err
    assert any("caf\ufffd" in text for text in stored(dbp)["latin1.md"])
    db = open_db(dbp)
    assert "not valid UTF-8" in db["notes"].get("latin1.md")["warnings"]
    db.close()
    assert_good_notes_kept(dbp)


def test_empty_file_is_a_note_without_claims(vault, tmp_path):
    (vault / "empty.md").write_bytes(b"")
    (vault / "blank.txt").write_text("\n\n   \n")
    s = run_index(vault, tmp_path / "s.db")
    assert (s.errors, s.skipped, s.warnings) == (0, 0, ())
    notes = stored(tmp_path / "s.db")
    assert notes["empty.md"] == [] and notes["blank.txt"] == []
    assert_good_notes_kept(tmp_path / "s.db")


def test_a_50_mb_note_is_skipped_under_the_size_limit_quickly(vault, tmp_path, capsys):
    (vault / "huge.md").write_bytes(b"An enormous log line that repeats.\n" * 1_500_000)
    assert (vault / "huge.md").stat().st_size > 50_000_000
    started = time.monotonic()
    assert main(["index", str(vault), "--db", str(tmp_path / "s.db")]) == 0
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert "skipped huge.md: 50.1 MiB is over the 10.0 MiB note size limit" in err
    assert "huge.md" not in stored(tmp_path / "s.db")
    assert_good_notes_kept(tmp_path / "s.db")


def test_size_limit_is_an_option(vault, tmp_path):
    sentence = "A long sentence " + "that goes on " * 80 + "and ends.\n\n"  # ~1 KB
    (vault / "big.md").write_text(sentence * 1200)  # about 1.2 MB, 1200 claims
    dbp = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(dbp), "--max-note-mb", "1", "-q"]) == 0
    assert "big.md" not in stored(dbp)
    assert main(["index", str(vault), "--db", str(dbp), "--max-note-mb", "2", "-q"]) == 0
    assert len(stored(dbp)["big.md"]) == 1200


def test_malformed_front_matter_warning_is_surfaced(vault, tmp_path, capsys):
    from explorer.core.parse import parse_note

    text = "---\ntitle: [unclosed\ntags: x\n---\nThe body still counts.\n"
    if not parse_note(text, "fm.md").warnings:
        pytest.skip("this parser does not check front matter")
    (vault / "fm.md").write_text(text)
    dbp = tmp_path / "s.db"
    events = list(index_vault(vault, dbp))
    warnings = [e for e in events if isinstance(e, Progress) and e.level == "warning"]
    assert any(e.path == "fm.md" and "fm.md" in e.message for e in warnings)
    assert any("front matter" in w for w in events[-1].warnings)
    assert any("body still counts" in t for t in stored(dbp)["fm.md"])
    db = open_db(dbp)
    assert "front matter" in db["notes"].get("fm.md")["warnings"]
    db.close()
    main(["index", str(vault), "--db", str(dbp), "--force"])
    assert "warning: fm.md: front matter" in capsys.readouterr().err


def test_a_parser_warning_is_surfaced_with_the_fake_parser_too(vault, tmp_path):
    (vault / "fm.md").write_text("---\ntitle: never closed\nA claim.\n")
    s = run_index(vault, tmp_path / "s.db", parse=line_parser)
    assert s.warnings == ("fm.md: front matter is not closed by ---; read as text",)


def test_symlink_loop_is_reported_and_indexing_continues(vault, tmp_path, capsys):
    os.symlink("..", vault / "sub" / "loop")
    os.symlink("self.md", vault / "self.md")
    dbp = tmp_path / "s.db"
    assert main(["index", str(vault), "--db", str(dbp)]) == 0
    err = capsys.readouterr().err
    assert "skipped sub/loop: symlink loop (same folder as .)" in err
    assert "skipped self.md: symlink loop" in err
    assert sorted(stored(dbp)) == ["good.md", "sub/also.md"]


def test_unreadable_file_is_skipped_and_its_old_version_kept(vault, tmp_path, monkeypatch):
    # Simulated (see the module docstring): root can read a chmod 000 file.
    dbp = tmp_path / "s.db"
    run_index(vault, dbp)
    (vault / "good.md").write_text("A rewrite the store cannot see yet.\n")
    (vault / "secret.md").write_text("Private.\n")
    real_open = explorer.indexing.vault._open

    def deny(path):
        if path.name in ("secret.md", "good.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(explorer.indexing.vault, "_open", deny)
    s = run_index(vault, dbp)
    assert sorted(s.problems) == [
        "cannot read good.md: Permission denied",
        "cannot read secret.md: Permission denied",
    ]
    assert s.skipped == 2 and s.errors == 0
    assert_good_notes_kept(dbp)  # the last readable version of good.md stays
    assert "secret.md" not in stored(dbp)
    monkeypatch.setattr(explorer.indexing.vault, "_open", real_open)
    run_index(vault, dbp)  # readable again: picked up, since its stat was never recorded
    assert stored(dbp)["good.md"] == ["A rewrite the store cannot see yet."]
    assert stored(dbp)["secret.md"] == ["Private."]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files")
def test_chmod_000_file_is_skipped(vault, tmp_path):
    (vault / "locked.md").write_text("x")
    (vault / "locked.md").chmod(0)
    try:
        s = run_index(vault, tmp_path / "s.db")
    finally:
        (vault / "locked.md").chmod(0o644)
    assert s.problems == ("cannot read locked.md: Permission denied",)


def test_file_changed_while_indexing_is_read_again_next_time(vault, tmp_path):
    dbp = tmp_path / "s.db"

    def editing_parser(text, path):
        if path == "good.md" and "edited" not in text:
            # The user saves the note just after it was read.
            time.sleep(0.01)
            (vault / "good.md").write_text(text + "An edited line.\n")
        return line_parser(text, path)

    run_index(vault, dbp, parse=editing_parser)
    assert stored(dbp)["good.md"] == ["A sound claim.", "Another sound claim."]
    s = run_index(vault, dbp, parse=editing_parser)
    assert s.indexed == 1
    assert stored(dbp)["good.md"][-1] == "An edited line."


def test_file_deleted_while_indexing_is_reported_and_dropped(vault, tmp_path):
    dbp = tmp_path / "s.db"
    (vault / "zz-late.md").write_text("Here for now.\n")
    run_index(vault, dbp, parse=line_parser)
    (vault / "zz-late.md").write_text("Changed, so it will be read again.\n")

    def deleting_parser(text, path):
        if path == "good.md":
            (vault / "zz-late.md").unlink()  # gone after the scan, before its read
        return line_parser(text, path)

    s = run_index(vault, dbp, parse=deleting_parser, force=True)
    assert "zz-late.md was deleted while indexing" in s.warnings
    assert s.errors == 0 and s.removed == 1
    assert "zz-late.md" not in stored(dbp)
    assert_good_notes_kept(dbp)


def test_vault_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "no such vault"
    assert main(["index", str(missing)]) == 2
    assert f"explorer index: error: vault not found: {missing}" in capsys.readouterr().err
    assert main(["export", str(missing), "-f", "json", "-o", str(tmp_path / "x.json")]) == 2
    assert "vault not found" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("command", ["index", "stats", "search", "export"])
def test_a_file_that_is_not_sqlite_is_refused_and_unchanged(vault, tmp_path, capsys, command):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"PK\x03\x04 a zip file, or anything that is not SQLite" * 50)
    before = junk.read_bytes()
    args = {
        "index": ["index", str(vault), "--db", str(junk)],
        "stats": ["stats", "--db", str(junk)],
        "search": ["search", "claim", "--db", str(junk)],
        "export": ["export", "--db", str(junk), "-f", "json", "-o", str(tmp_path / "o.json")],
    }[command]
    assert main(args) == 2
    assert f"{junk} is not an SQLite database; it was left unchanged" in capsys.readouterr().err
    assert junk.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db", "vault"]


def test_a_newer_schema_is_refused_and_unchanged(vault, tmp_path, capsys):
    dbp = tmp_path / "s.db"
    run_index(vault, dbp)
    conn = sqlite3.connect(dbp)
    conn.execute(f"PRAGMA user_version = {schema_version() + 5}")
    conn.commit()
    conn.close()
    before = dbp.read_bytes()
    assert main(["index", str(vault), "--db", str(dbp)]) == 2
    err = capsys.readouterr().err
    assert f"{dbp} has schema version {schema_version() + 5}, newer than this explorer" in err
    assert main(["stats", "--db", str(dbp)]) == 2
    assert dbp.read_bytes() == before


def _synth(folder: Path, notes: int) -> Path:
    spec = importlib.util.spec_from_file_location(
        "synth_vault", ROOT / "benchmarks" / "synth_vault.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, notes, seed=3, claims_per_note=30)


@pytest.fixture(scope="module")
def big_vault(tmp_path_factory):
    """Big enough that indexing it takes a few seconds."""
    return _synth(tmp_path_factory.mktemp("big") / "vault", 400)


def _start_index(vault: Path, dbp: Path, tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, EXPLORER_DATA_DIR=str(tmp_path / "data"))
    return subprocess.Popen(
        [sys.executable, "-m", "explorer", "index", str(vault), "--db", str(dbp), "-q"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_notes(proc: subprocess.Popen, dbp: Path, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if dbp.exists():
            try:
                conn = sqlite3.connect(f"file:{dbp}?mode=ro", uri=True, timeout=1)
                try:
                    n = conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
                finally:
                    conn.close()
                if n >= at_least:
                    return
            except sqlite3.Error:
                pass  # not created yet, or mid-migration
        time.sleep(0.02)
    raise AssertionError(f"the indexer ended (or stalled) first: {proc.poll()}")


def _check_consistent(dbp: Path) -> None:
    db = open_db(dbp, create=False)
    try:
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        half = db.conn.execute(
            "SELECT n.path, n.claim_count, COUNT(c.id) FROM notes n "
            "LEFT JOIN claims c ON c.note = n.path GROUP BY n.path "
            "HAVING n.claim_count != COUNT(c.id)"
        ).fetchall()
        assert half == [], f"half-indexed notes: {half[:5]}"
        orphans = db.conn.execute(
            "SELECT COUNT(*) FROM claims WHERE note NOT IN (SELECT path FROM notes)"
        ).fetchone()[0]
        assert orphans == 0
        assert_fts_matches_claims(db)
    finally:
        db.close()


def test_kill_9_during_indexing_then_rerun_completes(big_vault, tmp_path):
    dbp = tmp_path / "s.db"
    before = snapshot(big_vault)
    proc = _start_index(big_vault, dbp, tmp_path)
    try:
        _wait_for_notes(proc, dbp, at_least=30)
        assert proc.poll() is None, "indexing finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _check_consistent(dbp)  # killed mid-way, yet no note is half there
    db = open_db(dbp)
    done = db["notes"].count
    db.close()
    assert 30 <= done < 400

    # The rerun is the same command the user would run: same stages, so the notes the
    # killed run finished are kept, not indexed again.
    s = run_index(big_vault, dbp, **_cli_stages(big_vault))
    assert s.notes == 400 and s.errors == 0 and s.unchanged >= done
    _check_consistent(dbp)
    assert snapshot(big_vault) == before


def _cli_stages(vault: Path) -> dict:
    from explorer.indexing.pipeline import default_stages
    from explorer.indexing.stages import make_embedder, model_choice

    embedder = make_embedder(model_choice(None))
    note_stages, vault_stages = default_stages(vault, embedder=embedder)
    return {"note_stages": note_stages, "vault_stages": vault_stages}


def test_two_indexers_on_one_store(big_vault, tmp_path, capsys):
    dbp = tmp_path / "s.db"
    proc = _start_index(big_vault, dbp, tmp_path)
    try:
        _wait_for_notes(proc, dbp, at_least=5)
        assert main(["index", str(big_vault), "--db", str(dbp)]) == 3
        err = capsys.readouterr().err
        assert f"the index is busy: another explorer is indexing into {dbp}" in err
        assert proc.poll() is None, "the first indexer should still be running"
        # Told to wait, the second run starts when the first is done.
        assert main(["index", str(big_vault), "--db", str(dbp), "--wait", "300", "-q"]) == 0
        assert proc.wait(timeout=300) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _check_consistent(dbp)
    db = open_db(dbp)
    assert db["notes"].count == 400
    db.close()


def test_an_unwritable_data_folder_is_named_not_a_traceback(vault, tmp_path, monkeypatch, capsys):
    # A read-only home, as root can't be denied a write: a data folder under a plain file
    # fails the same way (an OSError creating the store's folder).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(blocker / "data"))
    before = snapshot(vault)
    assert main(["index", str(vault), "-q"]) == 2
    err = capsys.readouterr().err
    assert "not-a-folder" in err and "EXPLORER_DATA_DIR" in err and "Traceback" not in err
    assert snapshot(vault) == before


def test_a_db_path_that_is_a_device_is_a_clear_error(capsys):
    assert main(["search", "--db", os.devnull, "anything"]) == 2
    err = capsys.readouterr().err
    assert os.devnull in err and "Traceback" not in err
