"""Training from labelled texts, shared by the organisation's models, the CLI and
``make eval-text`` (so the figures measure exactly what the product runs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from outsidein.text.engine import analyser as analyser_module
from outsidein.text.engine import sentiment, themes, tokens
from outsidein.text.engine.analyser import Analyser, Prepared


def _prepared(analyser: Analyser, texts: Sequence[str], language: str | None) -> list[Prepared]:
    return [analyser.prepare(tokens.clean(text), language) for text in texts]


def _vectors(analyser: Analyser, items: Sequence[Prepared]) -> np.ndarray | None:
    """The comments' embeddings as the analyser computes them (a comment of several
    sentences: the mean of its sentences'), or None without an encoder."""
    parts: list[Prepared] = []
    owners: list[int] = []
    for index, item in enumerate(items):
        split = tokens.sentences(item.text)[: analyser_module.MAX_SENTENCES] if item.words else []
        if len(split) > 1:
            for sentence in split:
                parts.append(analyser.prepare(sentence, item.language))
                owners.append(index)
    return analyser.embed(items, parts, owners)[1]


def train_sentiment(
    texts: Sequence[str],
    labels: Sequence[str],
    language: str,
    *,
    use_encoder: bool = True,
    tune: bool = True,
) -> sentiment.SentimentModel:
    """A sentiment model for one language from (text, negative/neutral/positive) pairs, with
    the sentence embeddings as features when the encoder is there."""
    analyser = Analyser(use_encoder=use_encoder)
    items = _prepared(analyser, texts, language)
    rows = [sentiment.features(item.words, item.lemmas, item.rules) for item in items]
    return sentiment.train(rows, labels, dense=_vectors(analyser, items), tune=tune)


def train_themes(
    texts: Sequence[str],
    label_sets: Sequence[Sequence[str]],
    specs: Sequence[themes.ThemeSpec] = (),
    *,
    use_encoder: bool = True,
) -> themes.ThemeModel:
    """A multi-label theme model from (text, themes) pairs; texts in any mix of languages."""
    analyser = Analyser.builtin(specs)
    analyser.use_encoder = use_encoder
    items = _prepared(analyser, texts, None)
    rows = [themes.features(item.words, item.lemmas, item.keyword_hits) for item in items]
    return themes.train(rows, label_sets, dense=_vectors(analyser, items))
