"""The gap chart's coordinates stay plain numbers in Dutch (a decimal comma breaks the SVG)."""

from __future__ import annotations

import re

import pytest

from outsidein.centricity.models import Wave
from tests.centricity.conftest import add_customers, add_employees
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def test_svg_coordinates_are_not_localised(tenant: Tenant, wave: Wave) -> None:
    keys = [item["key"] for item in wave.items]
    add_employees(wave, None, [dict.fromkeys(keys, 6 + i % 2) for i in range(7)])
    add_customers(wave, [dict.fromkeys(keys, 3 + i % 2) for i in range(9)])
    client = tenant.client_for(tenant.admin)
    page = client.get("/mirror/", headers={"accept-language": "nl"}).content.decode()
    coordinates = re.findall(r'\b(?:x1|x2|cx|cy)="([^"]*)"', page)
    assert coordinates
    assert not [value for value in coordinates if "," in value]
