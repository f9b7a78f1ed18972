"""The ideas demo: deterministic, idempotent, and its numbers tell the story."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from outsidein.core.demo import DEMO_SLUG, seed_demo
from outsidein.core.models import Organisation
from outsidein.ideas import demo, services
from outsidein.ideas.models import Idea, IdeaStatus, Vote

NOW = datetime(2026, 11, 14, 10, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db: Any) -> Organisation:
    seed_demo(seed=7, now=NOW)
    return Organisation.objects.get(slug=DEMO_SLUG)


def test_demo_tells_the_story_and_is_idempotent(organisation: Organisation) -> None:
    first = demo.seed_ideas_demo(organisation, seed=7, now=NOW)
    assert 38 <= first["ideas"] <= 45
    assert first["merged"] == 2
    assert first["declined"] >= 4 and first["done"] >= 6
    assert first["votes"] > 500
    again = demo.seed_ideas_demo(organisation, seed=7, now=NOW)
    assert again == first

    ideas = Idea.objects.filter(organisation=organisation)
    assert ideas.filter(language="en").count() >= 8
    declined = ideas.filter(status=IdeaStatus.DECLINED)
    assert all(idea.decline_reason for idea in declined)
    # Votes are counted right, merged duplicates hold none.
    for idea in ideas:
        assert idea.vote_count == Vote.objects.filter(idea=idea).count()
    assert all(idea.vote_count == 0 for idea in ideas.filter(merged_into__isnull=False))
    # Billing leaves ideas unanswered; product answers.
    by_team = {
        team.slug if team else None: stats
        for team, stats in services.team_stats(organisation.pk, now=NOW)
    }
    assert by_team["facturatie"].share_answered < 60
    assert by_team["product"].share_answered > 85
    assert by_team["product"].median_hours_to_response < 72
    assert services.ideas_waiting_for_triage(organisation.pk, team_ids=None, now=NOW).exists()
    tops = services.top_by_segment(organisation.pk)
    assert {top.name for top in tops} >= {"Huishoudens", "MKB"}


def test_demo_is_deterministic(organisation: Organisation) -> None:
    demo.seed_ideas_demo(organisation, seed=7, now=NOW)
    first = list(
        Idea.objects.filter(organisation=organisation)
        .order_by("title")
        .values_list("title", "vote_count", "author__email", "status")
    )
    Idea.objects.filter(organisation=organisation).delete()
    from outsidein.ideas.models import Participant

    Participant.objects.filter(organisation=organisation).delete()
    demo.seed_ideas_demo(organisation, seed=7, now=NOW)
    second = list(
        Idea.objects.filter(organisation=organisation)
        .order_by("title")
        .values_list("title", "vote_count", "author__email", "status")
    )
    assert first == second
