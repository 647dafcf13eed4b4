"""Model runtimes from the command line: ``explorer model export|path``, ``--runtime``,
no torch on any command's path once the ONNX form exists, and a store's vectors kept
when the runtime changes.

The shipped model's ONNX form comes from the session fixture ``onnx_model``
(tests/conftest.py). Tests that load torch are marked slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import snapshot, write_vault

from explorer.cli import main
from explorer.indexing.events import Summary
from explorer.indexing.pipeline import index_vault
from explorer.indexing.stages import SemanticIndex
from explorer.resources import sample_vault
from explorer.semantic.embedder import Embedder
from explorer.semantic.models import make_embedder
from explorer.semantic.onnx_embedder import INT8_SUFFIX, OnnxEmbedder, read_manifest
from explorer.store import open_db
from explorer.store.meta import get_meta
from explorer.store.vectors import cache_counts

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "transformers")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_model_path_finds_the_export_and_export_is_a_no_op_when_up_to_date(onnx_model, capsys):
    code, out, _ = run(capsys, "model", "path")
    assert code == 0 and Path(out.strip()) == onnx_model
    code, out, err = run(capsys, "model", "export", "--int8")
    assert code == 0 and Path(out.strip()) == onnx_model and "up to date" in err
    code, out, err = run(capsys, "model", "export", "--model", onnx_model)
    assert code == 0 and "already an ONNX model folder" in err


def test_model_commands_name_a_folder_that_is_neither_form(tmp_path, capsys):
    junk = tmp_path / "my-model"
    junk.mkdir()
    (junk / "weights.bin").write_bytes(b"\0" * 10)
    for argv in (("model", "export", "--model", junk), ("model", "path", "--model", junk)):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        assert str(junk) in err and "neither a sentence-transformers" in err
    code, _, err = run(capsys, "model", "export", "--model", tmp_path / "missing")
    assert code == 2 and str(tmp_path / "missing") in err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "model", "export", "--out", busy)
    assert code == 2 and str(busy) in err and "holds something else" in err
    assert (busy / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_model_path_without_an_export_says_where_it_would_go(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EXPLORER_MODELS_DIR", str(tmp_path / "models"))
    code, out, err = run(capsys, "model", "path")
    assert code == 1 and out == "" and str(tmp_path / "models") in err
    assert "explorer model export" in err


def test_index_with_a_folder_that_is_neither_form_falls_back_to_words(tmp_path, capsys):
    vault = write_vault(tmp_path / "v", {"a.md": "LLMs cannot plan.\n"})
    junk = tmp_path / "junk"
    junk.mkdir()
    code, _, err = run(capsys, "index", vault, "--db", tmp_path / "s.db", "--model", junk)
    assert code == 4 and str(junk) in err and "without embeddings" in err


SCRIPT = r"""
import contextlib, io, json, sys
from explorer.cli import main
argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(argv)
print(json.dumps({"code": code, "out": out.getvalue(),
                  "modules": sorted(m.split(".")[0] for m in sys.modules)}))
"""


def cli_in_subprocess(argv, env):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps([str(a) for a in argv])],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["err"] = done.stderr
    return result


def test_no_command_imports_torch_when_the_onnx_model_is_there(onnx_model, tmp_path):
    """index, search (hybrid and by meaning), export, stats and gui, each in a fresh
    process on the sample vault with the real model: ONNX Runtime embeds, torch stays out."""
    vault = sample_vault()
    before = snapshot(vault)
    env = {k: v for k, v in os.environ.items() if k not in ("EXPLORER_MODEL", "EXPLORER_RUNTIME")}
    env.update(
        EXPLORER_DATA_DIR=str(tmp_path / "data"),
        EXPLORER_MODELS_DIR=str(onnx_model.parent),
        QT_QPA_PLATFORM="offscreen",
    )
    db = tmp_path / "s.db"
    runs = {
        "index": ["index", vault, "--db", db, "-q"],
        "search": ["search", "can a model plan", "--db", db, "--json"],
        "semantic": ["search", "can a model plan", "--db", db, "--semantic", "--json"],
        "export": ["export", vault, "--db", db, "-f", "json", "-o", tmp_path / "g.json", "-q"],
        "stats": ["stats", "--db", db, "--json"],
        # A fresh store: the window indexes (embedding every claim) before its screenshot.
        "gui": ["gui", vault, "--db", tmp_path / "gui.db", "--screenshot", tmp_path / "w.png"],
    }
    results = {name: cli_in_subprocess(argv, env) for name, argv in runs.items()}
    for name, r in results.items():
        assert r["code"] == 0, (name, r["err"])
        assert not set(HEAVY) & set(r["modules"]), (name, set(HEAVY) & set(r["modules"]))
    for name in ("index", "search", "semantic", "gui"):  # these really embedded
        assert "onnxruntime" in results[name]["modules"], name
    stats = json.loads(results["stats"]["out"])
    assert stats["model"] == read_manifest(onnx_model)["name"]
    assert stats["claims_with_vectors"] == stats["claims"] > 100
    hits = json.loads(results["semantic"]["out"])
    assert hits and any("plan" in h["text"].lower() for h in hits[:5])
    assert (tmp_path / "w.png").is_file()
    gui_db = open_db(tmp_path / "gui.db", create=False)
    try:
        assert get_meta(gui_db, "model") == stats["model"]
    finally:
        gui_db.close()
    assert snapshot(vault) == before


def _index(vault, db, embedder, force=False):
    semantic = SemanticIndex(vault, embedder=embedder)
    notes, vaults = semantic.stages()
    summary = None
    for event in index_vault(vault, db, note_stages=notes, vault_stages=vaults, force=force):
        if isinstance(event, Summary):
            summary = event
    assert summary is not None and summary.errors == 0
    return semantic.cache.encoded


@pytest.mark.slow
def test_switching_runtime_re_embeds_nothing_and_int8_is_its_own_model(onnx_model, tmp_path):
    vault = sample_vault()
    db = tmp_path / "s.db"
    torch_model = make_embedder("default", "torch")
    assert isinstance(torch_model, Embedder)
    assert _index(vault, db, torch_model) > 100
    store = open_db(db)
    try:
        counts_before = cache_counts(store)
        model = get_meta(store, "model")
    finally:
        store.close()
    onnx = make_embedder("default", "onnx")
    assert isinstance(onnx, OnnxEmbedder) and onnx.name == model
    assert _index(vault, db, onnx, force=True) == 0  # every text found in the cache
    store = open_db(db)
    try:
        assert cache_counts(store) == counts_before
        assert get_meta(store, "model") == model and get_meta(store, "model_path") == ""
    finally:
        store.close()
    # int8 is a separate identity: it embeds everything again and becomes the model.
    int8 = make_embedder("default", "onnx-int8")
    assert _index(vault, db, int8, force=True) > 100
    store = open_db(db)
    try:
        assert get_meta(store, "model") == model + INT8_SUFFIX
    finally:
        store.close()
    # Without --runtime, the store's int8 model is kept (and searched with int8).
    code = main(["search", "can a model plan", "--db", str(db), "--semantic"])
    assert code == 0


@pytest.mark.slow
def test_export_command_end_to_end_into_a_folder(tmp_path):
    out = tmp_path / "exported"
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "model", "export", "--int8", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == out and "exporting" in done.stderr
    assert {p.name for p in out.iterdir()} >= {
        "model.onnx",
        "model_int8.onnx",
        "tokenizer.json",
        "sentence_bert_config.json",
        "manifest.json",
        "1_Pooling",
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no work folder left
    manifest = read_manifest(out)
    assert manifest["name"] == Embedder().name and manifest["opset"] == 17
    # The folder is a model of its own: --model accepts it, and nothing needs torch.
    vault = write_vault(tmp_path / "v", {"a.md": "LLMs cannot plan.\n\nCats sleep a lot.\n"})
    env = {k: v for k, v in os.environ.items() if k != "EXPLORER_MODEL"}
    env["EXPLORER_DATA_DIR"] = str(tmp_path / "data")
    r = cli_in_subprocess(["index", vault, "--db", tmp_path / "s.db", "--model", out], env)
    assert r["code"] == 0 and not set(HEAVY) & set(r["modules"])
    r = cli_in_subprocess(["stats", "--db", tmp_path / "s.db", "--json"], env)
    stats = json.loads(r["out"])
    assert stats["model"] == manifest["name"] and stats["model_path"] == str(out)
