"""Hashed features and logistic regression, stored as plain arrays (``numpy.savez``, no pickle).

A feature row is a pair of dicts: *grams* (lemma n-grams, character n-grams; binary) and
*side* features (rule scores, keyword hits; used as they are). A model may weight the grams by
their inverse document frequency on its training data and scale each row's grams to unit
length (TF-IDF with binary term frequency, as scikit-learn's ``TfidfTransformer``), so long and
short comments weigh alike; the IDF weights are stored with the model's arrays.

Training uses scikit-learn; prediction is one sparse matrix product, so a stored model loads
without unpickling anything and scores thousands of comments per second."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

N_FEATURES = 2**18

Features = tuple[dict[str, float], dict[str, float]]  # (grams, side)


def char_grams(words: Sequence[str], into: dict[str, float]) -> None:
    """Character 2–5-grams of each word padded with spaces (scikit-learn's ``char_wb``), marked
    with ``#``: they carry typos, compounds and inflections a lemma misses."""
    for word in words:
        if word[:1].isalpha():
            into.update(word_grams(word))


@lru_cache(maxsize=200_000)
def word_grams(word: str, low: int = 2, high: int = 5) -> dict[str, float]:
    padded = " " + word + " "
    size = len(padded)
    return {
        "#" + padded[i : i + n]: 1.0
        for n in range(low, min(high, size) + 1)
        for i in range(size - n + 1)
    }


@lru_cache(maxsize=1)
def _hasher() -> Any:
    # imported on first use: scikit-learn takes most of a second to import, and every process
    # that starts Django imports this module, most of them never to hash a comment
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)


def hashed(rows: Sequence[dict[str, float]]) -> sparse.csr_matrix:
    return _hasher().transform(rows).tocsr()


@dataclass
class Rows:
    """Hashed feature rows: the binary grams and the side features, apart until weighted, and
    optionally a dense block (the sentence embeddings, one row each)."""

    grams: sparse.csr_matrix
    side: sparse.csr_matrix
    dense: np.ndarray | None = None

    @classmethod
    def of(cls, rows: Sequence[Features], dense: np.ndarray | None = None) -> Rows:
        grams = hashed([row[0] for row in rows])
        grams.data[:] = 1.0
        if dense is not None and len(dense) != len(rows):
            raise ValueError("one dense row per feature row")
        return cls(grams, hashed([row[1] for row in rows]), dense)

    def take(self, index: np.ndarray) -> Rows:
        dense = None if self.dense is None else self.dense[index]
        return Rows(self.grams[index], self.side[index], dense)

    def __len__(self) -> int:
        return int(self.grams.shape[0])


@dataclass
class Weighting:
    """IDF per hashed gram column (``default`` for grams never seen in training) and whether
    each row's grams are scaled to unit length. ``Weighting()`` leaves the grams binary."""

    columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    default: float = 1.0
    idf: bool = False
    normalise: bool = False
    _dense: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def fit(
        cls, grams: sparse.csr_matrix, *, idf: bool = True, normalise: bool = True
    ) -> Weighting:
        if not idf:
            return cls(normalise=normalise)
        n = grams.shape[0]
        df = np.bincount(grams.indices, minlength=N_FEATURES)
        columns = np.flatnonzero(df).astype(np.int32)
        # scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1
        values = (np.log((1.0 + n) / (1.0 + df[columns])) + 1.0).astype(np.float32)
        return cls(columns, values, float(np.log(1.0 + n) + 1.0), idf=True, normalise=normalise)

    def apply(self, rows: Rows) -> sparse.csr_matrix:
        grams = rows.grams
        if self.idf or self.normalise:
            grams = grams.astype(np.float32)  # a copy
        if self.idf:
            if self._dense is None:
                dense = np.full(N_FEATURES, self.default, dtype=np.float32)
                dense[self.columns] = self.values
                self._dense = dense
            grams.data *= self._dense[grams.indices]
        if self.normalise:
            counts = np.diff(grams.indptr)
            owners = np.repeat(np.arange(grams.shape[0]), counts)
            lengths = np.sqrt(np.bincount(owners, grams.data**2, minlength=grams.shape[0]))
            grams.data /= lengths[owners].astype(np.float32)
        return (grams + rows.side).tocsr()

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "idf_columns": self.columns.astype(np.int32),
            "idf_values": self.values.astype(np.float32),
            "weighting": np.array([self.default, float(self.idf), float(self.normalise)]),
        }

    @classmethod
    def from_arrays(cls, data: object) -> Weighting:
        files = getattr(data, "files", [])
        if "weighting" not in files:  # stored before the weighting existed
            return cls()
        default, idf, normalise = (float(v) for v in data["weighting"])  # type: ignore[index]
        return cls(
            data["idf_columns"],  # type: ignore[index]
            data["idf_values"],  # type: ignore[index]
            default,
            idf=bool(idf),
            normalise=bool(normalise),
        )


@dataclass
class LinearModel:
    """Weights over hashed features. ``multi_label``: one sigmoid per class (themes);
    otherwise a softmax over the classes (sentiment). ``weighting``: how a row's grams are
    weighted before the product. ``floor`` (multi-label only): when no class reaches its
    threshold, the most likely class is still chosen if its probability reaches ``floor``
    (above 1: never)."""

    classes: list[str]
    columns: np.ndarray  # the hashed feature ids that carry a weight
    weights: np.ndarray  # classes × len(columns)
    bias: np.ndarray
    multi_label: bool
    weighting: Weighting = field(default_factory=Weighting)
    floor: float = 2.0
    # Weights of the dense block (classes × its width) and the factor its rows are scaled by;
    # None: the model was trained without embeddings.
    dense_weights: np.ndarray | None = None
    dense_scale: float = 1.0
    _dense: np.ndarray | None = field(default=None, repr=False)

    @property
    def uses_dense(self) -> bool:
        return self.dense_weights is not None

    def matrix(self, rows: Sequence[Features] | Rows) -> sparse.csr_matrix:
        return self.weighting.apply(rows if isinstance(rows, Rows) else Rows.of(rows))

    def scores(self, features: sparse.csr_matrix, dense: np.ndarray | None = None) -> np.ndarray:
        if self._dense is None:
            table = np.zeros((N_FEATURES, len(self.classes)), dtype=np.float32)
            table[self.columns] = self.weights.T
            self._dense = table
        raw = np.asarray(features @ self._dense) + self.bias
        if self.dense_weights is not None and dense is not None:
            raw += (dense * self.dense_scale) @ self.dense_weights.T
        return raw

    def probabilities(
        self, features: sparse.csr_matrix, dense: np.ndarray | None = None
    ) -> np.ndarray:
        raw = self.scores(features, dense)
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-raw))
        raw = raw - raw.max(axis=1, keepdims=True)
        exp = np.exp(raw)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict_rows(
        self, rows: Sequence[Features] | Rows, dense: np.ndarray | None = None
    ) -> np.ndarray:
        """Probabilities per row; ``dense``: the embeddings when ``rows`` is a plain list
        (a ``Rows`` carries its own)."""
        if isinstance(rows, Rows):
            dense = rows.dense if dense is None else dense
        return self.probabilities(self.matrix(rows), dense)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        arrays: dict[str, Any] = {
            "classes": np.array(self.classes, dtype=str),
            "columns": self.columns.astype(np.int32),
            "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32),
            "multi_label": np.array([self.multi_label]),
            "floor": np.array([self.floor]),
            **self.weighting.arrays(),
        }
        if self.dense_weights is not None:
            arrays["dense_weights"] = self.dense_weights.astype(np.float32)
            arrays["dense_scale"] = np.array([self.dense_scale])
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LinearModel:
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as data:
            return cls(
                classes=[str(name) for name in data["classes"]],
                columns=data["columns"],
                weights=data["weights"],
                bias=data["bias"],
                multi_label=bool(data["multi_label"][0]),
                weighting=Weighting.from_arrays(data),
                floor=float(data["floor"][0]) if "floor" in data.files else 2.0,
                dense_weights=data["dense_weights"] if "dense_weights" in data.files else None,
                dense_scale=(float(data["dense_scale"][0]) if "dense_scale" in data.files else 1.0),
            )


def _compact(coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    columns = np.flatnonzero(np.any(coef != 0, axis=0))
    return columns, coef[:, columns]


def _with_dense(
    features: sparse.csr_matrix, rows: Rows, dense_scale: float
) -> tuple[sparse.csr_matrix, int]:
    """The features with the rows' dense block appended (scaled); its width (0: none)."""
    if rows.dense is None or dense_scale <= 0:
        return features, 0
    block = sparse.csr_matrix(rows.dense.astype(np.float64) * dense_scale)
    return sparse.hstack([features, block], format="csr"), int(rows.dense.shape[1])


def _split_dense(
    coef: np.ndarray, width: int, dense_scale: float
) -> tuple[np.ndarray, np.ndarray | None, float]:
    if not width:
        return coef, None, 1.0
    return coef[:, :-width], coef[:, -width:].astype(np.float32), dense_scale


def train_softmax(
    rows: Rows,
    labels: Sequence[str],
    *,
    c: float = 4.0,
    idf: bool = False,
    normalise: bool = False,
    dense_scale: float = 0.0,
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("Training needs examples of at least two classes.")
    weighting = Weighting.fit(rows.grams, idf=idf, normalise=normalise)
    # Fit on the columns that occur (the optimiser's cost grows with every column).
    features = weighting.apply(rows)
    used = np.unique(features.indices)
    matrix, width = _with_dense(features[:, used], rows, dense_scale)
    model = LogisticRegression(C=c, max_iter=1000, class_weight="balanced")
    model.fit(matrix, list(labels))
    sparse_coef, dense_coef, scale = _split_dense(model.coef_, width, dense_scale)
    coef = np.zeros((model.coef_.shape[0], N_FEATURES))
    coef[:, used] = sparse_coef
    bias = model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
        if dense_coef is not None:
            dense_coef = np.vstack([-dense_coef[0] / 2, dense_coef[0] / 2])
    columns, weights = _compact(coef)
    return LinearModel(
        list(model.classes_),
        columns,
        weights,
        bias,
        multi_label=False,
        weighting=weighting,
        dense_weights=dense_coef,
        dense_scale=scale,
    )


def train_one_vs_rest(
    rows: Rows,
    label_sets: Sequence[Sequence[str]],
    *,
    c: float = 8.0,
    idf: bool = False,
    normalise: bool = False,
    dense_scale: float = 0.0,
) -> LinearModel:
    """One logistic regression per class (class-balanced); a class with no (or only) positive
    examples gets a bias that never (always) fires."""
    from sklearn.linear_model import LogisticRegression

    weighting = Weighting.fit(rows.grams, idf=idf, normalise=normalise)
    features, width = _with_dense(weighting.apply(rows), rows, dense_scale)
    classes = sorted({label for labels in label_sets for label in labels})
    coefs, biases = [], []
    for name in classes:
        target = np.array([name in labels for labels in label_sets])
        if target.all() or not target.any():
            coefs.append(np.zeros(features.shape[1]))
            biases.append(5.0 if target.all() else -5.0)
            continue
        # liblinear, dual: fast when there are far more features than examples.
        model = LogisticRegression(
            C=c, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000
        )
        model.fit(features, target)
        coefs.append(model.coef_[0])
        biases.append(float(model.intercept_[0]))
    coef = np.vstack(coefs) if coefs else np.zeros((0, features.shape[1]))
    coef, dense_coef, scale = _split_dense(coef, width, dense_scale)
    columns, weights = _compact(coef)
    return LinearModel(
        classes,
        columns,
        weights,
        np.array(biases),
        multi_label=True,
        weighting=weighting,
        dense_weights=dense_coef,
        dense_scale=scale,
    )
