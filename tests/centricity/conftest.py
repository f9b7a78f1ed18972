from __future__ import annotations

import random
from typing import Any

import pytest

from outsidein.centricity import services
from outsidein.centricity.models import EmployeeResponse, Wave
from outsidein.core.models import Customer, Segment, Team
from outsidein.voice.models import Channel, FeedbackKind
from outsidein.voice.services import FeedbackRow, bulk_record
from tests.conftest import Tenant


@pytest.fixture
def wave(tenant: Tenant) -> Wave:
    created = services.create_wave(tenant.organisation, name="Voorjaar")
    return services.open_wave(created)


def add_employees(
    wave: Wave, team: Team | None, rows: list[dict[str, int]]
) -> list[EmployeeResponse]:
    return EmployeeResponse.objects.bulk_create(
        EmployeeResponse(organisation=wave.organisation, wave=wave, team=team, answers=answers)
        for answers in rows
    )


def add_customers(
    wave: Wave, rows: list[dict[str, int]], *, segment: Segment | None = None
) -> None:
    from django.utils import timezone

    items = []
    for number, answers in enumerate(rows):
        customer = None
        if segment is not None:
            customer = Customer.objects.create(
                organisation=wave.organisation,
                name=f"Klant {segment.pk}-{number}-{random.random()}",
                segment=segment,
            )
        items.append(
            FeedbackRow(
                kind=FeedbackKind.RESPONSE,
                channel=Channel.EMAIL,
                language="nl",
                submitted_at=timezone.now(),
                survey_id=wave.survey_id,
                customer_id=customer.pk if customer else None,
                segment_id=segment.pk if segment else None,
                answers=answers,
            )
        )
    bulk_record(wave.organisation, items)


def uniform(keys: list[str], value: int, **extra: Any) -> dict[str, int]:
    return dict.fromkeys(keys, value) | extra


def dimension_keys(wave: Wave, dimension: str) -> list[str]:
    return [i["key"] for i in services.wave_items(wave) if i["dimension"] == dimension]
