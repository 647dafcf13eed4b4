"""`explorer correct`, `explorer review` and what `export --format json` says of a kind,
end to end on a real store (the hashing embedder stands in for the model)."""

from __future__ import annotations

import io
import json

import pytest
from helpers import write_vault

from explorer.app.review import ReviewQueue
from explorer.app.workspace import Workspace
from explorer.cli import main
from explorer.commands import review as review_cmd

NOTES = {
    "Abilities.md": "# What LLMs can do\n\nLLMs can translate between many languages.\n\n"
    "They cannot keep a plan over many steps.\n\nA conscious system would need a self-model.\n\n"
    "Is scale all you need?\n\nGPT-3 came out in 2020.\n",
    "Other.md": "# Other\n\nTransformers attend to every token.\n\nThey fail at long division.\n",
}


@pytest.fixture
def store(tmp_path, capsys):
    vault = write_vault(tmp_path / "vault", NOTES)
    db = tmp_path / "claims.db"
    assert main(["index", str(vault), "--db", str(db), "-q"]) == 0
    capsys.readouterr()
    return vault, db


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def claim_ids(vault, db) -> dict[str, str]:
    ws = Workspace(vault, db)
    try:
        return {t: i for i, t in ws.db().conn.execute("SELECT id, text FROM claims")}
    finally:
        ws.close()


def export_nodes(capsys, db, tmp_path) -> dict[str, dict]:
    out = tmp_path / "g.json"
    code, _, err = run(capsys, "export", "--db", db, "--format", "json", "-o", out)
    assert code == 0, err
    return {n["id"]: n for n in json.loads(out.read_text())["nodes"]}


def test_correct_sets_kind_hides_and_annotates_and_export_says_so(store, capsys, tmp_path):
    vault, db = store
    ids = claim_ids(vault, db)
    gpt3 = ids["GPT-3 came out in 2020."]
    before = export_nodes(capsys, db, tmp_path)[gpt3]
    assert before["kind_source"] in {"rule", "embedding", "default"}
    assert 0.0 < before["confidence"] < 1.0

    code, out, err = run(capsys, "correct", gpt3, "--db", db, "--kind", "capability")
    assert code == 0, err
    assert gpt3 in out and "capability" in out
    node = export_nodes(capsys, db, tmp_path)[gpt3]
    assert (node["kind"], node["kind_source"], node["confidence"]) == ("capability", "user", 1.0)

    div = ids["They fail at long division."]
    code, out, err = run(
        capsys,
        "correct",
        div,
        "--vault",
        vault,
        "--db",
        db,
        "--annotate",
        "too strong",
        "--stance",
        "doubt",
    )
    assert code == 0, err
    code, _, err = run(capsys, "correct", div, "--db", db, "--hide")
    assert code == 0, err
    nodes = export_nodes(capsys, db, tmp_path)
    assert div not in nodes
    assert not any(n.get("text") == "too strong" for n in nodes.values())  # hidden with it

    # Re-index (forced): every correction is still there.
    assert main(["index", str(vault), "--db", str(db), "-q", "--force"]) == 0
    capsys.readouterr()
    ws = Workspace(vault, db)
    try:
        assert ws.details(gpt3)["kind"] == "capability"
        assert ws.details(div)["hidden"] is True
        assert [a["text"] for a in ws.details(div)["annotations"]] == ["too strong"]
    finally:
        ws.close()


def test_correct_says_what_is_wrong(store, capsys):
    vault, db = store
    gpt3 = claim_ids(vault, db)["GPT-3 came out in 2020."]
    code, _, err = run(capsys, "correct", "clm:nope", "--db", db, "--kind", "capability")
    assert code == 2 and "no claim with id 'clm:nope'" in err
    code, _, err = run(capsys, "correct", gpt3, "--db", db, "--kind", "opinion")
    assert code == 2 and "unknown kind 'opinion'" in err and "capability" in err
    code, _, err = run(capsys, "correct", gpt3, "--db", db)
    assert code == 2 and "nothing to do" in err
    with pytest.raises(SystemExit) as exc:  # argparse rejects it before anything runs
        main(["correct", gpt3, "--db", str(db), "--annotate", "x", "--stance", "meh"])
    assert exc.value.code == 2 and "invalid choice: 'meh'" in capsys.readouterr().err
    code, _, err = run(capsys, "correct", gpt3, "--db", db.parent / "none.db", "--hide")
    assert code == 2 and "none.db" in err
    ws = Workspace(vault, db)
    try:  # nothing was written by the failed calls
        assert ws.db().conn.execute("SELECT COUNT(*) FROM user_kinds").fetchone()[0] == 0
    finally:
        ws.close()


def test_review_goes_least_certain_first_and_stores_answers(store, capsys, monkeypatch):
    vault, db = store
    ws = Workspace(vault, db)
    try:
        queue = ReviewQueue.for_workspace(ws)
        order = [i.confidence for i in queue.pending()]
        total = len(order)
        first, second, third = queue.pending()[:3]
    finally:
        ws.close()
    assert order == sorted(order) and total >= 6

    # skip the first, change the second to kind 2, accept the third, an unknown key, quit
    monkeypatch.setattr("sys.stdin", io.StringIO("s\n2\na\nx\nq\nnever read\n"))
    code, out, err = run(capsys, "review", "--db", db)
    assert code == 0, err
    assert f"0 of {total} reviewed" in out and f"2 of {total} reviewed" in out
    assert first.text in out and first.note in out
    assert "unknown key 'x'" in out
    assert "1 accepted, 1 changed, 1 skipped" in out

    ws = Workspace(vault, db)
    try:
        kinds = dict(ws.db().conn.execute("SELECT claim_id, kind FROM user_kinds"))
        assert kinds == {second.claim_id: ws.taxonomy().ids[1], third.claim_id: third.kind}
        # Never asked again; the skipped one is.
        again = [i.claim_id for i in ReviewQueue.for_workspace(ws).pending()]
        assert second.claim_id not in again and third.claim_id not in again
        assert first.claim_id in again and len(again) == total - 2
    finally:
        ws.close()


def test_review_ends_when_input_ends_or_nothing_is_left(store, capsys, monkeypatch):
    vault, db = store
    monkeypatch.setattr("sys.stdin", io.StringIO("a\n" * 100))
    code, out, _ = run(capsys, "review", "--db", db)
    assert code == 0 and "nothing left to review" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, _ = run(capsys, "review", "--db", db)
    assert code == 0 and "nothing left to review" in out


def test_review_session_respects_limit_and_shows_context(store):
    vault, db = store
    ws = Workspace(vault, db)
    try:
        queue = ReviewQueue.for_workspace(ws)
        out = io.StringIO()
        review_cmd.session(queue, iter(["a"] * 10), out, limit=2, context=1)
        text = out.getvalue()
        assert "2 of" in text and "2 accepted" in text
        assert " >" in text and " | " in text  # the claim's line among its neighbours
    finally:
        ws.close()


def test_bulk_kind_and_unknown_kind(store):
    vault, db = store
    ws = Workspace(vault, db)
    try:
        queue = ReviewQueue.for_workspace(ws)
        ids = [i.claim_id for i in queue.pending()[:3]]
        assert queue.set_kind_many(ids, "limitation") == 3
        assert not {i.claim_id for i in queue.pending()} & set(ids)
        assert all(ws.details(i)["kind"] == "limitation" for i in ids)
        with pytest.raises(ValueError, match="unknown kind"):
            queue.set_kind_many(ids, "nonsense")
        assert queue.progress() == (3, len(queue) + 3)
    finally:
        ws.close()


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a POSIX terminal")
def test_on_a_terminal_a_key_needs_no_enter(monkeypatch):
    import os
    import termios
    import threading

    master, slave = os.openpty()
    tty_in = os.fdopen(slave, "r", buffering=1)
    try:
        before = termios.tcgetattr(slave)
        monkeypatch.setattr("sys.stdin", tty_in)
        keys = review_cmd.read_key()
        # Typed after the session started, with no Enter: each key arrives alone.
        typist = threading.Timer(0.2, os.write, (master, b"a2s"))
        typist.start()
        got = [next(keys), next(keys), next(keys)]
        typist.join()
        assert got == ["a", "2", "s"]
        keys.close()
        assert termios.tcgetattr(slave) == before  # the terminal is left as it was
    finally:
        tty_in.close()
        os.close(master)
