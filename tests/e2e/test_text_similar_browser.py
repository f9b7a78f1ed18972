"""In the browser: similar feedback on a feedback item's page and the explanation of the model
figures on the themes page (desktop and phone widths)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


class _Words:
    """A stand-in encoder (vectors from the words): the page, not the model, is under test."""

    name = "words"
    dim = 512

    def encode(self, texts: Any) -> np.ndarray:
        from outsidein.text.engine import embeddings

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hash(word.strip(".,!?")) % self.dim] += 1.0
        return embeddings.unit(out)


def test_similar_feedback_and_model_figures_explained(browsing: Any, e2e_tenant: Any) -> None:
    from django.urls import reverse
    from django.utils import timezone
    from playwright.sync_api import expect

    from outsidein.text import services
    from outsidein.text.engine import embeddings
    from outsidein.voice.services import record_feedback

    embeddings.use(_Words())
    try:
        ids = []
        for days, comment in enumerate(
            [
                "De factuur klopt niet en de klantenservice reageert nooit",
                "De factuur klopt alweer niet en de klantenservice reageert nooit op mail",
                "Factuur klopt niet, klantenservice reageert niet",
                "Heerlijke koffie en vriendelijk personeel in de winkel",
            ]
        ):
            feedback, _created = record_feedback(
                e2e_tenant.organisation,
                survey=None,
                kind="complaint",
                channel="email",
                language="nl",
                comment=comment,
                submitted_at=timezone.now() - timedelta(days=days + 1),
            )
            ids.append(feedback.pk)
        services.analyse_feedback(e2e_tenant.organisation.pk)
        page = browsing.page
        browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD)
        page.goto(browsing.url(reverse("feedback-detail", args=[ids[0]])))
        similar = page.locator("[data-testid=similar-feedback]")
        expect(similar).to_contain_text("alweer niet")
        expect(similar).not_to_contain_text("Heerlijke koffie")
        page.set_viewport_size({"width": 1400, "height": 900})
        browsing.screenshot("text-similar-feedback-1400")
        page.set_viewport_size({"width": 390, "height": 844})
        browsing.screenshot("text-similar-feedback-390")
        similar.locator("a").first.click()
        expect(page).to_have_url(browsing.url(reverse("feedback-detail", args=[ids[1]])))

        page.goto(browsing.url(reverse("text-themes")))
        explained = page.locator("[data-testid=model-figures-explained]")
        explained.locator("summary").click()
        expect(explained).to_contain_text("macro-F1")
        expect(explained).to_contain_text("rare theme")
        page.set_viewport_size({"width": 1400, "height": 900})
        browsing.screenshot("text-model-figures-1400")
        page.set_viewport_size({"width": 390, "height": 844})
        browsing.screenshot("text-model-figures-390")
        browsing.problems.assert_none()
    finally:
        embeddings.reset()
