"""Out-of-the-box sentiment with the sentence encoder: no training by the organisation.

A softmax regression per language over the embeddings of the team's prototype sentences
(``prototypes.py``; C = 1, no class weights: the prototypes' own mix says neutral is the rarer
class), shipped as plain numbers in ``sentiment_prior.json``. At analysis its
probabilities are blended with the lexicon rules' verdict (``RULE_WEIGHT``: the rules know
negation and intensity, the encoder knows the words the lexicon lacks), and the rules' two
patterns that an average of words cannot see decide outright: irony (praise around a
complaint: negative), a balanced double negation ("niet slecht, maar ook niet goed":
neutral) and a negated sentiment word ("niet ontevreden": the rules' sign).

Nothing of any research data set goes in: rebuild with
``python -m outsidein.text.engine.prior`` after editing the prototypes (a test checks the
shipped file matches them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from outsidein.text.engine import prototypes
from outsidein.text.engine.sentiment import NEUTRAL_BAND, RuleResult

PATH = Path(__file__).resolve().parent / "sentiment_prior.json"
CLASSES = ("negative", "neutral", "positive")
RULE_WEIGHT = 0.5  # fixed a priori: the rules' verdict counts half a probability
C = 1.0


def digest() -> str:
    """A fingerprint of the prototype sentences the shipped model was built from."""
    text = json.dumps([prototypes.sentences("nl"), prototypes.sentences("en")])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class PriorModel:
    encoder: str
    weights: dict[str, np.ndarray]  # language → classes × dim
    bias: dict[str, np.ndarray]
    source: str = ""

    def probabilities(self, language: str, vectors: np.ndarray) -> np.ndarray:
        key = language if language in self.weights else "en"
        raw = vectors @ self.weights[key].T + self.bias[key]
        raw -= raw.max(axis=1, keepdims=True)
        exp = np.exp(raw)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def predict(
        self, language: str, vectors: np.ndarray, rules: Sequence[RuleResult]
    ) -> list[tuple[str, float, float]]:
        """``(label, score −1..1, confidence)`` per row."""
        if not len(rules):
            return []
        p = self.probabilities(language, vectors)
        out = []
        for row, rule in zip(p, rules, strict=True):
            votes = row.copy()
            votes[0] += RULE_WEIGHT * max(0.0, -rule.score)
            votes[2] += RULE_WEIGHT * max(0.0, rule.score)
            label = CLASSES[int(votes.argmax())]
            if rule.question and not rule.positive and not rule.negative:
                label = "neutral"  # a question without a sentiment word asks for information
            if rule.sarcasm:
                label = "negative"
            elif rule.balanced:
                label = "neutral"
            elif rule.flipped and abs(rule.score) >= NEUTRAL_BAND:
                # An average of words cannot see a negation; the rules can.
                label = "positive" if rule.score > 0 else "negative"
            score = 0.5 * float(row[2] - row[0]) + 0.5 * rule.score
            if label == "neutral":
                score = max(-0.3, min(0.3, score))
            elif label == "positive":
                score = max(NEUTRAL_BAND, score)
            else:
                score = min(-NEUTRAL_BAND, score)
            confidence = float(votes.max() / votes.sum())
            out.append((label, round(score, 4), round(confidence, 4)))
        return out


@lru_cache(maxsize=1)
def load() -> PriorModel | None:
    if not PATH.exists():
        return None
    data = json.loads(PATH.read_text())
    return PriorModel(
        encoder=data["encoder"],
        weights={k: np.array(v, dtype=np.float32) for k, v in data["weights"].items()},
        bias={k: np.array(v, dtype=np.float32) for k, v in data["bias"].items()},
        source=data.get("source", ""),
    )


def build(encoder: object | None = None) -> dict[str, object]:
    """Train on the prototypes and write ``PATH``; returns what was written."""
    from sklearn.linear_model import LogisticRegression

    from outsidein.text.engine import embeddings

    model = encoder or embeddings.encoder()
    if model is None:
        raise SystemExit("The sentence encoder is not installed.")
    weights, bias = {}, {}
    for language in ("nl", "en"):
        pairs = prototypes.sentences(language)
        vectors = embeddings.encode([text for text, _label in pairs], model)  # type: ignore[arg-type]
        fitted = LogisticRegression(C=C, max_iter=5000)
        fitted.fit(vectors, [label for _text, label in pairs])
        assert tuple(fitted.classes_) == CLASSES
        weights[language] = np.round(fitted.coef_, 5).tolist()
        bias[language] = np.round(fitted.intercept_, 5).tolist()
    data = {
        "encoder": getattr(model, "name", "?"),
        "source": digest(),
        "classes": list(CLASSES),
        "weights": weights,
        "bias": bias,
    }
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    load.cache_clear()
    return data


if __name__ == "__main__":  # pragma: no cover
    built = build()
    print(f"{PATH}: built from prototypes {built['source']}")
