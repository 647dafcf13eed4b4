"""An edit's re-index touches only the neighbourhood of the change, and leaves the store
exactly as a fresh index of the edited vault would: similarity edges, concepts and what
they are made of, table by table. Also the migration that made it possible (indexes,
dirty-row triggers, concept keys) on a store written before it.
"""

from __future__ import annotations

import random

import pytest
from helpers import write_vault

from explorer.indexing.pipeline import Summary, index_vault
from explorer.indexing.stages import SemanticIndex
from explorer.semantic.concepts import concept_key, fold_key
from explorer.semantic.embedder import HashingEmbedder
from explorer.store import open_db, set_kind
from explorer.store.migrations import MIGRATIONS, current_version

SUBJECTS = [
    "Large language models",
    "LLMs",
    "The LLM",
    "A large language model",
    "Reinforcement learning",
    "RL agents",
    "Sparse autoencoders",
    "The SAE",
    "Mechanistic interpretability",
    "Chain-of-thought prompting",
    "CoT traces",
    "The world model",
    "World models",
    "E-mail filters",
    "Email filters",
]
VERBS = ["can solve", "fail at", "struggle with", "approximate", "memorize", "generalize to"]
OBJECTS = [
    "multi-step planning",
    "novel cipher algorithms",
    "theory-of-mind tasks",
    "long-horizon planning",
    "counterfactual questions",
    "Large Language Models",
    "out-of-distribution puzzles",
    "factual recall",
]
HEADINGS = ["Planning", "Large language models", "LLM limits", "World models", "RL", "Open"]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."


def _note(rng: random.Random, i: int) -> str:
    lines = [f"# {rng.choice(HEADINGS)}", ""]
    for _ in range(rng.randint(2, 5)):
        lines += [_sentence(rng), ""]
    if rng.random() < 0.4:
        lines += [f"## {rng.choice(HEADINGS)}", "", f"- {_sentence(rng)}", f"- {_sentence(rng)}"]
    if rng.random() < 0.3:
        lines += ["", f"See [[n{rng.randrange(40):02d}]]."]
    return "\n".join(lines) + "\n"


def _index(vault, dbp) -> tuple[Summary, list]:
    semantic = SemanticIndex(vault, embedder=HashingEmbedder(dim=32))
    notes, stages = semantic.stages()
    events = list(index_vault(vault, dbp, note_stages=notes, vault_stages=stages))
    summary = events[-1]
    assert isinstance(summary, Summary) and not summary.errors
    return summary, events


TABLES = {
    "sim_edges": "SELECT source, target, type, round(weight, 4), reason, ranks FROM sim_edges",
    "vault_concepts": "SELECT id, term, variants, mentions, in_heading FROM vault_concepts",
    "concept_map": "SELECT candidate_id, concept_id FROM concept_map",
    "concepts": "SELECT note, id, term, variants, in_heading, fold, ckey FROM concepts",
    "mentions": "SELECT note, claim_id, concept_id FROM mentions",
    "claims": "SELECT id, note, text, kind, embed_hash, voice, answers FROM claims",
    "claims_dirty": "SELECT id FROM claims_dirty",
    "concepts_dirty": "SELECT id FROM concepts_dirty",
}


def _contents(dbp) -> dict[str, list]:
    db = open_db(dbp)
    try:
        return {name: sorted(db.conn.execute(sql).fetchall()) for name, sql in TABLES.items()}
    finally:
        db.close()


def _assert_same(got, want):
    for name in TABLES:
        assert got[name] == want[name], name


def _edit(rng: random.Random, vault, round_: int) -> None:
    notes = sorted(vault.glob("*.md"))
    # An edit, an appended sentence, a note gone, a note added, a heading changed.
    a, b, c, d = rng.sample(notes, 4)
    a.write_text(a.read_text() + f"\nThe LLM cannot verify edit {round_} of this note.\n")
    b.write_text(_note(rng, 100 + round_))
    c.unlink()
    (vault / f"new{round_}.md").write_text(_note(rng, 200 + round_))
    d.write_text(d.read_text().replace("# ", "# RL and ", 1))


@pytest.mark.parametrize("seed", [3, 7])
def test_an_edit_leaves_the_store_as_a_fresh_index_would(tmp_path, seed):
    rng = random.Random(seed)
    vault = write_vault(tmp_path / "vault", {f"n{i:02d}.md": _note(rng, i) for i in range(40)})
    dbp = tmp_path / "inc.db"
    _index(vault, dbp)
    for round_ in range(3):
        _edit(rng, vault, round_)
        summary, events = _index(vault, dbp)
        assert summary.indexed >= 3 and summary.removed == 1
        messages = [e.message or "" for e in events[:-1] if e.stage in ("concepts", "similarity")]
        # The incremental paths ran (not the full passes they must equal).
        assert any("candidates" in m for m in messages), messages
        assert any(m.startswith("compared") for m in messages), messages
        fresh = tmp_path / f"fresh{round_}.db"
        _index(vault, fresh)
        got, want = _contents(dbp), _contents(fresh)
        _assert_same(got, want)
        assert got["sim_edges"] and got["vault_concepts"]
        assert not got["claims_dirty"] and not got["concepts_dirty"]


def test_a_run_stopped_before_the_vault_stages_is_finished_by_the_next(tmp_path):
    """The changed rows are remembered in the notes' own transactions: a run cancelled
    after its notes (or killed) leaves the next run, which reads no changed file, what
    to redo."""
    rng = random.Random(11)
    vault = write_vault(tmp_path / "vault", {f"n{i:02d}.md": _note(rng, i) for i in range(30)})
    dbp = tmp_path / "s.db"
    _index(vault, dbp)
    _edit(rng, vault, 0)
    semantic = SemanticIndex(vault, embedder=HashingEmbedder(dim=32))
    notes, _stages = semantic.stages()
    list(index_vault(vault, dbp, note_stages=notes, vault_stages=[]))  # no vault stages
    half = _contents(dbp)
    assert half["claims_dirty"] and half["concepts_dirty"]
    summary, _ = _index(vault, dbp)
    assert summary.indexed == 0  # nothing read: the store already holds every note
    fresh = tmp_path / "fresh.db"
    _index(vault, fresh)
    _assert_same(_contents(dbp), _contents(fresh))


def _as_version_5(dbp) -> None:
    """Take a store back to schema version 5, as written before migration 6."""
    db = open_db(dbp)
    conn = db.conn
    for trigger in (
        "claims_dirty_insert",
        "claims_dirty_delete",
        "concepts_dirty_insert",
        "concepts_dirty_delete",
    ):
        conn.execute(f"DROP TRIGGER {trigger}")
    for index in (
        "sim_edges_target",
        "concepts_id",
        "mentions_concept",
        "concept_map_concept",
        "concepts_fold",
        "concepts_ckey",
    ):
        conn.execute(f"DROP INDEX {index}")
    conn.execute("DROP TABLE IF EXISTS graph_layers")  # migration 7
    conn.execute("ALTER TABLE sim_edges DROP COLUMN ranks")  # migration 8
    conn.execute("DROP TABLE claims_dirty")
    conn.execute("DROP TABLE concepts_dirty")
    conn.execute("ALTER TABLE concepts DROP COLUMN fold")
    conn.execute("ALTER TABLE concepts DROP COLUMN ckey")
    # Before it, an edge ran in the order its claims were stored in.
    conn.execute("UPDATE sim_edges SET source = target, target = source")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    db.close()


def test_migration_6_on_an_older_store_keeps_corrections_and_updates_exactly(tmp_path):
    assert len(MIGRATIONS) >= 6
    rng = random.Random(5)
    vault = write_vault(tmp_path / "vault", {f"n{i:02d}.md": _note(rng, i) for i in range(30)})
    dbp = tmp_path / "old.db"
    _index(vault, dbp)
    db = open_db(dbp)
    claim, text = db.conn.execute("SELECT id, text FROM claims ORDER BY seq LIMIT 1").fetchone()
    set_kind(db, claim, "question")
    db.close()
    _as_version_5(dbp)
    db = open_db(dbp)  # migrates
    try:
        assert current_version(db) == len(MIGRATIONS)
        rows = db.conn.execute("SELECT term, fold, ckey FROM concepts").fetchall()
        assert rows and all(
            (f, k) == (fold_key(t), concept_key(t)) for t, f, k in rows
        )  # filled in for every existing candidate
        indexes = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master")}
        assert {"sim_edges_target", "concepts_fold", "claims_dirty_delete"} <= indexes
        edges = db.conn.execute("SELECT source, target FROM sim_edges").fetchall()
        assert edges and all(s < t for s, t in edges)
        assert db.conn.execute(
            "SELECT kind FROM user_kinds WHERE claim_id = ?", (claim,)
        ).fetchone()
    finally:
        db.close()
    _edit(rng, vault, 0)
    _index(vault, dbp)
    fresh = tmp_path / "fresh.db"
    _index(vault, fresh)
    got, want = _contents(dbp), _contents(fresh)
    _assert_same(got, want)
    db = open_db(dbp)
    try:  # the user's correction survived the migration and the re-index
        kind = db.conn.execute("SELECT kind FROM user_kinds WHERE claim_id = ?", (claim,))
        assert kind.fetchone()[0] == "question"
    finally:
        db.close()
    assert text


def _messages(events) -> list[str]:
    return [e.message or "" for e in events[:-1] if e.stage == "similarity"]


@pytest.mark.parametrize("how", ["migration", "unknown ranks"])
def test_a_store_without_rank_bits_is_compared_in_full_once_then_updated(tmp_path, how):
    """An update decides pairs with an unchanged claim from the rank bits stored with
    the edges. A store written before they were kept (migration 8), or whose bits are
    unknown, gets one full pass instead of a wrong update, and updates after that."""
    rng = random.Random(11)
    vault = write_vault(tmp_path / "vault", {f"n{i:02d}.md": _note(rng, i) for i in range(30)})
    dbp = tmp_path / "s.db"
    _index(vault, dbp)
    db = open_db(dbp)
    if how == "migration":
        db.conn.execute("ALTER TABLE sim_edges DROP COLUMN ranks")
        db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    else:
        db.conn.execute("UPDATE sim_edges SET ranks = NULL")
    db.conn.commit()
    db.close()
    _edit(rng, vault, 0)
    _, events = _index(vault, dbp)
    assert any(m.startswith("comparing") for m in _messages(events))
    assert not any(m.startswith("compared") for m in _messages(events))
    fresh = tmp_path / "fresh0.db"
    _index(vault, fresh)
    _assert_same(_contents(dbp), _contents(fresh))
    _edit(rng, vault, 1)
    _, events = _index(vault, dbp)
    assert any(m.startswith("compared") for m in _messages(events))
    fresh = tmp_path / "fresh1.db"
    _index(vault, fresh)
    _assert_same(_contents(dbp), _contents(fresh))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidates_merged_in_sql_give_the_merge_of_every_notes_candidates(tmp_path, seed):
    """The update's concept merge reads each concept's candidates merged per id in SQL;
    for any set of ids it must give what the per-note candidates give: the same
    concepts (first spelling, variants, mentions, headings, acronyms folded) and the
    same candidate -> concept mapping."""
    from explorer.semantic.concepts import concept_mapping, vault_concepts
    from explorer.store.semantic import merged_candidates, note_concepts

    rng = random.Random(seed)
    vault = write_vault(tmp_path / "vault", {f"n{i:02d}.md": _note(rng, i) for i in range(40)})
    dbp = tmp_path / "s.db"
    _index(vault, dbp)
    db = open_db(dbp)
    try:
        every_id = sorted({r[0] for r in db.conn.execute("SELECT id FROM concepts")})
        for ids in (every_id, rng.sample(every_id, len(every_id) // 3)):
            per_note = note_concepts(db, ids)
            want = vault_concepts(per_note)
            inputs, spellings = merged_candidates(db, ids)
            got = vault_concepts([inputs])

            def rows(concepts):
                return [
                    (c.id, c.term, sorted(c.variants), len(c.claim_ids), c.in_heading)
                    for c in concepts
                ]

            assert rows(got) == rows(want)
            every = [c for concepts in per_note for c in concepts]
            assert concept_mapping(got, spellings) == concept_mapping(want, every)
            if ids is every_id:  # the cases that matter are there
                assert len(want) > 5 and any(c.in_heading for c in want)
                assert any(len(c.variants) > 1 for c in want)
    finally:
        db.close()
