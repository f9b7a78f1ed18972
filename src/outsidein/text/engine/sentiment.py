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
# A negation without a sentiment word in its reach ("reageert nooit", "not received yet") is
# a mild complaint in customer feedback (not in a question).
UNMATCHED_NEGATION = -0.7
POSTPOSED_NEGATORS = frozenset({"niet", "nooit"})


@dataclass(frozen=True)
class RuleResult:
    score: float  # −1..1
    positive: float
    negative: float
    negated: frozenset[int]  # positions of words inside a negation's reach
    turn: int = -1  # position of the first "but" (−1: none)
    sarcasm: bool = False  # praise around a complaint ("Geweldig, alweer een … Top hoor.")
    balanced: bool = False  # a negated praise and a negated complaint ("not bad, not good")
    # a sentiment word was negated ("niet ontevreden", "not helpful"), or a negation stood
    # alone ("werkt niet")
    flipped: bool = False
    question: bool = False


def rule_score(words: Sequence[str], lemmas: Sequence[str], language: str) -> RuleResult:
    table = lexicon.lexicon(language)
    negators = lexicon.NEGATORS.get(language, lexicon.NEGATORS["en"])
    boosts = lexicon.INTENSIFIERS.get(language, lexicon.INTENSIFIERS["en"])
    contrasts = lexicon.CONTRASTS.get(language, lexicon.CONTRASTS["en"])
    values: list[float] = []
    flipped_up = flipped_down = False  # a negated complaint / a negated praise seen
    negated: set[int] = set()
    negate_until = -1
    open_negation = -1  # a negator that has not met a sentiment word yet
    question = "?" in words
    boost = 1.0
    turn = -1

    def flip(value: float) -> float:
        nonlocal flipped_up, flipped_down
        flipped_down |= value > 0
        flipped_up |= value < 0
        return -0.6 * value if value > 0 else -0.4 * value

    for index, word in enumerate(words):
        value = 0.0
        if word in lexicon.CLAUSE_ENDS or word in contrasts:
            negate_until = -1
            if open_negation >= 0 and not question:
                values[open_negation] = UNMATCHED_NEGATION
            open_negation = -1
            if word in contrasts and turn < 0:
                turn = index
        if word in negators or word.endswith("n't"):
            previous = index - 1
            if (
                language == "nl"
                and previous >= 0
                and values[previous]
                and previous not in negated
                and word in POSTPOSED_NEGATORS
            ):
                # Dutch puts the negation after the verb: "klopt niet", "werkt nooit".
                values[previous] = flip(values[previous])
                negated.add(previous)
            else:
                open_negation = index
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
                value = flip(value)
                negated.add(index)
                open_negation = -1
            boost = 1.0
        elif index <= negate_until:
            negated.add(index)
        values.append(value)
    if open_negation >= 0 and not question:
        values[open_negation] = UNMATCHED_NEGATION
    unmatched = UNMATCHED_NEGATION in values
    balanced = flipped_up and flipped_down
    sarcasm = not balanced and _sarcastic(words, values, language)
    if sarcasm:  # the praise is meant the other way round
        values = [-abs(v) for v in values]
    elif turn >= 0:
        values = [v * (0.5 if i < turn else 1.5) for i, v in enumerate(values)]
    total = 0.0 if balanced else sum(values)
    if total and "!" in words:
        total *= 1 + 0.1 * min(3, words.count("!"))
    score = total / math.sqrt(total * total + 6.0)
    return RuleResult(
        score=round(score, 4),
        positive=sum(v for v in values if v > 0),
        negative=-sum(v for v in values if v < 0),
        negated=frozenset(negated),
        turn=turn,
        sarcasm=sarcasm,
        balanced=balanced,
        flipped=flipped_up or flipped_down or unmatched,
        question=question,
    )


def _sarcastic(words: Sequence[str], values: Sequence[float], language: str) -> bool:
    """Praise next to a complaint and a marker of irony: a repeat ("alweer", "another") or a
    tag ("top hoor", "yeah right", "thanks a lot", "bedankt voor niets")."""
    if not any(v > 0 for v in values):
        return False
    complaint = any(v < 0 for v in values)
    text = " " + " ".join(words) + " "
    if any(f" {phrase} " in text for phrase in lexicon.IRONY.get(language, ())):
        return True
    if not complaint:
        return False
    if any(f" {phrase} " in text for phrase in lexicon.SARCASM_TAGS.get(language, ())):
        return True
    repeats = lexicon.REPEATS.get(language, frozenset())
    return any(
        value > 0 and any(word in repeats for word in words[index + 1 : index + 4])
        for index, value in enumerate(values)
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
# How strongly the sentence embedding weighs beside the grams (both unit length), when the
# rows have one (more candidates here are chosen by the same cross-validation; one keeps
# training affordable: each doubles its cost).
DENSE_SCALES = (1.0,)


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
        side["@sarcasm"] = float(rules.sarcasm)
        side["@balanced"] = float(rules.balanced)
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

    def predict(
        self,
        feature_rows: Sequence[linear.Features],
        rule_scores: Sequence[float],
        dense: np.ndarray | None = None,
    ) -> list[tuple[str, float, float]]:
        probabilities = self.model.predict_rows(feature_rows, dense)
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
) -> tuple[float, dict[str, bool], float]:
    """The regularisation (of ``CS``), gram weighting (of ``WEIGHTINGS``) and, with
    embeddings, their scale (of ``DENSE_SCALES``) with the best macro-F1 on out-of-fold
    predictions of the training rows; ties go to the first tried (the smaller C)."""
    from sklearn.metrics import f1_score

    target = np.array(labels)
    order = np.arange(len(target)) % folds
    scales = DENSE_SCALES if rows.dense is not None else (0.0,)
    best, best_f1 = (C, WEIGHTING, scales[0]), -1.0
    for scale in scales:
        for weighting in WEIGHTINGS:
            for c in CS:
                guess = np.empty(len(target), dtype=object)
                for fold in range(folds):
                    inside, held = np.flatnonzero(order != fold), np.flatnonzero(order == fold)
                    if len(set(target[inside])) < 2:
                        return C, WEIGHTING, scales[0]
                    model = linear.train_softmax(
                        rows.take(inside),
                        list(target[inside]),
                        c=c,
                        dense_scale=scale,
                        **weighting,
                    )
                    probabilities = model.predict_rows(rows.take(held))
                    guess[held] = np.array(model.classes)[probabilities.argmax(1)]
                f1 = float(f1_score(target, list(guess), average="macro"))
                if f1 > best_f1 + 1e-9:
                    best, best_f1 = (c, weighting, scale), f1
    return best


def train(
    feature_rows: Sequence[linear.Features],
    labels: Sequence[str],
    *,
    c: float | None = None,
    tune: bool = True,
    dense: np.ndarray | None = None,
) -> SentimentModel:
    """Softmax regression (class-balanced) over the grams, the rule features and, when given,
    the sentence embeddings (``dense``, one row per text); its regularisation, gram weighting
    and embedding scale are chosen by cross-validation on the training rows when there are
    enough of them (30 per fold), else ``C``, ``WEIGHTING`` and the first of
    ``DENSE_SCALES``."""
    rows = linear.Rows.of(feature_rows, dense)
    weighting = WEIGHTING
    scale = DENSE_SCALES[0] if dense is not None else 0.0
    if c is None:
        c = C
        if tune and len(labels) >= 30 * FOLDS:
            c, weighting, scale = choose(rows, labels)
    return SentimentModel(linear.train_softmax(rows, labels, c=c, dense_scale=scale, **weighting))
