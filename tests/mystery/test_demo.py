"""The mystery demo: a believable year of mystery shopping for Polderstroom.

Seeded once for the module inside a transaction that is rolled back at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from outsidein.core.demo import DEMO_SLUG, seed_demo
from outsidein.core.models import Organisation, Person
from outsidein.mystery import demo
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario
from outsidein.mystery.results import results

NOW = datetime(2026, 11, 14, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[Organisation, dict]]:
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(now=NOW)
        organisation = Organisation.objects.get(slug=DEMO_SLUG)
        counts = demo.seed_mystery_demo(organisation, seed=2026, now=NOW)
        yield organisation, counts
        transaction.set_rollback(True)


@pytest.fixture
def organisation(seeded: tuple[Organisation, dict], db: Any) -> Organisation:
    return seeded[0]


def test_counts_and_idempotence(seeded: tuple[Organisation, dict], db: Any) -> None:
    organisation, counts = seeded
    people = Person.objects.filter(organisation=organisation).count()
    assert counts["scenarios"] == 5
    assert counts["shops"] == people * demo.ROUNDS
    assert 0.6 * counts["shops"] < counts["reported"] < 0.9 * counts["shops"]
    assert 10 < counts["open"] < people
    assert demo.seed_mystery_demo(organisation, seed=2026, now=NOW) == counts


def test_the_weak_touchpoint_and_the_improving_ones(organisation: Organisation) -> None:
    today = timezone.localdate(NOW)
    found = results(organisation.pk, today - timedelta(days=364), today, today)
    assert found.touchpoints[0].touchpoint == "Betalingsregeling treffen"
    assert found.touchpoints[0].estimate.value is not None
    assert found.touchpoints[0].estimate.value < 60
    series = {s["label"]: [v for v in s["values"] if v is not None] for s in found.trend["series"]}
    assert series["Installatieafspraak laadpaal"][-1] > series["Installatieafspraak laadpaal"][0]
    assert min(series["Betalingsregeling treffen"]) < min(
        v
        for label, values in series.items()
        if label != "Betalingsregeling treffen"
        for v in values
    )


def test_it_lags_behind_and_customer_service_does_its_shops(organisation: Organisation) -> None:
    shops = Assignment.objects.filter(organisation=organisation).exclude(
        status=AssignmentStatus.ASSIGNED
    )
    done: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for slug, status in shops.values_list("team__slug", "status"):
        total[slug] += 1
        done[slug] += status == AssignmentStatus.DONE
    rate = {slug: done[slug] / total[slug] for slug in total}
    assert min(rate, key=rate.__getitem__) == "it"
    assert rate["klantenservice"] > 0.9


def test_the_demo_employee_has_a_shop_to_do(organisation: Organisation) -> None:
    lotte = Person.objects.get(organisation=organisation, email="medewerker@polderstroom.example")
    shop = Assignment.objects.get(person=lotte, status=AssignmentStatus.ASSIGNED)
    assert shop.scenario.is_active
    assert shop.due_on >= date(2026, 10, 1)


def test_reports_read_like_real_ones(organisation: Organisation) -> None:
    reported = Assignment.objects.filter(organisation=organisation, status=AssignmentStatus.DONE)
    assert all(shop.observations for shop in reported)
    assert reported.filter(observations__icontains="klant").exists()
    assert reported.exclude(case=None).count() == 2
    assert reported.exclude(decision=None).count() == 1
    scores = list(reported.values_list("score", flat=True))
    assert min(scores) < 40 and max(scores) > 90
    # Every shop was reported within its round and not before it was assigned.
    assert not [
        s
        for s in reported
        if not s.assigned_on <= s.shopped_on <= s.assigned_on + timedelta(days=30)
    ]
    assert Scenario.objects.filter(organisation=organisation, team__isnull=True).count() == 0
