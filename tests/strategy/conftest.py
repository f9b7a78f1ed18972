from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from outsidein.core.models import Segment
from outsidein.strategy import services
from outsidein.strategy.models import Journey, Stage, Touchpoint
from tests.conftest import Tenant
from tests.factories import SegmentFactory


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The tests read messages in English; a page request earlier in the run may have left the
    thread's language at Dutch (the locale middleware activates it per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class Journeyed:
    segment: Segment
    journey: Journey
    support: Stage
    touchpoint: Touchpoint


def make_journey(tenant: Tenant, name: str = "Households") -> Journeyed:
    organisation = tenant.organisation
    segment = SegmentFactory(organisation=organisation, name=f"{name} segment")
    journey = services.create_journey(organisation, segment=segment, name=f"{name} journey")
    support = services.create_stage(journey, name="Support", kind="support")
    touchpoint = services.create_touchpoint(
        organisation,
        stage=support,
        name="Helpdesk phone",
        channel="phone",
        team=tenant.manager.team,
        moment_that_matters=True,
    )
    return Journeyed(segment, journey, support, touchpoint)


@pytest.fixture
def journeyed(tenant: Tenant) -> Journeyed:
    return make_journey(tenant)


@pytest.fixture
def other_journeyed(other_tenant: Tenant) -> Any:
    return make_journey(other_tenant)
