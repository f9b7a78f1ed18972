"""Themes: several per comment, each with a confidence.

* Taxonomy keywords and phrases are matched on lemmas ("pakketten kwamen" matches the keyword
  "pakket komen"), so one keyword covers every inflection, in Dutch and English.
* A one-vs-rest logistic regression over hashed lemma uni- and bigrams plus the keyword hits
  learns from tagged examples; its per-theme decision threshold is chosen on the training data
  by cross-validation (the best F1), so rare themes are not drowned.
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


def features(lemmas: Sequence[str], keyword_hits: Iterable[str]) -> dict[str, float]:
    feats: dict[str, float] = {"@bias": 1.0}
    previous = "<s>"
    for token in lemmas:
        feats[token] = 1.0
        feats[previous + " " + token] = 1.0
        previous = token
    for name in keyword_hits:
        feats["@kw:" + name] = 2.0
    return feats


@dataclass
class ThemeModel:
    model: linear.LinearModel
    thresholds: dict[str, float]

    def predict(self, feature_rows: Sequence[dict[str, float]]) -> list[dict[str, float]]:
        if not feature_rows:
            return []
        probabilities = self.model.probabilities(linear.hashed(feature_rows))
        limits = np.array([self.thresholds.get(name, 0.5) for name in self.model.classes])
        results = []
        for row in probabilities:
            chosen = np.flatnonzero(row >= limits)
            results.append(
                {self.model.classes[i]: round(float(row[i]), 3) for i in chosen.tolist()}
            )
        return results


def _best_threshold(probabilities: np.ndarray, truth: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for limit in np.arange(0.15, 0.86, 0.05):
        guess = probabilities >= limit
        tp = float(np.sum(guess & truth))
        f1 = 2 * tp / (guess.sum() + truth.sum()) if (guess.sum() + truth.sum()) else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(limit), f1
    return round(best, 2)


def train(
    feature_rows: Sequence[dict[str, float]],
    label_sets: Sequence[Sequence[str]],
    *,
    c: float = 8.0,
    folds: int = 3,
    tune: bool = True,
) -> ThemeModel:
    matrix = linear.hashed(feature_rows)
    model = linear.train_one_vs_rest(matrix, label_sets, c=c)
    thresholds = dict.fromkeys(model.classes, 0.5)
    if tune and len(feature_rows) >= 30 * folds:
        # Out-of-fold probabilities for every training row pick each theme's threshold.
        out = np.zeros((len(feature_rows), len(model.classes)))
        order = np.arange(len(feature_rows)) % folds
        for fold in range(folds):
            train_rows = np.flatnonzero(order != fold)
            test_rows = np.flatnonzero(order == fold)
            part = linear.train_one_vs_rest(
                matrix[train_rows], [label_sets[int(i)] for i in train_rows], c=c
            )
            probabilities = part.probabilities(matrix[test_rows])
            for j, name in enumerate(part.classes):
                out[test_rows, model.classes.index(name)] = probabilities[:, j]
        for j, name in enumerate(model.classes):
            truth = np.array([name in labels for labels in label_sets])
            if truth.sum() >= 3:
                thresholds[name] = _best_threshold(out[:, j], truth)
    return ThemeModel(model, thresholds)
