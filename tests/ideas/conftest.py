from __future__ import annotations

from typing import Any

import pytest

from outsidein.ideas import services
from outsidein.ideas.models import Idea, Participant
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory


@pytest.fixture
def customer(tenant: Tenant) -> Any:
    segment = SegmentFactory(organisation=tenant.organisation, name="Households")
    return CustomerFactory(
        organisation=tenant.organisation,
        name="Sanne Visser",
        email="sanne@example.net",
        segment=segment,
        language="nl",
    )


@pytest.fixture
def participant(tenant: Tenant, customer: Any) -> Participant:
    return services.verify_participant(
        tenant.organisation, email="Sanne@Example.net", name="Sanne Visser", language="nl"
    )


def make_participant(tenant: Tenant, email: str, **extra: Any) -> Participant:
    return services.verify_participant(tenant.organisation, email=email, **extra)


@pytest.fixture
def idea(tenant: Tenant, participant: Participant) -> Idea:
    return services.submit_idea(
        tenant.organisation,
        title="Show my solar yield next to my usage",
        description="In the app, per day.",
        author=participant,
    )
