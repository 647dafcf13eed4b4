"""The embedding model run by ONNX Runtime: tokenizers + onnxruntime + numpy, no torch.

An *ONNX model folder* is what ``explorer model export`` writes (see
:mod:`explorer.semantic.onnx_export`)::

    model.onnx              the transformer, returning last_hidden_state (fp32)
    model_int8.onnx         optional: the same, weights quantised per channel
    tokenizer.json          copied from the sentence-transformers folder
    sentence_bert_config.json, 1_Pooling/config.json, config.json, modules.json
    manifest.json           what it was made from (see MANIFEST)

:class:`OnnxEmbedder` reproduces what sentence-transformers does with the same
model: the tokenizer truncates at the model's ``max_seq_length`` (256 for
all-MiniLM-L6-v2, where the shipped ``tokenizer.json`` itself says 128) and pads to
the longest text of a batch, batches are sorted by length, the token vectors are
mean-pooled over the attention mask and every row is L2-normalised. Its fp32 vectors
agree with the torch model's to ~1e-7, so its ``name`` (the vector cache's key) is
the torch embedder's: switching runtime on a store re-embeds nothing. The int8 model
is a different identity (``<name>+int8``): its vectors differ by a few percent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from explorer.semantic.embedder import EmbedderError

MANIFEST = "manifest.json"
FP32_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"
INT8_SUFFIX = "+int8"
# Files besides the ONNX graphs that an ONNX model folder carries.
TOKENIZER_FILE = "tokenizer.json"
FORMAT_VERSION = 1
# Padded tokens per batch at most (see token_batches); 512 measured fastest on the
# swyx claims against 256, 384, 768, 1024 and no cap (docs/BENCHMARKS.md).
BATCH_TOKENS = 512


def is_onnx_dir(path: Path) -> bool:
    """True when ``path`` holds an exported model (a manifest and at least one graph)."""
    return (path / MANIFEST).is_file() and (
        (path / FP32_FILE).is_file() or (path / INT8_FILE).is_file()
    )


def read_manifest(path: Path) -> dict:
    """The folder's manifest, checked; :class:`EmbedderError` naming the file otherwise."""
    f = path / MANIFEST
    try:
        manifest = json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EmbedderError(f"not an exported ONNX model folder (no {MANIFEST}): {path}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise EmbedderError(f"corrupt ONNX model manifest {f}: {exc}") from exc
    missing = [k for k in ("name", "dim", "max_seq_length") if k not in manifest]
    if not isinstance(manifest, dict) or missing:
        raise EmbedderError(f"ONNX model manifest {f} lacks {', '.join(missing) or 'fields'}")
    if int(manifest.get("format", 1)) > FORMAT_VERSION:
        raise EmbedderError(
            f"ONNX model folder {path} was written by a newer explorer (format "
            f"{manifest['format']}); export it again with this version"
        )
    return manifest


def default_threads() -> int:
    """Intra-op threads: the cores this process may run on (what torch would use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling: the average of the unmasked token vectors."""
    m = mask[:, :, None].astype(np.float32)
    summed = (hidden * m).sum(axis=1)
    counts = np.clip(m.sum(axis=1), 1e-9, None)
    return summed / counts


def l2_normalise(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length the way torch's ``F.normalize`` does (eps 1e-12)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class OnnxEmbedder:
    """An exported sentence-transformers model run by ONNX Runtime.

    ``OnnxEmbedder(folder)`` runs ``model.onnx`` of an ONNX model folder,
    ``OnnxEmbedder(folder, int8=True)`` its ``model_int8.onnx``. A batch holds at most
    64 texts and 512 padded tokens (:func:`token_batches`): ONNX Runtime on CPU runs
    small batches fast per text, and a token cap keeps the long tail from padding
    short claims (measured on real claims, docs/BENCHMARKS.md). Nothing
    heavy is done until the first :meth:`encode` (or :meth:`load`): the session
    starts in ~0.2 s. ``source`` is what the store records as the model's origin (``""`` for
    the shipped model).
    """

    runtime = "onnx"

    def __init__(
        self,
        folder: str | os.PathLike,
        *,
        int8: bool = False,
        batch_size: int = 64,
        batch_tokens: int = BATCH_TOKENS,
        threads: int | None = None,
        source: str | None = None,
    ) -> None:
        self.path = Path(folder).expanduser().resolve()
        if not self.path.is_dir():
            raise EmbedderError(f"ONNX model folder not found: {self.path}")
        self.manifest = read_manifest(self.path)
        self.int8 = int8
        self.file = self.path / (INT8_FILE if int8 else FP32_FILE)
        if not self.file.is_file():
            what = "an int8 model (export it with --int8)" if int8 else "an fp32 model"
            raise EmbedderError(f"ONNX model folder {self.path} has no {what}: {self.file.name}")
        if not (self.path / TOKENIZER_FILE).is_file():
            raise EmbedderError(f"ONNX model folder {self.path} has no {TOKENIZER_FILE}")
        self.name = str(self.manifest["name"]) + (INT8_SUFFIX if int8 else "")
        self.dim = int(self.manifest["dim"])
        self.max_seq_length = int(self.manifest["max_seq_length"])
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.threads = threads or default_threads()
        self.source = source if source is not None else str(self.path)
        self.device = "cpu"
        self.calls = 0
        # onnxruntime.InferenceSession and tokenizers.Tokenizer, imported on first use.
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: list[str] = []

    def load(self):
        """Start the ONNX Runtime session and the tokenizer (once)."""
        if self._session is not None:
            return self._session
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderError(
                f"onnxruntime and tokenizers are needed to run {self.file}: {exc}"
            ) from exc
        try:
            tokenizer = Tokenizer.from_file(str(self.path / TOKENIZER_FILE))
        except Exception as exc:  # the Rust library raises its own exception type
            raise EmbedderError(f"corrupt tokenizer {self.path / TOKENIZER_FILE}: {exc}") from exc
        # sentence-transformers truncates at max_seq_length whatever tokenizer.json says,
        # and pads each batch to its longest text (we pad ourselves, per batch).
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        tokenizer.no_padding()
        pad = self.manifest.get("pad_token_id")
        self._pad_id = int(pad) if pad is not None else (tokenizer.token_to_id("[PAD]") or 0)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3  # warnings about unused initialisers are noise to a user
        try:
            session = ort.InferenceSession(
                str(self.file), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise EmbedderError(f"could not load the ONNX model {self.file}: {exc}") from exc
        self._inputs = [i.name for i in session.get_inputs()]
        self._tokenizer = tokenizer
        self._session = session
        return session

    def _run(self, encodings) -> np.ndarray:
        """One padded batch through the graph; pooled, not yet normalised."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n] = e.ids
            mask[row, :n] = 1
            types[row, :n] = e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._session.run(None, {k: feeds[k] for k in self._inputs})[0]
        return mean_pool(hidden, mask)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in length-sorted batches."""
        texts = [str(t) for t in texts]
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self.load()
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        # Longest first, as sentence-transformers does: similar lengths share a batch, so
        # little is padded, and a batch's cost is known early.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        lengths = [len(encodings[i].ids) for i in order]
        for start, stop in token_batches(lengths, self.batch_size, self.batch_tokens):
            rows = order[start:stop]
            out[rows] = self._run([encodings[i] for i in rows])
        return np.ascontiguousarray(l2_normalise(out), dtype=np.float32)


def token_batches(lengths: Sequence[int], most: int, tokens: int) -> list[tuple[int, int]]:
    """(start, stop) of each batch over ``lengths`` sorted longest first: at most
    ``most`` texts, and no more than ``tokens`` padded tokens unless one text is longer.

    Claims are short (half are under 13 tokens) with a long tail: a fixed count of 32
    pads a batch that starts with a 200-token text to 200 for all 32. Capping padded
    tokens keeps the tail's batches small and the short texts' batches full.
    """
    out, start, n = [], 0, len(lengths)
    while start < n:
        fit = max(1, tokens // max(1, lengths[start]))
        stop = min(n, start + min(most, fit))
        out.append((start, stop))
        start = stop
    return out
