"""Hashed features and logistic regression, stored as plain arrays (``numpy.savez``, no pickle).

Training uses scikit-learn; prediction is one sparse matrix product, so a stored model loads
without unpickling anything and scores thousands of comments per second."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

N_FEATURES = 2**18
_HASHER = FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)


def hashed(rows: Sequence[dict[str, float]]) -> sparse.csr_matrix:
    return _HASHER.transform(rows).tocsr()


@dataclass
class LinearModel:
    """Weights over hashed features. ``multi_label``: one sigmoid per class (themes);
    otherwise a softmax over the classes (sentiment)."""

    classes: list[str]
    columns: np.ndarray  # the hashed feature ids that carry a weight
    weights: np.ndarray  # classes × len(columns)
    bias: np.ndarray
    multi_label: bool
    _dense: np.ndarray | None = None

    def scores(self, features: sparse.csr_matrix) -> np.ndarray:
        if self._dense is None:
            dense = np.zeros((N_FEATURES, len(self.classes)), dtype=np.float32)
            dense[self.columns] = self.weights.T
            self._dense = dense
        return np.asarray(features @ self._dense) + self.bias

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        raw = self.scores(features)
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-raw))
        raw = raw - raw.max(axis=1, keepdims=True)
        exp = np.exp(raw)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out,
            classes=np.array(self.classes, dtype=str),
            columns=self.columns.astype(np.int32),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            multi_label=np.array([self.multi_label]),
        )
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
            )


def _compact(coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    columns = np.flatnonzero(np.any(coef != 0, axis=0))
    return columns, coef[:, columns]


def train_softmax(
    features: sparse.csr_matrix, labels: Sequence[str], *, c: float = 4.0
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("Training needs examples of at least two classes.")
    model = LogisticRegression(C=c, max_iter=400, class_weight="balanced")
    model.fit(features, list(labels))
    coef, bias = model.coef_, model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    columns, weights = _compact(coef)
    return LinearModel(list(model.classes_), columns, weights, bias, multi_label=False)


def train_one_vs_rest(
    features: sparse.csr_matrix, label_sets: Sequence[Sequence[str]], *, c: float = 8.0
) -> LinearModel:
    """One logistic regression per class; a class with no (or only) positive examples gets a
    bias that never (always) fires."""
    from sklearn.linear_model import LogisticRegression

    classes = sorted({label for labels in label_sets for label in labels})
    coefs, biases = [], []
    for name in classes:
        target = np.array([name in labels for labels in label_sets])
        if target.all() or not target.any():
            coefs.append(np.zeros(features.shape[1]))
            biases.append(5.0 if target.all() else -5.0)
            continue
        # liblinear, dual: fast when there are far more features than examples.
        model = LogisticRegression(C=c, solver="liblinear", dual=True, class_weight="balanced")
        model.fit(features, target)
        coefs.append(model.coef_[0])
        biases.append(float(model.intercept_[0]))
    coef = np.vstack(coefs) if coefs else np.zeros((0, features.shape[1]))
    columns, weights = _compact(coef)
    return LinearModel(classes, columns, weights, np.array(biases), multi_label=True)
