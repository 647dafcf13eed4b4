import json
import subprocess
import sys

import numpy as np
import pytest

from explorer.semantic.embedder import Embedder, EmbedderError, HashingEmbedder, default_model_dir
from explorer.semantic.vectors import content_hash, pack_vector, unpack_matrix, unpack_vector


def test_content_hash_ignores_whitespace_but_not_words():
    assert content_hash("LLMs  cannot\nplan.") == content_hash(" LLMs cannot plan. ")
    assert content_hash("LLMs cannot plan.") != content_hash("LLMs can plan.")


def test_pack_round_trip_is_exact_float32():
    v = np.random.default_rng(0).normal(size=384).astype(np.float32)
    blob = pack_vector(v)
    assert len(blob) == 384 * 4
    assert np.array_equal(unpack_vector(blob, 384), v)
    m = unpack_matrix([blob, pack_vector(v * 2)], 384)
    assert m.shape == (2, 384) and np.allclose(m[1], v * 2)


def test_unpack_rejects_wrong_size():
    with pytest.raises(ValueError, match="expected 384"):
        unpack_vector(pack_vector(np.zeros(10, np.float32)), 384)
    with pytest.raises(ValueError, match="whole number"):
        unpack_vector(b"abc")


def test_hashing_embedder_is_deterministic_normalised_and_counts_calls():
    e = HashingEmbedder(dim=64)
    a = e.encode(["gradient descent is data hungry", "gradient descent is data hungry", "cats"])
    assert a.dtype == np.float32 and a.shape == (3, 64)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert np.array_equal(a[0], a[1])
    assert e.calls == 1 and e.texts_seen == 3


def test_missing_model_directory_names_the_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedderError, match="no-such-model"):
        Embedder(missing)


def test_directory_without_model_files_names_the_path(tmp_path):
    with pytest.raises(EmbedderError, match=str(tmp_path)):
        Embedder(tmp_path)


def test_corrupt_config_names_the_file(tmp_path):
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(EmbedderError, match="config.json"):
        Embedder(tmp_path)


def test_importing_the_embedder_does_not_import_torch():
    code = (
        "import sys\n"
        "from explorer.semantic import embedder, analyse, similarity\n"
        "e = embedder.Embedder()\n"  # constructing checks files and fingerprints, no import
        "print(e.name)\n"
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("all-MiniLM-L6-v2@")


@pytest.mark.slow
def test_corrupt_weights_raise_an_error_naming_the_path(tmp_path):
    src = default_model_dir()
    for f in src.rglob("*"):
        if f.is_file() and f.suffix != ".safetensors":
            dest = tmp_path / f.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 1000)
    with pytest.raises(EmbedderError, match=str(tmp_path)):
        Embedder(tmp_path).encode(["hello"])


@pytest.mark.slow
def test_real_model_embeds_offline_normalised_and_by_meaning():
    e = Embedder()
    v = e.encode(
        [
            "LLMs cannot be made factual.",
            "Language models will never be reliably truthful.",
            "My cat sleeps on the sofa.",
        ]
    )
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert e.dim == 384 and e.name == Embedder().name
    assert e.encode([]).shape == (0, 384)
    cfg = json.loads((e.path / "config.json").read_text())
    assert cfg["hidden_size"] == 384
