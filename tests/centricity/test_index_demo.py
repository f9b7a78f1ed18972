"""The index and the scorecards on the demo organisation tell a story. Seeded once for the
module inside a transaction that is rolled back at the end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from outsidein.centricity import scorecards
from outsidein.centricity.demo import seed_index_demo
from outsidein.centricity.indicators import compute_index, index_trend
from outsidein.core.demo import DEMO_SLUG
from outsidein.core.models import Organisation, Team

NOW = datetime(2026, 11, 14, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_org(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Organisation]:
    from outsidein.demo import seed_all

    with django_db_blocker.unblock(), transaction.atomic():
        seed_all(now=NOW)
        organisation = Organisation.objects.get(slug=DEMO_SLUG)
        seed_index_demo(organisation, seed=2026, now=NOW)
        yield organisation
        transaction.set_rollback(True)


def test_seed_is_idempotent(demo_org: Organisation, db: Any) -> None:
    counts = seed_index_demo(demo_org, seed=2026, now=NOW)
    assert counts == {"index_settings": 1, "reward_indicators": 4}
    assert seed_index_demo(demo_org, seed=2026, now=NOW) == counts


def test_the_index_tells_the_story(demo_org: Organisation, db: Any) -> None:
    result = compute_index(demo_org, quarter="2026-Q4")
    assert result.value is not None and 30 < result.value < 90
    assert not result.partial
    perception, behaviour, outcomes = (p.score for p in result.pillars)
    assert perception is not None and behaviour is not None and outcomes is not None
    # The delivery gap: customers are the least convinced.
    assert perception < behaviour and perception < outcomes
    assert "mirror_superior" in [i.key for i in result.movers(3)]
    assert result.wave is not None and len(result.dimensions) == 6
    # The billing trouble of the third quarter shows in the trend.
    trend = {str(p.quarter): p for p in index_trend(demo_org, quarter="2026-Q4", count=4)}
    assert trend["2026-Q3"].value < trend["2026-Q2"].value  # type: ignore[operator]


def test_teams(demo_org: Organisation, db: Any) -> None:
    service = Team.objects.get(organisation=demo_org, slug="klantenservice")
    assert compute_index(demo_org, quarter="2026-Q4", team=service).value is not None
    finance = Team.objects.get(organisation=demo_org, slug="finance")
    result = compute_index(demo_org, quarter="2026-Q4", team=finance)
    knowing = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert "serves no customer segment" in knowing.reason


def test_scorecards_warn(demo_org: Organisation, db: Any) -> None:
    board = scorecards.build(demo_org, quarter="2026-Q4")
    assert [s.key for s in board.specs] == ["contacts", "queue", "loop", "nps"]
    assert any("whom to ask" in w.text for w in board.warnings)
    assert any(card.overall is not None for card in board.cards)
