"""The analysis engine: pure functions, no database."""

from __future__ import annotations

import pytest

from outsidein.text.engine import language, linear, sentiment, tokens, training
from outsidein.text.engine.analyser import Analyser
from outsidein.text.engine.themes import KeywordMatcher, ThemeSpec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("De bezorging was veel te laat en niemand nam de telefoon op.", "nl"),
        ("The delivery was late and nobody answered the phone.", "en"),
        ("Prima service!", "nl"),
        ("Great job", "en"),
        ("Das Essen war sehr gut und der Service freundlich.", "other"),
        ("", ""),  # an empty text has no language
        ("😀😀", "other"),
    ],
)
def test_language(text: str, expected: str) -> None:
    assert language.detect(tokens.clean(text))[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("De factuur klopt niet en de klantenservice reageert nooit", "nl"),
        ("I was not happy with the delivery at all", "en"),
    ],
)
def test_a_clear_vote_of_the_words_decides_without_the_model(
    text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model() -> None:
        raise AssertionError("the language model was asked")

    monkeypatch.setattr(language, "_identifier", no_model)
    assert language.detect(tokens.clean(text))[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Frisian and German share Dutch words, but not enough of them: the model decides
        ("Wy binne net tefreden mei de rekken, dy is te heech", "other"),
        ("Die Rechnung ist falsch und der Kundendienst antwortet nie", "other"),
        ("Das ist ja echt super gewesen, danke an das ganze Team", "other"),
        ("Le service était très bon et le personnel est aimable", "other"),
        # two languages mixed: no clear vote, the model reads the whole
        ("I am not happy at all with de service van jullie", "en"),
    ],
)
def test_other_languages_are_not_taken_for_dutch_or_english(text: str, expected: str) -> None:
    words = [word for word in tokens.tokens(tokens.clean(text)) if word[:1].isalpha()]
    assert language._clear_vote(words, language._word_votes(words)) is None
    assert language.detect(tokens.clean(text))[0] == expected


def _label(text: str, lang: str) -> str:
    words = tokens.tokens(text)
    return sentiment.label_of(sentiment.rule_score(words, tokens.lemmas(words, lang), lang).score)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("De medewerker was erg vriendelijk", "nl", "positive"),
        ("De medewerker was niet vriendelijk", "nl", "negative"),
        ("Goede prijs, maar de bezorging was slecht", "nl", "negative"),
        ("Slechte app, maar de medewerker was geweldig", "nl", "positive"),
        ("The staff were very helpful", "en", "positive"),
        ("The staff were not helpful at all", "en", "negative"),
        ("The price is fine but the delivery was terrible", "en", "negative"),
        ("I called on Tuesday about my contract", "en", "neutral"),
    ],
)
def test_rules_negation_intensifiers_and_but(text: str, lang: str, expected: str) -> None:
    assert _label(text, lang) == expected


def test_intensifier_strengthens() -> None:
    plain = sentiment.rule_score(["good"], ["good"], "en").score
    strong = sentiment.rule_score(["very", "good"], ["very", "good"], "en").score
    assert strong > plain > 0


def test_keywords_match_on_lemmas_in_both_languages() -> None:
    matcher = KeywordMatcher.build([ThemeSpec("Delivery", ("pakket", "parcel", "slimme meter"))])
    for text, lang in (
        ("Mijn pakketten kwamen te laat", "nl"),
        ("Both parcels arrived broken", "en"),
        ("De slimme meters werken niet", "nl"),
    ):
        words = tokens.tokens(text)
        assert matcher.match(words, tokens.lemmas(words, lang), lang) == {"Delivery"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀🎉",
        "x" * 100_000,
        "<p>Great &amp; <b>fast</b></p>",
        None,
        "\x00\x00",
        "Das Essen war gut",
        "De app is top but the price is too high",
    ],
)
def test_bad_input_never_crashes(text: str | None) -> None:
    [result] = Analyser.builtin().analyse([text])
    assert -1 <= result.score <= 1
    if not text or not any(c.isalpha() for c in text):
        # No words: no sentiment; no characters at all: no language either.
        assert result.sentiment == ""
        assert result.language == ("" if not tokens.clean(text).strip() else "other")
        assert result.embedding is None
    else:
        assert result.sentiment in sentiment.LABELS


def test_html_is_stripped() -> None:
    assert tokens.clean("<p>Great &amp; fast</p>") == "Great & fast"


def test_sentences_carry_their_own_sentiment_and_theme() -> None:
    analyser = Analyser.builtin(
        [ThemeSpec("Delivery", ("bezorging",)), ThemeSpec("Price", ("prijs",))]
    )
    [result] = analyser.analyse(["De bezorging was slecht. De prijs is echt prima!"])
    aspects = {tuple(s["themes"]): s["sentiment"] for s in result.sentences}
    assert aspects == {("Delivery",): "negative", ("Price",): "positive"}
    assert set(result.themes) == {"Delivery", "Price"}


def test_trained_models_learn_and_survive_bytes() -> None:
    good = [f"the {w} was lovely and quick" for w in ("meal", "drink", "wine", "room")] * 8
    bad = [f"the {w} was cold and we waited" for w in ("meal", "drink", "wine", "room")] * 8
    model = training.train_sentiment(good + bad, ["positive"] * 32 + ["negative"] * 32, "en")
    again = linear.LinearModel.from_bytes(model.model.to_bytes())
    analyser = Analyser(sentiment_models={"en": sentiment.SentimentModel(again)})
    assert [a.sentiment for a in analyser.analyse(["the wine was lovely", "we waited"])] == [
        "positive",
        "negative",
    ]
    themes_model = training.train_themes(
        good + bad,
        [["Food"] if "meal" in t else ["Room"] if "room" in t else [] for t in good + bad],
    )
    assert "Room" in Analyser(theme_model=themes_model).analyse(["the room was cold"])[0].themes


def test_stored_weights_refuse_pickles() -> None:
    import io

    import numpy as np

    out = io.BytesIO()
    np.savez(out, classes=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        linear.LinearModel.from_bytes(out.getvalue())
