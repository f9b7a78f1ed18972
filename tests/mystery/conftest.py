from __future__ import annotations

from datetime import date

import pytest

from outsidein.mystery import services
from outsidein.mystery.models import Assignment, Scenario
from tests.conftest import Tenant

TODAY = date(2026, 3, 2)


def make_scenario(
    tenant: Tenant, name: str = "Bellen over de jaarnota", **fields: object
) -> Scenario:
    fields.setdefault("channel", "phone")
    fields.setdefault("touchpoint", "Vraag over de jaarnota")
    fields.setdefault(
        "instructions", "Bel de klantenservice en vraag waarom je termijnbedrag stijgt."
    )
    fields.setdefault("checklist", ["Binnen 2 minuten opgenomen", "Naam genoemd"])
    fields.setdefault("scoring", ["Vriendelijkheid", "Duidelijkheid van het antwoord"])
    return services.create_scenario(tenant.organisation, name=name, **fields)


@pytest.fixture
def scenario(tenant: Tenant) -> Scenario:
    return make_scenario(tenant, team=tenant.manager.team)


@pytest.fixture
def shop(tenant: Tenant, scenario: Scenario) -> Assignment:
    """The employee's open shop of ``scenario``, assigned today (the real today)."""
    from django.utils import timezone

    result = services.plan_assignments(tenant.organisation, timezone.localdate())
    return next(a for a in result.created if a.person_id == tenant.employee.pk)


def full_answers(scenario: Scenario, check: str = "yes", score: int = 4) -> dict[str, dict]:
    return {
        "checklist": {item["key"]: check for item in scenario.checklist},
        "scores": {item["key"]: score for item in scenario.scoring},
    }
