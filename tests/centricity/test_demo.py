"""The mirror survey demo: three waves on both sides with a realistic gap.

Seeded once for the module inside a transaction that is rolled back at the end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from outsidein.centricity import demo, services
from outsidein.core.demo import DEMO_SLUG, seed_demo
from outsidein.core.models import Organisation, Team

NOW = datetime(2026, 11, 14, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[Organisation, dict]]:
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(now=NOW)
        organisation = Organisation.objects.get(slug=DEMO_SLUG)
        counts = demo.seed_centricity_demo(organisation, seed=2026, now=NOW)
        yield organisation, counts
        transaction.set_rollback(True)


def test_counts_and_idempotence(seeded: tuple[Organisation, dict], db: Any) -> None:
    organisation, counts = seeded
    assert counts["mirror_waves"] == 3
    assert counts["mirror_employee_answers"] >= 90
    assert counts["mirror_customer_answers"] == 3 * demo.CUSTOMERS_PER_WAVE
    assert demo.seed_centricity_demo(organisation, seed=2026, now=NOW) == counts


def test_the_gap_tells_the_story(seeded: tuple[Organisation, dict], db: Any) -> None:
    organisation, _counts = seeded
    points = services.trend(organisation)
    assert [p.wave.status for p in points] == ["closed", "closed", "open"]
    for point in points:
        gaps = {g.key: g for g in point.gaps}
        assert all(g.gap.difference > 0 for g in gaps.values())  # type: ignore[operator]
        assert sum(g.significant for g in gaps.values()) >= 5
        widest = max(gaps.values(), key=lambda g: g.gap.difference or 0)
        assert widest.key in {"responsiveness", "promises"}
        superior = point.superior
        assert superior.employee.value > 55 and superior.customer.value < 25  # type: ignore[operator]

    # Customers mark responsiveness and promises down in the billing wave.
    def customer(point: Any, key: str) -> float:
        return next(g.customer.value for g in point.gaps if g.key == key)

    for key in ("responsiveness", "promises"):
        assert customer(points[1], key) < customer(points[0], key) - 0.4
        assert customer(points[2], key) > customer(points[1], key)


def test_small_teams_are_hidden_and_some_teams_serve_nobody(
    seeded: tuple[Organisation, dict], db: Any
) -> None:
    organisation, _counts = seeded
    teams = {t.slug: t for t in Team.objects.filter(organisation=organisation)}
    service = services.dimension_gaps(organisation, team=teams["klantenservice"])
    assert all(g.employee.enough and g.customer.enough for g in service)
    small = services.dimension_gaps(organisation, team=teams["accountmanagement"])
    assert all(g.employee.hidden for g in small)
    finance = services.dimension_gaps(organisation, team=teams["finance"])
    assert all(g.customer.n == 0 for g in finance)


def test_a_weak_customer_statement_is_flagged(seeded: tuple[Organisation, dict], db: Any) -> None:
    organisation, _counts = seeded
    rows = {r.key: r for r in services.reliability_for(organisation, side="customer")}
    weak = {i.key for i in rows["leadership"].reliability.items if i.weakens}
    assert weak == {"lead-stories"}
    employees = services.reliability_for(organisation, side="employee")
    assert all(r.reliability.alpha is not None for r in employees)
    assert sum(r.reliability.acceptable for r in employees) >= 4
