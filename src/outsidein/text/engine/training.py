"""Training from labelled texts, shared by the organisation's models, the CLI and
``make eval-text`` (so the figures measure exactly what the product runs)."""

from __future__ import annotations

from collections.abc import Sequence

from outsidein.text.engine import sentiment, themes, tokens
from outsidein.text.engine.analyser import Analyser, Prepared


def _prepared(analyser: Analyser, texts: Sequence[str], language: str | None) -> list[Prepared]:
    return [analyser.prepare(tokens.clean(text), language) for text in texts]


def train_sentiment(
    texts: Sequence[str], labels: Sequence[str], language: str
) -> sentiment.SentimentModel:
    """A sentiment model for one language from (text, negative/neutral/positive) pairs."""
    items = _prepared(Analyser(), texts, language)
    rows = [sentiment.features(item.words, item.lemmas, item.rules) for item in items]
    return sentiment.train(rows, labels)


def train_themes(
    texts: Sequence[str],
    label_sets: Sequence[Sequence[str]],
    specs: Sequence[themes.ThemeSpec] = (),
) -> themes.ThemeModel:
    """A multi-label theme model from (text, themes) pairs; texts in any mix of languages."""
    analyser = Analyser.builtin(specs)
    items = _prepared(analyser, texts, None)
    rows = [themes.features(item.words, item.lemmas, item.keyword_hits) for item in items]
    return themes.train(rows, label_sets)
