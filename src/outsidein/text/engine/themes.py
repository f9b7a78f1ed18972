"""Themes: several per comment, each with a confidence.

* Taxonomy keywords and phrases are matched on lemmas ("pakketten kwamen" matches the keyword
  "pakket komen"), so one keyword covers every inflection, in Dutch and English.
* A one-vs-rest, class-balanced logistic regression over hashed lemma uni- and bigrams and
  character 2–5-grams (TF-IDF weighted, unit length) plus the keyword hits learns from tagged
  examples; its per-theme decision threshold (the best F1) and a floor for "at least the most
  likely theme" are chosen on the training data by cross-validation, so rare themes are not
  drowned and a comment that clearly speaks of something gets a theme.
* Without a trained model the keywords alone decide (confidence 0.7 per match).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from outsidein.text.engine import linear, tokens

KEYWORD_CONFIDENCE = 0.7


@dataclass(frozen=True)
class ThemeSpec:
    name: str
    keywords: tuple[str, ...] = ()


@dataclass
class KeywordMatcher:
    """Keyword phrases as lemma tuples, per language (a keyword is lemmatised in nl and en)."""

    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)

    @classmethod
    def build(cls, specs: Iterable[ThemeSpec]) -> KeywordMatcher:
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {"nl": [], "en": [], "other": []}
        for spec in specs:
            for keyword in spec.keywords:
                words = tokens.tokens(keyword)
                if not words:
                    continue
                for language in phrases:
                    lemmas = tuple(tokens.lemmas(words, language))
                    for variant in {lemmas, tuple(words)}:
                        phrases[language].append((variant, spec.name))
        return cls(phrases)

    def match(self, words: Sequence[str], lemmas: Sequence[str], language: str) -> set[str]:
        found: set[str] = set()
        entries = self.phrases.get(language) or self.phrases.get("other", [])
        if not entries:
            return found
        lemma_set = set(lemmas) | set(words)
        for phrase, name in entries:
            if name in found or phrase[0] not in lemma_set:
                continue
            if len(phrase) == 1:
                found.add(name)
                continue
            size = len(phrase)
            for sequence in (lemmas, words):
                if any(
                    tuple(sequence[i : i + size]) == phrase for i in range(len(sequence) - size + 1)
                ):
                    found.add(name)
                    break
        return found


# How the model reads a comment (fixed a priori, see bench/text.py for the figures).
CHAR_GRAMS = True
WEIGHTING = {"idf": True, "normalise": True}
C = 8.0  # when there are too few examples to choose one of CS by cross-validation
CS = (2.0, 8.0, 32.0)
FOLDS = 3
FLOORS = (2.0, 0.5, 0.4, 0.3, 0.2)  # candidates for the "at least the top theme" rule
DENSE_SCALES = (1.0,)  # the embeddings' weight beside the grams, when there are any


def features(
    words: Sequence[str], lemmas: Sequence[str], keyword_hits: Iterable[str]
) -> linear.Features:
    """Grams: lemma unigrams and bigrams and the words' character 2–5-grams; side: a bias and
    the taxonomy's keyword hits."""
    side: dict[str, float] = {"@bias": 1.0}
    grams: dict[str, float] = {}
    previous = "<s>"
    for token in lemmas:
        grams[token] = 1.0
        grams[previous + " " + token] = 1.0
        previous = token
    if CHAR_GRAMS:
        linear.char_grams(words, grams)
    for name in keyword_hits:
        side["@kw:" + name] = 1.0
    return grams, side


def _choose(probabilities: np.ndarray, limits: np.ndarray, floor: float) -> list[np.ndarray]:
    """Per row the classes at or above their limit; none, then the top class if its
    probability reaches ``floor`` (only among classes that may be chosen at all)."""
    open_classes = limits <= 1.0
    chosen = []
    for row in probabilities:
        picked = np.flatnonzero(row >= limits)
        if not len(picked) and floor <= 1.0 and open_classes.any():
            top = int(np.argmax(np.where(open_classes, row, -1.0)))
            if row[top] >= floor:
                picked = np.array([top])
        chosen.append(picked)
    return chosen


@dataclass
class ThemeModel:
    model: linear.LinearModel
    thresholds: dict[str, float]

    def predict(
        self, feature_rows: Sequence[linear.Features], dense: np.ndarray | None = None
    ) -> list[dict[str, float]]:
        if not feature_rows:
            return []
        probabilities = self.model.predict_rows(feature_rows, dense)
        limits = np.array([self.thresholds.get(name, 0.5) for name in self.model.classes])
        return [
            {self.model.classes[i]: round(float(row[i]), 3) for i in picked.tolist()}
            for row, picked in zip(
                probabilities, _choose(probabilities, limits, self.model.floor), strict=True
            )
        ]


def _best_threshold(probabilities: np.ndarray, truth: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for limit in np.arange(0.15, 0.86, 0.05):
        guess = probabilities >= limit
        tp = float(np.sum(guess & truth))
        f1 = 2 * tp / (guess.sum() + truth.sum()) if (guess.sum() + truth.sum()) else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(limit), f1
    return round(best, 2)


def _micro_f1(chosen: list[np.ndarray], truth: np.ndarray) -> float:
    guess = np.zeros_like(truth)
    for row, picked in enumerate(chosen):
        guess[row, picked] = True
    tp = float(np.sum(guess & truth))
    total = float(guess.sum() + truth.sum())
    return 2 * tp / total if total else 0.0


def _tuned(
    out: np.ndarray, truth: np.ndarray, classes: Sequence[str]
) -> tuple[dict[str, float], float, float]:
    """Thresholds, floor and the micro-F1 they reach on out-of-fold probabilities."""
    thresholds = dict.fromkeys(classes, 0.5)
    for j, name in enumerate(classes):
        if truth[:, j].sum() >= 3:
            thresholds[name] = _best_threshold(out[:, j], truth[:, j])
    limits = np.array([thresholds[name] for name in classes])
    scored = [(_micro_f1(_choose(out, limits, floor), truth), -i) for i, floor in enumerate(FLOORS)]
    f1, index = max(scored)
    return thresholds, FLOORS[-index], f1


def train(
    feature_rows: Sequence[linear.Features],
    label_sets: Sequence[Sequence[str]],
    *,
    c: float | None = None,
    folds: int = FOLDS,
    tune: bool = True,
    dense: np.ndarray | None = None,
) -> ThemeModel:
    """One-vs-rest logistic regression over the grams, keyword hits and, when given, the
    sentence embeddings (``dense``). With enough rows (30 per fold) its regularisation (of
    ``CS``, unless ``c`` is given), the embeddings' scale (of ``DENSE_SCALES``), each theme's
    threshold (the best F1) and the top-theme floor are chosen on out-of-fold probabilities
    of the training rows only."""
    rows = linear.Rows.of(feature_rows, dense)
    classes = sorted({label for labels in label_sets for label in labels})
    thresholds = dict.fromkeys(classes, 0.5)
    floor = 2.0
    chosen = C if c is None else c
    scales = DENSE_SCALES if dense is not None else (0.0,)
    chosen_scale = scales[0]
    if tune and len(feature_rows) >= 30 * folds:
        truth = np.array([[name in labels for name in classes] for labels in label_sets])
        order = np.arange(len(feature_rows)) % folds
        best = -1.0
        for scale in scales:
            for candidate in CS if c is None else (c,):
                out = np.zeros((len(feature_rows), len(classes)))
                for fold in range(folds):
                    train_rows = np.flatnonzero(order != fold)
                    test_rows = np.flatnonzero(order == fold)
                    part = linear.train_one_vs_rest(
                        rows.take(train_rows),
                        [label_sets[int(i)] for i in train_rows],
                        c=candidate,
                        dense_scale=scale,
                        **WEIGHTING,
                    )
                    probabilities = part.predict_rows(rows.take(test_rows))
                    for j, name in enumerate(part.classes):
                        out[test_rows, classes.index(name)] = probabilities[:, j]
                tuned, tuned_floor, f1 = _tuned(out, truth, classes)
                if f1 > best + 1e-9:
                    best, chosen, thresholds, floor = f1, candidate, tuned, tuned_floor
                    chosen_scale = scale
    model = linear.train_one_vs_rest(
        rows, label_sets, c=chosen, dense_scale=chosen_scale, **WEIGHTING
    )
    model.floor = floor
    return ThemeModel(model, thresholds)
