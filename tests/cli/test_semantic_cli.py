"""The semantic layer from the command line: models, taxonomies, search modes, stats.

Fast tests embed with the hashing stand-in (conftest sets EXPLORER_MODEL=hashing);
the ``slow`` ones load the real all-MiniLM-L6-v2 from its package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, snapshot, write_vault

from explorer.cli import main
from explorer.resources import sample_vault
from explorer.semantic.embedder import default_model_dir

NOTES = {
    "Plans.md": "# Plans\n\nLarge language models cannot plan multi step tasks reliably.\n\n"
    "- LLMs memorize programs. Not sure about this anymore.\n"
    "- See the chain of thought paper (Wei et al., 2022).\n",
    "Other.md": "Transformers attend to every token. LLMs are big.\n",
}


@pytest.fixture
def vault(tmp_path):
    return write_vault(tmp_path / "vault", NOTES)


run = run_cli


def test_index_reports_kinds_annotations_and_the_model(vault, tmp_path, capsys):
    dbp = tmp_path / "s.db"
    code, out, err = run(capsys, "index", vault, "--db", dbp)
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "stats", "--db", dbp, "--json")
    n = json.loads(out)
    assert n["model"] == "hashing-384" and n["model_path"] == "hashing-384"
    assert n["claims_with_vectors"] == n["claims"] > 0
    assert sum(n["claims_by_kind"].values()) == n["claims"]
    assert n["annotations_by_stance"] == {"doubt": 1} and n["annotations"] == 1
    assert n["references"] >= 1 and set(n["edges_by_type"]) >= {"similar", "tension"}
    assert 0 <= n["low_confidence_share"] <= 1
    code, out, _ = run(capsys, "stats", "--db", dbp)
    assert "annotations 1  doubt 1" in out and "model      hashing-384" in out


def test_search_modes_and_json_hits(vault, tmp_path, capsys):
    dbp = tmp_path / "s.db"
    run(capsys, "index", vault, "--db", dbp)
    code, out, err = run(capsys, "search", "memorize programs", "--db", dbp, "--json")
    assert code == 0 and err == ""
    hits = json.loads(out)
    assert hits[0]["text"] == "LLMs memorize programs."
    assert set(hits[0]) == {"id", "text", "kind", "note", "line", "score", "snippet"}
    code, out, _ = run(capsys, "search", "memorize programs", "--db", dbp, "--semantic", "--json")
    best = json.loads(out)[0]
    assert best["text"] == "LLMs memorize programs." and "snippet" not in best
    assert 0.2 <= best["score"] <= 1.0
    code, out, _ = run(capsys, "search", "memorize", "--db", dbp, "--words")
    assert out == "Plans.md:5: LLMs [memorize] programs.\n"
    with pytest.raises(SystemExit) as exc:
        main(["search", "x", "--db", str(dbp), "--words", "--semantic"])
    assert exc.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_store_without_vectors_searches_words_and_says_so_once(vault, tmp_path, capsys):
    dbp = tmp_path / "s.db"
    code, _, err = run(capsys, "index", vault, "--db", dbp, "--no-embed")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "search", "memorize", "--db", dbp)
    assert code == 0 and out == "Plans.md:5: LLMs [memorize] programs.\n"
    assert err.count("\n") == 1 and "no claim vectors: searching by words only" in err
    code, _, err = run(capsys, "search", "memorize", "--db", dbp, "--semantic")
    assert code == 2 and "no claim vectors to search by meaning" in err
    code, out, _ = run(capsys, "stats", "--db", dbp, "--json")
    assert json.loads(out)["model"] == "" and json.loads(out)["claims_by_kind"]


@pytest.mark.parametrize("broken", ["missing", "corrupt"])
def test_a_missing_or_corrupt_model_is_named_and_the_word_index_still_built(
    vault, tmp_path, capsys, broken
):
    model = tmp_path / "my-model"
    if broken == "corrupt":
        model.mkdir()
        (model / "config.json").write_text('{"architectures": [', encoding="utf-8")
    dbp = tmp_path / "s.db"
    code, out, err = run(capsys, "index", vault, "--db", dbp, "--model", model)
    assert code == 4
    assert str(model) in err and "indexing without embeddings (kinds by rules only)" in err
    assert "2 notes" in out
    code, out, _ = run(capsys, "search", "memorize", "--db", dbp)
    assert code == 0 and out.startswith("Plans.md:5: ")
    code, out, _ = run(capsys, "stats", "--db", dbp, "--json")
    n = json.loads(out)
    assert n["model"] == "" and set(n["kind_sources"]) <= {"rule", "default"}


def test_a_taxonomy_error_names_its_line_and_writes_nothing(vault, tmp_path, capsys):
    bad = vault / ".explorer" / "taxonomy.toml"
    bad.parent.mkdir()
    bad.write_text('[[kind]]\nid = "claim"\nname = "Claim"\ncolour = "blue"\n', encoding="utf-8")
    before = snapshot(vault)
    dbp = tmp_path / "s.db"
    for command in ("index", "export"):
        extra = ["-f", "json", "-o", tmp_path / "g.json"] if command == "export" else []
        code, _, err = run(capsys, command, vault, "--db", dbp, *extra)
        assert code == 2
        assert f"{bad}, line " in err and "colour" in err
    assert not dbp.exists() and not (tmp_path / "g.json").exists()
    assert snapshot(vault) == before


def test_a_model_change_from_the_command_line(vault, tmp_path, capsys, monkeypatch):
    dbp = tmp_path / "s.db"
    run(capsys, "index", vault, "--db", dbp)
    code, _, err = run(capsys, "index", vault, "--db", dbp, "--model", "hashing-32")
    assert (code, err) == (0, "")
    n = json.loads(run(capsys, "stats", "--db", dbp, "--json")[1])
    assert n["model"] == "hashing-32" and n["vectors_cached"].keys() == {"hashing-32"}
    # The store remembers the choice: a later run without --model keeps it.
    monkeypatch.delenv("EXPLORER_MODEL")
    code, out, _ = run(capsys, "index", vault, "--db", dbp)
    assert code == 0 and "(0 read, 2 unchanged" in out
    code, out, _ = run(capsys, "search", "memorize programs", "--db", dbp, "--semantic")
    assert code == 0 and out.startswith("Plans.md:5: LLMs memorize programs.")


def test_commands_that_need_no_model_never_import_torch(vault, tmp_path):
    dbp = tmp_path / "s.db"
    code = (
        "import sys, contextlib, io\n"
        "from explorer.cli import main\n"
        "from explorer.store import open_db, set_meta\n"
        "def quiet(*argv):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        "        return main(list(argv))\n"
        f"db, vault = {str(dbp)!r}, {str(vault)!r}\n"
        "assert quiet('index', vault, '--db', db, '--no-embed') == 0\n"
        "assert quiet('stats', '--db', db) == 0\n"
        "assert quiet('search', 'memorize', '--db', db) == 0\n"
        "assert quiet('export', '--db', db, '-f', 'json', '-o', db + '.json') == 0\n"
        "# A store indexed with the real model: words search and stats still load nothing.\n"
        "store = open_db(db); set_meta(store, 'model', 'all-MiniLM-L6-v2@x'); store.close()\n"
        "assert quiet('search', 'memorize', '--db', db, '--words') == 0\n"
        "assert quiet('stats', '--db', db, '--json') == 0\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "EXPLORER_MODEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False False"


@pytest.mark.slow
def test_sample_vault_with_the_real_model(tmp_path, capsys):
    """End to end on data/sample-vault with all-MiniLM-L6-v2: the JSON export holds every
    layer, and search by meaning finds what words alone would not."""
    vault = sample_vault()
    before = snapshot(vault)
    dbp = tmp_path / "s.db"
    out_file = tmp_path / "sample.json"
    code, _, err = run(capsys, "export", vault, "--db", dbp, "-f", "json", "-o", out_file)
    assert code == 0, err
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["graph"]["model"].startswith("all-MiniLM-L6-v2@")
    nodes = {n["id"]: n for n in data["nodes"]}
    edges = data["edges"]
    anns = [n for n in nodes.values() if n["type"] == "annotation"]
    assert len(anns) >= 5 and {a["stance"] for a in anns} >= {"agree", "disagree", "doubt"}
    annotates = {e["source"]: e for e in edges if e["type"] == "annotates"}
    for a in anns:
        edge = annotates[a["id"]]
        assert nodes[edge["target"]]["type"] == "claim" and edge["stance"] == a["stance"]
    refs = [n for n in nodes.values() if n["type"] == "reference"]
    assert len(refs) >= 10 and any(n.get("url") for n in refs)
    assert any(e["type"] == "cites" and e["target"] == r["id"] for r in refs for e in edges)
    assert nodes["con:llm"]["type"] == "concept" and nodes["con:llm"]["label"] == "LLM"
    assert sum(e["type"] == "mentions" and e["target"] == "con:llm" for e in edges) >= 5
    similar = [e for e in edges if e["type"] == "similar"]
    assert len(similar) >= 10 and all(0.6 <= e["weight"] <= 1 for e in similar)
    claims = [n for n in nodes.values() if n["type"] == "claim"]
    assert all(n["kind_source"] in ("rule", "embedding", "default") for n in claims)
    assert {n["kind"] for n in claims} >= {"capability", "limitation", "question"}

    code, out, _ = run(
        capsys, "search", "can computers have feelings", "--db", dbp, "--semantic", "--json"
    )
    hits = json.loads(out)
    assert code == 0 and hits
    assert any("conscious" in h["text"].lower() for h in hits[:5])
    assert not any("feelings" in h["text"].lower() for h in hits[:5])  # meaning, not words
    assert snapshot(vault) == before


@pytest.mark.slow
def test_model_weights_that_fail_to_load_degrade_to_rules(vault, tmp_path, capsys):
    model = tmp_path / "broken-model"
    shutil.copytree(default_model_dir(), model)
    for weights in list(model.rglob("*.safetensors")) + list(model.rglob("*.bin")):
        weights.write_bytes(b"not a tensor file")
    dbp = tmp_path / "s.db"
    code, out, err = run(capsys, "index", vault, "--db", dbp, "--model", model)
    assert code == 4 and str(model) in err and "kinds by rules only" in err
    assert "2 notes" in out
    n = json.loads(run(capsys, "stats", "--db", dbp, "--json")[1])
    assert n["model"] == "" and n["claims"] > 0 and set(n["kind_sources"]) <= {"rule", "default"}
    assert not any(Path(p).is_relative_to(vault) for p in [dbp])
