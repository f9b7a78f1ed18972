"""One entry point: ``Analyser.analyse(texts)`` → language, sentiment, themes per comment and
per sentence, in batches (one sparse product per model per batch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from outsidein.text.engine import language as language_module
from outsidein.text.engine import sentiment, themes, tokens

MAX_SENTENCES = 40
ENGINE_VERSION = "2"  # 2: character n-grams, unit-length grams, top-theme floor


@dataclass
class Analysis:
    language: str
    language_confidence: float
    sentiment: str
    score: float
    confidence: float
    themes: dict[str, float]
    sentences: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "language_confidence": self.language_confidence,
            "sentiment": self.sentiment,
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


@dataclass
class Analyser:
    sentiment_models: dict[str, sentiment.SentimentModel] = field(default_factory=dict)
    theme_model: themes.ThemeModel | None = None
    matcher: themes.KeywordMatcher = field(default_factory=themes.KeywordMatcher)
    version: str = "builtin"

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

    def _sentiments(self, items: Sequence[Prepared]) -> list[tuple[str, float, float]]:
        results: list[tuple[str, float, float] | None] = [None] * len(items)
        by_language: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            if item.language == language_module.OTHER or not item.words:
                results[index] = ("neutral", 0.0, 0.0)
            elif item.language in self.sentiment_models:
                by_language.setdefault(item.language, []).append(index)
            else:
                score = item.rules.score
                results[index] = (sentiment.label_of(score), score, round(abs(score), 4))
        for language, indexes in by_language.items():
            model = self.sentiment_models[language]
            rows = [
                sentiment.features(items[i].words, items[i].lemmas, items[i].rules) for i in indexes
            ]
            predicted = model.predict(rows, [items[i].rules.score for i in indexes])
            for i, value in zip(indexes, predicted, strict=True):
                results[i] = value
        return [value or ("neutral", 0.0, 0.0) for value in results]

    def _themes(self, items: Sequence[Prepared]) -> list[dict[str, float]]:
        if self.theme_model is None:
            return [
                dict.fromkeys(sorted(item.keyword_hits), themes.KEYWORD_CONFIDENCE)
                for item in items
            ]
        rows = [themes.features(item.words, item.lemmas, item.keyword_hits) for item in items]
        return self.theme_model.predict(rows)

    def analyse(self, texts: Sequence[str | None]) -> list[Analysis]:
        comments: list[Prepared] = []
        parts: list[Prepared] = []
        owners: list[int] = []
        for index, raw in enumerate(texts):
            text = tokens.clean(raw)
            comment = self.prepare(text)
            comments.append(comment)
            split = tokens.sentences(text)[:MAX_SENTENCES] if comment.words else []
            if len(split) > 1:
                for sentence in split:
                    parts.append(self.prepare(sentence, comment.language))
                    owners.append(index)
        comment_sentiment = self._sentiments(comments)
        comment_themes = self._themes(comments)
        part_sentiment = self._sentiments(parts)
        part_themes = self._themes(parts)
        sentences: list[list[dict[str, Any]]] = [[] for _ in comments]
        for part, owner, feeling, found in zip(
            parts, owners, part_sentiment, part_themes, strict=True
        ):
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
            if not sentences[index] and comment.words:
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
            results.append(
                Analysis(
                    language=comment.language,
                    language_confidence=comment.language_confidence,
                    sentiment=label,
                    score=score,
                    confidence=confidence,
                    themes=dict(sorted(found.items())),
                    sentences=sentences[index],
                )
            )
        return results
