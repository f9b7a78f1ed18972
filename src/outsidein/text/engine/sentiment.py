"""Sentiment: negative / neutral / positive with a score in −1..1.

Two layers:

* ``rule_score``: the built-in lexicons with rules for negation (a negator flips and weakens
  the next sentiment words in its clause), intensifiers and softeners, "but" (what follows the
  turn counts 1.5×, what precedes it 0.5×) and exclamation marks. Needs no training.
* ``SentimentModel``: class-balanced softmax regression over hashed lemma uni- and bigrams
  (negated words marked) and character 2–5-grams of the words (typos, compounds), scaled to
  unit length, plus the rule features, trained per organisation and language from weak labels
  (scores) and corrections; its regularisation is chosen by cross-validation on the training
  examples only. The rule score stays one of its features, so it starts from the lexicon's
  knowledge and learns the organisation's own words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from outsidein.text.engine import lexicon, linear

LABELS = ("negative", "neutral", "positive")
NEUTRAL_BAND = 0.05
NEGATION_REACH = 3


@dataclass(frozen=True)
class RuleResult:
    score: float  # −1..1
    positive: float
    negative: float
    negated: frozenset[int]  # positions of words inside a negation's reach
    turn: int = -1  # position of the first "but" (−1: none)


def rule_score(words: Sequence[str], lemmas: Sequence[str], language: str) -> RuleResult:
    table = lexicon.lexicon(language)
    negators = lexicon.NEGATORS.get(language, lexicon.NEGATORS["en"])
    boosts = lexicon.INTENSIFIERS.get(language, lexicon.INTENSIFIERS["en"])
    contrasts = lexicon.CONTRASTS.get(language, lexicon.CONTRASTS["en"])
    values: list[float] = []
    negated: set[int] = set()
    negate_until = -1
    boost = 1.0
    turn = -1
    for index, word in enumerate(words):
        value = 0.0
        if word in lexicon.CLAUSE_ENDS or word in contrasts:
            negate_until = -1
            if word in contrasts and turn < 0:
                turn = index
        if word in negators or word.endswith("n't"):
            negate_until = index + NEGATION_REACH
            values.append(0.0)
            continue
        if word in boosts:
            boost *= boosts[word]
            values.append(0.0)
            continue
        weight = table.get(word)
        if weight is None:
            weight = table.get(lemmas[index])
        if weight is not None:
            value = weight * boost
            if index <= negate_until:
                value = -0.6 * value if value > 0 else -0.4 * value
                negated.add(index)
            boost = 1.0
        elif index <= negate_until:
            negated.add(index)
        values.append(value)
    if turn >= 0:
        values = [v * (0.5 if i < turn else 1.5) for i, v in enumerate(values)]
    total = sum(values)
    if total and "!" in words:
        total *= 1 + 0.1 * min(3, words.count("!"))
    score = total / math.sqrt(total * total + 6.0)
    return RuleResult(
        score=round(score, 4),
        positive=sum(v for v in values if v > 0),
        negative=-sum(v for v in values if v < 0),
        negated=frozenset(negated),
        turn=turn,
    )


def label_of(score: float) -> str:
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


# How the model reads a comment (fixed a priori, see bench/text.py for the figures).
CHAR_GRAMS = True
EXTRA = True
# Used when there are too few examples to choose from CS and WEIGHTINGS by cross-validation.
WEIGHTING = {"idf": False, "normalise": True}
C = 1.0
CS = (0.3, 1.0, 3.0, 10.0)
WEIGHTINGS = ({"idf": False, "normalise": True}, {"idf": True, "normalise": True})
FOLDS = 3


def features(words: Sequence[str], lemmas: Sequence[str], rules: RuleResult) -> linear.Features:
    """Grams: lemma unigrams (``NOT_`` inside a negation), bigrams and the words' character
    2–5-grams; side: the rule features."""
    side: dict[str, float] = {
        "@rule": rules.score * 3,
        "@pos": math.log1p(rules.positive),
        "@neg": math.log1p(rules.negative),
        "@bias_len": min(len(words), 60) / 30,
    }
    grams: dict[str, float] = {}
    previous = "<s>"
    for index, token in enumerate(lemmas):
        key = ("NOT_" + token) if index in rules.negated else token
        grams[key] = 1.0
        grams[previous + " " + token] = 1.0
        previous = token
    if CHAR_GRAMS:
        linear.char_grams(words, grams)
    if EXTRA:
        side["@question"] = float("?" in words)
        side["@exclaim"] = float("!" in words)
        side["@negated"] = float(bool(rules.negated))
        turn = rules.turn
        if turn >= 0:
            for token in lemmas[turn + 1 :]:
                grams["AFTER_" + token] = 1.0
    return grams, side


@dataclass
class SentimentModel:
    """A trained model for one language; ``blend``: how much the model's expected score
    weighs against the rule score (1.0: the model alone)."""

    model: linear.LinearModel
    blend: float = 0.8

    def predict(self, feature_rows: Sequence[linear.Features], rule_scores: Sequence[float]):
        probabilities = self.model.predict_rows(feature_rows)
        classes = self.model.classes
        sign = np.array([{"negative": -1.0, "neutral": 0.0, "positive": 1.0}[c] for c in classes])
        expected = probabilities @ sign
        results = []
        for row, rule, value in zip(probabilities, rule_scores, expected, strict=True):
            label = classes[int(row.argmax())]
            score = self.blend * float(value) + (1 - self.blend) * rule
            if label == "neutral":
                score = max(-0.3, min(0.3, score))
            elif label == "positive":
                score = max(NEUTRAL_BAND, score)
            else:
                score = min(-NEUTRAL_BAND, score)
            results.append((label, round(score, 4), round(float(row.max()), 4)))
        return results


def choose(
    rows: linear.Rows, labels: Sequence[str], folds: int = FOLDS
) -> tuple[float, dict[str, bool]]:
    """The regularisation (of ``CS``) and gram weighting (of ``WEIGHTINGS``) with the best
    macro-F1 on out-of-fold predictions of the training rows; ties go to the first tried
    (the smaller C)."""
    from sklearn.metrics import f1_score

    target = np.array(labels)
    order = np.arange(len(target)) % folds
    best, best_f1 = (C, WEIGHTING), -1.0
    for weighting in WEIGHTINGS:
        for c in CS:
            guess = np.empty(len(target), dtype=object)
            for fold in range(folds):
                inside, held = np.flatnonzero(order != fold), np.flatnonzero(order == fold)
                if len(set(target[inside])) < 2:
                    return C, WEIGHTING
                model = linear.train_softmax(
                    rows.take(inside), list(target[inside]), c=c, **weighting
                )
                probabilities = model.predict_rows(rows.take(held))
                guess[held] = np.array(model.classes)[probabilities.argmax(1)]
            f1 = float(f1_score(target, list(guess), average="macro"))
            if f1 > best_f1 + 1e-9:
                best, best_f1 = (c, weighting), f1
    return best


def train(
    feature_rows: Sequence[linear.Features],
    labels: Sequence[str],
    *,
    c: float | None = None,
    tune: bool = True,
) -> SentimentModel:
    """Softmax regression (class-balanced); its regularisation and gram weighting are chosen
    by cross-validation on the training rows when there are enough of them (30 per fold),
    else ``C`` and ``WEIGHTING``."""
    rows = linear.Rows.of(feature_rows)
    weighting = WEIGHTING
    if c is None:
        c = C
        if tune and len(labels) >= 30 * FOLDS:
            c, weighting = choose(rows, labels)
    return SentimentModel(linear.train_softmax(rows, labels, c=c, **weighting))
