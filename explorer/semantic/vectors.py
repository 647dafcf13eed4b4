"""Vectors as bytes, and the content hash they are cached under.

The store keeps one float32 blob per (model fingerprint, content hash): a claim whose
text did not change keeps its vector across re-indexes, and a changed text can never be
served a stale one because the hash, not the claim id, is the key.
"""

from __future__ import annotations

import hashlib
import unicodedata

import numpy as np


def normalise_text(text: str) -> str:
    """The form of a text that its hash is taken over: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(text: str) -> str:
    """A stable hex digest of a claim's text; whitespace-only edits do not change it."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


def pack_vector(vector: np.ndarray) -> bytes:
    """One vector as a little-endian float32 blob."""
    arr = np.asarray(vector, dtype="<f4")
    if arr.ndim != 1:
        raise ValueError(f"pack_vector expects a 1-d vector, got shape {arr.shape}")
    return arr.tobytes()


def unpack_vector(blob: bytes, dim: int | None = None) -> np.ndarray:
    """A blob from :func:`pack_vector` back as a float32 vector (a copy, writable)."""
    if len(blob) % 4:
        raise ValueError(f"vector blob of {len(blob)} bytes is not a whole number of float32s")
    arr = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    if dim is not None and arr.shape[0] != dim:
        raise ValueError(f"vector blob holds {arr.shape[0]} values, expected {dim}")
    return arr


def unpack_matrix(blobs: list[bytes], dim: int) -> np.ndarray:
    """Many blobs stacked into an (n, dim) float32 matrix in one allocation."""
    out = np.empty((len(blobs), dim), dtype=np.float32)
    for i, blob in enumerate(blobs):
        out[i] = unpack_vector(blob, dim)
    return out


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms
