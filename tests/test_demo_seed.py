from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from outsidein.core.demo import DEMO_PASSWORD, DEMO_SLUG, seed_demo
from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Team, Person, Segment, Customer, CustomerContactPerson)
    }


def test_seed_demo_twice_leaves_the_same_counts() -> None:
    first = seed_demo(now=NOW)
    after_first = counts()
    second = seed_demo(now=NOW)
    assert first.created and not second.created
    assert counts() == after_first


def test_demo_organisation_is_big_and_believable() -> None:
    report = seed_demo(now=NOW)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert report.customers == Customer.objects.filter(organisation=organisation).count() >= 2000
    assert Segment.objects.filter(organisation=organisation).count() >= 3
    assert Team.objects.filter(organisation=organisation, kind="team").count() >= 8
    assert Person.objects.filter(organisation=organisation).count() >= 60
    languages = set(Customer.objects.values_list("language", flat=True))
    assert languages == {"nl", "en"}
    business = Customer.objects.filter(kind="business")
    assert business.exists()
    assert CustomerContactPerson.objects.filter(customer__in=business).count() >= business.count()


def test_seed_is_deterministic() -> None:
    seed_demo(now=NOW)
    snapshot = list(
        Customer.objects.order_by("external_id").values_list("external_id", "name", "email")[:50]
    )
    Organisation.objects.all().delete()
    seed_demo(now=NOW)
    again = list(
        Customer.objects.order_by("external_id").values_list("external_id", "name", "email")[:50]
    )
    assert snapshot == again


def test_demo_logins_work(settings: Any) -> None:
    report = seed_demo(now=NOW)
    assert {login.role for login in report.logins} == {"admin", "manager", "employee"}
    for login in report.logins:
        client = Client()
        response = client.post("/login/", {"username": login.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login.email
        assert client.get("/").status_code == 200
