"""The engine's learned parts: features, weighting, the top-theme rule, stored arrays."""

from __future__ import annotations

import io

import numpy as np
import pytest

from outsidein.text.engine import linear, sentiment, themes, tokens, training
from outsidein.text.engine.analyser import Analyser


def _sentiment_features(text: str, lang: str = "en") -> linear.Features:
    words = tokens.tokens(text)
    lemmas = tokens.lemmas(words, lang)
    return sentiment.features(words, lemmas, sentiment.rule_score(words, lemmas, lang))


def test_negated_words_are_marked_and_rules_are_side_features() -> None:
    grams, side = _sentiment_features("the staff was not friendly")
    assert "NOT_friendly" in grams
    assert "friendly" not in grams
    assert side["@rule"] < 0
    assert all(key.startswith("@") for key in side)
    assert not any(key.startswith("@") for key in grams)


def test_character_grams_are_kept_apart_from_words() -> None:
    into: dict[str, float] = {}
    linear.char_grams(["goedkoop", "42"], into)
    assert "# go" in into and "#oop " in into and "#goed" in into
    assert "goed" not in into
    assert not any("42" in key for key in into)


def test_weighting_scales_grams_to_unit_length_and_keeps_side_features() -> None:
    rows = linear.Rows.of([({"a": 1.0, "b": 1.0, "c": 1.0}, {"@x": 3.0}), ({"a": 1.0}, {})])
    weighting = linear.Weighting.fit(rows.grams, idf=True, normalise=True)
    matrix = weighting.apply(rows).toarray()
    side_column = linear.hashed([{"@x": 1.0}]).indices[0]
    assert matrix[0, side_column] == pytest.approx(3.0)
    grams = np.delete(matrix, side_column, axis=1)
    assert np.linalg.norm(grams, axis=1) == pytest.approx([1.0, 1.0])
    # "a" is in every row, so it weighs less than "b" in the first.
    a, b = (linear.hashed([{k: 1.0}]).indices[0] for k in ("a", "b"))
    assert matrix[0, a] < matrix[0, b]


def test_empty_rows_survive_weighting() -> None:
    rows = linear.Rows.of([({}, {}), ({"a": 1.0}, {})])
    matrix = linear.Weighting.fit(rows.grams).apply(rows)
    assert matrix.shape[0] == 2 and np.isfinite(matrix.data).all()


def test_top_theme_floor_rule() -> None:
    probabilities = np.array([[0.2, 0.45, 0.1], [0.7, 0.1, 0.1], [0.1, 0.2, 0.15]])
    limits = np.array([0.5, 0.5, 0.5])
    chosen = themes._choose(probabilities, limits, floor=0.4)
    assert [c.tolist() for c in chosen] == [[1], [0], []]
    assert [c.tolist() for c in themes._choose(probabilities, limits, floor=2.0)] == [[], [0], []]
    # A theme that may not be chosen (limit above 1) is never the fallback either.
    closed = np.array([0.5, 2.0, 0.5])
    assert [c.tolist() for c in themes._choose(probabilities, closed, floor=0.15)] == [
        [0],
        [0],
        [2],
    ]


def test_theme_model_roundtrip_keeps_weighting_floor_and_predictions() -> None:
    texts = [f"the {w} was great" for w in ("soup", "steak", "wine")] * 12 + [
        f"our {w} was friendly" for w in ("waiter", "host", "staff")
    ] * 12
    sets = [["Food"]] * 36 + [["Service"]] * 36
    model = training.train_themes(texts, sets)
    again = linear.LinearModel.from_bytes(model.model.to_bytes())
    assert again.floor == model.model.floor
    assert again.weighting.idf and again.weighting.normalise
    test = ["the soup was cold", "a friendly waiter"]
    first = Analyser(theme_model=model).analyse(test)
    second = Analyser(theme_model=themes.ThemeModel(again, model.thresholds)).analyse(test)
    assert [a.themes for a in first] == [a.themes for a in second]
    assert "Food" in first[0].themes and "Service" in first[1].themes


def test_models_stored_before_the_weighting_still_load() -> None:
    out = io.BytesIO()
    np.savez_compressed(
        out,
        classes=np.array(["negative", "positive"]),
        columns=np.array([linear.hashed([{"bad": 1.0}]).indices[0]], dtype=np.int32),
        weights=np.array([[1.0], [-1.0]], dtype=np.float32),
        bias=np.zeros(2, dtype=np.float32),
        multi_label=np.array([False]),
    )
    model = linear.LinearModel.from_bytes(out.getvalue())
    assert not model.weighting.idf and not model.weighting.normalise
    assert model.floor > 1
    probabilities = model.predict_rows([({"bad": 1.0}, {})])
    assert probabilities[0, 0] > probabilities[0, 1]


def test_sentiment_model_learns_but_clauses_and_negation() -> None:
    good = [f"the {w} was lovely" for w in ("meal", "wine", "room", "staff")] * 8
    bad = [f"the {w} was not lovely" for w in ("meal", "wine", "room", "staff")] * 8
    model = training.train_sentiment(good + bad, ["positive"] * 32 + ["negative"] * 32, "en")
    analyser = Analyser(sentiment_models={"en": model})
    found = [a.sentiment for a in analyser.analyse(["the dessert was lovely", "not lovely"])]
    assert found == ["positive", "negative"]


def test_words_after_but_are_marked_and_questions_flagged() -> None:
    grams, side = _sentiment_features("the food was fine but the waiter was rude?")
    assert "AFTER_rude" in grams and "AFTER_fine" not in grams
    assert side["@question"] == 1.0
    grams, side = _sentiment_features("the food was fine")
    assert not any(key.startswith("AFTER_") for key in grams)
    assert side["@question"] == 0.0


def test_regularisation_and_weighting_are_chosen_on_the_training_rows_only() -> None:
    texts = [f"the {w} was lovely" for w in ("meal", "wine", "room")] * 20 + [
        f"the {w} was awful" for w in ("meal", "wine", "room")
    ] * 20
    labels = ["positive"] * 60 + ["negative"] * 60
    rows = linear.Rows.of([_sentiment_features(t) for t in texts])
    c, weighting, scale = sentiment.choose(rows, labels)
    assert c in sentiment.CS and weighting in sentiment.WEIGHTINGS and scale == 0.0
