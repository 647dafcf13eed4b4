"""The ONNX Runtime embedder: the same vectors as sentence-transformers, without torch.

The real exported model comes from the session fixture ``onnx_model`` (tests/conftest.py),
exported once per machine. Tests that load the torch model as well are marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.core.parse import parse_note
from explorer.resources import sample_vault
from explorer.semantic.embedder import Embedder, EmbedderError, default_model_dir
from explorer.semantic.models import (
    ExportingEmbedder,
    make_embedder,
    model_status,
    runtime_choice,
)
from explorer.semantic.onnx_embedder import (
    INT8_SUFFIX,
    OnnxEmbedder,
    l2_normalise,
    mean_pool,
    read_manifest,
    token_batches,
)

REPO = Path(__file__).resolve().parents[2]
# Over 256 word pieces: sentence-transformers truncates it at 256 (tokenizer.json says 128).
LONG = " ".join(
    f"Claim {i}: retrieval augmented generation grounds the answer in cited passages."
    for i in range(30)
)
MIDDLE = " ".join(LONG.split()[:110])  # between 128 and 256 word pieces
SHORT = ["hi", "LLMs cannot plan.", "", "Transformers attend to every token."]


def sample_claims() -> list[str]:
    texts = []
    for p in sorted(sample_vault().rglob("*")):
        if p.suffix in (".md", ".txt") and p.is_file():
            note = parse_note(p.read_text(encoding="utf-8"), p.name)
            texts += [c.text for c in note.claims]
    return texts


def test_mean_pool_ignores_padding_and_l2_normalise_makes_unit_rows():
    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]], dtype=np.int64)
    pooled = mean_pool(hidden, mask)
    assert np.allclose(pooled, [[2.0, 2.0]])
    unit = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    assert np.allclose(unit, [[0.6, 0.8], [0.0, 0.0]])  # a zero row stays zero, no NaN


def test_token_batches_cap_texts_and_padded_tokens_and_cover_every_text_once():
    lengths = [300, 200, 120, 60, 60, 30] + [12] * 100 + [3] * 10
    batches = token_batches(lengths, 64, 512)
    # Contiguous, in order, every text once.
    assert [b[0] for b in batches] == [0] + [b[1] for b in batches[:-1]]
    assert batches[-1][1] == len(lengths)
    for start, stop in batches:
        assert stop - start <= 64
        # Padded to the batch's first (longest) text: within the cap, or a lone text.
        assert lengths[start] * (stop - start) <= 512 or stop - start == 1
    # The long tail in small batches (300 alone, 200 with 120, 60 with seven more);
    # 12-token claims 42 at a time (512 // 12), the last batch topped up with 3s.
    assert batches == [(0, 1), (1, 3), (3, 11), (11, 53), (53, 95), (95, 116)]
    assert token_batches([], 64, 512) == []


@given(st.lists(st.integers(1, 600), max_size=300), st.integers(1, 80), st.integers(1, 2048))
def test_token_batches_any_lengths(raw, most, tokens):
    lengths = sorted(raw, reverse=True)
    batches = token_batches(lengths, most, tokens)
    assert [i for a, b in batches for i in range(a, b)] == list(range(len(lengths)))
    assert all(0 < b - a <= most for a, b in batches)
    assert all(lengths[a] * (b - a) <= tokens or b - a == 1 for a, b in batches)


def test_exported_model_embeds_by_meaning_in_any_batch_order_without_torch(onnx_model):
    # Not slow: once exported, the ONNX model loads in well under a second.
    code = (
        "import sys, json, numpy as np\n"
        "from explorer.semantic.onnx_embedder import OnnxEmbedder\n"
        f"e = OnnxEmbedder({str(onnx_model)!r})\n"
        "texts = ['LLMs cannot be made factual.', 'Language models will never be reliably "
        "truthful.', 'My cat sleeps on the sofa.', " + repr(LONG) + ", '']\n"
        "v = e.encode(texts)\n"
        "small = OnnxEmbedder(e.path, batch_size=2).encode(texts[::-1])[::-1]\n"
        "print(json.dumps({'shape': v.shape, 'dtype': str(v.dtype), "
        "'norms': np.linalg.norm(v[:4], axis=1).tolist(), 'near': float(v[0] @ v[1]), "
        "'far': float(v[0] @ v[2]), 'batch_diff': float(abs(v - small).max()), "
        "'one': float(abs(e.encode(texts[:1])[0] - v[0]).max()), 'name': e.name, "
        "'empty': e.encode([]).shape, "
        "'heavy': [m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["shape"] == [5, 384] and r["dtype"] == "float32" and r["empty"] == [0, 384]
    assert np.allclose(r["norms"], 1.0, atol=1e-5)
    assert r["near"] > r["far"] + 0.2
    assert r["batch_diff"] < 1e-5 and r["one"] < 1e-5  # padding never leaks into a vector
    assert r["name"] == Embedder().name and r["name"].startswith("all-MiniLM-L6-v2@")
    assert r["heavy"] == []


@pytest.mark.slow
def test_onnx_vectors_agree_with_sentence_transformers(onnx_model):
    claims = sample_claims()
    assert len(claims) > 100
    texts = claims + SHORT + [MIDDLE, LONG]
    onnx = OnnxEmbedder(onnx_model)
    onnx.load()
    tokens = [len(e.ids) for e in onnx._tokenizer.encode_batch([MIDDLE, LONG])]
    assert 128 < tokens[0] < 256 and tokens[1] == 256  # the long one was cut at 256, not 128
    torch_model = Embedder()
    a, b = onnx.encode(texts), torch_model.encode(texts)
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.9999, [texts[i][:60] for i in np.argsort(cos)[:3]]
    assert onnx.name == torch_model.name  # the same cache identity
    # The same neighbours: top-10 of a few claims as queries.
    m = a[: len(claims)] @ a[: len(claims)].T
    t = b[: len(claims)] @ b[: len(claims)].T
    for q in range(0, len(claims), 17):
        top_a = set(np.argsort(-m[q])[:10])
        top_t = set(np.argsort(-t[q])[:10])
        assert len(top_a & top_t) >= 9
    # int8 (per channel): close, but a different identity.
    q8 = OnnxEmbedder(onnx_model, int8=True)
    c8 = (q8.encode(texts) * b).sum(axis=1)
    assert c8.min() > 0.9 and c8.mean() > 0.98
    assert q8.name == torch_model.name + INT8_SUFFIX


def test_manifest_and_folder_errors_name_the_file(tmp_path, onnx_model):
    with pytest.raises(EmbedderError, match="not found"):
        OnnxEmbedder(tmp_path / "nowhere")
    with pytest.raises(EmbedderError, match=r"no manifest\.json"):
        OnnxEmbedder(tmp_path)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(EmbedderError, match=r"corrupt ONNX model manifest .*manifest\.json"):
        read_manifest(bad)
    copy = tmp_path / "copy"
    shutil.copytree(onnx_model, copy, ignore=shutil.ignore_patterns("model_int8.onnx"))
    with pytest.raises(EmbedderError, match="--int8"):
        OnnxEmbedder(copy, int8=True)
    (copy / "model.onnx").write_bytes(b"\0" * 100)
    with pytest.raises(EmbedderError, match=str(copy / "model.onnx")):
        OnnxEmbedder(copy).encode(["a claim"])


def test_runtime_choice_keeps_an_int8_store_int8_and_rejects_unknown(monkeypatch):
    monkeypatch.delenv("EXPLORER_RUNTIME", raising=False)
    assert runtime_choice(None, "") == "auto"
    assert runtime_choice(None, "all-MiniLM-L6-v2@abc" + INT8_SUFFIX) == "onnx-int8"
    assert runtime_choice("torch", "x" + INT8_SUFFIX) == "torch"
    monkeypatch.setenv("EXPLORER_RUNTIME", "onnx")
    assert runtime_choice(None, "x" + INT8_SUFFIX) == "onnx"
    monkeypatch.setenv("EXPLORER_RUNTIME", "tensorflow")
    with pytest.raises(EmbedderError, match="tensorflow"):
        runtime_choice(None)


def test_make_embedder_picks_the_runtime_from_files_alone(onnx_model, tmp_path, monkeypatch):
    default = make_embedder("default", "auto")
    assert isinstance(default, OnnxEmbedder) and default.source == ""
    assert make_embedder("default", "onnx-int8").name == default.name + INT8_SUFFIX
    assert isinstance(make_embedder("default", "torch"), Embedder)
    given = make_embedder(str(onnx_model), "onnx")
    assert isinstance(given, OnnxEmbedder) and given.source == str(onnx_model)
    with pytest.raises(EmbedderError, match="--runtime torch"):
        make_embedder(str(onnx_model), "torch")
    # No ONNX form yet: exported on first use, under the torch model's name, so a store
    # whose vectors are all cached never pays for the export.
    monkeypatch.setenv("EXPLORER_MODELS_DIR", str(tmp_path / "models"))
    pending = make_embedder("default", "onnx")
    assert isinstance(pending, ExportingEmbedder) and pending.name == default.name
    assert not (tmp_path / "models").exists()
    assert model_status("default", "onnx") == (True, "")


def test_neither_form_is_named_by_every_runtime(tmp_path):
    junk = tmp_path / "not-a-model"
    junk.mkdir()
    (junk / "notes.txt").write_text("hello", encoding="utf-8")
    for runtime in ("auto", "onnx", "torch"):
        with pytest.raises(EmbedderError, match="neither a sentence-transformers") as info:
            make_embedder(str(junk), runtime)
        assert str(junk) in str(info.value)
        ok, why = model_status(str(junk), runtime)
        assert not ok and str(junk) in why


def test_auto_does_not_import_torch_to_look_for_cuda():
    code = (
        "import sys\n"
        "from explorer.semantic.models import cuda_torch_available\n"
        "print(cuda_torch_available(), 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=dict(os.environ),
    )
    assert out.returncode == 0, out.stderr
    import importlib.util
    import re

    spec = importlib.util.find_spec("torch")
    version = Path(spec.origin).parent / "version.py" if spec else None
    if version is None or re.search(r"^cuda\b[^=\n]*=\s*None", version.read_text(), re.M):
        # No torch, or a CPU build: decided from files, torch never imported.
        assert out.stdout.split() == ["False", "False"]


def test_default_model_dir_is_what_the_manifest_names(onnx_model):
    manifest = read_manifest(onnx_model)
    assert Path(manifest["source"]) == default_model_dir()
    assert manifest["opset"] == 17 and manifest["dim"] == 384
    assert manifest["max_seq_length"] == 256 and manifest["pooling"] == "mean"
    assert {"torch", "transformers", "onnxruntime"} <= set(manifest["versions"])


def test_a_frozen_build_runs_its_bundled_onnx_model(onnx_model, tmp_path, monkeypatch):
    """In the PyInstaller bundle the shipped model is <bundle>/models/all-MiniLM-L6-v2-onnx;
    it is used even when the sentence-transformers folder is not shipped at all."""
    from explorer.semantic import models

    bundle = tmp_path / "_internal"
    target = bundle / models.BUNDLED_DIR
    shutil.copytree(onnx_model, target, ignore=shutil.ignore_patterns("model_int8.onnx"))
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    def no_package():
        raise EmbedderError("the default embedding model package is not installed")

    monkeypatch.setattr(models, "default_model_dir", no_package)
    e = make_embedder("default", "auto")
    assert isinstance(e, OnnxEmbedder) and e.path == target and e.source == ""
    assert e.name == read_manifest(onnx_model)["name"]
    assert model_status("default", "auto") == (True, "")
    assert e.encode(["a claim"]).shape == (1, 384)
    with pytest.raises(EmbedderError, match="not installed"):
        make_embedder("default", "torch")


def test_bundle_datas_ship_the_fp32_model_where_the_frozen_build_looks(onnx_model):
    from explorer.semantic.models import BUNDLED_DIR, bundle_datas

    pairs = bundle_datas(export=False)
    shipped = {Path(dest) / Path(src).name for src, dest in pairs}
    assert BUNDLED_DIR / "model.onnx" in shipped and BUNDLED_DIR / "manifest.json" in shipped
    assert BUNDLED_DIR / "tokenizer.json" in shipped
    assert BUNDLED_DIR / "1_Pooling" / "config.json" in shipped
    assert not any(p.name == "model_int8.onnx" for p in shipped)
    assert all(Path(src).is_file() and Path(src).is_relative_to(onnx_model) for src, _ in pairs)


def test_a_model_the_onnx_path_cannot_reproduce_is_refused_by_name(tmp_path):
    from explorer.semantic.onnx_export import export_plan

    model = tmp_path / "with-dense"
    src = default_model_dir()
    for rel in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        (model / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / rel, model / rel)
    modules = json.loads((src / "modules.json").read_text(encoding="utf-8"))
    modules.append(
        {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}
    )
    (model / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    with pytest.raises(EmbedderError, match=r"with-dense.*Dense.*--runtime torch"):
        export_plan(model)
    ok, why = model_status(str(model), "onnx")
    assert not ok and "Dense" in why


@pytest.mark.slow
def test_a_model_without_an_onnx_form_is_exported_on_first_use(onnx_model, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_MODELS_DIR", str(tmp_path / "models"))
    said: list[str] = []
    from explorer.semantic import models

    pending = make_embedder("default", "onnx", say=said.append)
    assert isinstance(pending, models.ExportingEmbedder) and said == []
    v = pending.encode(["LLMs cannot plan.", LONG])
    assert any("exporting" in s for s in said)  # the user is told why the first use is slow
    folder = models.find_onnx(default_model_dir())
    assert folder is not None and folder.parent == tmp_path / "models"
    reference = OnnxEmbedder(onnx_model).encode(["LLMs cannot plan.", LONG])
    assert np.abs(v - reference).max() < 1e-5
    # The next process finds it: no export again.
    assert isinstance(make_embedder("default", "onnx"), OnnxEmbedder)
