"""One entry point: ``Analyser.analyse(texts)`` → language, sentiment, themes and the sentence
embedding per comment, and language, sentiment and themes per sentence, in batches (one
sparse product per model per batch; every sentence through the encoder once, the comment's
embedding the mean of its sentences').

Sentiment: the organisation's trained model for the language when there is one, else the
out-of-the-box model (``prior``: prototypes in the encoder's space blended with the rules),
else the rules alone (no encoder installed). A text without words has no language and no
sentiment (both "")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from outsidein.text.engine import embeddings, prior, sentiment, themes, tokens
from outsidein.text.engine import language as language_module

MAX_SENTENCES = 40
# 2: character n-grams, unit-length grams, top-theme floor; 3: sentence embeddings, the
# out-of-the-box prior, irony and Dutch post-verb negation
ENGINE_VERSION = "3"
NO_SENTIMENT = ("", 0.0, 0.0)


@dataclass
class Analysis:
    language: str
    language_confidence: float
    sentiment: str
    score: float
    confidence: float
    themes: dict[str, float]
    sentences: list[dict[str, Any]]
    embedding: np.ndarray | None = None  # unit length; None without an encoder or words

    def as_dict(self) -> dict[str, Any]:
        """Language and sentiment are None for a text without words."""
        return {
            "language": self.language or None,
            "language_confidence": self.language_confidence,
            "sentiment": self.sentiment or None,
            "score": self.score,
            "confidence": self.confidence,
            "themes": self.themes,
            "sentences": self.sentences,
        }


@dataclass
class Prepared:
    """A text split into what the models read."""

    text: str
    language: str
    language_confidence: float
    words: list[str]
    lemmas: list[str]
    rules: sentiment.RuleResult
    keyword_hits: set[str]

    @property
    def has_words(self) -> bool:
        """Letters or digits, not only punctuation ("!!!")."""
        return any(word[:1].isalnum() for word in self.words)


@dataclass
class Analyser:
    sentiment_models: dict[str, sentiment.SentimentModel] = field(default_factory=dict)
    theme_model: themes.ThemeModel | None = None
    matcher: themes.KeywordMatcher = field(default_factory=themes.KeywordMatcher)
    version: str = "builtin"
    use_encoder: bool = True  # False: lexicon, rules and n-gram models only

    @classmethod
    def builtin(cls, specs: Iterable[themes.ThemeSpec] = ()) -> Analyser:
        return cls(matcher=themes.KeywordMatcher.build(specs))

    def prepare(self, text: str, language: str | None = None) -> Prepared:
        words = tokens.tokens(text)
        confidence = 1.0
        if language is None:
            language, confidence = language_module.detect(text)
        lemma_language = language if language in tokens.LEMMA_LANGUAGES else "en"
        lemmas = tokens.lemmas(words, lemma_language)
        rules = sentiment.rule_score(words, lemmas, lemma_language)
        hits = self.matcher.match(words, lemmas, language)
        return Prepared(text, language, round(confidence, 3), words, lemmas, rules, hits)

    def encoder(self) -> embeddings.Encoder | None:
        return embeddings.encoder() if self.use_encoder else None

    def _sentiments(
        self, items: Sequence[Prepared], vectors: np.ndarray | None = None
    ) -> list[tuple[str, float, float]]:
        results: list[tuple[str, float, float] | None] = [None] * len(items)
        by_language: dict[str, list[int]] = {}
        by_prior: dict[str, list[int]] = {}
        shipped = prior.load() if vectors is not None else None
        for index, item in enumerate(items):
            if not item.has_words:
                results[index] = NO_SENTIMENT
            elif item.language == language_module.OTHER:
                results[index] = ("neutral", 0.0, 0.0)
            elif item.language in self.sentiment_models:
                by_language.setdefault(item.language, []).append(index)
            elif shipped is not None:
                by_prior.setdefault(item.language, []).append(index)
            else:
                score = item.rules.score
                results[index] = (sentiment.label_of(score), score, round(abs(score), 4))
        for language, indexes in by_language.items():
            model = self.sentiment_models[language]
            rows = [
                sentiment.features(items[i].words, items[i].lemmas, items[i].rules) for i in indexes
            ]
            dense = vectors[indexes] if vectors is not None else None
            predicted = model.predict(rows, [items[i].rules.score for i in indexes], dense)
            for i, value in zip(indexes, predicted, strict=True):
                results[i] = value
        for language, indexes in by_prior.items():
            assert shipped is not None and vectors is not None
            predicted = shipped.predict(
                language, vectors[indexes], [items[i].rules for i in indexes]
            )
            for i, value in zip(indexes, predicted, strict=True):
                results[i] = value
        return [value or NO_SENTIMENT for value in results]

    def _themes(
        self, items: Sequence[Prepared], vectors: np.ndarray | None = None
    ) -> list[dict[str, float]]:
        if self.theme_model is None:
            return [
                dict.fromkeys(sorted(item.keyword_hits), themes.KEYWORD_CONFIDENCE)
                for item in items
            ]
        rows = [themes.features(item.words, item.lemmas, item.keyword_hits) for item in items]
        return self.theme_model.predict(rows, vectors)

    def embed(
        self, comments: Sequence[Prepared], parts: Sequence[Prepared], owners: Sequence[int]
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Embeddings of the sentences (``parts``) and of the comments: every sentence is
        encoded once, a comment of one sentence as it is, a longer one as the mean of its
        sentences. ``(None, None)`` without an encoder."""
        model = self.encoder()
        if model is None:
            return None, None
        split = set(owners)
        single = [i for i, c in enumerate(comments) if c.has_words and i not in split]
        texts = [part.text for part in parts] + [comments[i].text for i in single]
        vectors = embeddings.encode(texts, model)
        assert vectors is not None
        part_vectors = vectors[: len(parts)]
        comment_vectors = embeddings.comment_vectors(vectors, list(owners) + single, len(comments))
        return part_vectors, comment_vectors

    def analyse(self, texts: Sequence[str | None]) -> list[Analysis]:
        comments: list[Prepared] = []
        parts: list[Prepared] = []
        owners: list[int] = []
        for index, raw in enumerate(texts):
            text = tokens.clean(raw)
            comment = self.prepare(text)
            comments.append(comment)
            split = tokens.sentences(text)[:MAX_SENTENCES] if comment.has_words else []
            if len(split) > 1:
                for sentence in split:
                    parts.append(self.prepare(sentence, comment.language))
                    owners.append(index)
        part_vectors, comment_vectors = self.embed(comments, parts, owners)
        comment_sentiment = self._sentiments(comments, comment_vectors)
        comment_themes = self._themes(comments, comment_vectors)
        part_sentiment = self._sentiments(parts, part_vectors)
        part_themes = self._themes(parts, part_vectors)
        sentences: list[list[dict[str, Any]]] = [[] for _ in comments]
        for part, owner, feeling, found in zip(
            parts, owners, part_sentiment, part_themes, strict=True
        ):
            if comments[owner].rules.sarcasm and feeling[0] == "positive":
                # The praise in an ironic comment is meant the other way round.
                feeling = ("negative", -abs(feeling[1]), feeling[2])
            sentences[owner].append(
                {
                    "text": part.text[:500],
                    "sentiment": feeling[0],
                    "score": feeling[1],
                    "themes": found,
                }
            )
        results = []
        for index, comment in enumerate(comments):
            label, score, confidence = comment_sentiment[index]
            found = comment_themes[index]
            if not sentences[index] and comment.has_words:
                sentences[index] = [
                    {
                        "text": comment.text[:500],
                        "sentiment": label,
                        "score": score,
                        "themes": found,
                    }
                ]
            # A theme a sentence speaks of is a theme of the comment.
            for part_result in sentences[index]:
                for name, value in part_result["themes"].items():
                    found[name] = max(found.get(name, 0.0), value)
            vector = None
            if comment_vectors is not None and comment.has_words:
                vector = comment_vectors[index]
            results.append(
                Analysis(
                    language=comment.language,
                    language_confidence=comment.language_confidence,
                    sentiment=label,
                    score=score,
                    confidence=confidence,
                    themes=dict(sorted(found.items())),
                    sentences=sentences[index],
                    embedding=vector,
                )
            )
        return results
