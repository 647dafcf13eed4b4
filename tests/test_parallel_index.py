"""Indexing with worker processes: the same store whatever the count, and a clean stop.

Real processes (``spawn``), the real parser and semantic stages, the real SQLite file.
The embedding runs use the dependency-free hashing embedder, so the vectors path
(analysis in the workers from vectors the writer hands them) is covered too.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from helpers import store_dump

import explorer.indexing.parallel as parallel
from explorer.indexing.events import Progress, Summary
from explorer.indexing.pipeline import index_vault
from explorer.indexing.stages import SemanticIndex, make_embedder

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "synth_vault", ROOT / "benchmarks" / "synth_vault.py"
)
synth_vault = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth_vault)


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel") / "vault"
    synth_vault.generate(root, 60, seed=3, claims_per_note=12)
    # Annotations, references and a parser warning, so every derived table has rows.
    (root / "extra.md").write_text(
        "# Limits\n\nLLMs cannot plan reliably over many steps. Not sure about this anymore."
        "\n\n- Chain of thought helps LLMs on arithmetic (Wei et al., 2022).\n\n"
        "## References\n\n- Wei et al. Chain of thought prompting. "
        "https://arxiv.org/abs/2201.11903\n",
        encoding="utf-8",
    )
    return root


def index(vault, db, workers, embedder=None, **kwargs):
    semantic = SemanticIndex(vault, embedder=embedder)
    notes, stages = semantic.stages()
    events = list(
        index_vault(vault, db, note_stages=notes, vault_stages=stages, workers=workers, **kwargs)
    )
    assert isinstance(events[-1], Summary)
    return events


@pytest.fixture
def pool_starts(monkeypatch):
    """How often a pool of worker processes was started."""
    starts = []
    real = parallel.NoteWorkers.start

    def start(self):
        starts.append(self.n)
        real(self)

    monkeypatch.setattr(parallel.NoteWorkers, "start", start)
    return starts


@pytest.mark.parametrize("model", [None, "hashing"])
def test_same_store_with_one_and_four_workers(vault, tmp_path, pool_starts, model):
    embedder = make_embedder(model) if model else None
    one, four = tmp_path / "one.db", tmp_path / "four.db"
    s1 = index(vault, one, 1, embedder)[-1]
    assert pool_starts == []  # one worker: all in this process, as before
    s4 = index(vault, four, 4, embedder)[-1]
    assert pool_starts == [4]
    assert (s1.notes, s1.claims, s1.errors) == (s4.notes, s4.claims, 0)
    a, b = store_dump(one), store_dump(four)
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    # Every derived table was exercised, not compared empty.
    for table in ("notes", "claims", "sections", "links", "refs", "annotations", "concepts"):
        assert a[table], table
    if model:
        assert a["sim_edges"] and a["embeddings"]
    assert not multiprocessing.active_children()


def test_few_changed_notes_stay_in_process(vault, tmp_path, pool_starts):
    db = tmp_path / "s.db"
    index(vault, db, 4)
    assert pool_starts == [4]
    extra = vault / "extra.md"
    before = extra.read_bytes()
    extra.write_text("One changed note.\n", encoding="utf-8")
    try:
        events = index(vault, db, 4)
    finally:
        extra.write_bytes(before)
    assert events[-1].indexed == 1
    assert pool_starts == [4]  # one note to read: no pool started for it


def test_cancel_stops_the_workers_and_keeps_the_store_sound(vault, tmp_path):
    db = tmp_path / "s.db"
    cancel = threading.Event()
    semantic = SemanticIndex(vault)
    notes, stages = semantic.stages()
    seen = []
    for event in index_vault(
        vault, db, note_stages=notes, vault_stages=stages, workers=2, cancel=cancel
    ):
        seen.append(event)
        if isinstance(event, Progress) and event.stage == "index" and event.done >= 5:
            assert multiprocessing.active_children()  # the pool is at work
            cancel.set()
    summary = seen[-1]
    assert summary.cancelled and 0 < summary.indexed < 61
    assert not multiprocessing.active_children()
    # What was written is whole: a second run finishes the vault.
    done = index(vault, db, 2)[-1]
    assert done.indexed == 61 - summary.indexed and done.errors == 0


def test_abandoned_run_terminates_its_workers(vault, tmp_path):
    """Ctrl-C in the CLI (KeyboardInterrupt) or a dropped generator closes the run."""
    semantic = SemanticIndex(vault)
    notes, stages = semantic.stages()
    run = index_vault(vault, tmp_path / "s.db", note_stages=notes, vault_stages=stages, workers=2)
    for event in run:
        if isinstance(event, Progress) and event.stage == "index" and event.done >= 3:
            break
    assert multiprocessing.active_children()
    run.close()
    assert not multiprocessing.active_children()


def test_default_workers_is_every_core():
    assert parallel.default_workers() >= 1


def test_cli_rejects_a_bad_worker_count(tmp_path, capsys):
    from explorer.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["index", str(tmp_path), "--workers", "0"])
    assert exc.value.code == 2
    assert "--workers" in capsys.readouterr().err


def edges(db_path: Path) -> list[tuple]:
    """The stored edges, each pair in a fixed order: which end is the source follows the
    claims' order in the store, and an edited note's claims are written last."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT source, target, type, weight FROM sim_edges").fetchall()
    finally:
        conn.close()
    return sorted((min(s, t), max(s, t), kind, w) for s, t, kind, w in rows)


def test_an_edit_updates_the_similarity_edges_as_a_full_pass_would(tmp_path, monkeypatch):
    """Edit one note, delete another, re-index: the incremental pass touches only their
    claims' neighbourhoods and the store's edges equal those of a fresh index."""
    import shutil

    import explorer.indexing.stages as stages

    root = tmp_path / "vault"
    synth_vault.generate(root, 40, seed=5, claims_per_note=12)
    embedder = make_embedder("hashing")
    db = tmp_path / "s.db"
    index(root, db, 1, embedder)
    assert edges(db)
    notes = sorted(p for p in root.rglob("*.md") if ".obsidian" not in p.parts)
    edited, removed = notes[3], notes[7]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace(".", ". Large language models cannot plan.", 3), "utf-8")
    removed.unlink()
    calls = []
    real = stages.decide_pairs
    monkeypatch.setattr(stages, "decide_pairs", lambda *a, **k: calls.append(a) or real(*a, **k))
    full = []
    monkeypatch.setattr(stages, "ranked_similarity_edges", lambda *a, **k: full.append(a))
    events = index(root, db, 1, embedder)
    assert events[-1].indexed == 1 and events[-1].removed == 1
    assert len(calls) == 1 and not full  # the update ran, not the full pass
    pool = calls[0][1]
    assert 0 < pool.size < len(edges(db))  # it decided a neighbourhood, not every pair
    monkeypatch.undo()
    shutil.copytree(root, tmp_path / "copy")
    fresh = tmp_path / "fresh.db"
    index(tmp_path / "copy", fresh, 1, embedder)
    assert edges(db) == edges(fresh)
    assert {e[2] for e in edges(db)} >= {"similar", "tension"}


def test_jobs_share_the_notes_between_the_workers():
    assert parallel.batch_size(2000, 2) == parallel.MAX_BATCH_NOTES  # large: full jobs
    assert parallel.batch_size(60, 2) == 7  # four jobs or more per worker
    assert parallel.batch_size(5, 4) == 1
    assert parallel.batch_size(0, 1) == 1
    for count in range(0, 300, 7):
        for workers in (1, 2, 3, 8):
            size = parallel.batch_size(count, workers)
            assert 1 <= size <= parallel.MAX_BATCH_NOTES
            if count >= 4 * workers * parallel.MAX_BATCH_NOTES:
                assert size == parallel.MAX_BATCH_NOTES
            elif count >= 4 * workers:
                assert -(-count // size) >= 4 * workers  # every worker gets several jobs
